/* emit_simd.c — vectors, math functions and pointers as MLIR.
 *
 * SIMD values are MLIR vectors (vector<8xf64>), so arith and math ops apply
 * lane-wise and LLVM selects real vector instructions. Scalars meet vectors
 * through vector.broadcast. Pointer accesses are a getelementptr on the
 * element type and a load or store of the scalar or vector type, aligned
 * to one element (Mojo's default), so any offset is valid. */
#include "mlir/emit_internal.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* ---- vectors ------------------------------------------------------------ */

Val emit_splat(Emitter *E, Val scalar, const Type *vec) {
  Val r = emit_new_val(E);
  OUT("  %%v%d = vector.broadcast %%v%d : %s to %s\n", r, scalar, vec->elem->mlir, vec->mlir);
  return r;
}

/* Conversions where a vector is involved: splat a scalar, or convert each
   lane (arith's casts work lane-wise on vectors of the same width). */
Val emit_simd_convert(Emitter *E, Val v, const Type *from, const Type *to) {
  if (!type_is_simd(from)) return emit_splat(E, emit_convert(E, v, from, to->elem), to);
  const Type *fe = from->elem, *te = to->elem;
  if (fe == te) return v;
  if (te->kind == TY_BOOL) {
    Val z = fe->is_float ? emit_const_float(E, 0.0, from) : emit_const_int(E, 0, from->mlir);
    return emit_cmp(E, fe->is_float ? "arith.cmpf" : "arith.cmpi", fe->is_float ? "une" : "ne", v, z, from->mlir);
  }
  const char *op;
  if (fe->kind == TY_BOOL) op = te->is_float ? "arith.uitofp" : "arith.extui";
  else if (fe->is_int && te->is_int) {
    if (fe->bits == te->bits) return v;
    op = fe->bits > te->bits ? "arith.trunci" : fe->is_signed ? "arith.extsi" : "arith.extui";
  } else if (fe->is_int) op = fe->is_signed ? "arith.sitofp" : "arith.uitofp";
  else if (te->is_int) op = te->is_signed ? "arith.fptosi" : "arith.fptoui";
  else op = fe->bits > te->bits ? "arith.truncf" : "arith.extf";
  return emit_op1(E, op, v, from->mlir, to->mlir);
}

static Val lane_index(Emitter *E, Node *i) { return emit_expr_as(E, i, TYPE(INT)); }

Val emit_simd_extract(Emitter *E, Val vec, Val i, const Type *t) {
  Val r = emit_new_val(E);
  OUT("  %%v%d = vector.extractelement %%v%d[%%v%d : i64] : %s\n", r, vec, i, t->mlir);
  return r;
}

static Val insert(Emitter *E, Val vec, Val s, Val i, const Type *t) {
  Val r = emit_new_val(E);
  OUT("  %%v%d = vector.insertelement %%v%d, %%v%d[%%v%d : i64] : %s\n", r, s, vec, i, t->mlir);
  return r;
}

/* v[i] */
Val emit_simd_index(Emitter *E, Node *n) {
  Val vec = emit_expr(E, n->a);
  return emit_simd_extract(E, vec, lane_index(E, n->list.items[0]), n->a->type);
}

/* v[i] = x: the vector with one lane replaced. */
Val emit_simd_with_lane(Emitter *E, Node *target, Val x) {
  Val vec = emit_expr(E, target->a);
  return insert(E, vec, x, lane_index(E, target->list.items[0]), target->a->type);
}

static Val reduction(Emitter *E, Node *n, Val v) {
  const Type *t = n->a->a->type;
  const Type *e = t->elem;
  const char *kind;
  switch ((Intrinsic)n->op) {
  case IN_REDUCE_ADD: kind = "add"; break;
  case IN_REDUCE_MUL: kind = "mul"; break;
  case IN_REDUCE_MIN: kind = e->is_float ? "minimumf" : e->is_signed ? "minsi" : "minui"; break;
  case IN_REDUCE_MAX: kind = e->is_float ? "maximumf" : e->is_signed ? "maxsi" : "maxui"; break;
  case IN_REDUCE_AND: kind = "and"; break;
  default: kind = "or"; break;
  }
  Val r = emit_new_val(E);
  /* reassociation lets LLVM add the lanes as a tree, as Mojo does */
  const char *fm = e->is_float ? " fastmath<reassoc>" : "";
  OUT("  %%v%d = vector.reduction <%s>, %%v%d%s : %s into %s\n", r, kind, v, fm, t->mlir, e->mlir);
  return r;
}

