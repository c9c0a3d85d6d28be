/* check_tuple.c — Tuple and Optional.
 *
 * A tuple is a value of fixed element types: (1, "a"), Tuple[Int, String],
 * indexed by a compile-time Int (t[0]) and unpacked (a, b = t). A tuple
 * literal takes the element types its destination asks for, as literals do
 * (var t: Tuple[Float64, Int] = (1, 2)). Optional[T] holds a T or nothing:
 * built from a T or None, tested with `if x`, `x is None`, read with
 * x.value() or x.or_else(default). Elements with destructors or copy
 * constructors are not supported yet (their lifetimes would need tracking
 * inside the aggregate). */
#include "compiler/check_internal.h"

#include <string.h>

static bool plain_element(Checker *C, Node *at, Type *t) {
  if (t->kind == TY_NONE) {
    ERR(at, "a tuple element cannot be None");
    return false;
  }
  if (check_type_needs(t, "__del__", 0) || check_type_needs(t, "__copyinit__", 1)) {
    ERR(at, "'%s' has a destructor or copy constructor; such values cannot be put in a Tuple or Optional yet", t->name);
    return false;
  }
  return true;
}

/* (a, b, ...) as an expression */
Type *check_tuple_literal(Checker *C, Node *n) {
  if (!n->list.len) {
    ERR(n, "an empty tuple () is not supported");
    return NULL;
  }
  Type **elems = arena_alloc(C->arena, sizeof(Type *) * (size_t)(n->list.len + 1));
  for (int i = 0; i < n->list.len; i++) {
    Node *e = n->list.items[i];
    if (!check_expr(C, e) || !plain_element(C, e, e->type)) return NULL;
    elems[i] = e->type;
  }
  return type_tuple(elems, n->list.len);
}

/* A tuple literal where a tuple type is wanted: each element converts as
   a value of its own would (literals adapt); the literal takes that type. */
bool check_tuple_coerce(Checker *C, Node *n, Type *to, const char *where) {
  if (n->list.len != to->width) {
    ERR(n, "cannot implicitly convert '%s' value to '%s'%s%s", n->type->name, to->name, where ? " " : "",
        where ? where : "");
    return false;
  }
  for (int i = 0; i < n->list.len; i++)
    if (!check_coerce(C, n->list.items[i], to->elems[i], where)) return false;
  n->type = to;
  return true;
}

/* Tuple[A, B] and (A, B) in a type position */
Type *check_tuple_type_expr(Checker *C, Node *t) {
  NodeList *items = &t->list;
  if (!items->len) {
    ERR(t, "a Tuple needs at least one element type");
    return NULL;
  }
  Type **elems = arena_alloc(C->arena, sizeof(Type *) * (size_t)(items->len + 1));
  for (int i = 0; i < items->len; i++) {
    elems[i] = check_resolve_type(C, items->items[i]);
    if (!elems[i] || !plain_element(C, items->items[i], elems[i])) return NULL;
  }
  return type_tuple(elems, items->len);
}

Type *check_optional_type_expr(Checker *C, Node *t) {
  if (t->list.len != 1 || t->list2.len) {
    ERR(t, "Optional takes one type: Optional[Int]");
    return NULL;
  }
  Type *e = check_resolve_type(C, t->list.items[0]);
  if (!e || !plain_element(C, t->list.items[0], e)) return NULL;
  return type_optional(e);
}

/* t[k]: k must be known at compile time; negative counts from the end. */
Type *check_tuple_index(Checker *C, Node *n, Type *t) {
  int64_t k;
  if (n->list.len != 1 || n->list2.len) {
    ERR(n, "a tuple takes one index");
    return NULL;
  }
  if (!check_ct_int(C, n->list.items[0], &k)) return NULL;
  if (k < 0) k += t->width;
  if (k < 0 || k >= t->width) {
    ERR(n->list.items[0], "tuple index out of range: '%s' has %d elements", t->name, t->width);
    return NULL;
  }
  n->ival = (uint64_t)k;
  return t->elems[k];
}

/* Optional[T](x), Optional[T](None), Optional[T]() */
Type *check_optional_construct(Checker *C, Node *n, Type *t) {
  if (!check_args(C, n) || !check_no_kwargs(C, n, t->name) || !check_arg_count(C, n, t->name, 0, 1))
    return NULL;
  if (n->list.len && !check_coerce(C, n->list.items[0], t, NULL)) return NULL;
  return check_intrinsic(n, IN_OPT_MAKE, t);
}

Type *check_optional_method(Checker *C, Node *n, Type *t) {
  const char *name = n->a->name;
  if (!check_args(C, n) || !check_no_kwargs(C, n, name)) return NULL;
  if (!strcmp(name, "value") && check_arg_count(C, n, name, 0, 0)) {
    check_mark_raise(C);  /* an empty Optional raises */
    return check_intrinsic(n, IN_OPT_VALUE, t->elem);
  }
  if (!strcmp(name, "or_else") && check_arg_count(C, n, name, 1, 1)) {
    if (!check_coerce(C, n->list.items[0], t->elem, "as the default")) return NULL;
    return check_intrinsic(n, IN_OPT_OR_ELSE, t->elem);
  }
  if (!strcmp(name, "__bool__") && check_arg_count(C, n, name, 0, 0)) return check_intrinsic(n, IN_OPT_PRESENT, TYPE(BOOL));
  ERR(n->a, "'%s' has no method '%s'", t->name, name);
  HINT("Optional has value(), or_else(default), and `if x:` / `x is None`");
  return NULL;
}

/* x is None, x is not None (op is T_KW_IS or -T_KW_IS) */
Type *check_optional_is_none(Checker *C, Node *n) {
  Node *a = n->list.items[0], *b = n->list.items[1];
  if (n->list.len == 2 && type_is_optional(a->type) && b->kind == N_NONE) {
    n->optype = a->type;
    return TYPE(BOOL);
  }
  ERR(n, "'is' compares an Optional with None here, not '%s' and '%s'", a->type->name, b->type->name);
  return NULL;
}
