/* test_session.c — the session API as the front ends use it: cells that
 * build on each other, is_complete, completion, inspection, user
 * expressions, input(), interrupts from another thread, magics. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "compiler/buf.h"
#include "jit/session.h"

static int passed, failed;

static void check(int ok, const char *what, const char *got) {
  if (ok) {
    passed++;
    return;
  }
  failed++;
  printf("FAIL %s (got: %s)\n", what, got ? got : "(null)");
}

typedef struct Out {
  Buf stream, result;
  char ename[64];
  char *traceback;
} Out;

static void on_stream(void *u, const char *t, size_t n) { buf_put(&((Out *)u)->stream, t, n); }
static void on_result(void *u, const char *r) { buf_puts(&((Out *)u)->result, r); }
static void on_error(void *u, const SessionError *e) {
  Out *o = u;
  snprintf(o->ename, sizeof o->ename, "%s", e->ename);
  free(o->traceback);
  o->traceback = strdup(e->traceback);
}
static char *on_input(void *u, const char *prompt, bool pw) {
  (void)u;
  (void)pw;
  return strcmp(prompt, "name? ") == 0 ? strdup("Ada") : NULL;
}

static SessionStatus run(Session *s, const char *code, Out *o, bool with_stdin) {
  buf_free(&o->stream);
  buf_free(&o->result);
  o->ename[0] = 0;
  SessionCallbacks cb = {.on_stream = on_stream, .on_error = on_error, .on_result = on_result,
                        .on_input = with_stdin ? on_input : NULL, .user = o};
  return session_execute(s, code, "cell", 1, &cb);
}

static void test_cells(Session *s, Out *o) {
  check(run(s, "var x = 40\nfn f(a: Int) -> Int:\n    return a + x\n", o, false) == SESSION_OK, "define", o->traceback);
  check(run(s, "f(2)", o, false) == SESSION_OK && !strcmp(buf_str(&o->result), "42"), "call across cells", buf_str(&o->result));
  check(run(s, "print(x +)", o, false) == SESSION_COMPILE_ERROR && !strcmp(o->ename, "CompileError"), "compile error", o->ename);
  check(run(s, "x", o, false) == SESSION_OK && !strcmp(buf_str(&o->result), "40"), "state kept", buf_str(&o->result));
}

static void test_is_complete(Session *s) {
  static const struct { const char *code, *status, *indent; } cases[] = {
      {"1 + 1", "complete", ""},
      {"fn f():", "incomplete", "    "},
      {"fn f():\n    return 1", "incomplete", ""},  /* after a return: dedent */
      {"fn f():\n    return 1\n\n", "complete", ""},
      {"if x:\n    if y:", "incomplete", "        "},
      {"print(1,", "incomplete", ""},
      {"s = \"\"\"abc", "incomplete", ""},
      {"x = 1 +", "invalid", ""},
      {"x = )", "invalid", ""},
      {"", "complete", ""},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    char indent[32];
    const char *st = session_is_complete(s, cases[i].code, indent, sizeof indent);
    char what[128];
    snprintf(what, sizeof what, "is_complete %s", cases[i].code);
    check(!strcmp(st, cases[i].status), what, st);
    check(!strcmp(indent, cases[i].indent), what, indent);
  }
}

static bool has_match(SessionCompletions *c, const char *m) {
  for (int i = 0; i < c->count; i++)
    if (!strcmp(c->matches[i], m)) return true;
  return false;
}

static void test_complete(Session *s, Out *o) {
  run(s, "var counter_total = 1\nfn compute_it() -> Int:\n    \"\"\"Computes it.\"\"\"\n    return 7\n", o, false);
  SessionCompletions c;
  session_complete(s, "print(coun", 10, &c);
  check(has_match(&c, "counter_total") && c.cursor_start == 6 && c.cursor_end == 10, "complete a global", c.count ? c.matches[0] : NULL);
  session_completions_free(&c);
  session_complete(s, "wh", 2, &c);
  check(has_match(&c, "while"), "complete a keyword", NULL);
  session_completions_free(&c);
  session_complete(s, "import ti", 9, &c);
  check(c.count == 1 && has_match(&c, "time"), "complete a module", NULL);
  session_completions_free(&c);
  run(s, "@value\nstruct Pt:\n    var xpos: Int\n    fn norm(self) -> Int:\n        return self.xpos\nvar pt = Pt(1)\nvar word = \"w\"", o, false);
  session_complete(s, "pt.", 3, &c);
  check(has_match(&c, "xpos") && has_match(&c, "norm") && c.cursor_start == 3, "complete struct members", NULL);
  session_completions_free(&c);
  session_complete(s, "word.up", 7, &c);
  check(c.count == 1 && has_match(&c, "upper"), "complete String methods", NULL);
  session_completions_free(&c);
  session_complete(s, "from time import n", 18, &c);
  check(c.count == 1 && has_match(&c, "now"), "complete after from-import", NULL);
  session_completions_free(&c);
  session_complete(s, "time.n", 6, &c);
  check(has_match(&c, "now") && c.cursor_start == 5, "complete a member", NULL);
  session_completions_free(&c);
  session_complete(s, "\xc3\xa9 = co", 6, &c);  /* cursor counts code points */
  check(has_match(&c, "compute_it") && c.cursor_start == 4, "code-point cursor", NULL);
  session_completions_free(&c);
  char *text = session_inspect(s, "compute_it()", 3, 0);
  check(text && strstr(text, "fn compute_it() -> Int") && strstr(text, "Computes it."), "inspect a fn", text);
  free(text);
  text = session_inspect(s, "counter_total", 2, 0);
  check(text && strstr(text, "counter_total: Int = 1"), "inspect a var", text);
  free(text);
  check(session_inspect(s, "nothing_here", 3, 0) == NULL, "inspect an unknown name", NULL);
}

