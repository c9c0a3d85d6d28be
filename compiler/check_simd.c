/* check_simd.c — SIMD[dtype, width], DType and the math functions.
 *
 * A SIMD type of width 1 is its scalar type (Float32 is SIMD[float32, 1]),
 * so scalars keep the tier-1 rules and only wider vectors come here. A
 * scalar operand meets a vector by being splatted to it (Mojo's implicit
 * SIMD constructor). Methods and math functions are intrinsics: the
 * emitter writes them inline as vector-dialect operations. */
#include "compiler/check_internal.h"

#include <string.h>

const MathFn check_math_fns[] = {
    {"sqrt", "math.sqrt"},   {"exp", "math.exp"},     {"exp2", "math.exp2"},
    {"log", "math.log"},     {"log2", "math.log2"},   {"log10", "math.log10"},
    {"sin", "math.sin"},     {"cos", "math.cos"},     {"tan", "math.tan"},
    {"tanh", "math.tanh"},   {"atan", "math.atan"},   {"erf", "math.erf"},
    {"floor", "math.floor"}, {"ceil", "math.ceil"},   {"trunc", "math.trunc"},
    {"rsqrt", "math.rsqrt"}, {"expm1", "math.expm1"}, {"log1p", "math.log1p"},
    {"cbrt", "math.cbrt"},   {NULL, NULL},
};

/* ---- compile-time arguments ---------------------------------------------- */

/* An Int known at compile time: a literal, an alias or an Int parameter. */
bool check_ct_int(Checker *C, Node *n, int64_t *out) {
  ConstVal v;
  if (!check_expr(C, n)) return false;
  if (!n->type->is_int || !check_const_eval(C, n, &v)) {
    ERR(n, "expected a compile-time Int here");
    return false;
  }
  *out = v.i;
  return true;
}

/* A DType known at compile time (DType.float32, an alias, a parameter):
   its scalar type. */
Type *check_ct_dtype(Checker *C, Node *n) {
  ConstVal v;
  Symbol *s = n->kind == N_NAME ? check_lookup(C, n->name) : NULL;
  if (s && s->kind == SYM_TYPE && s->type->kind != TY_DTYPE) {
    ERR(n, "expected a compile-time DType here, as in DType.float32, not the type '%s'", n->name);
    return NULL;
  }
  if (!check_expr(C, n)) return NULL;
  if (n->type->kind != TY_DTYPE || !check_const_eval(C, n, &v)) {
    ERR(n, "expected a compile-time DType here, as in DType.float32");
    return NULL;
  }
  return &type_table[v.i];
}

/* DType.float32 as an expression: a DType constant. */
Type *check_dtype_attr(Checker *C, Node *n) {
  Type *t = type_from_dtype_name(n->name);
  if (!t) {
    ERR(n, "DType has no member '%s'", n->name);
    HINT("DType.float32, float64, int8 ... int64, uint8 ... uint64, bool, index");
    return NULL;
  }
  n->ival = (uint64_t)t->kind;
  return TYPE(DTYPE);
}

/* SIMD[dtype, width] and Scalar[dtype] in a type position. */
Type *check_simd_type_expr(Checker *C, Node *t) {
  bool scalar = check_is_named(t->a, "Scalar");
  int want = scalar ? 1 : 2;
  if (t->list.len != want || t->list2.len) {
    ERR(t, scalar ? "Scalar takes one parameter: Scalar[DType.float32]"
                  : "SIMD takes two parameters: SIMD[DType.float32, 8]");
    return NULL;
  }
  Type *elem = check_ct_dtype(C, t->list.items[0]);
  if (!elem) return NULL;
  int64_t width = 1;
  if (!scalar && !check_ct_int(C, t->list.items[1], &width)) return NULL;
  if (width < 1 || width > 1024 || (width & (width - 1))) {
    ERR(t->list.items[1], "a SIMD width must be a power of two from 1 to 1024, not %lld", (long long)width);
    return NULL;
  }
  return type_simd(elem, (int)width);
}

bool check_is_simd_name(const Node *n) { return check_is_named(n, "SIMD") || check_is_named(n, "Scalar"); }

/* ---- operators ----------------------------------------------------------- */

/* Can a value of type `from` become a lane-wise `to`? */
static bool splats_to(const Node *n, const Type *to) {
  const Type *from = n->type;
  if (type_same(from, to)) return true;
  if (type_is_simd(from)) return false;
  return check_converts(from, to->elem, check_is_literal((Node *)n));
}

