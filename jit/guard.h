/* guard.h — run JIT-compiled code so that nothing it does takes the process
 * down: a raise (rt_raise), a segfault, bus error, illegal instruction or
 * arithmetic trap all come back as an RtError. */
#ifndef EMBER_GUARD_H
#define EMBER_GUARD_H

#include "runtime/runtime.h"

/* Install the signal handlers (idempotent). */
void guard_install(void);
/* Call fn under the guard. Returns RT_ERR_NONE, or the kind of error with
 * the details in rt_last_error. */
int guard_call(void (*fn)(void));

#endif
