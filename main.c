/* main.c — the `ember` command: dispatches to the front ends.
 *
 *   ember run [--echo] [--stats] [--keep-going] [-O0..3] FILE
 *   ember build FILE [-o EXE] [--target-cpu CPU] [-O0..3]
 *   ember build FILE --emit STAGE [-o OUT] [--gpu-arch sm_XY] [-O0..3]
 *   ember --version | --help
 *   ember            (stdin not a terminal: run it as a script)
 *
 * A file is a stream of cells split on lines that start with "# %%". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compiler/buf.h"
#include "jit/build.h"
#include "jit/session.h"
#include "kernel/kernel.h"
#include "repl/repl.h"

typedef struct RunOptions {
  bool echo;        /* print each cell's result, as the REPL does */
  bool stats;       /* per-cell timings on stderr */
  bool keep_going;  /* continue after a failing cell */
  int opt_level;
  const char *emit_stage;  /* ember build --emit: compile only, keep this stage */
  const char *target_cpu;  /* ember build: the CPU to compile for (NULL: this one) */
  const char *out;         /* ember build: the executable or object file to write */
  bool relocatable;        /* ember build --emit obj: one object file, no main */
} RunOptions;

static void usage(FILE *f) {
  fputs("usage: ember [command] [options]\n"
        "\n"
        "commands:\n"
        "  run FILE            run an Ember source file (cells split on '# %%' lines)\n"
        "      --echo          print the value of each cell's last expression\n"
        "      --stats         print compile and run times of each cell to stderr\n"
        "      --keep-going    report a failing cell and go on with the next\n"
        "      -O0 .. -O3      LLVM optimization level (default -O3)\n"
        "  build FILE [-o EXE] [--target-cpu CPU] [-O0..3]\n"
        "                      compile ahead of time into a standalone executable (no LLVM,\n"
        "                      MLIR or Python needed to run it unless it uses Python);\n"
        "                      CPU: an LLVM CPU name (x86-64, x86-64-v3, ...), default: this one\n"
        "  build FILE --emit STAGE [-o OUT] [--gpu-arch sm_XY]\n"
        "                      compile without running and write one stage: mlir (as Ember\n"
        "                      emits it), mlir-llvm, llvm, llvm-opt, asm, obj (one object\n"
        "                      file), or ptx (the GPU kernels' PTX, for sm_XY or the GPU here)\n"
        "  kernel -f FILE      run as a Jupyter kernel on a connection file\n"
        "  kernelspec install [--user | --sys-prefix | --prefix DIR] [--name N]\n"
        "                    [--display-name D] [--interrupt-mode message|signal]\n"
        "                      register the kernel with Jupyter\n"
        "  --version           print the version\n"
        "  --help              print this help\n"
        "\n"
        "With no command, ember starts the interactive REPL on a terminal, and reads\n"
        "standard input as a script when it is not a terminal.\n"
        "\n"
        "Exit status: 0 success, 1 compile error, 2 runtime error.\n",
        f);
}

static void on_stream(void *user, const char *text, size_t len) {
  (void)user;
  fwrite(text, 1, len, stdout);
}

static void on_stderr(void *user, const char *text, size_t len) {
  (void)user;
  fflush(stdout);
  fwrite(text, 1, len, stderr);
}

static void on_error(void *user, const SessionError *err) {
  (void)user;
  fflush(stdout);
  fputs(err->traceback, stderr);
}

static void on_result(void *user, const char *repr) {
  if (*(bool *)user) printf("%s\n", repr);
}

/* input() in `ember run`: a line from standard input. */
static char *on_input(void *user, const char *prompt, bool password) {
  (void)user;
  (void)password;
  fputs(prompt, stdout);
  fflush(stdout);
  return buf_read_line(stdin);
}

static char *read_stream(FILE *f) {
  Buf b = {0};
  char chunk[65536];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) buf_put(&b, chunk, n);
  return buf_take(&b);
}

static bool is_cell_marker(const char *line) { return strncmp(line, "# %%", 4) == 0; }

/* Run each cell of text in turn; returns the exit status. */
static int run_text(const char *text, const char *name, const RunOptions *o) {
  char *err = NULL;
  SessionOptions so = {.opt_level = o->opt_level, .emit_stage = o->emit_stage, .target_cpu = o->target_cpu};
  Session *s = session_create(&so, &err);
  if (!s) {
    fprintf(stderr, "ember: cannot start the compiler: %s\n", err ? err : "unknown error");
    free(err);
    return 3;
  }
  bool echo = o->echo;
  SessionCallbacks cb = {.on_stream = on_stream, .on_stderr = on_stderr, .on_error = on_error, .on_result = on_result,
                        .on_input = on_input, .user = &echo};
  int status = 0, cell_no = 0;
  const char *p = text;
  int line = 1;  /* file line number of p */
  while (*p) {
    /* ember build compiles the file as one program: one module, one PTX */
    if (is_cell_marker(p) && !o->emit_stage) {  /* the marker line belongs to no cell */
      p += strcspn(p, "\n");
      if (*p) p++;
      line++;
    }
    const char *start = p;
    int first_line = line;
    while (*p && (!is_cell_marker(p) || o->emit_stage)) {
      p += strcspn(p, "\n");
      if (*p) p++;
      line++;
    }
    char *cell = strndup(start, (size_t)(p - start));
    cell_no++;
    SessionStatus st = session_execute(s, cell, name, first_line, &cb);
    free(cell);
    fflush(stdout);
    if (o->stats) {
      SessionStats t = session_last_stats(s);
      fprintf(stderr,
              "stats: cell=%d compile_ms=%.3f run_ms=%.3f front_ms=%.3f mlir_ms=%.3f "
              "optimize_ms=%.3f codegen_ms=%.3f\n",
              cell_no, t.front_ms + t.mlir_ms + t.optimize_ms + t.codegen_ms, t.run_ms,
              t.front_ms, t.mlir_ms, t.optimize_ms, t.codegen_ms);
    }
    if (st != SESSION_OK) {
      if (!status) status = (int)st;
      if (!o->keep_going) break;
    }
  }
  if (o->emit_stage && !status && !strcmp(o->emit_stage, "obj")) {
    char *lerr = NULL;
    if (!build_link(s, o->out, o->relocatable, &lerr)) {
      fprintf(stderr, "ember build: %s\n", lerr);
      free(lerr);
      status = 1;
    }
  } else if (o->emit_stage && !status) fputs(session_emitted(s), stdout);
  session_destroy(s);
  return status;
}