/* The vector type of a binary operation with at least one vector operand. */
static Type *vector_operands(Checker *C, Node *at, Node *a, Node *b, const char *op) {
  Type *v = type_is_simd(a->type) ? a->type : b->type;
  if (splats_to(a, v) && splats_to(b, v)) return v;
  ERR(at, "invalid operands for '%s': '%s' and '%s'", op, a->type->name, b->type->name);
  if (type_is_simd(a->type) && type_is_simd(b->type))
    HINT("convert one side with .cast[DType.x]() first; widths must match");
  return NULL;
}

Type *check_simd_binary(Checker *C, Node *n) {
  Type *v = vector_operands(C, n, n->a, n->b, token_spelling[n->op]);
  if (!v) return NULL;
  n->optype = v;
  bool bits = n->op == T_AMP || n->op == T_PIPE || n->op == T_CARET;
  if (v->elem->kind == TY_BOOL && !bits) {
    ERR(n, "'%s' is not defined on '%s'; use &, | or ^", token_spelling[n->op], v->name);
    return NULL;
  }
  if ((bits || n->op == T_LSHIFT || n->op == T_RSHIFT) && v->is_float) {
    ERR(n, "'%s' needs integer lanes, not '%s'", token_spelling[n->op], v->name);
    return NULL;
  }
  if (n->op == T_SLASH && v->is_int) {
    ERR(n, "'/' on integer vectors: use '//' for floor division, or cast to a float type");
    return NULL;
  }
  if (n->op == T_DSTAR && v->is_int) {
    ERR(n, "'**' needs float lanes, not '%s'", v->name);
    return NULL;
  }
  return v;
}

/* a < b on vectors: a SIMD[DType.bool, width] of lane results. */
Type *check_simd_compare(Checker *C, Node *n) {
  if (n->list.len > 2) {
    ERR(n, "comparisons of vectors cannot be chained");
    return NULL;
  }
  int op = n->ops[0];
  if (op == T_KW_IN || op == -T_KW_IN || op == T_KW_IS || op == -T_KW_IS) {
    ERR(n, "'in' and 'is' do not apply to vectors");
    return NULL;
  }
  Type *v = vector_operands(C, n, n->list.items[0], n->list.items[1], token_spelling[op]);
  if (!v) return NULL;
  n->optype = v;
  return type_simd(TYPE(BOOL), v->width);
}

/* ---- construction and methods ------------------------------------------- */

/* SIMD[dt, w](), (x) splat, (a, b, ...) one value per lane. */
Type *check_simd_construct(Checker *C, Node *n, Type *t) {
  if (!check_args(C, n) || !check_no_kwargs(C, n, t->name)) return NULL;
  int argc = n->list.len;
  if (argc == 0) return check_intrinsic(n, IN_SIMD_ZERO, t);
  if (argc != 1 && argc != t->width) {
    ERR(n, "'%s' takes one value to splat or %d lane values, not %d", t->name, t->width, argc);
    return NULL;
  }
  for (int i = 0; i < argc; i++) {
    Node *a = n->list.items[i];
    if (!check_coerce(C, a, t->elem, "as a lane value")) return NULL;
  }
  return check_intrinsic(n, argc == 1 ? IN_SIMD_SPLAT : IN_SIMD_ELEMENTS, t);
}

static Type *reduce(Checker *C, Node *n, Type *t, Intrinsic op) {
  bool logical = op == IN_REDUCE_AND || op == IN_REDUCE_OR;
  if (logical != (t->elem->kind == TY_BOOL) && !(logical && t->is_int)) {
    ERR(n->a, "'%s' does not apply to '%s'", n->a->name, t->name);
    return NULL;
  }
  if (!check_arg_count(C, n, n->a->name, 0, 0)) return NULL;
  return check_intrinsic(n, op, t->elem);
}

