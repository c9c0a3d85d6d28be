/* check_python.c — PythonObject: values of the embedded CPython in Ember
 * code (LANGUAGE.md tier 4, begun).
 *
 *   from python import Python, PythonObject
 *   var np = Python.import_module("numpy")
 *   var a = np.arange(10).reshape(2, 5)
 *   print(a.sum(), Float64(a.mean()), a[1])
 *
 * Attributes, calls (keyword arguments too), methods, operators,
 * comparisons (giving Bool), items, len, truthiness and printing go to
 * CPython; Ember numbers, Bools and Strings convert to Python objects
 * implicitly, and back with Int(x), Float64(x), String(x), Bool(x) or
 * x.to_float64(). Every operation may raise the Python exception as an
 * Ember error. */
#include "compiler/check_internal.h"

#include <string.h>

bool (*check_python_has_global)(const char *name);

/* Python's builtins that Ember has none of its own for (sum, sorted,
   enumerate, zip, ...): Python-style code calls them through CPython. */
static const char *const python_builtins[] = {
    "sum", "sorted", "reversed", "enumerate", "zip", "map", "filter", "any", "all", "round", "list", "dict",
    "set", "tuple", "frozenset", "isinstance", "issubclass", "type", "repr", "hasattr", "getattr", "setattr",
    "iter", "next", "divmod", "chr", "ord", "hex", "bin", "oct", "hash", "callable", "format", "open",
    "vars", "dir", "id", "bytes", "bytearray", "slice", "object", "Exception", "ValueError", "TypeError",
    "KeyError", "IndexError", "RuntimeError", "complex", NULL};

bool check_is_python_builtin(const char *name) { return check_in_list(python_builtins, name); }

/* A name defined by a %%python cell, or one of Python's builtins: n
   becomes Python.evaluate("name"). */
bool check_python_global(Checker *C, Node *n) {
  if (n->kind != N_NAME) return false;
  if (!check_is_python_builtin(n->name) && (!check_python_has_global || !check_python_has_global(n->name)))
    return false;
  return check_python_global_as(C, n, n->name);
}

/* n becomes Python.evaluate("name") (a Python object). */
bool check_python_global_as(Checker *C, Node *n, const char *name) {
  Node *text = check_string_node(C, n, name);
  text->type = TYPE(STRING);
  n->kind = N_CALL;
  n->list = (NodeList){0};
  node_push(C->arena, &n->list, text);
  n->a = node_new(C->arena, N_NAME, n->line, n->col);
  n->a->name = "Python";
  n->type = check_intrinsic(n, IN_PY_EVAL, TYPE(PYOBJ));
  check_mark_raise(C);
  return true;
}

/* name(args) with Python's builtin of that name (max(xs) over a list). */
Type *check_python_builtin_call(Checker *C, Node *n, const char *name) {
  Node *f = node_new(C->arena, N_NAME, n->a->line, n->a->col);
  check_python_global_as(C, f, name);
  n->a = f;
  return check_python_callee(C, n);
}

bool check_to_python(const Type *t) {
  if (type_is_list(t)) return check_to_python(t->elem) && t->elem->kind != TY_NONE;  /* a Python list */
  return t->kind == TY_PYOBJ || t->kind == TY_STRING || t->kind == TY_BOOL || t->kind == TY_NONE ||
         (type_is_numeric(t) && !type_is_simd(t));
}

/* Each argument (positional, then keyword) becomes a Python object. */
static bool python_args(Checker *C, Node *n) {
  if (!check_args(C, n)) return false;
  for (int i = 0; i < n->list.len; i++)
    if (!check_coerce(C, n->list.items[i], TYPE(PYOBJ), "as a Python argument")) return false;
  for (int i = 0; i < n->list2.len; i++)
    if (!check_coerce(C, n->list2.items[i]->a, TYPE(PYOBJ), "as a Python argument")) return false;
  return true;
}