static int run_file(const char *file, const RunOptions *o) {
  FILE *f = strcmp(file, "-") ? fopen(file, "rb") : stdin;
  if (!f) {
    fprintf(stderr, "ember: cannot open '%s': ", file);
    perror(NULL);
    return 66;
  }
  char *text = read_stream(f);
  if (f != stdin) fclose(f);
  int st = run_text(text, strcmp(file, "-") ? file : "<stdin>", o);
  free(text);
  return st;
}

/* ember build FILE [-o EXE] [--target-cpu CPU] [-O0..3]
   ember build FILE --emit STAGE [-o OUT] [--gpu-arch ARCH] */
static int cmd_build(int argc, char **argv) {
  RunOptions o = {.opt_level = 3};
  const char *file = NULL, *out = NULL;
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--emit") && i + 1 < argc) o.emit_stage = argv[++i];
    else if (!strcmp(a, "--target-cpu") && i + 1 < argc) o.target_cpu = argv[++i];
    else if (!strcmp(a, "-o") && i + 1 < argc) out = argv[++i];
    else if (!strcmp(a, "--gpu-arch") && i + 1 < argc) setenv("EMBER_GPU_ARCH", argv[++i], 1);
    else if (a[0] == '-' && a[1] == 'O' && a[2] >= '0' && a[2] <= '3' && !a[3]) o.opt_level = a[2] - '0';
    else if (a[0] == '-' && a[1]) {
      fprintf(stderr, "ember build: unknown option '%s'\n", a);
      return 64;
    } else if (!file) file = a;
    else {
      fprintf(stderr, "ember build: one file at a time\n");
      return 64;
    }
  }
  if (!file) {
    fprintf(stderr, "ember build: which file? (ember build FILE -o EXE, or --emit STAGE)\n");
    return 64;
  }
  if (!o.emit_stage || !strcmp(o.emit_stage, "exe") || !strcmp(o.emit_stage, "obj")) {  /* objects, linked */
    o.relocatable = o.emit_stage && !strcmp(o.emit_stage, "obj");
    o.emit_stage = "obj";
    if (!out) {  /* prog.ember -> prog (or prog.o) */
      const char *base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
      static char name[512];
      snprintf(name, sizeof name, "%.*s%s", (int)strcspn(base, "."), base, o.relocatable ? ".o" : "");
      out = name;
    }
    o.out = out;
    return run_file(file, &o);
  }
  const char *stage = session_emit_stage(o.emit_stage);
  if (!stage) {
    fprintf(stderr, "ember build: unknown stage '%s' (mlir, mlir-llvm, llvm, llvm-unopt, asm, obj, ptx)\n",
            o.emit_stage);
    return 64;
  }
  o.emit_stage = stage;
  if (out && !freopen(out, "w", stdout)) {
    fprintf(stderr, "ember build: cannot write '%s': ", out);
    perror(NULL);
    return 73;
  }
  return run_file(file, &o);
}

static int cmd_run(int argc, char **argv) {
  RunOptions o = {.opt_level = 3};
  const char *file = NULL;
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--echo")) o.echo = true;
    else if (!strcmp(a, "--stats")) o.stats = true;
    else if (!strcmp(a, "--keep-going")) o.keep_going = true;
    else if (a[0] == '-' && a[1] == 'O' && a[2] >= '0' && a[2] <= '3' && !a[3]) o.opt_level = a[2] - '0';
    else if (a[0] == '-' && a[1]) {
      fprintf(stderr, "ember run: unknown option '%s'\n", a);
      return 64;
    } else if (!file) file = a;
    else {
      fprintf(stderr, "ember run: one file at a time\n");
      return 64;
    }
  }
  if (!file) {
    fprintf(stderr, "ember run: which file? (ember run FILE)\n");
    return 64;
  }
  return run_file(file, &o);
}

int main(int argc, char **argv) {
  if (argc >= 2 && (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V"))) {
    printf("ember %s (LLVM/MLIR %d)\n", EMBER_VERSION, EMBER_LLVM_VERSION);
    return 0;
  }
  if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
    usage(stdout);
    return 0;
  }
  if (argc >= 2 && !strcmp(argv[1], "run")) return cmd_run(argc - 2, argv + 2);
  if (argc >= 2 && !strcmp(argv[1], "build")) return cmd_build(argc - 2, argv + 2);
  if (argc >= 2 && !strcmp(argv[1], "kernel")) return kern_main(argc - 2, argv + 2);
  if (argc >= 3 && !strcmp(argv[1], "kernelspec") && !strcmp(argv[2], "install"))
    return kern_kernelspec_main(argc - 3, argv + 3);
  if (argc == 1) return repl_main(argc, argv);
  fprintf(stderr, "ember: unknown command '%s'\n\n", argv[1]);
  usage(stderr);
  return 64;
}
