/* session.c — compile and run cells in one live JIT.
 *
 * session_execute: lex → parse → check (against the global table) → emit
 * MLIR → jit_add_mlir → commit the cell's definitions → run its entry
 * function under the crash guard with output going to the callbacks. Each
 * cell gets a number; its symbols are suffixed "$c<number>" so a later cell
 * can redefine a name while code compiled earlier keeps its binding.
 *
 * The session keeps, for every cell that compiled, its arena (the AST and
 * symbols that definitions point into) and its text (for tracebacks). */
#include "jit/session.h"
#include "jit/session_internal.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "compiler/buf.h"
#include "compiler/check.h"
#include "compiler/lex.h"
#include "compiler/parse.h"
#include "jit/engine.h"
#include "jit/guard.h"
#include "mlir/emit.h"
#include "python/bridge.h"
#include "runtime/runtime.h"

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

Session *session_create(const SessionOptions *opts, char **err) {
  Session *s = calloc(1, sizeof *s);
  s->opts.opt_level = opts ? opts->opt_level : 3;
  s->opts.emit_stage = opts ? opts->emit_stage : NULL;
  s->opts.target_cpu = opts ? opts->target_cpu : NULL;
  s->jit = jit_create(s->opts.opt_level, err);
  if (!s->jit) {
    free(s);
    return NULL;
  }
  s->globals = globals_new();
  guard_install();
  return s;
}

static void drop_cells(Session *s) {
  for (int i = 0; i < s->ncells; i++) {
    free(s->cells[i].name);
    free(s->cells[i].source);
    arena_free(s->cells[i].arena);
  }
  s->ncells = 0;
}

void session_destroy(Session *s) {
  if (!s) return;
  drop_cells(s);
  free(s->cells);
  globals_free(s->globals);
  jit_destroy(s->jit);
  free(s->last_mlir);
  buf_free(&s->emitted);
  for (int i = 0; i < s->nobjects; i++) {
    free(s->objects[i].entry);
    free(s->objects[i].name);
    free(s->objects[i].source);
    free(s->objects[i].functions);
    free(s->objects[i].bytes);
  }
  free(s->objects);
  free(s);
}

void session_reset(Session *s) {
  /* Old code stays in the JIT (its symbols are unreachable by name now);
     a fresh engine would cost ~30 ms and gains nothing visible. */
  drop_cells(s);
  globals_free(s->globals);
  s->globals = globals_new();
}

SessionStats session_last_stats(const Session *s) { return s->stats; }
const char *session_last_mlir(const Session *s) { return s->last_mlir ? s->last_mlir : ""; }

static void keep_cell(Session *s, int number, const char *name, int first_line,
                      const char *code, Arena *arena, NodeList stmts) {
  if (s->ncells == s->capcells) {
    s->capcells = s->capcells ? s->capcells * 2 : 16;
    s->cells = realloc(s->cells, sizeof(CellRecord) * (size_t)s->capcells);
  }
  s->cells[s->ncells++] = (CellRecord){number, strdup(name), first_line, strdup(code), arena, stmts};
}

static CellRecord *find_cell(Session *s, int number) {
  for (int i = 0; i < s->ncells; i++)
    if (s->cells[i].number == number) return &s->cells[i];
  return NULL;
}

/* ---- reporting ---------------------------------------------------------- */

static void report(const SessionCallbacks *cb, SessionStatus st, const char *ename,
                   const char *evalue, const char *tb) {
  if (!cb || !cb->on_error) return;
  SessionError e = {st, ename, evalue, tb};
  cb->on_error(cb->user, &e);
}

static void report_diags(const SessionCallbacks *cb, const Diags *d, const char *name, int first_line) {
  Buf tb = {0};
  diag_render(d, name, first_line, &tb);
  report(cb, SESSION_COMPILE_ERROR, "CompileError", d->first ? d->first->message : "", buf_str(&tb));
  buf_free(&tb);
}

static int max_line(const Node *n) {
  if (!n) return 0;
  int m = n->line;
  const Node *kids[3] = {n->a, n->b, n->c};
  for (int i = 0; i < 3; i++) {
    int k = max_line(kids[i]);
    if (k > m) m = k;
  }
  const NodeList *lists[2] = {&n->list, &n->list2};
  for (int j = 0; j < 2; j++)
    for (int i = 0; i < lists[j]->len; i++) {
      int k = max_line(lists[j]->items[i]);
      if (k > m) m = k;
    }
  return m;
}

