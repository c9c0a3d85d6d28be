/* error.c — how compiled code raises.
 *
 * A cell runs under a jump target that the session sets (jit/guard.c). A
 * raise copies the message and the source location into rt_last_error and
 * siglongjmps there; the session then reports the error and lives on. The
 * runtime holds no locks or partial state across a raise, so jumping out of
 * any rt_* function is safe.
 */
#include "runtime/runtime.h"

#include <stdio.h>
#include <unistd.h>

sigjmp_buf *rt_guard_target = NULL;
RtError rt_last_error;

_Noreturn void rt_raise(const char *message, const char *cell, int32_t line) {
  RtError *e = &rt_last_error;
  e->kind = RT_ERR_RAISE;
  snprintf(e->message, sizeof e->message, "%s", message ? message : "");
  snprintf(e->where, sizeof e->where, "%s", cell ? cell : "");
  e->line = line;
  if (rt_guard_target) siglongjmp(*rt_guard_target, 1);
  /* No cell is running, so there is nowhere to unwind to, and returning
   * would run compiled code past a call it believes never returns. This
   * is a bug in whoever called us without a guard: say what was raised and
   * leave at once (70 is EX_SOFTWARE, an internal error). _exit, not exit,
   * because atexit handlers of a half-run session must not run. */
  fprintf(stderr, "ember: uncaught error outside a guarded cell: %s\n",
          e->message);
  _exit(70);
}

_Noreturn void rt_raise_zero_division(const char *cell, int32_t line,
                                      int32_t is_true_div) {
  rt_raise(is_true_div ? "ZeroDivisionError: division by zero"
                       : "ZeroDivisionError: integer division or modulo by zero",
           cell, line);
}