/* x.method(...) on a vector (or a scalar, for cast/fma/select). */
Type *check_simd_method(Checker *C, Node *n, Type *t) {
  const char *name = n->a->name;
  if (!check_args(C, n) || !check_no_kwargs(C, n, name)) return NULL;
  static const struct { const char *name; Intrinsic op; } reductions[] = {
      {"reduce_add", IN_REDUCE_ADD}, {"reduce_mul", IN_REDUCE_MUL}, {"reduce_min", IN_REDUCE_MIN},
      {"reduce_max", IN_REDUCE_MAX}, {"reduce_and", IN_REDUCE_AND}, {"reduce_or", IN_REDUCE_OR},
  };
  for (size_t i = 0; i < sizeof reductions / sizeof *reductions; i++)
    if (!strcmp(name, reductions[i].name)) {
      if (type_is_simd(t)) return reduce(C, n, t, reductions[i].op);
      if (!check_arg_count(C, n, name, 0, 0)) return NULL;  /* one lane: itself */
      return check_intrinsic(n, reductions[i].op, t);
    }
  if (!strcmp(name, "cast")) {
    if (n->list3.len != 1 || n->list.len) {
      ERR(n->a, "cast takes one parameter and no arguments: x.cast[DType.float32]()");
      return NULL;
    }
    Type *to = check_ct_dtype(C, n->list3.items[0]);
    if (!to) return NULL;
    return check_intrinsic(n, IN_SIMD_CAST, type_simd(to, type_is_simd(t) ? t->width : 1));
  }
  if (!strcmp(name, "fma")) {
    if (!check_arg_count(C, n, "fma", 2, 2)) return NULL;
    if (!t->is_float) {
      ERR(n->a, "fma needs float lanes, not '%s'", t->name);
      return NULL;
    }
    for (int i = 0; i < 2; i++)
      if (!splats_to(n->list.items[i], t)) {
        check_coerce(C, n->list.items[i], t, "in fma");
        return NULL;
      }
    return check_intrinsic(n, IN_SIMD_FMA, t);
  }
  if (!strcmp(name, "select")) {
    if (t->kind != TY_BOOL && !(type_is_simd(t) && t->elem->kind == TY_BOOL)) {
      ERR(n->a, "select is a method of a Bool mask, not of '%s'", t->name);
      return NULL;
    }
    if (!check_arg_count(C, n, "select", 2, 2)) return NULL;
    Node *a = n->list.items[0], *b = n->list.items[1];
    Type *r = type_is_simd(a->type) ? a->type : type_is_simd(b->type) ? b->type : check_promote(a, b);
    if (r && type_is_simd(t) && !type_is_simd(r)) r = type_is_numeric(r) || r->kind == TY_BOOL ? type_simd(r, t->width) : NULL;
    if (!r || (type_is_simd(r) && (!splats_to(a, r) || !splats_to(b, r))) ||
        (type_is_simd(t) && type_is_simd(r) && r->width != t->width)) {
      ERR(n, "select needs two values of the mask's width: '%s' and '%s'", a->type->name, b->type->name);
      return NULL;
    }
    n->optype = r;
    return check_intrinsic(n, IN_SIMD_SELECT, r);
  }
  if (!type_is_simd(t)) return NULL;
  ERR(n->a, "'%s' has no method '%s'", t->name, name);
  HINT("vectors have reduce_add/mul/min/max/and/or, cast[DType.x](), fma(b, c) and, on masks, select(a, b)");
  return NULL;
}

/* SIMD[dt, w].splat(x) and the like: a static method of a vector type. */
Type *check_simd_static(Checker *C, Node *n, Type *t) {
  if (!strcmp(n->a->name, "splat")) {
    if (!check_args(C, n) || !check_arg_count(C, n, "splat", 1, 1)) return NULL;
    if (!check_coerce(C, n->list.items[0], (Type *)type_lane(t), "as a lane value")) return NULL;
    return check_intrinsic(n, type_is_simd(t) ? IN_SIMD_SPLAT : IN_SIMD_ELEMENTS, t);
  }
  ERR(n->a, "'%s' has no static method '%s'", t->name, n->a->name);
  return NULL;
}

/* v[i]: one lane. */
Type *check_simd_index(Checker *C, Node *n, Type *t) {
  if (n->list.len != 1 || n->list2.len || n->list.items[0]->kind == N_SLICE) {
    ERR(n, "a vector takes one Int index");
    return NULL;
  }
  if (!check_expr(C, n->list.items[0]) || !check_coerce(C, n->list.items[0], TYPE(INT), "as a lane index"))
    return NULL;
  return t->elem;
}

/* ---- math functions ------------------------------------------------------ */

/* The float type a math function computes in: the argument's own float
   type (scalar or vector), Float64 for Ints. */
