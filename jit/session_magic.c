/* session_magic.c — IPython-style magics, handled in the session so the
 * kernel and the REPL share them, and session_eval for user_expressions.
 *
 * session_execute looks at the cell's first code line: `%%time` times the
 * rest of the cell; `%%emit STAGE` shows what it compiles to; a one-line cell `%time STMT`, `%timeit STMT` or
 * `%reset [-f]` runs the magic; anything else is Ember code. %timeit
 * compiles STMT once inside a counted loop (`fn __timeit(n: Int)`) and
 * calls it with growing n until a run takes 0.2 s, then repeats that run,
 * as IPython's auto-ranging does. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "compiler/buf.h"
#include "compiler/lex.h"
#include "compiler/parse.h"
#include "jit/guard.h"
#include "jit/session_internal.h"

static double wall_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + t.tv_nsec * 1e-9;
}

static double cpu_s(int who) {
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  struct timeval tv = who ? u.ru_stime : u.ru_utime;
  return (double)tv.tv_sec + tv.tv_usec * 1e-6;
}

/* IPython's time format: 3 significant digits and a unit. */
static void format_time(char *out, size_t n, double s) {
  static const char *const units[] = {"s", "ms", "\xc2\xb5s", "ns"};
  int u = 0;
  double v = s;
  while (u < 3 && v != 0 && fabs(v) < 1.0) {
    v *= 1000;
    u++;
  }
  snprintf(out, n, "%.3g %s", v, units[u]);
}

static void emit_text(const SessionCallbacks *cb, const char *text) {
  if (cb && cb->on_stream) cb->on_stream(cb->user, text, strlen(text));
}

static void usage_error(const SessionCallbacks *cb, const char *msg) {
  if (!cb || !cb->on_error) return;
  Buf tb = {0};
  buf_printf(&tb, "UsageError: %s\n", msg);
  SessionError e = {SESSION_COMPILE_ERROR, "UsageError", msg, buf_str(&tb)};
  cb->on_error(cb->user, &e);
  buf_free(&tb);
}

/* ---- %time and %%time -------------------------------------------------- */

typedef struct HeldResult {
  const SessionCallbacks *cb;
  char *repr;
} HeldResult;

static void hold_result(void *user, const char *repr) {
  HeldResult *h = user;
  free(h->repr);
  h->repr = strdup(repr);
}

static void pass_stream(void *user, const char *text, size_t len) {
  HeldResult *h = user;
  if (h->cb->on_stream) h->cb->on_stream(h->cb->user, text, len);
}

static void pass_stderr(void *user, const char *text, size_t len) {
  HeldResult *h = user;
  h->cb->on_stderr(h->cb->user, text, len);
}

static void pass_error(void *user, const SessionError *e) {
  HeldResult *h = user;
  if (h->cb->on_error) h->cb->on_error(h->cb->user, e);
}

static char *pass_input(void *user, const char *prompt, bool password) {
  HeldResult *h = user;
  return h->cb->on_input(h->cb->user, prompt, password);
}

/* Times go out before the cell's value, as IPython shows them. */
static SessionStatus time_code(Session *s, const char *code, const char *name, int first_line,
                               const SessionCallbacks *cb) {
  HeldResult held = {cb, NULL};
  SessionCallbacks inner = {.on_stream = pass_stream, .on_stderr = cb->on_stderr ? pass_stderr : NULL,
                            .on_error = pass_error, .on_result = hold_result,
                            .on_input = cb->on_input ? pass_input : NULL, .user = &held};
  double w0 = wall_s(), u0 = cpu_s(0), k0 = cpu_s(1);
  SessionStatus st = session_run_source(s, code, name, first_line, &inner);
  double w = wall_s() - w0, u = cpu_s(0) - u0, k = cpu_s(1) - k0;
  char su[32], sk[32], st_[32], sw[32], line[256];
  format_time(su, sizeof su, u);
  format_time(sk, sizeof sk, k);
  format_time(st_, sizeof st_, u + k);
  format_time(sw, sizeof sw, w);
  snprintf(line, sizeof line, "CPU times: user %s, sys: %s, total: %s\nWall time: %s\n", su, sk, st_, sw);
  emit_text(cb, line);
  if (held.repr && cb->on_result) cb->on_result(cb->user, held.repr);
  free(held.repr);
  return st;
}

/* ---- %timeit ----------------------------------------------------------- */

static void (*timeit_fn)(int64_t);
static int64_t timeit_loops;
static void timeit_call(void) { timeit_fn(timeit_loops); }

