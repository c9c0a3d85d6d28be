/* emit_python.c — PythonObject operations as calls to python/pyobj.c.
 * A Python object is an !llvm.ptr (a PyObject*); each operation passes the
 * cell and line so that a Python exception becomes an Ember error there,
 * and is followed by the pending-error check. */
#include "mlir/emit_internal.h"

#include <stdlib.h>
#include <string.h>

static Val line_of(Emitter *E, Node *n) { return emit_const_int(E, n->line, "i32"); }

/* call rt_py_<name>(args..., cell, line) and look for a raised error */
static Val py_call(Emitter *E, Node *at, const char *name, const char *types, const char *ret, Val *args,
                   int nargs) {
  Val all[12];
  for (int i = 0; i < nargs; i++) all[i] = args[i];
  all[nargs] = emit_cell_key(E);
  all[nargs + 1] = line_of(E, at);
  char sig[256];
  snprintf(sig, sizeof sig, "%s%s!llvm.ptr, i32", types, *types ? ", " : "");
  Val r = emit_call_rt(E, name, sig, ret, all, nargs + 2);
  emit_check_pending_rt(E, at->line);
  return r;
}

/* A List as a Python list of its elements converted one by one. */
static Val list_to_python(Emitter *E, Val list, const Type *t) {
  Val len = emit_call_rt(E, "rt_list_len", "!llvm.ptr", "i64", &list, 1);
  Val pylist = emit_call_rt(E, "rt_py_new_list", "i64", "!llvm.ptr", &len, 1);
  Val ctr = emit_alloca_tmp(E, "i64");
  emit_store_tmp(E, emit_const_int(E, 0, "i64"), ctr, "i64");
  int head = emit_new_block(E), body = emit_new_block(E), done = emit_new_block(E);
  emit_br(E, head);
  emit_start_block(E, head);
  Val i = emit_load_tmp(E, ctr, "i64");
  emit_cond_br(E, emit_cmp(E, "arith.cmpi", "slt", i, len, "i64"), body, done);
  emit_start_block(E, body);
  Val args[4] = {list, i, emit_cell_key(E), emit_const_int(E, 0, "i32")};
  Val slot = emit_call_rt(E, "rt_list_at", "!llvm.ptr, i64, !llvm.ptr, i32", "!llvm.ptr", args, 4);
  Val x = emit_load_tmp(E, slot, t->elem->mlir);
  Val set[3] = {pylist, i, emit_to_python(E, x, t->elem)};
  emit_call_rt(E, "rt_py_list_set", "!llvm.ptr, i64, !llvm.ptr", NULL, set, 3);
  if (t->elem->kind != TY_PYOBJ) emit_call_rt(E, "rt_py_decref", "!llvm.ptr", NULL, &set[2], 1);  /* the list has it */
  emit_store_tmp(E, emit_binop(E, "arith.addi", i, emit_const_int(E, 1, "i64"), "i64", ""), ctr, "i64");
  emit_br(E, head);
  emit_start_block(E, done);
  return pylist;
}

/* An Ember value as a Python object. */
Val emit_to_python(Emitter *E, Val v, const Type *from) {
  if (from->kind == TY_PYOBJ) return v;
  if (type_is_list(from)) return list_to_python(E, v, from);
  if (from->kind == TY_NONE) return emit_call_rt(E, "rt_py_none", "", "!llvm.ptr", NULL, 0);
  if (from->kind == TY_STRING) return emit_call_rt(E, "rt_py_from_str", "!llvm.ptr", "!llvm.ptr", &v, 1);
  if (from->kind == TY_BOOL) {
    Val w = emit_op1(E, "arith.extui", v, "i1", "i32");
    return emit_call_rt(E, "rt_py_from_bool", "i32", "!llvm.ptr", &w, 1);
  }
  if (from->is_float) {
    Val w = emit_convert(E, v, from, TYPE(F64));
    return emit_call_rt(E, "rt_py_from_f64", "f64", "!llvm.ptr", &w, 1);
  }
  Val w = emit_convert(E, v, from, TYPE(INT));
  return emit_call_rt(E, "rt_py_from_i64", "i64", "!llvm.ptr", &w, 1);
}

