/* bridge.h — the embedded CPython (Debian's libpython3.11).
 *
 * CPython starts on first use (py_start), so a session that never touches
 * Python starts fast. Output written by Python code (sys.stdout, sys.stderr)
 * goes through the runtime's output sinks, so it streams to the notebook
 * like Ember's print. Python runs with the GIL taken only while it runs. */
#ifndef EMBER_PY_BRIDGE_H
#define EMBER_PY_BRIDGE_H

#include <stdbool.h>

/* Start CPython if it is not running; false with *err (malloc'd) if it cannot. */
bool py_start(char **err);
bool py_started(void);
/* Does __main__ (where %%python cells run) define this name? */
bool py_has_main_global(const char *name);

/* A Python error: its type name, message and formatted traceback (malloc'd). */
typedef struct PyFailure {
  char *ename, *evalue, *traceback;
} PyFailure;
void py_failure_free(PyFailure *f);

/* Run code in __main__ (a %%python cell). false with *fail filled when it
   raised (KeyboardInterrupt after py_interrupt). */
bool py_run_cell(const char *code, const char *cell_name, PyFailure *fail);

/* The rt_py_* functions compiled code calls (pyobj.c), listed so that
   the linker keeps them. */
extern void *const py_object_api[];

/* Send each matplotlib figure made since the last call to each() as a
   base64 PNG and close them all; returns how many. */
int py_take_figures(void (*each)(void *user, const char *png_base64), void *user);

/* Ask running Python code to stop (from a signal handler or another thread). */
void py_interrupt(void);

#endif