/* Python.import_module(name), Python.evaluate(expr), Python.none() */
Type *check_python_call(Checker *C, Node *n, const char *name) {
  check_mark_raise(C);
  if (!check_args(C, n) || !check_no_kwargs(C, n, name)) return NULL;
  if (!strcmp(name, "none")) return check_arg_count(C, n, name, 0, 0) ? check_intrinsic(n, IN_PY_NONE, TYPE(PYOBJ)) : NULL;
  if (strcmp(name, "import_module") && strcmp(name, "evaluate")) {
    ERR(n->a, "Python has no function '%s' (import_module, evaluate and none so far)", name);
    return NULL;
  }
  if (!check_arg_count(C, n, name, 1, 1) || !check_coerce(C, n->list.items[0], TYPE(STRING), "as the name"))
    return NULL;
  return check_intrinsic(n, name[0] == 'i' ? IN_PY_IMPORT : IN_PY_EVAL, TYPE(PYOBJ));
}

/* f(args) where f is a Python object */
Type *check_python_callee(Checker *C, Node *n) {
  check_mark_raise(C);
  if (!python_args(C, n)) return NULL;
  return check_intrinsic(n, IN_PY_CALL, TYPE(PYOBJ));
}

/* obj.method(args); obj.to_float64() converts */
Type *check_python_method(Checker *C, Node *n) {
  check_mark_raise(C);
  if (!strcmp(n->a->name, "to_float64") && !n->list.len && !n->list2.len)
    return check_intrinsic(n, IN_PY_TO_F64, TYPE(F64));
  if (!python_args(C, n)) return NULL;
  return check_intrinsic(n, IN_PY_CALL_METHOD, TYPE(PYOBJ));
}

/* a + b with a Python object on either side */
Type *check_python_binary(Checker *C, Node *n) {
  if (!check_coerce(C, n->a, TYPE(PYOBJ), NULL) || !check_coerce(C, n->b, TYPE(PYOBJ), NULL)) return NULL;
  check_mark_raise(C);
  n->optype = TYPE(PYOBJ);
  return TYPE(PYOBJ);
}

/* a < b with a Python object: a Bool */
Type *check_python_compare(Checker *C, Node *n) {
  if (n->list.len > 2) {
    ERR(n, "comparisons of Python objects cannot be chained yet");
    return NULL;
  }
  for (int i = 0; i < 2; i++)  /* also `x in obj`, `x is None`, `not in`, `is not` */
    if (!check_coerce(C, n->list.items[i], TYPE(PYOBJ), NULL)) return NULL;
  check_mark_raise(C);
  n->optype = TYPE(PYOBJ);
  return TYPE(BOOL);
}

/* obj[key], obj[i, j], obj[a:b:c], obj[:, 1] */
Type *check_python_index(Checker *C, Node *n) {
  if (!n->list.len || n->list2.len) {
    ERR(n, "a Python object takes an index here");
    return NULL;
  }
  for (int i = 0; i < n->list.len; i++) {  /* a[i, j] indexes with the tuple (i, j) */
    Node *k = n->list.items[i];
    if (k->kind == N_SLICE) {  /* a Python slice of whichever bounds are given */
      Node *parts[3] = {k->a, k->b, k->c};
      for (int j = 0; j < 3; j++)
        if (parts[j] && (!check_expr(C, parts[j]) || !check_coerce(C, parts[j], TYPE(PYOBJ), "as a slice bound")))
          return NULL;
      k->type = TYPE(PYOBJ);
      continue;
    }
    if (!check_expr(C, k) || !check_coerce(C, k, TYPE(PYOBJ), "as the key")) return NULL;
  }
  check_mark_raise(C);
  return TYPE(PYOBJ);
}

/* {a, b, ...}: a Python set of the converted items. */
Type *check_python_set(Checker *C, Node *n) {
  for (int i = 0; i < n->list.len; i++)
    if (!check_expr(C, n->list.items[i]) || !check_coerce(C, n->list.items[i], TYPE(PYOBJ), "as a set item"))
      return NULL;
  check_mark_raise(C);  /* an unhashable item raises TypeError */
  return TYPE(PYOBJ);
}

/* {k: v, ...}: a Python dict of the converted keys and values (Ember has
   no Dict type of its own yet). */
Type *check_python_dict(Checker *C, Node *n) {
  for (int i = 0; i < n->list.len; i++) {
    Node *k = n->list.items[i], *v = n->list2.items[i];
    if (!check_expr(C, k) || !check_coerce(C, k, TYPE(PYOBJ), "as a dict key")) return NULL;
    if (!check_expr(C, v) || !check_coerce(C, v, TYPE(PYOBJ), "as a dict value")) return NULL;
  }
  check_mark_raise(C);  /* an unhashable key raises TypeError */
  return TYPE(PYOBJ);
}