/* A Python object as an Ember value (Int(x), Float64(x), String(x), Bool(x)). */
Val emit_from_python(Emitter *E, Node *at, Val v, const Type *to) {
  if (to->kind == TY_PYOBJ) return v;
  if (to->kind == TY_STRING) return emit_call_rt(E, "rt_py_str", "!llvm.ptr", "!llvm.ptr", &v, 1);
  if (to->kind == TY_BOOL) {
    Val r = py_call(E, at, "rt_py_truthy", "!llvm.ptr", "i32", &v, 1);
    return emit_cmp(E, "arith.cmpi", "ne", r, emit_const_int(E, 0, "i32"), "i32");
  }
  if (to->is_float) {
    Val r = py_call(E, at, "rt_py_to_f64", "!llvm.ptr", "f64", &v, 1);
    return emit_convert(E, r, TYPE(F64), to);
  }
  Val r = py_call(E, at, "rt_py_to_i64", "!llvm.ptr", "i64", &v, 1);
  return emit_convert(E, r, TYPE(INT), to);
}

static Val py_value(Emitter *E, Node *n) { return emit_to_python(E, emit_expr(E, n), n->type); }

/* ---- temporaries ---------------------------------------------------------
 * An operand that is not a variable (a call's result, obj.attr, a converted
 * Ember number) is a fresh reference that nothing else holds: it is given
 * back once the operation that reads it has returned, so `a * b + c` or
 * `np.linalg.inv(m)` in a loop does not keep every intermediate alive.
 * (On an error the operation unwinds first and the temporaries leak.) */

typedef struct Temps {
  Val v[32];
  int n;
} Temps;

static Val operand(Emitter *E, Node *n, Temps *t) {
  Val v = py_value(E, n);
  if (!(n->type->kind == TY_PYOBJ && emit_is_place(n)) && t->n < 32) t->v[t->n++] = v;
  return v;
}

static Val keep(Temps *t, Val v) {  /* a reference made here, given back later */
  if (t->n < 32) t->v[t->n++] = v;
  return v;
}

static void release(Emitter *E, Temps *t) {
  for (int i = 0; i < t->n && E->open; i++) emit_call_rt(E, "rt_py_decref", "!llvm.ptr", NULL, &t->v[i], 1);
  t->n = 0;
}

/* The arguments as an array of PyObject* (positional, then keyword). */
static Val arg_array(Emitter *E, Node *n, Temps *temps) {
  int count = n->list.len + n->list2.len;
  Val arr = emit_new_val(E);
  buf_printf(&E->allocas, "  %%n%d = llvm.mlir.constant(%d : i64) : i64\n", arr, count + 1);
  buf_printf(&E->allocas, "  %%v%d = llvm.alloca %%n%d x !llvm.ptr : (i64) -> !llvm.ptr\n", arr, arr);
  for (int i = 0; i < count; i++) {
    Node *a = i < n->list.len ? n->list.items[i] : n->list2.items[i - n->list.len]->a;
    Val v = operand(E, a, temps), slot = emit_new_val(E);
    OUT("  %%v%d = llvm.getelementptr %%v%d[%d] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr\n", slot, arr, i);
    OUT("  llvm.store %%v%d, %%v%d : !llvm.ptr, !llvm.ptr\n", v, slot);
  }
  return arr;
}

static Val kw_names(Emitter *E, Node *n) {
  Buf b = {0};
  for (int i = 0; i < n->list2.len; i++) buf_printf(&b, "%s%s", i ? "," : "", n->list2.items[i]->name);
  Val s = emit_const_string(E, buf_str(&b), (int64_t)b.len);
  buf_free(&b);
  return s;
}