/* Run fn(n) once under the guard; returns seconds, or -1 on error. */
static double timed_run(void (*fn)(int64_t), int64_t n) {
  timeit_fn = fn;
  timeit_loops = n;
  double t0 = wall_s();
  int kind = guard_call(timeit_call);
  return kind == RT_ERR_NONE ? wall_s() - t0 : -1;
}

static void report_timeit(const SessionCallbacks *cb, const double *runs, int nruns, int64_t loops) {
  double mean = 0, var = 0;
  for (int i = 0; i < nruns; i++) mean += runs[i] / (double)loops;
  mean /= nruns;
  for (int i = 0; i < nruns; i++) {
    double d = runs[i] / (double)loops - mean;
    var += d * d;
  }
  double sd = nruns > 1 ? sqrt(var / nruns) : 0;
  char m[32], d[32], line[256];
  format_time(m, sizeof m, mean);
  format_time(d, sizeof d, sd);
  snprintf(line, sizeof line, "%s \xc2\xb1 %s per loop (mean \xc2\xb1 std. dev. of %d run%s, %lld loop%s each)\n",
           m, d, nruns, nruns == 1 ? "" : "s", (long long)loops, loops == 1 ? "" : "s");
  emit_text(cb, line);
}

static void swallow_result(void *user, const char *repr) {
  (void)user;
  (void)repr;
}

static SessionStatus timeit(Session *s, const char *stmt, const char *name, int first_line,
                            const SessionCallbacks *cb) {
  Buf src = {0};
  buf_printf(&src, "fn __timeit(__n: Int):\n    for __i in range(__n):\n        %s\n", stmt);
  SessionCallbacks quiet = *cb;
  quiet.on_result = swallow_result;
  SessionStatus st = session_run_source(s, buf_str(&src), name, first_line - 2, &quiet);
  buf_free(&src);
  if (st != SESSION_OK) return st;
  Symbol *sym = globals_get(s->globals, "__timeit");
  void (*fn)(int64_t) = sym ? (void (*)(int64_t))session_symbol_address(s, sym->mangled) : NULL;
  if (!fn) return SESSION_RUNTIME_ERROR;
  int64_t loops = 1;
  double t;
  for (int step = 0;; step++) {  /* 1, 2, 5, 10, 20, 50, ... loops */
    t = timed_run(fn, loops);
    if (t < 0) break;
    if (t >= 0.2 || loops >= (int64_t)1e9) break;
    loops = (step % 3 == 1) ? loops / 2 * 5 : loops * 2;
  }
  if (t < 0) return session_report_pending(s, cb);
  int nruns = t > 0 ? (int)fmin(7, fmax(1, 5.0 / t)) : 7;
  double runs[7];
  runs[0] = t;
  for (int i = 1; i < nruns; i++) {
    runs[i] = timed_run(fn, loops);
    if (runs[i] < 0) return session_report_pending(s, cb);
  }
  report_timeit(cb, runs, nruns, loops);
  return SESSION_OK;
}

/* ---- dispatch ---------------------------------------------------------- */

/* ---- %%emit STAGE: what the cell compiles to ------------------------------ */

/* The stages by the names users give them: llvm is the optimized IR (what
   runs), llvm-unopt the IR before optimization. */
static const struct {
  const char *name, *stage, *lang;
} emit_stages[] = {
    {"mlir", "mlir", "mlir"},  {"mlir-llvm", "mlir-llvm", "mlir"}, {"llvm", "llvm-opt", "llvm"},
    {"llvm-unopt", "llvm", "llvm"}, {"asm", "asm", "nasm"}, {"ptx", "ptx", "ptx"},
};

const char *session_emit_stage(const char *name) {
  for (size_t i = 0; i < sizeof emit_stages / sizeof *emit_stages; i++)
    if (!strcmp(emit_stages[i].name, name)) return emit_stages[i].stage;
  return NULL;
}

/* Compile the cell without running or keeping it, and show the stage's
   text: in a notebook as a highlighted code block (text/markdown with a
   fenced block) beside text/plain, in a terminal as text. */
static SessionStatus emit_magic(Session *s, const char *name, const char *code, const char *cell_name,
                                int first_line, const SessionCallbacks *cb) {
  size_t k = 0;
  while (k < sizeof emit_stages / sizeof *emit_stages && strcmp(emit_stages[k].name, name)) k++;
  if (k == sizeof emit_stages / sizeof *emit_stages) {
    usage_error(cb, "%%emit takes a stage: mlir, mlir-llvm, llvm, llvm-unopt, asm or ptx");
    return SESSION_COMPILE_ERROR;
  }
  SessionOptions saved = s->opts;
  s->opts.emit_stage = emit_stages[k].stage;
  s->emit_discard = true;
  buf_free(&s->emitted);
  SessionStatus st = session_run_source(s, code, cell_name, first_line, cb);
  s->opts = saved;
  s->emit_discard = false;
  if (st == SESSION_OK) {
    const char *text = buf_str(&s->emitted);
    if (cb && cb->on_display) {
      Buf md = {0};
      buf_printf(&md, "```%s\n%s%s```\n", emit_stages[k].lang, text,
                 *text && text[strlen(text) - 1] == '\n' ? "" : "\n");
      SessionMime forms[2] = {{"text/plain", text}, {"text/markdown", buf_str(&md)}};
      cb->on_display(cb->user, forms, 2);
      buf_free(&md);
    } else emit_text(cb, text);
  }
  buf_free(&s->emitted);
  return st;
}

