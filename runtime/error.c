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
#include <string.h>
#include <unistd.h>

sigjmp_buf *rt_guard_target = NULL;
RtError rt_last_error;
int32_t rt_error_pending;
volatile int32_t rt_interrupt_requested;

void rt_raise_interrupt(const char *cell, int32_t line) {
  rt_interrupt_requested = 0;
  rt_raise("KeyboardInterrupt", cell, line);
}

void rt_clear_error(void) {
  rt_error_pending = 0;
  rt_last_error.kind = RT_ERR_NONE;
  rt_last_error.nframes = 0;
  rt_last_error.depth = 0;
  rt_last_error.message[0] = 0;
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
  rt_raise(message, NULL, 0);
  if (rt_guard_target) siglongjmp(*rt_guard_target, 1);
  /* No cell is running, so there is nowhere to unwind to. This is a bug in
   * whoever called us without a guard: say what was raised and leave at once
   * (70 is EX_SOFTWARE). _exit, not exit: a half-run session's atexit
   * handlers must not run. */
  fprintf(stderr, "ember: uncaught error outside a guarded cell: %s\n", message);
  _exit(70);
}