Val emit_python_intrinsic(Emitter *E, Node *n) {
  Node *recv = n->a->kind == N_ATTR ? n->a->a : NULL;
  switch ((Intrinsic)n->op) {
  case IN_PY_IMPORT: case IN_PY_EVAL: {
    Val s = emit_expr(E, n->list.items[0]);
    return py_call(E, n, n->op == IN_PY_IMPORT ? "rt_py_import" : "rt_py_eval", "!llvm.ptr", "!llvm.ptr", &s, 1);
  }
  case IN_PY_NONE: return emit_call_rt(E, "rt_py_none", "", "!llvm.ptr", NULL, 0);
  case IN_PY_CALL: {
    Temps t = {0};
    Val args[5] = {operand(E, n->a, &t), arg_array(E, n, &t), emit_const_int(E, n->list.len, "i64"),
                   emit_const_int(E, n->list2.len, "i64"), kw_names(E, n)};
    Val r = py_call(E, n, "rt_py_call", "!llvm.ptr, !llvm.ptr, i64, i64, !llvm.ptr", "!llvm.ptr", args, 5);
    release(E, &t);
    return r;
  }
  case IN_PY_CALL_METHOD: {
    Temps t = {0};
    Val obj = operand(E, recv, &t);
    Val args[6] = {obj, emit_const_string(E, n->a->name, (int64_t)strlen(n->a->name)), arg_array(E, n, &t),
                   emit_const_int(E, n->list.len, "i64"), emit_const_int(E, n->list2.len, "i64"), kw_names(E, n)};
    Val r = py_call(E, n, "rt_py_call_method", "!llvm.ptr, !llvm.ptr, !llvm.ptr, i64, i64, !llvm.ptr", "!llvm.ptr",
                    args, 6);
    release(E, &t);
    return r;
  }
  case IN_PY_TO_F64: return emit_from_python(E, n, emit_expr(E, recv), TYPE(F64));
  case IN_PY_LEN: {
    Val o = emit_expr(E, n->list.items[0]);
    return py_call(E, n, "rt_py_len", "!llvm.ptr", "i64", &o, 1);
  }
  default: return 0;
  }
}

/* obj.attr */
Val emit_python_getattr(Emitter *E, Node *n) {
  Temps t = {0};
  Val args[2] = {operand(E, n->a, &t), emit_const_string(E, n->name, (int64_t)strlen(n->name))};
  Val r = py_call(E, n, "rt_py_getattr", "!llvm.ptr, !llvm.ptr", "!llvm.ptr", args, 2);
  release(E, &t);
  return r;
}

static int op_code(int op) {
  switch (op) {
  case T_PLUS: return '+';
  case T_MINUS: return '-';
  case T_STAR: return '*';
  case T_SLASH: return '/';
  case T_DSLASH: return 'f';
  case T_PERCENT: return '%';
  case T_DSTAR: return 'p';
  case T_AMP: return '&';
  case T_PIPE: return '|';
  case T_CARET: return '^';
  case T_LSHIFT: return '<';
  case T_RSHIFT: return '>';
  default: return '@';
  }
}

Val emit_python_binary(Emitter *E, Node *n) {
  Temps t = {0};
  Val args[3] = {operand(E, n->a, &t), operand(E, n->b, &t), emit_const_int(E, op_code(n->op), "i32")};
  Val r = py_call(E, n, "rt_py_binop", "!llvm.ptr, !llvm.ptr, i32", "!llvm.ptr", args, 3);
  release(E, &t);
  return r;
}

Val emit_python_negate(Emitter *E, Node *n) {
  Temps t = {0};
  Val a = operand(E, n->a, &t);
  Val r = py_call(E, n, "rt_py_neg", "!llvm.ptr", "!llvm.ptr", &a, 1);
  release(E, &t);
  return r;
}

Val emit_python_compare(Emitter *E, Node *n) {
  int op = n->ops[0];  /* CPython's Py_LT=0 Py_LE Py_EQ Py_NE Py_GT Py_GE; then is, is not, in, not in */
  int code = op == T_LT ? 0 : op == T_LE ? 1 : op == T_EQ ? 2 : op == T_NE ? 3 : op == T_GT ? 4 : op == T_GE ? 5
           : op == T_KW_IS ? 6 : op == -T_KW_IS ? 7 : op == T_KW_IN ? 8 : 9;
  Temps t = {0};
  Val args[3] = {operand(E, n->list.items[0], &t), operand(E, n->list.items[1], &t), emit_const_int(E, code, "i32")};
  Val r = py_call(E, n, "rt_py_compare", "!llvm.ptr, !llvm.ptr, i32", "i32", args, 3);
  release(E, &t);
  return emit_cmp(E, "arith.cmpi", "ne", r, emit_const_int(E, 0, "i32"), "i32");
}

/* The key of obj[k] or obj[i, j] (a tuple). */
/* a:b:c as a Python slice; a missing bound is None. */
static Val slice_of(Emitter *E, Node *sl, Temps *t) {
  Node *parts[3] = {sl->a, sl->b, sl->c};
  Val args[3];
  for (int i = 0; i < 3; i++)
    args[i] = parts[i] ? operand(E, parts[i], t) : keep(t, emit_call_rt(E, "rt_py_none", "", "!llvm.ptr", NULL, 0));
  return emit_call_rt(E, "rt_py_slice", "!llvm.ptr, !llvm.ptr, !llvm.ptr", "!llvm.ptr", args, 3);
}