static Val iota(Emitter *E, const Type *t) {
  if (!type_is_simd(t)) return t->is_float ? emit_const_float(E, 0.0, t) : emit_const_int(E, 0, t->mlir);
  Buf lanes = {0};
  for (int i = 0; i < t->width; i++) {
    if (t->elem->kind == TY_BOOL) buf_printf(&lanes, "%s%s", i ? ", " : "", i ? "true" : "false");
    else if (t->is_float) buf_printf(&lanes, "%s%d.0", i ? ", " : "", i);
    else buf_printf(&lanes, "%s%d", i ? ", " : "", i);
  }
  Val r = emit_new_val(E);
  OUT("  %%v%d = arith.constant dense<[%s]> : %s\n", r, lanes.data, t->mlir);
  free(lanes.data);
  return r;
}

static Val elements(Emitter *E, Node *n, const Type *t) {
  if (!type_is_simd(t)) return emit_expr_as(E, n->list.items[0], (Type *)t);
  Val v = t->is_float ? emit_const_float(E, 0.0, t) : emit_const_int(E, 0, t->mlir);
  for (int i = 0; i < n->list.len; i++) {
    Val x = emit_expr_as(E, n->list.items[i], t->elem);
    v = insert(E, v, x, emit_const_int(E, i, "i64"), t);
  }
  return v;
}

static Val operand(Emitter *E, Node *a, const Type *t) { return emit_expr_as(E, a, (Type *)t); }

static Val minmax_abs(Emitter *E, Node *n) {
  const Type *t = n->optype;
  const char *ty = t->mlir;
  if (n->op == IN_MATH_ABS) {
    Val x = operand(E, n->list.items[0], t), r = emit_new_val(E);
    OUT("  %%v%d = %s %%v%d : %s\n", r, t->is_float ? "math.absf" : "math.absi", x, ty);
    return t->is_signed || t->is_float ? r : x;
  }
  bool is_max = n->op == IN_MATH_MAX;
  const char *op = t->is_float ? (is_max ? "arith.maximumf" : "arith.minimumf")
                   : t->is_signed ? (is_max ? "arith.maxsi" : "arith.minsi")
                                  : (is_max ? "arith.maxui" : "arith.minui");
  Val acc = operand(E, n->list.items[0], t);
  for (int i = 1; i < n->list.len; i++) acc = emit_binop(E, op, acc, operand(E, n->list.items[i], t), ty, "");
  return acc;
}

static Val fma3(Emitter *E, Val a, Val b, Val c, const Type *t) {
  Val r = emit_new_val(E);
  OUT("  %%v%d = math.fma %%v%d, %%v%d, %%v%d : %s\n", r, a, b, c, t->mlir);
  return r;
}

/* ---- pointers ------------------------------------------------------------ */

Val emit_elem_size(Emitter *E, const Type *t) {
  Val z = emit_new_val(E), g = emit_new_val(E), n = emit_new_val(E);
  OUT("  %%v%d = llvm.mlir.zero : !llvm.ptr\n", z);
  OUT("  %%v%d = llvm.getelementptr %%v%d[1] : (!llvm.ptr) -> !llvm.ptr, %s\n", g, z, t->mlir);
  OUT("  %%v%d = llvm.ptrtoint %%v%d : !llvm.ptr to i64\n", n, g);
  return n;
}

/* p + i elements of p's type */
Val emit_ptr_offset(Emitter *E, Val p, Val i, const Type *ptr) {
  Val r = emit_new_val(E);
  OUT("  %%v%d = llvm.getelementptr %%v%d[%%v%d] : (!llvm.ptr, i64) -> !llvm.ptr, %s\n", r, p, i,
      ptr->elem->mlir);
  return r;
}

static int align_of(const Type *elem) {
  int bytes = elem->kind == TY_BOOL ? 1 : elem->bits / 8;
  return bytes > 0 && elem->kind < TY_COUNT ? bytes : 8;
}

