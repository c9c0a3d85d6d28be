/* error.c — how compiled code raises.
 *
 * Errors are values: rt_raise fills rt_last_error with the message and the
 * first frame and sets rt_error_pending; compiled code sees the flag after
 * the call, adds a frame per function it returns through (rt_add_frame) and
 * the session reports the traceback when the cell returns. rt_raise_jump is
 * for the few faults with no value to return (allocation failure): it
 * records the error and siglongjmps to the guard the session set. */
#include "runtime/runtime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

sigjmp_buf *rt_guard_target = NULL;
RtError rt_last_error;
int32_t rt_error_pending;
volatile int32_t rt_interrupt_requested;

void rt_raise_interrupt(const char *cell, int32_t line) {
  if (rt_pool_in_body()) {
    /* On a parallelize worker: leave the request set so every other
       worker's loops stop too, and only mark the error so the body
       unwinds; the cell's thread raises KeyboardInterrupt properly once
       the pool has stopped (emit.c, poll_after_parallel). */
    rt_error_pending = 1;
    return;
  }
  rt_interrupt_requested = 0;
  rt_raise("KeyboardInterrupt", cell, line);
}

void rt_clear_error(void) {
  rt_error_pending = 0;
  rt_last_error.kind = RT_ERR_NONE;
  rt_last_error.nframes = 0;
  rt_last_error.depth = 0;
  rt_last_error.message[0] = 0;
  rt_last_error.detail[0] = 0;
}

void rt_set_error_detail(const char *text) {
  size_t n = strlen(text), room = sizeof rt_last_error.detail - 1;
  snprintf(rt_last_error.detail, sizeof rt_last_error.detail, "%s", n > room ? text + (n - room) : text);
}

void rt_add_frame(const char *cell, int32_t line) {
  RtError *e = &rt_last_error;
  e->depth++;
  if (e->nframes == RT_MAX_FRAMES) return;
  RtFrame *f = &e->frames[e->nframes++];
  snprintf(f->where, sizeof f->where, "%s", cell ? cell : "");
  f->line = line;
}

void rt_raise(const char *message, const char *cell, int32_t line) {
  RtError *e = &rt_last_error;
  rt_clear_error();
  e->kind = RT_ERR_RAISE;
  snprintf(e->message, sizeof e->message, "%s", message ? message : "");
  if (cell) rt_add_frame(cell, line);
  rt_error_pending = 1;
}

void rt_raise_zero_division(const char *cell, int32_t line, int32_t is_true_div) {
  rt_raise(is_true_div ? "ZeroDivisionError: division by zero"
                       : "ZeroDivisionError: integer division or modulo by zero",
           cell, line);
}

_Noreturn void rt_raise_jump(const char *message) {
  if (rt_pool_in_body()) rt_pool_fault(message);  /* on a parallelize worker: its own unwind */
  rt_raise(message, NULL, 0);
  if (rt_guard_target) siglongjmp(*rt_guard_target, 1);
  /* No cell is running, so there is nowhere to unwind to. This is a bug in
   * whoever called us without a guard: say what was raised and leave at once
   * (70 is EX_SOFTWARE). _exit, not exit: a half-run session's atexit
   * handlers must not run. */
  fprintf(stderr, "ember: uncaught error outside a guarded cell: %s\n", message);
  _exit(70);
}

/* ---- catching (try/except) ---------------------------------------------- */

RtError *rt_error_save(void) {
  RtError *copy = rt_alloc(sizeof *copy);
  *copy = rt_last_error;
  rt_error_pending = 0;
  return copy;
}

void rt_error_restore(RtError *saved) {
  rt_last_error = *saved;
  rt_error_pending = 1;
  free(saved);
}

void rt_error_free(RtError *saved) { free(saved); }

const RtStr *rt_error_value(const RtError *saved) {
  return rt_str_new(saved->message, (int64_t)strlen(saved->message));
}

/* The kind of an error is the word before ": " (or the whole message). */
static size_t kind_length(const char *message) {
  const char *colon = strstr(message, ": ");
  size_t n = colon ? (size_t)(colon - message) : strlen(message);
  return memchr(message, ' ', n) ? 0 : n;
}

int32_t rt_error_matches(const RtError *saved, const char *kind) {
  if (!strcmp(kind, "Error") || !strcmp(kind, "Exception") || !strcmp(kind, "BaseException"))
    return 1;
  size_t n = kind_length(saved->message);
  return n == strlen(kind) && !strncmp(saved->message, kind, n);
}

const RtStr *rt_error_new(const RtStr *message) {
  static const char prefix[] = "Error: ";
  RtStr *s = rt_alloc(sizeof(RtStr) + sizeof prefix + (size_t)message->len);
  memcpy(s->data, prefix, sizeof prefix - 1);
  memcpy(s->data + sizeof prefix - 1, message->data, (size_t)message->len + 1);
  s->len = (int64_t)(sizeof prefix - 1) + message->len;
  return s;
}

const RtStr *rt_error_text(const RtStr *error) {
  size_t n = kind_length(error->data);
  if (!n || strncmp(error->data + n, ": ", 2)) return error;
  return rt_str_new(error->data + n + 2, error->len - (int64_t)n - 2);
}

void rt_raise_value(const RtStr *error, const char *cell, int32_t line) {
  rt_raise(error->data, cell, line);
}