static Val key_part(Emitter *E, Node *k, Temps *t) { return k->kind == N_SLICE ? keep(t, slice_of(E, k, t)) : operand(E, k, t); }

/* The key: one value, or a tuple of several (the tuple takes its own
   references; the parts made here are given back with t's). */
static Val key_of(Emitter *E, Node *n, Temps *t) {
  if (n->list.len == 1) return key_part(E, n->list.items[0], t);
  Val tup = emit_call_rt(E, "rt_py_new_tuple", "i64", "!llvm.ptr", (Val[]){emit_const_int(E, n->list.len, "i64")}, 1);
  for (int i = 0; i < n->list.len; i++) {
    Val set[3] = {tup, emit_const_int(E, i, "i64"), key_part(E, n->list.items[i], t)};
    emit_call_rt(E, "rt_py_tuple_set", "!llvm.ptr, i64, !llvm.ptr", NULL, set, 3);
  }
  return keep(t, tup);
}

Val emit_python_index(Emitter *E, Node *n) {
  Temps t = {0};
  Val args[2] = {operand(E, n->a, &t), key_of(E, n, &t)};
  Val r = py_call(E, n, "rt_py_getitem", "!llvm.ptr, !llvm.ptr", "!llvm.ptr", args, 2);
  release(E, &t);
  return r;
}

/* obj[k] = v, where v is the assignment's own reference (or an Ember
   value): Python's setitem takes one of its own. */
void emit_python_setitem(Emitter *E, Node *target, Val v, const Type *vt) {
  Temps t = {0};
  Val args[3] = {operand(E, target->a, &t), key_of(E, target, &t), keep(&t, emit_to_python(E, v, vt))};
  py_call(E, target, "rt_py_setitem", "!llvm.ptr, !llvm.ptr, !llvm.ptr", NULL, args, 3);
  release(E, &t);
}

/* obj.attr = v, where v is the assignment's own reference (or an Ember
   value): Python's setattr takes one of its own. */
void emit_python_setattr(Emitter *E, Node *target, Val v, const Type *vt) {
  Temps t = {0};
  Val args[3] = {operand(E, target->a, &t), emit_const_string(E, target->name, (int64_t)strlen(target->name)),
                 keep(&t, emit_to_python(E, v, vt))};
  py_call(E, target, "rt_py_setattr", "!llvm.ptr, !llvm.ptr, !llvm.ptr", NULL, args, 3);
  release(E, &t);
}

Val emit_python_truthy(Emitter *E, Node *at, Val v) { return emit_from_python(E, at, v, TYPE(BOOL)); }

/* A list comprehension's step into a Python list: list.append(elem). */
void emit_python_list_append(Emitter *E, Node *step, Val list) {
  Temps t = {0};
  Val args[3] = {list, operand(E, step->a, &t), step->b ? operand(E, step->b, &t) : 0};
  if (step->op == 2) py_call(E, step, "rt_py_setitem", "!llvm.ptr, !llvm.ptr, !llvm.ptr", NULL, args, 3);
  else py_call(E, step, step->op == 1 ? "rt_py_set_add" : "rt_py_list_append", "!llvm.ptr, !llvm.ptr", NULL, args, 2);
  release(E, &t);
}

/* {a, b, ...} */
Val emit_python_set(Emitter *E, Node *n) {
  Val s = emit_call_rt(E, "rt_py_new_set", "", "!llvm.ptr", NULL, 0);
  for (int i = 0; i < n->list.len; i++) {
    Temps t = {0};
    Val args[2] = {s, operand(E, n->list.items[i], &t)};
    py_call(E, n, "rt_py_set_add", "!llvm.ptr, !llvm.ptr", NULL, args, 2);
    release(E, &t);
  }
  return s;
}

/* {k: v, ...} */
Val emit_python_dict(Emitter *E, Node *n) {
  Val d = emit_call_rt(E, "rt_py_new_dict", "", "!llvm.ptr", NULL, 0);
  for (int i = 0; i < n->list.len; i++) {
    Temps t = {0};
    Val args[3] = {d, operand(E, n->list.items[i], &t), operand(E, n->list2.items[i], &t)};
    py_call(E, n, "rt_py_setitem", "!llvm.ptr, !llvm.ptr, !llvm.ptr", NULL, args, 3);
    release(E, &t);
  }
  return d;
}