static Type *float_arg(Checker *C, Node *a, const char *fn) {
  Type *t = a->type;
  if (t->is_float) return t;
  if (t->is_int && !type_is_simd(t)) return TYPE(F64);
  ERR(a, "%s() needs a float argument, not '%s'", fn, t->name);
  return NULL;
}

/* The common type of arguments where a vector may meet scalars. */
static Type *lanewise_common(Checker *C, Node *n, const char *fn) {
  Type *v = NULL;
  for (int i = 0; i < n->list.len; i++)
    if (type_is_simd(n->list.items[i]->type)) v = n->list.items[i]->type;
  if (!v) return NULL;
  for (int i = 0; i < n->list.len; i++)
    if (!splats_to(n->list.items[i], v)) {
      ERR(n->list.items[i], "%s(): cannot use '%s' with '%s'", fn, n->list.items[i]->type->name, v->name);
      return NULL;
    }
  return v;
}

/* min/max/abs given a vector argument (the builtins handle scalars). */
Type *check_simd_minmax_abs(Checker *C, Node *n, const char *fn) {
  Type *v = lanewise_common(C, n, fn);
  if (!v) return NULL;
  n->optype = v;
  Intrinsic op = !strcmp(fn, "abs") ? IN_MATH_ABS : !strcmp(fn, "min") ? IN_MATH_MIN : IN_MATH_MAX;
  return check_intrinsic(n, op, v);
}

bool check_any_simd_arg(const Node *n) {
  for (int i = 0; i < n->list.len; i++)
    if (type_is_simd(n->list.items[i]->type)) return true;
  return false;
}

/* sqrt(x), exp(x), ... pow(x, y), fma(a, b, c), iota[dt, w](). */
Type *check_math_call(Checker *C, Node *n, const char *name) {
  if (!check_args(C, n) || !check_no_kwargs(C, n, name)) return NULL;
  if (!strcmp(name, "iota")) {
    if (n->list.len || n->list3.len != 2) {
      ERR(n, "iota takes two parameters and no arguments: iota[DType.float32, 8]()");
      return NULL;
    }
    Type *elem = check_ct_dtype(C, n->list3.items[0]);
    int64_t w;
    if (!elem || !check_ct_int(C, n->list3.items[1], &w)) return NULL;
    if (w < 1 || w > 1024 || (w & (w - 1))) {
      ERR(n->list3.items[1], "a SIMD width must be a power of two from 1 to 1024");
      return NULL;
    }
    return check_intrinsic(n, IN_SIMD_IOTA, type_simd(elem, (int)w));
  }
  if (!strcmp(name, "pow") || !strcmp(name, "fma")) {
    int argc = name[0] == 'p' ? 2 : 3;
    if (!check_arg_count(C, n, name, argc, argc)) return NULL;
    Type *t = lanewise_common(C, n, name);
    if (!t) {
      Node acc = *n->list.items[0];
      for (int i = 1; i < argc && acc.type; i++) acc.type = check_promote(&acc, n->list.items[i]);
      t = acc.type ? float_arg(C, &acc, name) : NULL;
      if (!t) {
        if (!acc.type) ERR(n, "%s() arguments must have a common type", name);
        return NULL;
      }
    }
    if (!t->is_float) {
      ERR(n, "%s() needs float arguments, not '%s'", name, t->name);
      return NULL;
    }
    n->optype = t;
    return check_intrinsic(n, argc == 2 ? IN_MATH_POW : IN_SIMD_FMA, t);
  }
  for (int i = 0; check_math_fns[i].name; i++)
    if (!strcmp(check_math_fns[i].name, name)) {
      if (!check_arg_count(C, n, name, 1, 1)) return NULL;
      Type *t = float_arg(C, n->list.items[0], name);
      if (!t) return NULL;
      n->ival = (uint64_t)i;
      n->optype = t;
      return check_intrinsic(n, IN_MATH_UNARY, t);
    }
  ERR(n, "module 'math' has no function '%s'", name);
  return NULL;
}

/* Is `name` a function of the math module that check_math_call knows? */
bool check_is_math_fn(const char *name) {
  if (!strcmp(name, "iota") || !strcmp(name, "pow") || !strcmp(name, "fma")) return true;
  for (int i = 0; check_math_fns[i].name; i++)
    if (!strcmp(check_math_fns[i].name, name)) return true;
  return false;
}