static const char *function_in(const NodeList *stmts, int line) {
  for (int i = 0; i < stmts->len; i++) {
    const Node *n = stmts->items[i];
    /* a statement ends where the next begins: max_line alone would reach into
       nodes the checker put in from elsewhere (a module function's defaults) */
    int end = i + 1 < stmts->len && stmts->items[i + 1]->line > n->line ? stmts->items[i + 1]->line - 1 : max_line(n);
    if (line < n->line || line > end) continue;
    if (n->kind == N_FN_DEF) return n->name;
    if (n->kind == N_STRUCT) return function_in(&n->list, line);  /* a method */
  }
  return NULL;
}

/* The function (or method) of a cell whose body holds `line`, or "<cell>". */
static const char *function_at(const CellRecord *c, int line) {
  const char *name = function_in(&c->stmts, line);
  return name ? name : "<cell>";
}

/* One traceback entry: where, and the source line. */
static void append_frame(Session *s, Buf *tb, const RtFrame *f) {
  CellRecord *c = f->where[0] == 'c' ? find_cell(s, atoi(f->where + 1)) : NULL;
  if (!c || f->line <= 0) return;
  buf_printf(tb, "  File \"%s\", line %d, in %s\n", c->name, f->line + c->first_line - 1,
             function_at(c, f->line));
  const char *p = c->source;
  for (int l = 1; l < f->line && p; l++) {
    p = strchr(p, '\n');
    if (p) p++;
  }
  if (!p) return;
  p += strspn(p, " \t");  /* Python shows the line without its indentation */
  buf_printf(tb, "    %.*s\n", (int)strcspn(p, "\n"), p);
}

static void report_runtime(Session *s, const SessionCallbacks *cb) {
  RtError *e = &rt_last_error;
  const char *msg = e->message;
  const char *colon = strstr(msg, ": ");
  char ename[64] = "Error";
  const char *evalue = msg;
  if (colon && colon - msg < (long)sizeof ename && !memchr(msg, ' ', (size_t)(colon - msg))) {
    snprintf(ename, sizeof ename, "%.*s", (int)(colon - msg), msg);
    evalue = colon + 2;
  } else if (!colon && strlen(msg) < sizeof ename && !strchr(msg, ' ')) {
    snprintf(ename, sizeof ename, "%s", msg);  /* "KeyboardInterrupt": no value */
    evalue = "";
  }
  Buf tb = {0};
  buf_puts(&tb, "Traceback (most recent call last):\n");
  if (e->depth > e->nframes)
    buf_printf(&tb, "  [%lld outer frames not shown]\n", (long long)(e->depth - e->nframes));
  for (int i = e->nframes - 1; i >= 0; i--) append_frame(s, &tb, &e->frames[i]);
  if (!e->nframes && s->running)
    buf_printf(&tb, "  File \"%s\", in the cell starting at line %d\n", s->running->name,
               s->running->first_line);
  buf_puts(&tb, e->detail);
  if (*evalue) buf_printf(&tb, "%s: %s\n", ename, evalue);
  else buf_printf(&tb, "%s\n", ename);
  report(cb, SESSION_RUNTIME_ERROR, ename, evalue, buf_str(&tb));
  buf_free(&tb);
}

void *session_symbol_address(Session *s, const char *mangled) {
  return jit_lookup(s->jit, mangled);
}

SessionStatus session_report_pending(Session *s, const SessionCallbacks *cb) {
  report_runtime(s, cb);
  rt_error_pending = 0;
  return SESSION_RUNTIME_ERROR;
}

/* ---- running ------------------------------------------------------------ */

static const SessionCallbacks *current_cb;
/* Set while a cell runs, so an interrupt between cells is not remembered. */
static volatile sig_atomic_t cell_running;
static volatile sig_atomic_t python_running;  /* a %%python cell */

void session_interrupt(void) {
  if (cell_running) rt_interrupt_requested = 1;
  if (python_running) py_interrupt();
}