static void test_eval_and_input(Session *s, Out *o) {
  char *err = NULL;
  char *v = session_eval(s, "counter_total * 10", &err);
  check(v && !strcmp(v, "10"), "eval", v ? v : err);
  free(v);
  free(err);
  v = session_eval(s, "1 // 0", &err);
  check(!v && err && strstr(err, "ZeroDivisionError"), "eval error", err);
  free(err);
  check(run(s, "print(\"hi\", input(\"name? \"))", o, true) == SESSION_OK &&
            !strcmp(buf_str(&o->stream), "hi Ada\n"), "input()", buf_str(&o->stream));
  check(run(s, "input(\"name? \")", o, false) == SESSION_RUNTIME_ERROR &&
            !strcmp(o->ename, "StdinNotImplementedError"), "input() without stdin", o->ename);
}

static void *interrupt_later(void *arg) {
  (void)arg;
  usleep(300 * 1000);
  session_interrupt();
  return NULL;
}

static void test_interrupt(Session *s, Out *o) {
  pthread_t t;
  pthread_create(&t, NULL, interrupt_later, NULL);
  SessionStatus st = run(s, "var spins = 0\nwhile True:\n    spins += 1\n", o, false);
  pthread_join(t, NULL);
  check(st == SESSION_RUNTIME_ERROR && !strcmp(o->ename, "KeyboardInterrupt"), "interrupt a loop", o->traceback);
  check(o->traceback && strstr(o->traceback, "line 2"), "interrupt names the loop", o->traceback);
  check(run(s, "spins > 0", o, false) == SESSION_OK && !strcmp(buf_str(&o->result), "True"), "state after interrupt", buf_str(&o->result));
  session_interrupt();  /* between cells: must not hit the next cell */
  check(run(s, "for i in range(3):\n    pass\nprint(\"ran\")\n", o, false) == SESSION_OK, "no stale interrupt", o->ename);
}

static void test_magics(Session *s, Out *o) {
  check(run(s, "%timeit counter_total + 1", o, false) == SESSION_OK && strstr(buf_str(&o->stream), "per loop (mean"), "%timeit", buf_str(&o->stream));
  check(run(s, "%time counter_total + 1", o, false) == SESSION_OK && strstr(buf_str(&o->stream), "Wall time:") &&
            !strcmp(buf_str(&o->result), "2"), "%time", buf_str(&o->stream));
  check(run(s, "%%time\nprint(3)\n", o, false) == SESSION_OK && !strncmp(buf_str(&o->stream), "3\nCPU times:", 11), "%%time", buf_str(&o->stream));
  check(run(s, "%reset -f", o, false) == SESSION_OK, "%reset", o->ename);
  check(run(s, "counter_total", o, false) == SESSION_COMPILE_ERROR, "%reset forgets", o->ename);
  check(run(s, "%nope", o, false) == SESSION_COMPILE_ERROR && !strcmp(o->ename, "UsageError"), "unknown magic", o->ename);
}

int main(void) {
  char *err = NULL;
  Session *s = session_create(NULL, &err);
  if (!s) {
    printf("session_create: %s\n", err);
    return 1;
  }
  Out o = {0};
  test_cells(s, &o);
  test_is_complete(s);
  test_complete(s, &o);
  test_eval_and_input(s, &o);
  test_interrupt(s, &o);
  test_magics(s, &o);
  session_destroy(s);
  printf("session: %d passed, %d failed\n", passed, failed);
  return failed != 0;
}
