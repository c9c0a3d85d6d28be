/* pyobj.c — what compiled Ember code calls to use Python objects
 * (PythonObject): import, evaluate, attributes, calls, operators, items,
 * conversions both ways. Every function takes the GIL for its own work
 * only, so parallel Ember code that does not touch Python never waits on
 * it. A Python exception becomes an Ember error ("ValueError: ...") at the
 * calling cell and line. Every function that returns a PyObject* returns a
 * new reference, and arguments are borrowed; the compiled code gives
 * references back (rt_py_decref) when their holders die. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdlib.h>
#include <string.h>

#include "python/bridge.h"
#include "runtime/runtime.h"

/* The Python frames of a traceback ("  File ..., line N, in f" and the
   source line), as Python prints them; NULL when there are none. */
static char *python_frames(PyObject *tb) {
  if (!tb) return NULL;
  PyObject *mod = PyImport_ImportModule("traceback");
  PyObject *lines = mod ? PyObject_CallMethod(mod, "format_tb", "O", tb) : NULL;
  PyObject *sep = lines ? PyUnicode_FromString("") : NULL;
  PyObject *joined = sep ? PyUnicode_Join(sep, lines) : NULL;
  const char *u = joined ? PyUnicode_AsUTF8(joined) : NULL;
  char *r = u ? strdup(u) : NULL;
  Py_XDECREF(joined);
  Py_XDECREF(sep);
  Py_XDECREF(lines);
  Py_XDECREF(mod);
  PyErr_Clear();
  return r;
}

/* The pending Python exception as the cell's error, with its Python frames
   after the cell's; returns NULL. */
