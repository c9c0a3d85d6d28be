/* check_mlir.c — MLIR from the language: __mlir_type, __mlir_attr and
 * __mlir_op (LANGUAGE.md tier 7), as in Mojo's 2023 BoolMLIR notebook.
 *
 *   var value: __mlir_type.i1                      an MLIR type
 *   __mlir_attr.true, __mlir_attr.`5 : i64`        a constant of its type
 *   __mlir_op.`index.cmp`[pred = __mlir_attr.`#index<cmp_predicate eq>`](a, b)
 *                                                  one MLIR operation
 * An operation's attributes go in brackets (name = attr, or 2023's
 * name : attr); `_type` names its result type. Without `_type`, a
 * `.constant` op has its `value` attribute's type, a comparison (cmp*) i1,
 * and any other op its first operand's. The operation is written into the cell's MLIR as is, so
 * only dialects Ember loads and lowers (arith, index, math, llvm, ...) run. */
#include "compiler/check_internal.h"

#include <stdio.h>
#include <string.h>

bool check_is_mlir_type(const Node *t) { return t->kind == N_ATTR && check_is_named(t->a, "__mlir_type"); }
bool check_is_mlir_attr(const Node *t) { return t->kind == N_ATTR && check_is_named(t->a, "__mlir_attr"); }
bool check_is_mlir_op(const Node *callee) { return callee->kind == N_ATTR && check_is_named(callee->a, "__mlir_op"); }

/* The type of an attribute used as a value: true/false are i1, `N : T` is T. */
static Type *attr_type(const char *text) {
  if (!strcmp(text, "true") || !strcmp(text, "false")) return type_mlir("i1");
  const char *colon = strrchr(text, ':');
  if (!colon || text[0] == '#') return NULL;
  while (*++colon == ' ') {}
  return *colon ? type_mlir(colon) : NULL;
}

/* __mlir_attr.X as an expression: a constant of the attribute's type. */
Type *check_mlir_attr_value(Checker *C, Node *n) {
  Type *t = attr_type(n->name);
  if (!t) ERR(n, "'__mlir_attr.%s' has no value type; use it as an operation's attribute", n->name);
  return t;
}

/* The text of an attribute parameter's value: __mlir_attr.X or __mlir_type.T */
static const char *attr_text(Checker *C, Node *v) {
  if (check_is_mlir_attr(v) || check_is_mlir_type(v)) return v->name;
  ERR(v, "an MLIR attribute is written __mlir_attr.X (or __mlir_type.T for a type)");
  return NULL;
}

Type *check_mlir_op(Checker *C, Node *n) {
  const char *op = n->a->name;
  if (!strchr(op, '.')) {
    ERR(n->a, "an MLIR operation is named dialect.op, as in __mlir_op.`index.add`");
    return NULL;
  }
  if (!check_args(C, n)) return NULL;
  if (n->list2.len) {
    ERR(n->list2.items[0], "an MLIR operation takes operands only; attributes go in brackets");
    return NULL;
  }
  Buf attrs = {0};
  Type *result = NULL, *value_type = NULL;
  for (int i = 0; i < n->list3.len; i++) {
    Node *p = n->list3.items[i];
    const char *key;
    Node *v;
    if (p->kind == N_KWARG) key = p->name, v = p->a;               /* name = attr */
    else if (p->kind == N_SLICE && p->a && p->a->kind == N_NAME && p->b && !p->c)
      key = p->a->name, v = p->b;                                   /* name : attr (2023) */
    else {
      ERR(p, "expected an attribute, name = __mlir_attr.X");
      buf_free(&attrs);
      return NULL;
    }
    const char *text = attr_text(C, v);
    if (!text) {
      buf_free(&attrs);
      return NULL;
    }
    if (!strcmp(key, "_type")) {
      result = type_mlir(text);
      continue;
    }
    if (!strcmp(key, "value")) value_type = attr_type(text);
    buf_printf(&attrs, "%s%s = %s", attrs.len ? ", " : "", key, text);
  }
  if (!result) {
    size_t len = strlen(op);
    const char *last = strrchr(op, '.') + 1;
    if (len > 9 && !strcmp(op + len - 9, ".constant") && value_type) result = value_type;
    else if (!strncmp(last, "cmp", 3) || !strcmp(last, "icmp") || !strcmp(last, "fcmp"))
      result = type_mlir("i1");  /* comparisons give i1 */
    else if (n->list.len) result = n->list.items[0]->type;
  }
  if (!result) {
    ERR(n, "cannot tell the result type of '%s'; give it as _type = __mlir_type.T", op);
    buf_free(&attrs);
    return NULL;
  }
  n->name = op;
  n->str = attrs.len ? arena_strdup(C->arena, buf_str(&attrs)) : NULL;
  buf_free(&attrs);
  return check_intrinsic(n, IN_MLIR_OP, result);
}
