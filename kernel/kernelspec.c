/* kernelspec.c — `ember kernelspec install`: register this binary with
 * Jupyter.
 *
 *   ember kernelspec install [--user | --sys-prefix | --prefix DIR]
 *                            [--name NAME] [--display-name TEXT]
 *                            [--interrupt-mode message|signal]
 *
 * Writes DATA/kernels/NAME/kernel.json, where DATA is, as `jupyter
 * kernelspec install` chooses it: the user's data dir (--user), the
 * Python environment's share/jupyter (--sys-prefix), DIR/share/jupyter
 * (--prefix), or /usr/local/share/jupyter. argv names this binary by its
 * absolute path, so the kernel runs the ember that installed it. The logos
 * are copied from the project's kernelspec/ folder, found next to the
 * binary's build folder (or EMBER_KERNELSPEC_DIR). */
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kernel/kernel.h"

typedef struct SpecOptions {
  const char *where;          /* "user", "sys-prefix", "prefix" or "system" */
  const char *prefix;         /* for --prefix */
  const char *name;           /* kernel directory name */
  const char *display_name;
  const char *interrupt_mode; /* "message" or "signal" */
} SpecOptions;

static const char *const logos[] = {"logo-32x32.png", "logo-64x64.png", "logo-svg.svg"};

/* snprintf for paths: false (and a message) when the result would not fit. */
static bool __attribute__((format(printf, 3, 4))) path_fmt(char *out, size_t n, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int k = vsnprintf(out, n, fmt, ap);
  va_end(ap);
  if (k >= 0 && (size_t)k < n) return true;
  fprintf(stderr, "ember kernelspec: a path is too long: %s...\n", out);
  return false;
}

static void spec_usage(void) {
  fputs("usage: ember kernelspec install [--user | --sys-prefix | --prefix DIR]\n"
        "                                [--name NAME] [--display-name TEXT]\n"
        "                                [--interrupt-mode message|signal]\n",
        stderr);
}

/* ---- paths -------------------------------------------------------------- */

static int mkdirs(const char *path) {
  char tmp[PATH_MAX];
  path_fmt(tmp, sizeof tmp, "%s", path);
  for (char *p = tmp + 1; *p; p++) {
    if (*p != '/') continue;
    *p = 0;
    if (mkdir(tmp, 0755) < 0 && errno != EEXIST) return -1;
    *p = '/';
  }
  return mkdir(tmp, 0755) < 0 && errno != EEXIST ? -1 : 0;
}

/* jupyter_core's jupyter_data_dir() on Linux. */
static void user_data_dir(char *out, size_t n) {
  const char *d = getenv("JUPYTER_DATA_DIR"), *xdg = getenv("XDG_DATA_HOME");
  const char *home = getenv("HOME");
  if (d && *d) path_fmt(out, n, "%s", d);
  else if (xdg && *xdg) path_fmt(out, n, "%s/jupyter", xdg);
  else path_fmt(out, n, "%s/.local/share/jupyter", home ? home : ".");
}

/* sys.prefix of the Python that runs `jupyter` (from its #! line), or of
   python3 when there is no jupyter on PATH. */
static const char PREFIX_OF_JUPYTER[] =
    "j=$(command -v jupyter 2>/dev/null); py=python3; "
    "if [ -n \"$j\" ]; then s=$(head -n1 \"$j\" | sed -n 's/^#! *//p'); [ -n \"$s\" ] && py=$s; fi; "
    "$py -c 'import sys; print(sys.prefix)' 2>/dev/null";

static void sys_prefix(char *out, size_t n) {
  const char *env = getenv("VIRTUAL_ENV");
  if (!env || !*env) env = getenv("CONDA_PREFIX");
  if (env && *env) {
    path_fmt(out, n, "%s", env);
    return;
  }
  snprintf(out, n, "/usr/local");
  FILE *p = popen(PREFIX_OF_JUPYTER, "r");
  if (!p) return;
  char line[PATH_MAX];
  if (fgets(line, sizeof line, p) && line[0] == '/') snprintf(out, n, "%.*s", (int)strcspn(line, "\n"), line);
  pclose(p);
}

static void data_dir(const SpecOptions *o, char *out, size_t n) {
  char prefix[PATH_MAX];
  if (!strcmp(o->where, "user")) {
    user_data_dir(out, n);
    return;
  }
  if (!strcmp(o->where, "sys-prefix")) sys_prefix(prefix, sizeof prefix);
  else path_fmt(prefix, sizeof prefix, "%s", !strcmp(o->where, "prefix") ? o->prefix : "/usr/local");
  path_fmt(out, n, "%s/share/jupyter", prefix);
}

static bool has_logos(const char *dir) {
  char path[PATH_MAX];
  path_fmt(path, sizeof path, "%s/%s", dir, logos[0]);
  return access(path, R_OK) == 0;
}