static void stream_out(void *user, const char *text, size_t len) {
  (void)user;
  if (current_cb && current_cb->on_stream) current_cb->on_stream(current_cb->user, text, len);
}

static void stderr_out(void *user, const char *text, size_t len) {
  (void)user;
  rt_flush();  /* keep the order of what went to stdout first */
  if (current_cb && current_cb->on_stderr) current_cb->on_stderr(current_cb->user, text, len);
  else stream_out(NULL, text, len);
}

static void display_out(void *user, const RtMime *items, int n) {
  (void)user;
  SessionMime forms[RT_MAX_MIMES + 1];
  for (int i = 0; i < n && i <= RT_MAX_MIMES; i++) forms[i] = (SessionMime){items[i].mime, items[i].data};
  current_cb->on_display(current_cb->user, forms, n <= RT_MAX_MIMES ? n : RT_MAX_MIMES + 1);
}

static void clear_out(void *user, bool wait) {
  (void)user;
  if (current_cb->on_clear_output) current_cb->on_clear_output(current_cb->user, wait);
}

static char *input_line(void *user, const char *prompt) {
  (void)user;
  rt_flush();  /* the prompt's context (earlier prints) goes out first */
  return current_cb->on_input(current_cb->user, prompt, false);
}

/* ---- figures ------------------------------------------------------------
 * matplotlib figures made during a cell are shown after it: as image/png
 * display_data in the notebook; in a terminal they are written to PNG
 * files whose paths are printed. */

static int unbase64(const char *in, unsigned char *out) {
  int n = 0, bits = 0;
  unsigned acc = 0;
  for (; *in; in++) {
    const char *alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const char *p = strchr(alphabet, *in);
    if (!p || *in == '=') continue;
    acc = (acc << 6) | (unsigned)(p - alphabet);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = (unsigned char)(acc >> bits);
    }
  }
  return n;
}

static void show_figure(void *user, const char *png_base64) {
  const SessionCallbacks *cb = user;
  if (cb && cb->on_display) {
    SessionMime png = {"image/png", png_base64};
    cb->on_display(cb->user, &png, 1);
    return;
  }
  static int count;
  const char *dir = getenv("TMPDIR");
  char path[512];
  snprintf(path, sizeof path, "%s/ember-figure-%d-%d.png", dir && *dir ? dir : "/tmp", (int)getpid(), ++count);
  unsigned char *bytes = malloc(strlen(png_base64));
  int n = unbase64(png_base64, bytes);
  FILE *f = fopen(path, "wb");
  if (f) {
    fwrite(bytes, 1, (size_t)n, f);
    fclose(f);
    char line[600];
    int len = snprintf(line, sizeof line, "[figure saved to %s]\n", path);
    if (cb && cb->on_stream) cb->on_stream(cb->user, line, (size_t)len);
    else fputs(line, stdout);
  }
  free(bytes);
}

static void show_figures(const SessionCallbacks *cb) {
  if (py_started()) py_take_figures(show_figure, (void *)cb);
}

/* A %%python cell: the code runs in the embedded interpreter's __main__,
   its output streams like Ember's, and a Python exception is the cell's
   error with Python's traceback. */
SessionStatus session_run_python(Session *s, const char *code, const char *cell_name,
                                 const SessionCallbacks *cb) {
  (void)s;
  check_python_has_global = py_has_main_global;
  if (!py_object_api[0]) return SESSION_RUNTIME_ERROR;  /* keeps pyobj.c linked in */
  char *err = NULL;
  if (!py_start(&err)) {
    report(cb, SESSION_RUNTIME_ERROR, "PythonError", err, err);
    free(err);
    return SESSION_RUNTIME_ERROR;
  }
  current_cb = cb;
  rt_set_output(stream_out, NULL);
  rt_set_error_output(stderr_out, NULL);
  python_running = 1;
  PyFailure fail = {0};
  bool ok = py_run_cell(code, cell_name, &fail);
  python_running = 0;
  rt_flush();
  show_figures(cb);
  rt_set_output(NULL, NULL);
  rt_set_error_output(NULL, NULL);
  current_cb = NULL;
  if (ok) return SESSION_OK;
  report(cb, SESSION_RUNTIME_ERROR, fail.ename, fail.evalue, fail.traceback);
  py_failure_free(&fail);
  return SESSION_RUNTIME_ERROR;
}

