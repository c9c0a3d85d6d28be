/* emit_tuple.c — tuples and optionals as LLVM structs.
 *
 * A tuple is !llvm.struct<(A, B, ...)> built with insertvalue and read
 * with extractvalue; an Optional[T] is !llvm.struct<(i1, T)>, the flag
 * first. Elements are plain values (check_tuple.c keeps out those with
 * destructors), so copies are bit copies. */
#include "mlir/emit_internal.h"

#include <string.h>

static Val insert(Emitter *E, Val agg, Val v, int k, const Type *t) {
  Val r = emit_new_val(E);
  OUT("  %%v%d = llvm.insertvalue %%v%d, %%v%d[%d] : %s\n", r, v, agg, k, t->mlir);
  return r;
}

Val emit_extract(Emitter *E, Val agg, int k, const Type *t) {
  Val r = emit_new_val(E);
  OUT("  %%v%d = llvm.extractvalue %%v%d[%d] : %s\n", r, agg, k, t->mlir);
  return r;
}

static Val zero(Emitter *E, const Type *t) {
  Val r = emit_new_val(E);
  OUT("  %%v%d = llvm.mlir.zero : %s\n", r, t->mlir);
  return r;
}

/* (a, b, ...) with the type the checker settled on */
Val emit_tuple_literal(Emitter *E, Node *n) {
  const Type *t = n->type;
  Val agg = zero(E, t);
  for (int i = 0; i < n->list.len; i++)
    agg = insert(E, agg, emit_expr_as(E, n->list.items[i], t->elems[i]), i, t);
  return agg;
}

Val emit_tuple_index(Emitter *E, Node *n) {
  return emit_extract(E, emit_expr(E, n->a), (int)n->ival, n->a->type);
}

/* An Optional holding v (of type from), or empty when from is None. */
Val emit_optional_of(Emitter *E, Val v, const Type *from, const Type *opt) {
  Val agg = zero(E, opt);
  if (from->kind == TY_NONE) return agg;
  agg = insert(E, agg, emit_const_int(E, 1, "i1"), 0, opt);
  return insert(E, agg, emit_convert(E, v, from, opt->elem), 1, opt);
}

Val emit_optional_present(Emitter *E, Val opt, const Type *t) { return emit_extract(E, opt, 0, t); }

/* (1, 'a', 2.5): Python's tuple repr */
Val emit_tuple_text(Emitter *E, Val v, const Type *t) {
  Val s = emit_const_string(E, "(", 1);
  for (int i = 0; i < t->width; i++) {
    Val x = emit_extract(E, v, i, t);
    Val text = t->elems[i]->kind == TY_STRING ? emit_call_rt(E, "rt_str_repr", "!llvm.ptr", "!llvm.ptr", &x, 1)
                                              : emit_to_string(E, x, t->elems[i]);
    if (i) {
      Val sep[2] = {s, emit_const_string(E, ", ", 2)};
      s = emit_call_rt(E, "rt_str_concat", "!llvm.ptr, !llvm.ptr", "!llvm.ptr", sep, 2);
    }
    Val parts[2] = {s, text};
    s = emit_call_rt(E, "rt_str_concat", "!llvm.ptr, !llvm.ptr", "!llvm.ptr", parts, 2);
  }
  Val end[2] = {s, emit_const_string(E, t->width == 1 ? ",)" : ")", t->width == 1 ? 2 : 1)};
  return emit_call_rt(E, "rt_str_concat", "!llvm.ptr, !llvm.ptr", "!llvm.ptr", end, 2);
}

Val emit_optional_intrinsic(Emitter *E, Node *n) {
  Node *recv = n->a->kind == N_ATTR ? n->a->a : NULL;
  switch ((Intrinsic)n->op) {
  case IN_OPT_MAKE:
    if (!n->list.len) return zero(E, n->type);
    return emit_optional_of(E, emit_expr(E, n->list.items[0]), n->list.items[0]->type, n->type);
  case IN_OPT_PRESENT: return emit_optional_present(E, emit_expr(E, recv), recv->type);
  case IN_OPT_VALUE: {
    Val opt = emit_expr(E, recv);
    Val present = emit_optional_present(E, opt, recv->type);
    int bad = emit_new_block(E), ok = emit_new_block(E);
    emit_cond_br(E, present, ok, bad);
    emit_start_block(E, bad);
    emit_raise_message(E, "ValueError: value() of an empty Optional", n->line);
    emit_start_block(E, ok);
    return emit_extract(E, opt, 1, recv->type);
  }
  case IN_OPT_OR_ELSE: {
    Val opt = emit_expr(E, recv);
    Val dflt = emit_expr_as(E, n->list.items[0], recv->type->elem);
    return emit_select(E, emit_optional_present(E, opt, recv->type), emit_extract(E, opt, 1, recv->type), dflt,
                       recv->type->elem->mlir);
  }
  case IN_TUPLE_LEN: return emit_const_int(E, n->list.items[0]->type->width, "i64");
  default: return 0;
  }
}