/* The kernelspec/ folder with the logos, or false. */
static bool find_logo_dir(const char *exe, char *out, size_t n) {
  const char *env = getenv("EMBER_KERNELSPEC_DIR");
  if (env && *env && has_logos(env)) {
    path_fmt(out, n, "%s", env);
    return true;
  }
  char dir[PATH_MAX];
  path_fmt(dir, sizeof dir, "%s", exe);
  char *slash = strrchr(dir, '/');
  if (slash) *slash = 0;
  const char *rel[] = {"../kernelspec", "../share/ember/kernelspec", "kernelspec"};
  for (size_t i = 0; i < sizeof rel / sizeof *rel; i++) {
    path_fmt(out, n, "%s/%s", dir, rel[i]);
    if (has_logos(out)) return true;
  }
#ifdef EMBER_SOURCE_DIR
  path_fmt(out, n, "%s/kernelspec", EMBER_SOURCE_DIR);
  if (has_logos(out)) return true;
#endif
  return false;
}

/* ---- writing ------------------------------------------------------------ */

static int copy_file(const char *from, const char *to) {
  FILE *in = fopen(from, "rb");
  FILE *out = in ? fopen(to, "wb") : NULL;
  char buf[8192];
  size_t k;
  int rc = in && out ? 0 : -1;
  while (!rc && (k = fread(buf, 1, sizeof buf, in)) > 0)
    if (fwrite(buf, 1, k, out) != k) rc = -1;
  if (in) fclose(in);
  if (out && fclose(out) != 0) rc = -1;
  return rc;
}

static int write_kernel_json(const SpecOptions *o, const char *exe, const char *dest) {
  json_t *spec = json_pack("{s:[s, s, s, s], s:s, s:s, s:s, s:{}, s:{}}", "argv", exe, "kernel", "-f",
                           "{connection_file}", "display_name", o->display_name, "language", "ember",
                           "interrupt_mode", o->interrupt_mode, "env", "metadata");
  char path[PATH_MAX];
  path_fmt(path, sizeof path, "%s/kernel.json", dest);
  int rc = spec ? json_dump_file(spec, path, JSON_INDENT(1)) : -1;
  json_decref(spec);
  return rc;
}

static void copy_logos(const char *exe, const char *dest) {
  char src[PATH_MAX], from[PATH_MAX + 32], to[PATH_MAX + 32];
  if (!find_logo_dir(exe, src, sizeof src)) {
    fprintf(stderr, "ember kernelspec: no logos found (kernelspec/ beside the build folder); "
                    "installing without them\n");
    return;
  }
  for (size_t i = 0; i < sizeof logos / sizeof *logos; i++) {
    path_fmt(from, sizeof from, "%s/%s", src, logos[i]);
    path_fmt(to, sizeof to, "%s/%s", dest, logos[i]);
    if (copy_file(from, to) < 0) fprintf(stderr, "ember kernelspec: cannot copy %s\n", from);
  }
}

static int install(const SpecOptions *o) {
  char exe[PATH_MAX], data[PATH_MAX], dest[PATH_MAX + 64];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0) {
    perror("ember kernelspec: cannot find this program's path");
    return 1;
  }
  exe[n] = 0;
  data_dir(o, data, sizeof data);
  if (!path_fmt(dest, sizeof dest, "%s/kernels/%s", data, o->name)) return 1;
  if (mkdirs(dest) < 0 || write_kernel_json(o, exe, dest) < 0) {
    fprintf(stderr, "ember kernelspec: cannot write %s: %s%s\n", dest, strerror(errno),
            !strcmp(o->where, "system") ? " (try --user)" : "");
    return 1;
  }
  copy_logos(exe, dest);
  printf("Installed kernelspec %s in %s\n", o->name, dest);
  return 0;
}

/* ---- arguments ---------------------------------------------------------- */

static bool valid_name(const char *s) {
  if (!*s) return false;
  for (; *s; s++)
    if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) || strchr("._-", *s))) return false;
  return true;
}

/* Parses argv into o; returns 0, or 64 after printing what is wrong. */
static int parse_args(int argc, char **argv, SpecOptions *o) {
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i], *next = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "--user")) o->where = "user";
    else if (!strcmp(a, "--sys-prefix")) o->where = "sys-prefix";
    else if (!strcmp(a, "--prefix") && next) o->where = "prefix", o->prefix = argv[++i];
    else if (!strcmp(a, "--name") && next) o->name = argv[++i];
    else if (!strcmp(a, "--display-name") && next) o->display_name = argv[++i];
    else if (!strcmp(a, "--interrupt-mode") && next) o->interrupt_mode = argv[++i];
    else {
      fprintf(stderr, "ember kernelspec: unknown or incomplete option '%s'\n", a);
      spec_usage();
      return 64;
    }
  }
  if (!valid_name(o->name)) {
    fprintf(stderr, "ember kernelspec: a kernel name is lowercase letters, digits, '.', '_' and '-'\n");
    return 64;
  }
  if (strcmp(o->interrupt_mode, "message") && strcmp(o->interrupt_mode, "signal")) {
    fprintf(stderr, "ember kernelspec: --interrupt-mode is 'message' or 'signal'\n");
    return 64;
  }
  return 0;
}

int kern_kernelspec_main(int argc, char **argv) {
  SpecOptions o = {.where = "system", .name = "ember", .display_name = "Ember", .interrupt_mode = "message"};
  int rc = parse_args(argc, argv, &o);
  return rc ? rc : install(&o);
}