static SessionStatus run_cell(Session *s, void (*entry)(void), const SessionCallbacks *cb) {
  current_cb = cb;
  rt_set_output(stream_out, NULL);
  rt_set_error_output(stderr_out, NULL);
  rt_set_input(cb && cb->on_input ? input_line : NULL, NULL);
  if (cb && cb->on_display) rt_set_display(display_out, clear_out, NULL);
  rt_take_result();
  double t0 = now_ms();
  rt_interrupt_requested = 0;
  cell_running = 1;
  int kind = guard_call(entry);
  cell_running = 0;
  rt_interrupt_requested = 0;
  s->stats.run_ms = now_ms() - t0;
  rt_flush();
  rt_set_output(NULL, NULL);
  rt_set_error_output(NULL, NULL);
  rt_set_input(NULL, NULL);
  rt_set_display(NULL, NULL, NULL);
  current_cb = NULL;
  show_figures(cb);
  rt_error_pending = 0;
  const RtStr *result = rt_take_result();
  RtMime more[RT_MAX_MIMES];
  int nmore = rt_take_result_mimes(more);
  SessionStatus st = SESSION_OK;
  if (kind != RT_ERR_NONE) {
    report_runtime(s, cb);
    st = SESSION_RUNTIME_ERROR;
  } else if (result && nmore && cb && cb->on_result_bundle) {
    SessionMime forms[RT_MAX_MIMES];
    for (int i = 0; i < nmore; i++) forms[i] = (SessionMime){more[i].mime, more[i].data};
    cb->on_result_bundle(cb->user, result->data, forms, nmore);
  } else if (result && cb && cb->on_result) cb->on_result(cb->user, result->data);
  for (int i = 0; i < nmore; i++) {
    free((char *)more[i].mime);
    free((char *)more[i].data);
  }
  return st;
}

/* Front end: text → checked cell; false with diagnostics on error. */
/* ---- standard library modules ------------------------------------------
 * `from algorithm import vectorize` loads stdlib/algorithm.ember (once per
 * session, before the cell that imports it is checked) as a hidden cell
 * whose names are committed as "algorithm.vectorize". */

static bool import_names_module(const Node *n, const void *unused) {
  (void)unused;
  return n->kind == N_IMPORT || n->kind == N_FROM_IMPORT;
}

/* stdlib/<a>/<b>.ember for module a.b, if there is one. */
static char *module_path(const char *name) {
  const char *dir = getenv("EMBER_STDLIB");
  if (!dir || !*dir) dir = EMBER_STDLIB_DIR;
  Buf b = {0};
  buf_printf(&b, "%s/", dir);
  for (const char *p = name; *p; p++) buf_put(&b, *p == '.' ? "/" : p, 1);
  buf_puts(&b, ".ember");
  char *path = strdup(buf_str(&b));
  buf_free(&b);
  if (access(path, R_OK) == 0) return path;
  free(path);
  return NULL;
}

static SessionStatus compile_and_run(Session *s, const char *code, const char *cell_name, int first_line,
                                     const SessionCallbacks *cb, const char *module);

static bool module_loaded(Session *s, const char *name) {
  char mark[256];
  snprintf(mark, sizeof mark, CHECK_MODULE_MARK "%s", name);
  return globals_get(s->globals, mark) != NULL;
}

/* Load the standard library modules a cell imports; false when one fails
   (its error has been reported). */