Val emit_ptr_load(Emitter *E, Val addr, const Type *ptr, const Type *vt) {
  Val r = emit_new_val(E);
  OUT("  %%v%d = llvm.load %%v%d {alignment = %d : i64} : !llvm.ptr -> %s\n", r, addr, align_of(ptr->elem), vt->mlir);
  return r;
}

void emit_ptr_store(Emitter *E, Val addr, Val v, const Type *ptr, const Type *vt) {
  OUT("  llvm.store %%v%d, %%v%d {alignment = %d : i64} : %s, !llvm.ptr\n", v, addr, align_of(ptr->elem), vt->mlir);
}

/* The address p + offset (the offset may be left out). */
static Val address(Emitter *E, Node *ptr_expr, Node *offset) {
  Val p = emit_expr(E, ptr_expr);
  if (!offset) return p;
  return emit_ptr_offset(E, p, emit_expr_as(E, offset, TYPE(INT)), ptr_expr->type);
}

/* p[i] (or p[]) */
Val emit_ptr_index(Emitter *E, Node *n) {
  Val a = address(E, n->a, n->list.len ? n->list.items[0] : NULL);
  return emit_ptr_load(E, a, n->a->type, n->type);
}

/* p[i] = v */
void emit_ptr_index_store(Emitter *E, Node *target, Val v) {
  Val a = address(E, target->a, target->list.len ? target->list.items[0] : NULL);
  emit_ptr_store(E, a, v, target->a->type, target->type);
}

static Val null_ptr(Emitter *E) {
  Val r = emit_new_val(E);
  OUT("  %%v%d = llvm.mlir.zero : !llvm.ptr\n", r);
  return r;
}

/* A null pointer the optimizer cannot see is null. LLVM's GlobalOpt turns
   a store through a known null into `unreachable` (even where null is a
   valid address), deleting the cell's code; an opaque null keeps the
   access, which faults, and the crash guard reports it. */
static Val user_null(Emitter *E) {
  if (E->device) {  /* no runtime on the GPU (and no GlobalOpt across a kernel launch) */
    Val r = emit_new_val(E);
    OUT("  %%v%d = llvm.mlir.zero : !llvm.ptr\n", r);
    return r;
  }
  return emit_call_rt(E, "rt_null_pointer", "", "!llvm.ptr", NULL, 0);
}

Val emit_ptr_compare(Emitter *E, int op, Val a, Val b) {
  const char *pred = op == T_EQ ? "eq" : op == T_NE ? "ne" : op == T_LT ? "ult" : op == T_LE ? "ule"
                     : op == T_GT ? "ugt" : "uge";
  Val r = emit_new_val(E);
  OUT("  %%v%d = llvm.icmp \"%s\" %%v%d, %%v%d : !llvm.ptr\n", r, pred, a, b);
  return r;
}

Val emit_ptr_truthy(Emitter *E, Val p) { return emit_ptr_compare(E, T_NE, p, null_ptr(E)); }

/* Allocations are 64-byte aligned so that vector loads of any width stay
   within one cache line when the offsets are multiples of the width. */
static Val alloc(Emitter *E, Node *n, const Type *t) {
  Val count = emit_expr_as(E, n->list.items[0], TYPE(INT));
  Val bytes = emit_binop(E, "arith.muli", count, emit_elem_size(E, t->elem), "i64", "");
  Val args[2] = {bytes, emit_const_int(E, 64, "i64")};
  return emit_call_rt(E, "rt_alloc_aligned", "i64, i64", "!llvm.ptr", args, 2);
}

static Val stack_allocation(Emitter *E, Node *n) {
  const Type *t = n->type;
  Val r = emit_new_val(E);
  /* in the entry block, so a loop does not grow the stack */
  buf_printf(&E->allocas, "  %%n%d = llvm.mlir.constant(%" PRIu64 " : i64) : i64\n", r, n->ival);
  buf_printf(&E->allocas, "  %%v%d = llvm.alloca %%n%d x %s {alignment = 64 : i64} : (i64) -> !llvm.ptr\n",
             r, r, t->elem->mlir);
  return r;
}