static void *fail(const char *cell, int32_t line) {
  PyObject *type, *value, *tb;
  PyErr_Fetch(&type, &value, &tb);
  PyErr_NormalizeException(&type, &value, &tb);
  PyObject *s = value ? PyObject_Str(value) : NULL;
  const char *msg = s ? PyUnicode_AsUTF8(s) : NULL;
  char text[1024];
  snprintf(text, sizeof text, "%s: %s", type ? ((PyTypeObject *)type)->tp_name : "PythonError", msg ? msg : "");
  char *frames = python_frames(tb);
  Py_XDECREF(s);
  Py_XDECREF(type);
  Py_XDECREF(value);
  Py_XDECREF(tb);
  PyErr_Clear();
  rt_raise(text, cell, line);
  if (frames) rt_set_error_detail(frames);
  free(frames);
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
/* op: Py_LT..Py_GE (0-5), then 6 `a is b`, 7 `a is not b`, 8 `a in b`,
   9 `a not in b`. */
int32_t rt_py_compare(void *a, void *b, int32_t op, const char *cell, int32_t line) {
  if (op == 6 || op == 7) return (a == b) == (op == 6);
  GIL_BEGIN
  int r = op >= 8 ? PySequence_Contains((PyObject *)b, (PyObject *)a)
                  : PyObject_RichCompareBool((PyObject *)a, (PyObject *)b, op);
  if (r >= 0 && op == 9) r = !r;
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
/* Item i of a new list or tuple: it takes its own reference to item. */
void rt_py_list_set(void *list, int64_t i, void *item) {
  GIL_BEGIN
  Py_INCREF((PyObject *)item);
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
  Py_INCREF((PyObject *)item);
  PyTuple_SET_ITEM((PyObject *)t, (Py_ssize_t)i, (PyObject *)item);
  GIL_END
}

void *rt_py_new_set(void) {
  if (!started_quietly()) return NULL;
  GIL_BEGIN
  PyObject *s = PySet_New(NULL);
  GIL_END
  return s;
}

void rt_py_set_add(void *set, void *item, const char *cell, int32_t line) {
  GIL_BEGIN
  if (PySet_Add((PyObject *)set, (PyObject *)item) < 0) fail(cell, line);
  GIL_END
}

/* ---- Ember functions as Python callables ----------------------------------
 * An untyped def passed as a value is its instance over objects (each
 * parameter a PythonObject it owns); Python calls it through this. */

typedef struct EmberFunction {
  void *fn;
  int nparams;
  int result;  /* 0 None, 1 object, 2 Bool, 3 Float64, 4 Int, 5 String */
} EmberFunction;

/* The Ember error that stopped the function, as the Python exception of
   its name where Python has one (ZeroDivisionError ...), else RuntimeError. */
static void raise_ember_error(void) {
  const char *msg = rt_last_error.message, *colon = strstr(msg, ": ");
  PyObject *type = PyExc_RuntimeError;
  if (colon && colon - msg < 64) {
    char name[64];
    snprintf(name, sizeof name, "%.*s", (int)(colon - msg), msg);
    PyObject *builtins = PyEval_GetBuiltins();
    PyObject *t = builtins ? PyDict_GetItemString(builtins, name) : NULL;
    if (t && PyExceptionClass_Check(t)) {
      type = t;
      msg = colon + 2;
    }
  }
  PyErr_SetString(type, msg);
  rt_clear_error();
}

#define EMBER_CALL(R, f, n, a)                                                                       \
  ((n) == 0 ? ((R(*)(void))(f))() : (n) == 1 ? ((R(*)(void *))(f))((a)[0])                          \
   : (n) == 2 ? ((R(*)(void *, void *))(f))((a)[0], (a)[1])                                          \
   : (n) == 3 ? ((R(*)(void *, void *, void *))(f))((a)[0], (a)[1], (a)[2])                          \
   : (n) == 4 ? ((R(*)(void *, void *, void *, void *))(f))((a)[0], (a)[1], (a)[2], (a)[3])          \
   : (n) == 5 ? ((R(*)(void *, void *, void *, void *, void *))(f))((a)[0], (a)[1], (a)[2], (a)[3], (a)[4]) \
   : ((R(*)(void *, void *, void *, void *, void *, void *))(f))((a)[0], (a)[1], (a)[2], (a)[3], (a)[4], (a)[5]))

static PyObject *call_ember_function(PyObject *self, PyObject *args) {
  EmberFunction *f = PyCapsule_GetPointer(self, "ember.function");
  Py_ssize_t n = PyTuple_GET_SIZE(args);
  if (!f || n != f->nparams) {
    PyErr_Format(PyExc_TypeError, "the Ember function takes %d positional arguments but %zd were given",
                 f ? f->nparams : 0, n);
    return NULL;
  }
  void *a[6] = {0};
  for (Py_ssize_t i = 0; i < n; i++) {  /* the function owns its arguments */
    a[i] = PyTuple_GET_ITEM(args, i);
    Py_INCREF((PyObject *)a[i]);
  }
  PyObject *r = NULL;
  switch (f->result) {
  case 0: ((void)EMBER_CALL(int, f->fn, n, a)); r = Py_None; Py_INCREF(r); break;
  case 1: r = EMBER_CALL(PyObject *, f->fn, n, a); break;
  case 2: r = PyBool_FromLong(EMBER_CALL(bool, f->fn, n, a)); break;
  case 3: r = PyFloat_FromDouble(EMBER_CALL(double, f->fn, n, a)); break;
  case 4: r = PyLong_FromLongLong((long long)EMBER_CALL(int64_t, f->fn, n, a)); break;
  default: {
    const RtStr *s = EMBER_CALL(const RtStr *, f->fn, n, a);
    r = PyUnicode_FromStringAndSize(s ? s->data : "", s ? (Py_ssize_t)s->len : 0);
  }
  }
  if (rt_error_pending) {
    if (f->result != 1) Py_XDECREF(r);  /* an object result of a failed call is not a reference */
    raise_ember_error();
    return NULL;
  }
  return r;
}

static PyMethodDef ember_function_method = {"ember_function", call_ember_function, METH_VARARGS, NULL};

void *rt_py_function(void *fn, int64_t nparams, int64_t result) {
  if (!started_quietly()) return NULL;
  EmberFunction *f = malloc(sizeof *f);
  *f = (EmberFunction){fn, (int)nparams, (int)result};
  GIL_BEGIN
  PyObject *capsule = PyCapsule_New(f, "ember.function", NULL);
  PyObject *r = PyCFunction_New(&ember_function_method, capsule);
  Py_XDECREF(capsule);
  GIL_END
  return r;
}

/* `for k, v in obj`: the item as a tuple of exactly n values (a new
   reference), or NULL with Python's ValueError raised. */
void *rt_py_unpack(void *o, int64_t n, const char *cell, int32_t line) {
  GIL_BEGIN
  PyObject *t = PySequence_Tuple((PyObject *)o);
  if (t && PyTuple_GET_SIZE(t) != n) {
    Py_ssize_t got = PyTuple_GET_SIZE(t);
    Py_DECREF(t);
    t = NULL;
    if (got > n) PyErr_Format(PyExc_ValueError, "too many values to unpack (expected %lld)", (long long)n);
    else PyErr_Format(PyExc_ValueError, "not enough values to unpack (expected %lld, got %zd)", (long long)n, got);
  }
  void *out = t ? (void *)t : fail(cell, line);
  GIL_END
  return out;
}

/* Item i of a tuple from rt_py_unpack (a new reference). */
void *rt_py_item(void *tuple, int64_t i) {
  if (!tuple) return NULL;
  GIL_BEGIN
  PyObject *r = PyTuple_GET_ITEM((PyObject *)tuple, (Py_ssize_t)i);
  Py_INCREF(r);
  GIL_END
  return r;
}

/* A PythonObject is one reference: copying the value takes another,
   and each dies with its holder (Ember's lifetimes, as for a struct with
   __copyinit__ and __del__). */
void rt_py_incref(void *o) {
  if (!o) return;
  GIL_BEGIN
  Py_INCREF((PyObject *)o);
  GIL_END
}

void rt_py_decref(void *o) {
  if (!o) return;
  GIL_BEGIN
  Py_DECREF((PyObject *)o);
  GIL_END
}

void rt_py_list_append(void *list, void *item, const char *cell, int32_t line) {
  GIL_BEGIN
  if (PyList_Append((PyObject *)list, (PyObject *)item) < 0) fail(cell, line);
  GIL_END
}

/* `class NAME: ...` written in an Ember cell: its source runs in __main__
   (dedented, as it may stand in a block); the class (a new reference). */
void *rt_py_class(const RtStr *source, const RtStr *name, const char *cell, int32_t line) {
  if (!ensure(cell, line)) return NULL;
  GIL_BEGIN
  PyObject *main = PyImport_AddModule("__main__"), *g = PyModule_GetDict(main);
  PyObject *textwrap = PyImport_ImportModule("textwrap");
  PyObject *code = textwrap ? PyObject_CallMethod(textwrap, "dedent", "s", source->data) : NULL;
  PyObject *done = code ? PyRun_String(PyUnicode_AsUTF8(code), Py_file_input, g, g) : NULL;
  PyObject *cls = done ? PyDict_GetItemString(g, name->data) : NULL;  /* borrowed */
  Py_XINCREF(cls);
  Py_XDECREF(done);
  Py_XDECREF(code);
  Py_XDECREF(textwrap);
  void *out = cls ? (void *)cls : fail(cell, line);
  GIL_END
  return out;
}

/* start:stop:step, each a PyObject (None where not given). */
void *rt_py_slice(void *start, void *stop, void *step) {
  if (!started_quietly()) return NULL;
  GIL_BEGIN
  PyObject *s = PySlice_New((PyObject *)start, (PyObject *)stop, (PyObject *)step);
  GIL_END
  return s;
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

/* ---- rich display: the forms IPython's formatters would show ------------ */

static const struct {
  const char *method, *mime;
} formatters[] = {
    {"_repr_html_", "text/html"},     {"_repr_markdown_", "text/markdown"},
    {"_repr_svg_", "image/svg+xml"},  {"_repr_png_", "image/png"},
    {"_repr_jpeg_", "image/jpeg"},    {"_repr_latex_", "text/latex"},
    {"_repr_json_", "application/json"}, {"_repr_javascript_", "application/javascript"},
    {"_repr_pdf_", "application/pdf"},
};

/* A formatter's value as message text: a str as it is, bytes in base64,
   a dict or list as JSON, (data, metadata) by its data; NULL for None. */
static char *form_text(PyObject *v) {
  if (PyTuple_Check(v) && PyTuple_GET_SIZE(v) == 2) v = PyTuple_GET_ITEM(v, 0);
  PyObject *s = NULL;
  if (PyUnicode_Check(v)) s = (Py_INCREF(v), v);
  else if (PyBytes_Check(v)) {
    PyObject *mod = PyImport_ImportModule("base64");
    PyObject *b = mod ? PyObject_CallMethod(mod, "b64encode", "O", v) : NULL;
    s = b ? PyUnicode_FromEncodedObject(b, "ascii", NULL) : NULL;
    Py_XDECREF(b);
    Py_XDECREF(mod);
  } else if (PyDict_Check(v) || PyList_Check(v)) {
    PyObject *mod = PyImport_ImportModule("json");
    s = mod ? PyObject_CallMethod(mod, "dumps", "O", v) : NULL;
    Py_XDECREF(mod);
  }
  const char *u = s ? PyUnicode_AsUTF8(s) : NULL;
  char *r = u ? strdup(u) : NULL;
  Py_XDECREF(s);
  PyErr_Clear();
  return r;
}

static int add_form(RtMime *out, int n, const char *mime, char *text) {
  if (!text) return n;
  for (int i = 0; i < n; i++)
    if (!strcmp(out[i].mime, mime)) {  /* the first one given wins */
      free(text);
      return n;
    }
  if (n == RT_MAX_MIMES || !strcmp(mime, "text/plain")) {  /* the repr is text/plain */
    free(text);
    return n;
  }
  out[n] = (RtMime){strdup(mime), text};
  return n + 1;
}

/* o's rich forms (not text/plain): _repr_mimebundle_ first, then each
   _repr_<format>_ method that gives something; strdup'd, the caller frees. */
static int forms_of(PyObject *o, RtMime *out) {
  int n = 0;
  PyObject *bundle = PyObject_HasAttrString(o, "_repr_mimebundle_")
                         ? PyObject_CallMethod(o, "_repr_mimebundle_", "OO", Py_None, Py_None) : NULL;
  if (bundle && PyTuple_Check(bundle) && PyTuple_GET_SIZE(bundle) == 2) {
    PyObject *first = PyTuple_GET_ITEM(bundle, 0);
    Py_INCREF(first);
    Py_DECREF(bundle);
    bundle = first;
  }
  if (bundle && PyDict_Check(bundle)) {
    PyObject *key, *value;
    Py_ssize_t pos = 0;
    while (PyDict_Next(bundle, &pos, &key, &value)) {
      const char *mime = PyUnicode_Check(key) ? PyUnicode_AsUTF8(key) : NULL;
      if (mime) n = add_form(out, n, mime, form_text(value));
    }
  }
  Py_XDECREF(bundle);
  PyErr_Clear();
  for (size_t i = 0; i < sizeof formatters / sizeof *formatters; i++) {
    if (!PyObject_HasAttrString(o, formatters[i].method)) continue;
    PyObject *v = PyObject_CallMethod(o, formatters[i].method, NULL);
    if (v && v != Py_None) n = add_form(out, n, formatters[i].mime, form_text(v));
    Py_XDECREF(v);
    PyErr_Clear();
  }
  return n;
}

static void free_forms(RtMime *forms, int n) {
  for (int i = 0; i < n; i++) {
    free((char *)forms[i].mime);
    free((char *)forms[i].data);
  }
}

/* The cell's value is a Python object: its repr, and its rich forms (a
   DataFrame's HTML, an object's _repr_svg_ ...). */
void rt_py_show_result(void *obj) {
  GIL_BEGIN
  PyObject *s = PyObject_Repr((PyObject *)obj);
  Py_ssize_t n = 0;
  const char *u = s ? PyUnicode_AsUTF8AndSize(s, &n) : NULL;
  rt_set_result(rt_str_new(u ? u : "", u ? (int64_t)n : 0));
  Py_XDECREF(s);
  PyErr_Clear();
  RtMime forms[RT_MAX_MIMES];
  int nforms = forms_of((PyObject *)obj, forms);
  for (int i = 0; i < nforms; i++) rt_add_result_mime(forms[i].mime, forms[i].data);
  free_forms(forms, nforms);
  GIL_END
}

/* display(obj): its str as text/plain, and its rich forms. */
void rt_py_display(void *obj) {
  const RtStr *text = rt_py_str(obj);
  RtMime forms[RT_MAX_MIMES + 1];
  forms[0] = (RtMime){"text/plain", text->data};
  GIL_BEGIN
  int n = forms_of((PyObject *)obj, forms + 1);
  GIL_END
  rt_display_bundle(forms, n + 1);
  free_forms(forms + 1, n);
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
    (void *)rt_py_tuple_set, (void *)rt_py_new_dict, (void *)rt_py_slice,
    (void *)rt_py_new_set, (void *)rt_py_set_add, (void *)rt_py_incref, (void *)rt_py_decref,
    (void *)rt_py_unpack, (void *)rt_py_item, (void *)rt_py_function, (void *)rt_py_list_append, (void *)rt_py_class,
};
