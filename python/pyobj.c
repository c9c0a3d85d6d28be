/* pyobj.c — what compiled Ember code calls to use Python objects
 * (PythonObject): import, evaluate, attributes, calls, operators, items,
 * conversions both ways. Every function takes the GIL for its own work
 * only, so parallel Ember code that does not touch Python never waits on
 * it. A Python exception becomes an Ember error ("ValueError: ...") at the
 * calling cell and line. References are not released yet: a PythonObject
 * keeps its object alive for the session (see README, issue 8). */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdlib.h>
#include <string.h>

#include "python/bridge.h"
#include "runtime/runtime.h"

/* The pending Python exception as the cell's error; returns NULL. */
static void *fail(const char *cell, int32_t line) {
  PyObject *type, *value, *tb;
  PyErr_Fetch(&type, &value, &tb);
  PyErr_NormalizeException(&type, &value, &tb);
  PyObject *s = value ? PyObject_Str(value) : NULL;
  const char *msg = s ? PyUnicode_AsUTF8(s) : NULL;
  char text[1024];
  snprintf(text, sizeof text, "%s: %s", type ? ((PyTypeObject *)type)->tp_name : "PythonError", msg ? msg : "");
  Py_XDECREF(s);
  Py_XDECREF(type);
  Py_XDECREF(value);
  Py_XDECREF(tb);
  PyErr_Clear();
  rt_raise(text, cell, line);
  return NULL;
}

static bool ensure(const char *cell, int32_t line) {
  char *err = NULL;
  if (py_start(&err)) return true;
  char text[512];
  snprintf(text, sizeof text, "PythonError: %s", err ? err : "CPython failed to start");
  free(err);
  rt_raise(text, cell, line);
  return false;
}

/* Start CPython for a conversion that has no cell and line to blame; a
   failure shows at the next operation that has them (ensure). */
static bool started_quietly(void) {
  char *err = NULL;
  bool ok = py_start(&err);
  free(err);
  return ok;
}

#define GIL_BEGIN PyGILState_STATE gil_ = PyGILState_Ensure();
#define GIL_END PyGILState_Release(gil_);

void *rt_py_import(const RtStr *name, const char *cell, int32_t line) {
  if (!ensure(cell, line)) return NULL;
  GIL_BEGIN
  PyObject *m = PyImport_ImportModule(name->data);
  void *r = m ? (void *)m : fail(cell, line);
  GIL_END
  return r;
}

void *rt_py_eval(const RtStr *expr, const char *cell, int32_t line) {
  if (!ensure(cell, line)) return NULL;
  GIL_BEGIN
  PyObject *main = PyImport_AddModule("__main__");
  PyObject *g = PyModule_GetDict(main);
  PyObject *r = PyRun_String(expr->data, Py_eval_input, g, g);
  void *out = r ? (void *)r : fail(cell, line);
  GIL_END
  return out;
}

void *rt_py_getattr(void *o, const RtStr *name, const char *cell, int32_t line) {
  GIL_BEGIN
  PyObject *r = PyObject_GetAttrString((PyObject *)o, name->data);
  void *out = r ? (void *)r : fail(cell, line);
  GIL_END
  return out;
}

void rt_py_setattr(void *o, const RtStr *name, void *v, const char *cell, int32_t line) {
  GIL_BEGIN
  if (PyObject_SetAttrString((PyObject *)o, name->data, (PyObject *)v) < 0) fail(cell, line);
  GIL_END
}