static Val mem_call(Emitter *E, Node *n) {
  Node **a = n->list.items;
  const Type *pt = a[0]->type;
  Val dst = emit_expr(E, a[0]);
  Val count = emit_expr_as(E, a[n->list.len - 1], TYPE(INT));
  Val bytes = emit_binop(E, "arith.muli", count, emit_elem_size(E, pt->elem), "i64", "");
  if (n->op == IN_MEMCPY) {
    Val args[3] = {dst, emit_expr(E, a[1]), bytes};
    emit_call_rt(E, "rt_memcpy", "!llvm.ptr, !llvm.ptr, i64", NULL, args, 3);
    return 0;
  }
  Val byte = n->op == IN_MEMSET ? emit_expr_as(E, a[1], TYPE(U8)) : emit_const_int(E, 0, "i8");
  Val wide = emit_op1(E, "arith.extui", byte, "i8", "i32");
  Val args[3] = {dst, wide, bytes};
  emit_call_rt(E, "rt_memset", "!llvm.ptr, i32, i64", NULL, args, 3);
  return 0;
}

static Val address_of(Emitter *E, Node *x) { return emit_place_ptr(E, x); }

/* ---- MLIR from the language --------------------------------------------- */

/* __mlir_attr.X as a value: an arith constant of its type */
Val emit_mlir_attr(Emitter *E, Node *n) {
  Val r = emit_new_val(E);
  OUT("  %%v%d = arith.constant %s\n", r, n->name);  /* true, false, 5 : i64 */
  return r;
}

/* __mlir_op.`d.op`[attrs](operands): the operation in MLIR's generic form */
Val emit_mlir_op(Emitter *E, Node *n) {
  Val *args = calloc((size_t)n->list.len + 1, sizeof(Val));
  for (int i = 0; i < n->list.len; i++) args[i] = emit_expr(E, n->list.items[i]);
  Val r = emit_new_val(E);
  OUT("  %%v%d = \"%s\"(", r, n->name);
  for (int i = 0; i < n->list.len; i++) OUT("%s%%v%d", i ? ", " : "", args[i]);
  OUT(")");
  if (n->str) OUT(" {%s}", n->str);
  OUT(" : (");
  for (int i = 0; i < n->list.len; i++) OUT("%s%s", i ? ", " : "", n->list.items[i]->type->mlir);
  OUT(") -> %s\n", n->type->mlir);
  free(args);
  return r;
}

/* ---- dispatch ------------------------------------------------------------ */

