/* guard.c — the crash guard.
 *
 * guard_call sets rt_guard_target to a sigjmp_buf and calls the cell. The
 * runtime's rt_raise jumps back to it; so does the signal handler for
 * SIGSEGV/SIGBUS/SIGILL/SIGFPE, which runs on an alternate stack so that a
 * stack overflow (deep recursion) is caught too. A fault outside any guarded
 * call is a bug in Ember itself: the handler restores the default action and
 * returns, so the signal re-fires and the process dies with a core dump.
 *
 * Threads. The handler is process-wide but the jump buffer lives on the
 * guarded thread's stack, so only that thread may jump to it: a fault on
 * any other thread counts as unguarded. The exception is a `parallelize`
 * body (runtime/pool.c), on a pool helper or on the guarded thread while it
 * takes part: rt_pool_fault unwinds just that thread's share, and
 * rt_parallelize reports the crash here, through rt_guard_target, once every
 * thread has stopped touching the caller's frame. */
#include "jit/guard.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const int fault_signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE};
/* True on the thread that set rt_guard_target (inside guard_call). */
static _Thread_local bool guarding;

static const char *describe(int sig, siginfo_t *info) {
  switch (sig) {
  case SIGSEGV:
    return (uintptr_t)info->si_addr < 4096
               ? "SegmentationFault: null pointer access"
               : "SegmentationFault: invalid memory access (or a stack overflow from deep recursion)";
  case SIGBUS: return "BusError: misaligned or invalid memory access";
  case SIGILL: return "IllegalInstruction: the CPU cannot run this code";
  default: return "ArithmeticError: a floating-point or integer trap";
  }
}

static void on_fault(int sig, siginfo_t *info, void *ctx) {
  (void)ctx;
  if (rt_pool_in_body()) rt_pool_fault(describe(sig, info));
  if (!rt_guard_target || !guarding) {
    signal(sig, SIG_DFL);
    return;
  }
  rt_last_error.kind = RT_ERR_CRASH;
  snprintf(rt_last_error.message, sizeof rt_last_error.message, "%s", describe(sig, info));
  rt_last_error.nframes = 0;
  sigjmp_buf *target = rt_guard_target;
  rt_guard_target = NULL;
  siglongjmp(*target, 1);
}

static void ensure_altstack(void) {
  static _Thread_local bool done;
  if (done) return;
  stack_t ss = {0};
  ss.ss_size = 256 * 1024;  /* the handler itself is small; libc's snprintf needs a few KB */
  ss.ss_sp = malloc(ss.ss_size);
  if (ss.ss_sp && sigaltstack(&ss, NULL) == 0) done = true;
}

void guard_install(void) {
  static bool installed;
  ensure_altstack();
  if (installed) return;
  installed = true;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_fault;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
  sigemptyset(&sa.sa_mask);
  for (size_t i = 0; i < sizeof fault_signals / sizeof *fault_signals; i++)
    sigaction(fault_signals[i], &sa, NULL);
}

int guard_call(void (*fn)(void)) {
  guard_install();
  sigjmp_buf env;
  rt_clear_error();
  if (sigsetjmp(env, 1)) {
    rt_guard_target = NULL;
    guarding = false;
    return rt_last_error.kind ? rt_last_error.kind : RT_ERR_RAISE;
  }
  rt_guard_target = &env;
  guarding = true;
  fn();
  guarding = false;
  rt_guard_target = NULL;
  return rt_error_pending ? rt_last_error.kind : RT_ERR_NONE;
}