/* callable(args[0..npos), name=args[npos..]) with kwnames "a,b" */
static PyObject *call(PyObject *f, void **args, int64_t npos, int64_t nkw, const RtStr *kwnames) {
  PyObject *tuple = PyTuple_New(npos);
  for (int64_t i = 0; i < npos; i++) {
    Py_INCREF((PyObject *)args[i]);
    PyTuple_SET_ITEM(tuple, i, (PyObject *)args[i]);
  }
  PyObject *kw = NULL;
  if (nkw) {
    kw = PyDict_New();
    const char *p = kwnames->data;
    for (int64_t i = 0; i < nkw; i++) {
      size_t n = strcspn(p, ",");
      char key[128];
      snprintf(key, sizeof key, "%.*s", (int)n, p);
      PyDict_SetItemString(kw, key, (PyObject *)args[npos + i]);
      p += n + (p[n] == ',');
    }
  }
  PyObject *r = PyObject_Call(f, tuple, kw);
  Py_DECREF(tuple);
  Py_XDECREF(kw);
  return r;
}

void *rt_py_call(void *f, void **args, int64_t npos, int64_t nkw, const RtStr *kwnames, const char *cell,
                 int32_t line) {
  GIL_BEGIN
  PyObject *r = call((PyObject *)f, args, npos, nkw, kwnames);
  void *out = r ? (void *)r : fail(cell, line);
  GIL_END
  return out;
}

void *rt_py_call_method(void *o, const RtStr *name, void **args, int64_t npos, int64_t nkw,
                        const RtStr *kwnames, const char *cell, int32_t line) {
  GIL_BEGIN
  PyObject *m = PyObject_GetAttrString((PyObject *)o, name->data);
  PyObject *r = m ? call(m, args, npos, nkw, kwnames) : NULL;
  Py_XDECREF(m);
  void *out = r ? (void *)r : fail(cell, line);
  GIL_END
  return out;
}

/* op: the first character of the operator ('+', '-', '*', '/', 'f' for //,
   '%', 'p' for **, '&', '|', '^', '<' for <<, '>' for >>, '@') */
void *rt_py_binop(void *a, void *b, int32_t op, const char *cell, int32_t line) {
  GIL_BEGIN
  PyObject *x = a, *y = b, *r;
  switch (op) {
  case '+': r = PyNumber_Add(x, y); break;
  case '-': r = PyNumber_Subtract(x, y); break;
  case '*': r = PyNumber_Multiply(x, y); break;
  case '/': r = PyNumber_TrueDivide(x, y); break;
  case 'f': r = PyNumber_FloorDivide(x, y); break;
  case '%': r = PyNumber_Remainder(x, y); break;
  case 'p': r = PyNumber_Power(x, y, Py_None); break;
  case '&': r = PyNumber_And(x, y); break;
  case '|': r = PyNumber_Or(x, y); break;
  case '^': r = PyNumber_Xor(x, y); break;
  case '<': r = PyNumber_Lshift(x, y); break;
  case '>': r = PyNumber_Rshift(x, y); break;
  default: r = PyNumber_MatrixMultiply(x, y); break;
  }
  void *out = r ? (void *)r : fail(cell, line);
  GIL_END
  return out;
}

void *rt_py_neg(void *a, const char *cell, int32_t line) {
  GIL_BEGIN
  PyObject *r = PyNumber_Negative((PyObject *)a);
  void *out = r ? (void *)r : fail(cell, line);
  GIL_END
  return out;
}

/* Py_LT .. Py_GE; 1 true, 0 false (an error raises and gives 0) */
int32_t rt_py_compare(void *a, void *b, int32_t op, const char *cell, int32_t line) {
  GIL_BEGIN
  int r = PyObject_RichCompareBool((PyObject *)a, (PyObject *)b, op);
  if (r < 0) {
    fail(cell, line);
    r = 0;
  }
  GIL_END
  return r;
}

int32_t rt_py_truthy(void *o, const char *cell, int32_t line) {
  GIL_BEGIN
  int r = PyObject_IsTrue((PyObject *)o);
  if (r < 0) {
    fail(cell, line);
    r = 0;
  }
  GIL_END
  return r;
}