Val emit_intrinsic(Emitter *E, Node *n) {
  const Type *t = n->type;
  Node *recv = n->a->kind == N_ATTR ? n->a->a : NULL;
  Node **a = n->list.items;
  switch ((Intrinsic)n->op) {
  case IN_SIMD_ZERO: return t->is_float ? emit_const_float(E, 0.0, t) : emit_const_int(E, 0, t->mlir);
  case IN_SIMD_SPLAT: return emit_splat(E, emit_expr_as(E, a[0], t->elem), t);
  case IN_SIMD_ELEMENTS: return elements(E, n, t);
  case IN_SIMD_CAST: return emit_convert(E, emit_expr(E, recv), recv->type, t);
  case IN_SIMD_LEN: return emit_const_int(E, type_is_simd(a[0]->type) ? a[0]->type->width : 1, "i64");
  case IN_SIMD_IOTA: return iota(E, t);
  case IN_SIMD_FMA:
    if (recv) return fma3(E, emit_expr(E, recv), operand(E, a[0], t), operand(E, a[1], t), t);
    return fma3(E, operand(E, a[0], t), operand(E, a[1], t), operand(E, a[2], t), t);
  case IN_SIMD_SELECT: {
    Val mask = emit_expr(E, recv);
    Val x = operand(E, a[0], n->optype), y = operand(E, a[1], n->optype);
    Val r = emit_new_val(E);
    if (type_is_simd(recv->type))
      OUT("  %%v%d = arith.select %%v%d, %%v%d, %%v%d : %s, %s\n", r, mask, x, y, recv->type->mlir, t->mlir);
    else OUT("  %%v%d = arith.select %%v%d, %%v%d, %%v%d : %s\n", r, mask, x, y, t->mlir);
    return r;
  }
  case IN_REDUCE_ADD: case IN_REDUCE_MUL: case IN_REDUCE_MIN: case IN_REDUCE_MAX:
  case IN_REDUCE_AND: case IN_REDUCE_OR:
    if (!type_is_simd(recv->type)) return emit_expr(E, recv);
    return reduction(E, n, emit_expr(E, recv));
  case IN_MATH_UNARY: {
    Val x = operand(E, a[0], t), r = emit_new_val(E);
    OUT("  %%v%d = %s %%v%d : %s\n", r, check_math_fns[n->ival].op, x, t->mlir);
    return r;
  }
  case IN_MATH_POW: {
    Val x = operand(E, a[0], t), y = operand(E, a[1], t);
    return emit_binop(E, "math.powf", x, y, t->mlir, "");
  }
  case IN_MATH_MIN: case IN_MATH_MAX: case IN_MATH_ABS: return minmax_abs(E, n);
  case IN_PTR_NULL: return user_null(E);
  case IN_PTR_FROM_ADDRESS:
    return emit_op1(E, "llvm.inttoptr", emit_expr_as(E, n->list2.items[0]->a, TYPE(INT)), "i64", "!llvm.ptr");
  case IN_PTR_ALLOC: return alloc(E, n, t);
  case IN_PTR_FREE: {
    Val p = emit_expr(E, recv);
    emit_call_rt(E, "rt_free_aligned", "!llvm.ptr", NULL, &p, 1);
    return 0;
  }
  case IN_PTR_LOAD: return emit_ptr_load(E, address(E, recv, n->list.len ? a[0] : NULL), recv->type, t);
  case IN_PTR_STORE: {
    Val addr = address(E, recv, n->list.len == 2 ? a[0] : NULL);
    Val v = operand(E, a[n->list.len - 1], n->optype);
    emit_ptr_store(E, addr, v, recv->type, n->optype);
    return 0;
  }
  case IN_PTR_OFFSET: return address(E, recv, a[0]);
  case IN_PTR_BITCAST: return emit_expr(E, recv);
  case IN_PTR_IS_NULL: return emit_ptr_truthy(E, emit_expr(E, recv));
  case IN_PTR_STACK: return n->str && E->device ? emit_gpu_shared(E, n) : stack_allocation(E, n);
  case IN_GPU_ID: case IN_GPU_BARRIER: case IN_GPU_LAUNCH: return emit_gpu_intrinsic(E, n);
  case IN_PTR_ADDRESS_OF: return address_of(E, a[0]);
  case IN_MEMSET_ZERO: case IN_MEMSET: case IN_MEMCPY: return mem_call(E, n);
  case IN_MLIR_OP: return emit_mlir_op(E, n);
  case IN_PY_IMPORT: case IN_PY_EVAL: case IN_PY_NONE: case IN_PY_CALL: case IN_PY_CALL_METHOD:
  case IN_PY_TO_F64: case IN_PY_LEN:
    return emit_python_intrinsic(E, n);
  case IN_PARALLELIZE: return emit_parallelize(E, n);
  case IN_EXTERNAL_CALL: {
    Buf types = {0};
    Val *args = calloc((size_t)n->list.len + 1, sizeof(Val));
    for (int i = 0; i < n->list.len; i++) {
      args[i] = emit_expr(E, n->list.items[i]);
      buf_printf(&types, "%s%s", i ? ", " : "", n->list.items[i]->type->mlir);
    }
    const char *ret = n->type->kind == TY_NONE ? NULL : n->type->mlir;
    Val r = emit_call_rt(E, n->name, buf_str(&types), ret, args, n->list.len);
    buf_free(&types);
    free(args);
    return r;
  }
  case IN_SIMDWIDTHOF: return emit_const_int(E, (int64_t)n->ival, "i64");
  case IN_NUM_CORES: return emit_call_rt(E, "rt_num_cores", "", "i64", NULL, 0);
  case IN_NUM_LOGICAL_CORES: return emit_call_rt(E, "rt_num_logical_cores", "", "i64", NULL, 0);
  case IN_OPT_MAKE: case IN_OPT_VALUE: case IN_OPT_OR_ELSE: case IN_OPT_PRESENT: case IN_TUPLE_LEN:
    return emit_optional_intrinsic(E, n);
  case INTRINSIC_NONE: break;
  }
  return 0;
}
