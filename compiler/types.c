/* types.c — the table of built-in types and lookup by name. */
#include "compiler/types.h"

#include <string.h>

Type type_table[TY_COUNT] = {
#define TYPE_ROW(kind, name, mlir, bits, i, s, f) {TY_##kind, name, mlir, bits, i, s, f, NULL, NULL},
    TYPE_LIST(TYPE_ROW)
#undef TYPE_ROW
};

Type *type_by_name(const char *name) {
  for (int i = 0; i < TY_COUNT; i++)
    if (strcmp(type_table[i].name, name) == 0) return &type_table[i];
  if (strcmp(name, "StringLiteral") == 0 || strcmp(name, "StringRef") == 0) return TYPE(STRING);
  if (strcmp(name, "IntLiteral") == 0) return TYPE(INT);
  if (strcmp(name, "FloatLiteral") == 0) return TYPE(F64);
  return NULL;
}

bool type_same(const Type *a, const Type *b) {
  if (a == b) return true;
  return a && b && a->kind == TY_LIST && b->kind == TY_LIST && type_same(a->elem, b->elem);
}