static bool load_imports(Session *s, NodeList stmts, const SessionCallbacks *cb) {
  for (int i = 0; i < stmts.len; i++) {
    Node *n = stmts.items[i];
    if (!node_any(n, import_names_module, NULL)) continue;
    if (n->kind != N_IMPORT && n->kind != N_FROM_IMPORT) {  /* an import inside a function */
      if (n->kind == N_FN_DEF && !load_imports(s, n->list2, cb)) return false;
      continue;
    }
    if (module_loaded(s, n->name)) continue;
    char *path = module_path(n->name);
    if (!path) continue;  /* built in, or unknown: the checker says which */
    static const char *loading[32];  /* the modules being loaded, outermost first */
    static int nloading;
    bool circular = nloading >= 32;
    for (int k = 0; k < nloading; k++) circular |= !strcmp(loading[k], n->name);
    if (circular) {
      char msg[300];
      snprintf(msg, sizeof msg, "module '%s' imports itself (directly or through another module)", n->name);
      report(cb, SESSION_COMPILE_ERROR, "ImportError", msg, msg);
      free(path);
      return false;
    }
    size_t len = 0;
    char *code = NULL;
    FILE *f = fopen(path, "rb");
    if (f) {
      fseek(f, 0, SEEK_END);
      long size = ftell(f);
      fseek(f, 0, SEEK_SET);
      code = malloc((size_t)size + 1);
      len = fread(code, 1, (size_t)size, f);
      code[len] = 0;
      fclose(f);
    }
    loading[nloading++] = n->name;
    SessionStatus st = code ? compile_and_run(s, code, path, 1, cb, n->name) : SESSION_COMPILE_ERROR;
    nloading--;
    free(code);
    free(path);
    if (st != SESSION_OK) return false;
  }
  return true;
}

static bool front(Session *s, const char *code, int number, Arena *arena, Diags *d,
                  CheckedCell *cell, const SessionCallbacks *cb, bool *import_failed) {
  TokenArray toks = lex_cell(code, arena, d);
  NodeList stmts = parse_cell(toks, arena, d);
  lex_free(&toks);
  if (d->count) return false;
  if (!load_imports(s, stmts, cb)) {
    *import_failed = true;
    return false;
  }
  return check_cell(stmts, number, s->globals, arena, d, cell);
}

SessionStatus session_run_source(Session *s, const char *code, const char *cell_name,
                                 int first_line, const SessionCallbacks *cb) {
  return compile_and_run(s, code, cell_name, first_line, cb, NULL);
}

/* ember build --emit: keep the cell's text of the asked-for stage instead
   of running it; the cell's definitions are committed for later cells. */
static void keep_object(Session *s, const CheckedCell *cell, const char *entry, const char *name, const char *code,
                        int first_line, void *bytes, size_t size) {
  if (s->nobjects == s->capobjects) {
    s->capobjects = s->capobjects ? s->capobjects * 2 : 8;
    s->objects = realloc(s->objects, sizeof *s->objects * (size_t)s->capobjects);
  }
  Buf fns = {0};  /* for the executable's tracebacks, which have no AST */
  int lines = 1;
  for (const char *p = code; *p; p++) lines += *p == '\n';
  for (int line = 1; line <= lines; line++) {
    const char *f = function_in(&cell->stmts, line);
    buf_printf(&fns, "%s\n", f ? f : "<cell>");
  }
  s->objects[s->nobjects++] =
      (SessionObject){strdup(entry), strdup(name), strdup(code), buf_take(&fns), first_line, bytes, size};
}

static SessionStatus emit_only(Session *s, CheckedCell *cell, char *mlir, const char *cell_name, int first_line,
                               const char *code, Arena *arena, const SessionCallbacks *cb, const char *entry) {
  char *err = NULL, *text = NULL;
  if (!strcmp(s->opts.emit_stage, "obj")) {
    size_t size = 0;
    void *bytes = jit_emit_object(s->jit, mlir, s->opts.target_cpu, &size, &err);
    if (bytes) keep_object(s, cell, entry, cell_name, code, first_line, bytes, size);
    text = bytes ? strdup("") : NULL;
  } else text = strcmp(s->opts.emit_stage, "mlir") ? jit_emit(s->jit, mlir, s->opts.emit_stage, &err) : strdup(mlir);
  free(mlir);
  if (!text) {
    Buf tb = {0};
    buf_printf(&tb, "%s: %s\n", cell_name, err ? err : "");
    report(cb, SESSION_COMPILE_ERROR, "InternalError", err ? err : "", buf_str(&tb));
    buf_free(&tb);
    free(err);
    arena_free(arena);
    return SESSION_COMPILE_ERROR;
  }
  buf_puts(&s->emitted, text);
  free(text);
  if (s->emit_discard) {  /* %%emit: looked at, not defined */
    arena_free(arena);
    return SESSION_OK;
  }
  check_commit(cell, s->globals);
  keep_cell(s, cell->cell, cell_name, first_line, code, arena, cell->stmts);
  return SESSION_OK;
}