static bool is_word(const char *p, const char *w) {
  size_t n = strlen(w);
  return !strncmp(p, w, n) && (!p[n] || isspace((unsigned char)p[n]));
}

SessionStatus session_execute(Session *s, const char *code, const char *cell_name,
                              int first_line, const SessionCallbacks *cb) {
  const char *p = code;
  int line = first_line;
  while (*p && isspace((unsigned char)*p)) {  /* find the first code line */
    if (*p == '\n') line++;
    p++;
  }
  if (*p != '%') return session_run_source(s, code, cell_name, first_line, cb);
  const char *eol = p + strcspn(p, "\n");
  const char *rest = *eol ? eol + 1 : eol;
  bool one_line = !*(rest + strspn(rest, " \t\r\n"));
  char *arg = strndup(p, (size_t)(eol - p));
  char *a = arg + strcspn(arg, " \t");
  a += strspn(a, " \t");
  SessionStatus st = SESSION_OK;
  if (is_word(p, "%%time")) st = time_code(s, rest, cell_name, line + 1, cb);
  else if (is_word(p, "%%python") && s->opts.emit_stage) {  /* ember build: nothing runs at build time */
    usage_error(cb, "%%python cells cannot be compiled (ember build compiles Ember code; import Python "
                    "modules with Python.import_module instead)");
    st = SESSION_COMPILE_ERROR;
  } else if (is_word(p, "%%python")) st = session_run_python(s, rest, cell_name, cb);
  else if (is_word(p, "%%emit")) st = emit_magic(s, a, rest, cell_name, line + 1, cb);
  else if (!one_line) {
    usage_error(cb, "a line magic must be the whole cell (only %%time, %%python and %%emit apply to a cell)");
    st = SESSION_COMPILE_ERROR;
  } else if ((is_word(p, "%timeit") || is_word(p, "%time")) && !*a) {
    usage_error(cb, "%time and %timeit need a statement: %timeit f(10)");
    st = SESSION_COMPILE_ERROR;
  } else if (is_word(p, "%time")) st = time_code(s, a, cell_name, line, cb);
  else if (is_word(p, "%timeit")) st = timeit(s, a, cell_name, line, cb);
  else if (is_word(p, "%reset")) session_reset(s);
  else {
    char msg[160];
    snprintf(msg, sizeof msg, "Line magic function `%.*s` not found.", (int)strcspn(p, " \t\n"), p);
    usage_error(cb, msg);
    st = SESSION_COMPILE_ERROR;
  }
  free(arg);
  return st;
}

/* ---- user_expressions -------------------------------------------------- */

typedef struct EvalCapture {
  char *result;
  char *error;
} EvalCapture;

static void eval_result(void *user, const char *repr) {
  EvalCapture *c = user;
  free(c->result);
  c->result = strdup(repr);
}

static void eval_error(void *user, const SessionError *e) {
  EvalCapture *c = user;
  free(c->error);
  c->error = strdup(e->traceback);
}

static bool single_expression(const char *expr) {
  Arena *arena = arena_new();
  Diags d;
  diag_init(&d, arena, expr);
  TokenArray toks = lex_cell(expr, arena, &d);
  NodeList stmts = parse_cell(toks, arena, &d);
  lex_free(&toks);
  bool ok = !d.count && stmts.len == 1 && stmts.items[0]->kind == N_EXPR_STMT;
  arena_free(arena);
  return ok;
}

char *session_eval(Session *s, const char *expr, char **err) {
  *err = NULL;
  if (!single_expression(expr)) {
    *err = strdup("SyntaxError: not a single expression");
    return NULL;
  }
  EvalCapture c = {0};
  SessionCallbacks cb = {.on_result = eval_result, .on_error = eval_error, .user = &c};
  session_run_source(s, expr, "<expression>", 1, &cb);
  if (c.error) {
    *err = c.error;
    free(c.result);
    return NULL;
  }
  return c.result ? c.result : strdup("None");
}