void *rt_py_getitem(void *o, void *key, const char *cell, int32_t line) {
  GIL_BEGIN
  PyObject *r = PyObject_GetItem((PyObject *)o, (PyObject *)key);
  void *out = r ? (void *)r : fail(cell, line);
  GIL_END
  return out;
}

void rt_py_setitem(void *o, void *key, void *v, const char *cell, int32_t line) {
  GIL_BEGIN
  if (PyObject_SetItem((PyObject *)o, (PyObject *)key, (PyObject *)v) < 0) fail(cell, line);
  GIL_END
}

int64_t rt_py_len(void *o, const char *cell, int32_t line) {
  GIL_BEGIN
  Py_ssize_t n = PyObject_Length((PyObject *)o);
  if (n < 0) {
    fail(cell, line);
    n = 0;
  }
  GIL_END
  return n;
}

const RtStr *rt_py_str(void *o) {
  GIL_BEGIN
  PyObject *s = PyObject_Str((PyObject *)o);
  Py_ssize_t n = 0;
  const char *u = s ? PyUnicode_AsUTF8AndSize(s, &n) : NULL;
  const RtStr *r = rt_str_new(u ? u : "<unprintable>", u ? (int64_t)n : 13);
  Py_XDECREF(s);
  PyErr_Clear();
  GIL_END
  return r;
}

int64_t rt_py_to_i64(void *o, const char *cell, int32_t line) {
  GIL_BEGIN
  long long v = PyLong_AsLongLong((PyObject *)o);
  if (v == -1 && PyErr_Occurred()) {  /* a float, a numpy scalar: through int() */
    PyErr_Clear();
    PyObject *i = PyNumber_Long((PyObject *)o);
    v = i ? PyLong_AsLongLong(i) : -1;
    Py_XDECREF(i);
    if (PyErr_Occurred()) fail(cell, line);
  }
  GIL_END
  return v;
}

double rt_py_to_f64(void *o, const char *cell, int32_t line) {
  GIL_BEGIN
  double v = PyFloat_AsDouble((PyObject *)o);
  if (v == -1.0 && PyErr_Occurred()) fail(cell, line);
  GIL_END
  return v;
}

/* Ember values as Python objects (Python starts if it has not). */
void *rt_py_from_i64(int64_t v) {
  if (!started_quietly()) return NULL;
  GIL_BEGIN
  PyObject *r = PyLong_FromLongLong(v);
  GIL_END
  return r;
}

void *rt_py_from_f64(double v) {
  if (!started_quietly()) return NULL;
  GIL_BEGIN
  PyObject *r = PyFloat_FromDouble(v);
  GIL_END
  return r;
}

void *rt_py_from_bool(int32_t v) {
  if (!started_quietly()) return NULL;
  GIL_BEGIN
  PyObject *r = PyBool_FromLong(v);
  GIL_END
  return r;
}

void *rt_py_from_str(const RtStr *s) {
  if (!started_quietly()) return NULL;
  GIL_BEGIN
  PyObject *r = PyUnicode_FromStringAndSize(s->data, (Py_ssize_t)s->len);
  if (!r) PyErr_Clear();
  GIL_END
  return r;
}

void *rt_py_new_list(int64_t n) {
  if (!started_quietly()) return NULL;
  GIL_BEGIN
  PyObject *r = PyList_New((Py_ssize_t)n);
  GIL_END
  return r;
}

/* list[i] = item (the list takes the reference) */
void rt_py_list_set(void *list, int64_t i, void *item) {
  GIL_BEGIN
  PyList_SET_ITEM((PyObject *)list, (Py_ssize_t)i, (PyObject *)item);
  GIL_END
}

void *rt_py_new_tuple(int64_t n) {
  GIL_BEGIN
  PyObject *r = PyTuple_New((Py_ssize_t)n);
  GIL_END
  return r;
}

