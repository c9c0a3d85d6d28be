/* bridge.c — starting CPython, running %%python cells, routing output.
 * See bridge.h. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "python/bridge.h"

#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/runtime.h"

static bool started;

/* sys.stdout / sys.stderr of the embedded interpreter: their write() goes
   to the runtime's sinks (the session's stream and stderr callbacks). */
static PyObject *ember_write(PyObject *self, PyObject *args) {
  (void)self;
  const char *text;
  Py_ssize_t len;
  int fd;
  if (!PyArg_ParseTuple(args, "is#", &fd, &text, &len)) return NULL;
  RtStr *s = rt_str_new(text, (int64_t)len);
  Py_BEGIN_ALLOW_THREADS
  rt_write_fd_str(fd, s);
  Py_END_ALLOW_THREADS
  return PyLong_FromSsize_t(len);
}

static PyMethodDef ember_methods[] = {
    {"write", ember_write, METH_VARARGS, "write(fd, text): Ember's output streams"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef ember_module = {PyModuleDef_HEAD_INIT, "_ember", NULL, -1, ember_methods,
                                          NULL, NULL, NULL, NULL};

static PyObject *init_ember_module(void) { return PyModule_Create(&ember_module); }

static const char *const setup_code =
    "import sys, _ember\n"
    "class _EmberStream:\n"
    "    def __init__(self, fd, name):\n"
    "        self.fd, self.name = fd, name\n"
    "    def write(self, text):\n"
    "        return _ember.write(self.fd, text)\n"
    "    def flush(self):\n"
    "        pass\n"
    "    def isatty(self):\n"
    "        return False\n"
    "    encoding = 'utf-8'\n"
    "sys.stdout = _EmberStream(1, '<stdout>')\n"
    "sys.stderr = _EmberStream(2, '<stderr>')\n"
    "sys.argv = ['ember']\n"
    "try:\n"
    "    import matplotlib\n" /* no windows: figures render to memory */
    "    matplotlib.use('Agg')\n"
    "except ImportError:\n"
    "    pass\n";

/* CPython's own SIGINT handling is off (the session owns Ctrl-C). An
   interrupt may come from a signal handler or the kernel's control thread,
   neither of which may take the GIL there, so it wakes this thread, which
   takes the GIL and makes the running cell raise KeyboardInterrupt
   (Py_AddPendingCall from another thread would not wake the eval loop in
   3.11). */
static sem_t interrupt_sem;
static volatile unsigned long running_thread;  /* the thread in py_run_cell, or 0 */

static void *interrupter(void *unused) {
  (void)unused;
  for (;;) {
    while (sem_wait(&interrupt_sem) != 0) {}
    unsigned long target = running_thread;
    if (!target) continue;
    PyGILState_STATE g = PyGILState_Ensure();
    if (running_thread == target) PyThreadState_SetAsyncExc(target, PyExc_KeyboardInterrupt);
    PyGILState_Release(g);
  }
  return NULL;
}

void py_interrupt(void) {
  if (started && running_thread) sem_post(&interrupt_sem);
}

bool py_started(void) { return started; }

bool py_start(char **err) {
  if (started) return true;
  if (PyImport_AppendInittab("_ember", init_ember_module) < 0) {
    *err = strdup("cannot register the _ember module with CPython");
    return false;
  }
  PyConfig config;
  PyConfig_InitPythonConfig(&config);
  config.install_signal_handlers = 0;  /* Ctrl-C is the session's (py_interrupt) */
  config.parse_argv = 0;
  PyStatus st = Py_InitializeFromConfig(&config);
  PyConfig_Clear(&config);
  if (PyStatus_Exception(st)) {
    *err = strdup(st.err_msg ? st.err_msg : "CPython failed to start");
    return false;
  }
  if (PyRun_SimpleString(setup_code) != 0) PyErr_Clear();
  started = true;
  PyEval_SaveThread();  /* the GIL is taken only while Python runs */
  sem_init(&interrupt_sem, 0, 0);
  pthread_t t;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &old);  /* signals stay with the session's threads */
  pthread_create(&t, &attr, interrupter, NULL);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  pthread_attr_destroy(&attr);
  return true;
}

bool py_has_main_global(const char *name) {
  if (!started) return false;
  PyGILState_STATE g = PyGILState_Ensure();
  PyObject *main = PyImport_AddModule("__main__");
  PyObject *dict = main ? PyModule_GetDict(main) : NULL;
  bool has = dict && PyDict_GetItemString(dict, name) != NULL;
  PyGILState_Release(g);
  return has;
}

/* Figures matplotlib made during a cell: each as a PNG (base64 text), then
   all are closed, as IPython's inline backend does. */
static const char *const figures_code =
    "def _ember_figures():\n"
    "    import sys\n"
    "    plt = sys.modules.get('matplotlib.pyplot')\n"
    "    if plt is None:\n"
    "        return []\n"
    "    import io, base64\n"
    "    out = []\n"
    "    for num in plt.get_fignums():\n"
    "        buf = io.BytesIO()\n"
    "        plt.figure(num).savefig(buf, format='png', bbox_inches='tight')\n"
    "        out.append(base64.b64encode(buf.getvalue()).decode('ascii'))\n"
    "    plt.close('all')\n"
    "    return out\n";

int py_take_figures(void (*each)(void *user, const char *png_base64), void *user) {
  if (!started) return 0;
  PyGILState_STATE g = PyGILState_Ensure();
  PyObject *main = PyImport_AddModule("__main__");
  PyObject *dict = PyModule_GetDict(main);
  if (!PyDict_GetItemString(dict, "_ember_figures")) PyRun_String(figures_code, Py_file_input, dict, dict);
  PyObject *fn = PyDict_GetItemString(dict, "_ember_figures");
  PyObject *list = fn ? PyObject_CallNoArgs(fn) : NULL;
  int n = 0;
  for (Py_ssize_t i = 0; list && i < PyList_Size(list); i++) {
    const char *png = PyUnicode_AsUTF8(PyList_GetItem(list, i));
    if (!png) continue;
    char *copy = strdup(png);  /* the callback runs without the GIL */
    PyThreadState *ts = PyEval_SaveThread();
    each(user, copy);
    PyEval_RestoreThread(ts);
    free(copy);
    n++;
  }
  Py_XDECREF(list);
  PyErr_Clear();
  PyGILState_Release(g);
  return n;
}

void py_failure_free(PyFailure *f) {
  free(f->ename);
  free(f->evalue);
  free(f->traceback);
  memset(f, 0, sizeof *f);
}

static char *str_of(PyObject *o) {
  PyObject *s = o ? PyObject_Str(o) : NULL;
  const char *u = s ? PyUnicode_AsUTF8(s) : NULL;
  char *r = strdup(u ? u : "");
  Py_XDECREF(s);
  PyErr_Clear();
  return r;
}

/* The pending Python exception as ename/evalue/traceback; clears it. */
static void take_failure(PyFailure *f) {
  PyObject *type, *value, *tb;
  PyErr_Fetch(&type, &value, &tb);
  PyErr_NormalizeException(&type, &value, &tb);
  f->ename = strdup(type ? ((PyTypeObject *)type)->tp_name : "Error");
  f->evalue = str_of(value);
  PyObject *mod = PyImport_ImportModule("traceback");
  PyObject *lines = mod ? PyObject_CallMethod(mod, "format_exception", "OOO", type ? type : Py_None,
                                              value ? value : Py_None, tb ? tb : Py_None)
                        : NULL;
  PyObject *empty = PyUnicode_FromString("");
  PyObject *joined = lines && empty ? PyUnicode_Join(empty, lines) : NULL;
  f->traceback = joined ? strdup(PyUnicode_AsUTF8(joined)) : strdup(f->evalue);
  Py_XDECREF(joined);
  Py_XDECREF(empty);
  Py_XDECREF(lines);
  Py_XDECREF(mod);
  Py_XDECREF(type);
  Py_XDECREF(value);
  Py_XDECREF(tb);
  PyErr_Clear();
  size_t n = strlen(f->traceback);  /* no trailing newline: the session adds its own */
  while (n && f->traceback[n - 1] == '\n') f->traceback[--n] = 0;
}

/* Tracebacks quote the cell's lines: its source goes into linecache under
   the name the code is compiled with. */
static void remember_source(const char *name, const char *code) {
  PyObject *lc = PyImport_ImportModule("linecache");
  PyObject *cache = lc ? PyObject_GetAttrString(lc, "cache") : NULL;
  PyObject *text = PyUnicode_FromString(code);
  PyObject *lines = text ? PyObject_CallMethod(text, "splitlines", "i", 1) : NULL;
  PyObject *entry = lines ? Py_BuildValue("(nOOs)", (Py_ssize_t)strlen(code), Py_None, lines, name) : NULL;
  if (cache && entry) PyDict_SetItemString(cache, name, entry);
  Py_XDECREF(entry);
  Py_XDECREF(lines);
  Py_XDECREF(text);
  Py_XDECREF(cache);
  Py_XDECREF(lc);
  PyErr_Clear();
}

bool py_run_cell(const char *code, const char *cell_name, PyFailure *fail) {
  PyGILState_STATE g = PyGILState_Ensure();
  static int serial;
  char name[256];
  snprintf(name, sizeof name, "<%s %%%%python #%d>", cell_name, ++serial);
  remember_source(name, code);
  PyObject *main = PyImport_AddModule("__main__");  /* borrowed */
  PyObject *globals = main ? PyModule_GetDict(main) : NULL;
  PyObject *compiled = Py_CompileString(code, name, Py_file_input);
  running_thread = PyThread_get_thread_ident();
  PyObject *r = compiled && globals ? PyEval_EvalCode(compiled, globals, globals) : NULL;
  running_thread = 0;
  bool ok = r != NULL;
  if (!ok) take_failure(fail);
  Py_XDECREF(r);
  Py_XDECREF(compiled);
  PyObject *sys_stdout = PySys_GetObject("stdout");  /* borrowed */
  if (sys_stdout) {
    PyObject *fr = PyObject_CallMethod(sys_stdout, "flush", NULL);
    Py_XDECREF(fr);
    PyErr_Clear();
  }
  PyGILState_Release(g);
  return ok;
}

