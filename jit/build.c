/* build.c — `ember build`: link the object files a compile-only session
 * made (one per cell, the standard library modules' first) into an
 * executable with Ember's runtime as a static library, and with CPython
 * only when the program uses Python. The executable needs neither LLVM nor
 * MLIR: its main (generated here) hands the table of cells to
 * rt_aot_main (runtime/aot.c).
 *
 * The C compiler on PATH (`cc`, or $CC) links; the objects are position
 * independent, as the JIT's are. */
#include "jit/build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "compiler/buf.h"

/* A C string literal of text. */
static void c_string(Buf *b, const char *text) {
  buf_puts(b, "\"");
  for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
    if (*p == '"' || *p == '\\') buf_printf(b, "\\%c", *p);
    else if (*p == '\n') buf_puts(b, "\\n\"\n  \"");
    else if (*p < 32 || *p >= 127) buf_printf(b, "\\%03o", *p);
    else buf_put(b, (const char *)p, 1);
  }
  buf_puts(b, "\"");
}

static int cell_number(const char *entry) {
  const char *c = strstr(entry, "$c");
  return c ? atoi(c + 2) : 0;
}

static char *main_source(const SessionObject *objs, int n) {
  Buf b = {0};
  buf_puts(&b, "/* main of an executable made by ember build */\n"
               "typedef struct { void (*run)(void); int number; const char *name; int first_line;"
               " const char *source; const char *functions; } RtAotCell;\n"
               "int rt_aot_main(const RtAotCell *cells, int n);\n");
  for (int i = 0; i < n; i++) buf_printf(&b, "extern void cell%d(void) __asm__(\"%s\");\n", i, objs[i].entry);
  buf_puts(&b, "static const RtAotCell cells[] = {\n");
  for (int i = 0; i < n; i++) {
    buf_printf(&b, " {cell%d, %d, ", i, cell_number(objs[i].entry));
    c_string(&b, objs[i].name);
    buf_printf(&b, ", %d,\n  ", objs[i].first_line);
    c_string(&b, objs[i].source);
    buf_puts(&b, ",\n  ");
    c_string(&b, objs[i].functions);
    buf_puts(&b, "},\n");
  }
  buf_printf(&b, "};\nint main(void) { return rt_aot_main(cells, %d); }\n", n);
  return buf_take(&b);
}

static bool write_file(const char *path, const void *data, size_t size) {
  FILE *f = fopen(path, "wb");
  if (!f) return false;
  bool ok = fwrite(data, 1, size, f) == size;
  return fclose(f) == 0 && ok;
}

/* Does any object refer to the embedded CPython (rt_py_*, a %%python name)? */
static bool uses_python(const SessionObject *objs, int n) {
  for (int i = 0; i < n; i++)
    if (memmem(objs[i].bytes, objs[i].size, "rt_py_", 6)) return true;
  return false;
}

/* Runs argv; true on exit status 0. */
static bool run(char *const argv[]) {
  pid_t pid = fork();
  if (pid == 0) {
    execvp(argv[0], argv);
    fprintf(stderr, "ember build: cannot run %s\n", argv[0]);
    _exit(127);
  }
  int status = 0;
  return pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static void add(char ***argv, int *n, int *cap, const char *arg) {
  if (*n + 2 > *cap) {
    *cap = *cap ? *cap * 2 : 32;
    *argv = realloc(*argv, sizeof(char *) * (size_t)*cap);
  }
  (*argv)[(*n)++] = strdup(arg);
  (*argv)[*n] = NULL;
}

/* Splits flags ("-L/x -lpython3.11") into arguments. */
static void add_flags(char ***argv, int *n, int *cap, const char *flags) {
  char *copy = strdup(flags);
  for (char *t = strtok(copy, " "); t; t = strtok(NULL, " ")) add(argv, n, cap, t);
  free(copy);
}

bool build_link(const Session *s, const char *out, bool relocatable, char **err) {
  int n;
  const SessionObject *objs = session_objects(s, &n);
  char dir[] = "/tmp/ember-build-XXXXXX";
  if (!mkdtemp(dir)) {
    *err = strdup("cannot make a temporary folder");
    return false;
  }
  char **argv = NULL;
  int argc = 0, cap = 0;
  const char *cc = getenv("CC");
  add(&argv, &argc, &cap, cc && *cc ? cc : "cc");
  add(&argv, &argc, &cap, "-o");
  add(&argv, &argc, &cap, out);
  if (relocatable) add(&argv, &argc, &cap, "-r");
  char path[256];
  bool ok = true;
  for (int i = 0; i < n && ok; i++) {
    snprintf(path, sizeof path, "%s/cell%d.o", dir, i);
    ok = write_file(path, objs[i].bytes, objs[i].size);
    add(&argv, &argc, &cap, path);
  }
  if (ok && !relocatable) {
    char *src = main_source(objs, n);
    snprintf(path, sizeof path, "%s/main.c", dir);
    ok = write_file(path, src, strlen(src));
    free(src);
    add(&argv, &argc, &cap, path);
    if (uses_python(objs, n)) {
      add(&argv, &argc, &cap, EMBER_PYTHON_LIB);
      add_flags(&argv, &argc, &cap, EMBER_PYTHON_LDFLAGS);
    }
    add(&argv, &argc, &cap, EMBER_RUNTIME_LIB);
    add_flags(&argv, &argc, &cap, "-lm -lpthread -ldl");
  }
  if (ok) ok = run(argv);
  if (!ok) *err = strdup(relocatable ? "linking the object files failed" : "linking the executable failed (see above)");
  for (int i = 0; i < argc; i++) free(argv[i]);
  free(argv);
  for (int i = 0; i <= n; i++) {  /* the temporary files and folder */
    snprintf(path, sizeof path, i < n ? "%s/cell%d.o" : "%s/main.c", dir, i);
    unlink(path);
  }
  rmdir(dir);
  return ok;
}