/* tuple[i] = item (the tuple takes the reference) */
void rt_py_tuple_set(void *t, int64_t i, void *item) {
  GIL_BEGIN
  PyTuple_SET_ITEM((PyObject *)t, (Py_ssize_t)i, (PyObject *)item);
  GIL_END
}

void *rt_py_new_dict(void) {
  if (!started_quietly()) return NULL;
  GIL_BEGIN
  PyObject *r = PyDict_New();
  GIL_END
  return r;
}

void *rt_py_none(void) {
  if (!started_quietly()) return NULL;
  Py_INCREF(Py_None);
  return Py_None;
}

void *rt_py_iter(void *o, const char *cell, int32_t line) {
  GIL_BEGIN
  PyObject *r = PyObject_GetIter((PyObject *)o);
  void *out = r ? (void *)r : fail(cell, line);
  GIL_END
  return out;
}

/* The next item, or NULL when the iterator is exhausted (or raised). */
void *rt_py_next(void *it, const char *cell, int32_t line) {
  GIL_BEGIN
  PyObject *r = PyIter_Next((PyObject *)it);
  if (!r && PyErr_Occurred()) fail(cell, line);
  GIL_END
  return r;
}

/* obj's HTML form from _repr_html_ (pandas, IPython-style objects), or NULL. */
static const RtStr *html_of(PyObject *o) {
  if (!PyObject_HasAttrString(o, "_repr_html_")) return NULL;
  PyObject *h = PyObject_CallMethod(o, "_repr_html_", NULL);
  const RtStr *r = NULL;
  if (h && PyUnicode_Check(h)) {
    Py_ssize_t n;
    const char *u = PyUnicode_AsUTF8AndSize(h, &n);
    if (u) r = rt_str_new(u, (int64_t)n);
  }
  Py_XDECREF(h);
  PyErr_Clear();
  return r;
}

/* The cell's value is a Python object: its repr, and its HTML when it has one. */
void rt_py_show_result(void *obj) {
  GIL_BEGIN
  PyObject *s = PyObject_Repr((PyObject *)obj);
  Py_ssize_t n = 0;
  const char *u = s ? PyUnicode_AsUTF8AndSize(s, &n) : NULL;
  rt_set_result(rt_str_new(u ? u : "", u ? (int64_t)n : 0));
  Py_XDECREF(s);
  PyErr_Clear();
  const RtStr *html = html_of((PyObject *)obj);
  if (html) rt_set_result_html(html);
  GIL_END
}

/* display(obj): text/html when the object renders as HTML, else its text. */
void rt_py_display(void *obj) {
  GIL_BEGIN
  const RtStr *html = html_of((PyObject *)obj);
  GIL_END
  if (html) {
    rt_display(rt_str_new("text/html", 9), html);
    return;
  }
  rt_display(rt_str_new("text/plain", 10), rt_py_str(obj));
}

/* Referenced from the session so that the linker keeps these functions in
   the executable, where JIT-compiled cells find them by name. */
void *const py_object_api[] = {
    (void *)rt_py_import, (void *)rt_py_eval, (void *)rt_py_getattr, (void *)rt_py_setattr,
    (void *)rt_py_call, (void *)rt_py_call_method, (void *)rt_py_binop, (void *)rt_py_neg,
    (void *)rt_py_compare, (void *)rt_py_truthy, (void *)rt_py_getitem, (void *)rt_py_setitem,
    (void *)rt_py_len, (void *)rt_py_str, (void *)rt_py_to_i64, (void *)rt_py_to_f64,
    (void *)rt_py_from_i64, (void *)rt_py_from_f64, (void *)rt_py_from_bool, (void *)rt_py_from_str,
    (void *)rt_py_none, (void *)rt_py_show_result, (void *)rt_py_display, (void *)rt_py_iter,
    (void *)rt_py_next, (void *)rt_py_new_list, (void *)rt_py_list_set, (void *)rt_py_new_tuple,
    (void *)rt_py_tuple_set, (void *)rt_py_new_dict,
};