const char *session_emitted(const Session *s) { return buf_str((Buf *)&s->emitted); }

const SessionObject *session_objects(const Session *s, int *n) {
  *n = s->nobjects;
  return s->objects;
}

static SessionStatus compile_and_run(Session *s, const char *code, const char *cell_name, int first_line,
                                     const SessionCallbacks *cb, const char *module) {
  memset(&s->stats, 0, sizeof s->stats);
  int number = ++s->counter;
  double t0 = now_ms();
  Arena *arena = arena_new();
  Diags d;
  diag_init(&d, arena, code);
  CheckedCell cell;
  bool import_failed = false;
  if (!front(s, code, number, arena, &d, &cell, cb, &import_failed)) {
    if (!import_failed) report_diags(cb, &d, cell_name, first_line);
    arena_free(arena);
    return SESSION_COMPILE_ERROR;
  }
  cell.module = module;
  char main_name[48];
  snprintf(main_name, sizeof main_name, "__cell$c%d", number);
  char *emit_err = NULL;
  char *mlir = emit_cell(&cell, main_name, &emit_err);
  if (!mlir) {
    Buf tb = {0};
    buf_printf(&tb, "%s: %s\n", cell_name, emit_err);
    report(cb, SESSION_COMPILE_ERROR, "GPUError", emit_err, buf_str(&tb));
    buf_free(&tb);
    free(emit_err);
    arena_free(arena);
    return SESSION_COMPILE_ERROR;
  }
  if (getenv("EMBER_DUMP_MLIR")) fputs(mlir, stderr);  /* for compiler work */
  const char *llvm_stage = getenv("EMBER_DUMP_LLVM");  /* llvm, llvm-opt or asm */
  if (llvm_stage) {
    char *derr = NULL, *text = jit_emit(s->jit, mlir, *llvm_stage ? llvm_stage : "llvm-opt", &derr);
    fputs(text ? text : derr ? derr : "", stderr);
    free(text);
    free(derr);
  }
  s->stats.front_ms = now_ms() - t0;
  bool all_cells = s->opts.emit_stage && !strcmp(s->opts.emit_stage, "obj");  /* an executable needs the modules too */
  if (s->opts.emit_stage && (!module || all_cells))
    return emit_only(s, &cell, mlir, cell_name, first_line, code, arena, cb, main_name);
  char *err = NULL;
  int handle = jit_add_mlir(s->jit, mlir, &err);
  free(s->last_mlir);
  s->last_mlir = mlir;
  JitTimings jt = jit_last_timings(s->jit);
  s->stats.mlir_ms = jt.parse_ms + jt.lower_ms + jt.translate_ms;
  s->stats.optimize_ms = jt.optimize_ms;
  s->stats.codegen_ms = jt.codegen_ms;
  if (handle < 0) {
    Buf tb = {0};
    buf_printf(&tb, "%s: internal compiler error: the generated code was rejected\n%s\n", cell_name,
               err ? err : "");
    report(cb, SESSION_COMPILE_ERROR, "InternalError", "the generated code was rejected", buf_str(&tb));
    buf_free(&tb);
    free(err);
    arena_free(arena);
    return SESSION_COMPILE_ERROR;
  }
  /* jit_add_mlir generated and linked the code; the lookup is a table read */
  void (*entry)(void) = (void (*)(void))jit_lookup(s->jit, main_name);
  if (!entry) {
    jit_remove(s->jit, handle);
    Buf tb = {0};
    buf_printf(&tb, "%s: internal compiler error: %s\n", cell_name, jit_last_error(s->jit));
    report(cb, SESSION_COMPILE_ERROR, "InternalError", jit_last_error(s->jit), buf_str(&tb));
    buf_free(&tb);
    arena_free(arena);
    return SESSION_COMPILE_ERROR;
  }
  check_commit(&cell, s->globals);
  keep_cell(s, number, cell_name, first_line, code, arena, cell.stmts);
  s->running = &s->cells[s->ncells - 1];
  SessionStatus st = run_cell(s, entry, cb);
  s->running = NULL;
  return st;
}

