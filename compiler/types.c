/* types.c — the table of built-in types and lookup by name. */
#include "compiler/types.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

Type type_table[TY_COUNT] = {
#define TYPE_ROW(kind, name, mlir, bits, i, s, f) {TY_##kind, name, mlir, bits, i, s, f, NULL, NULL, 0, NULL},
    TYPE_LIST(TYPE_ROW)
#undef TYPE_ROW
};

Type *type_by_name(const char *name) {
  for (int i = 0; i < TY_COUNT; i++)
    if (strcmp(type_table[i].name, name) == 0) return &type_table[i];
  if (strcmp(name, "StringLiteral") == 0 || strcmp(name, "StringRef") == 0) return TYPE(STRING);
  if (strcmp(name, "IntLiteral") == 0) return TYPE(INT);
  if (strcmp(name, "FloatLiteral") == 0) return TYPE(F64);
  if (strcmp(name, "object") == 0) return TYPE(PYOBJ);  /* dynamic values: Python objects for now */
  return NULL;
}

bool type_same(const Type *a, const Type *b) {
  if (a == b) return true;
  if (!a || !b || a->kind != b->kind) return false;
  if (a->kind == TY_LIST) return type_same(a->elem, b->elem);
  if (a->kind == TY_SIMD || a->kind == TY_POINTER) return a->width == b->width && type_same(a->elem, b->elem);
  if (a->kind == TY_OPTIONAL) return type_same(a->elem, b->elem);
  if (a->kind == TY_TUPLE) {
    if (a->width != b->width) return false;
    for (int i = 0; i < a->width; i++)
      if (!type_same(a->elems[i], b->elems[i])) return false;
    return true;
  }
  return false;
}

/* Derived types live as long as the process: a handful per session. */
typedef struct Derived {
  Type t;
  struct Derived *next;
} Derived;
static Derived *derived;

static Type *derive(TypeKind kind, Type *elem, int width, const char *name, const char *mlir) {
  bool builtin = elem->kind < TY_COUNT;
  if (builtin)
    for (Derived *d = derived; d; d = d->next)
      if (d->t.kind == kind && d->t.elem == elem && d->t.width == width) return &d->t;
  Derived *d = calloc(1, sizeof *d);
  d->t = (Type){.kind = kind, .name = strdup(name), .mlir = strdup(mlir), .elem = elem, .width = width};
  if (builtin) {  /* a struct element's type may be freed with its cell: not shared */
    d->next = derived;
    derived = d;
  }
  return &d->t;
}

static const struct { const char *dtype; TypeKind kind; } dtypes[] = {
    {"float32", TY_F32}, {"float64", TY_F64}, {"float16", TY_F16}, {"bfloat16", TY_BF16},
    {"int8", TY_I8}, {"int16", TY_I16}, {"int32", TY_I32}, {"int64", TY_I64},
    {"uint8", TY_U8}, {"uint16", TY_U16}, {"uint32", TY_U32}, {"uint64", TY_U64},
    {"bool", TY_BOOL}, {"index", TY_INT},
};

Type *type_from_dtype_name(const char *name) {
  for (size_t i = 0; i < sizeof dtypes / sizeof *dtypes; i++)
    if (!strcmp(dtypes[i].dtype, name)) return &type_table[dtypes[i].kind];
  return NULL;
}

const char *type_dtype_name(const Type *t) {
  for (size_t i = 0; i < sizeof dtypes / sizeof *dtypes; i++)
    if (dtypes[i].kind == t->kind) return dtypes[i].dtype;
  return "invalid";
}

Type *type_simd(Type *elem, int width) {
  if (width == 1) return elem;
  char name[96], mlir[64];
  snprintf(name, sizeof name, "SIMD[%s, %d]", type_dtype_name(elem), width);
  snprintf(mlir, sizeof mlir, "vector<%dx%s>", width, elem->mlir);
  Type *t = derive(TY_SIMD, elem, width, name, mlir);
  t->bits = elem->bits;
  t->is_int = elem->is_int;
  t->is_signed = elem->is_signed;
  t->is_float = elem->is_float;
  return t;
}

Type *type_pointer(Type *elem, PointerFlavor flavor) {
  char name[256];
  if (flavor == PTR_DTYPE) snprintf(name, sizeof name, "DTypePointer[%s]", type_dtype_name(elem));
  else snprintf(name, sizeof name, "%s[%s]", flavor == PTR_UNSAFE ? "UnsafePointer" : "Pointer", elem->name);
  Type *t = derive(TY_POINTER, elem, flavor, name, "!llvm.ptr");
  t->bits = 64;
  return t;
}

/* Tuples and optionals are made per use (a few per cell) and compared by
   structure; like the derived types above they are never freed. */
Type *type_tuple(Type **elems, int n) {
  char name[512], mlir[1024];
  int a = snprintf(name, sizeof name, "Tuple["), b = snprintf(mlir, sizeof mlir, "!llvm.struct<(");
  for (int i = 0; i < n; i++) {
    a += snprintf(name + a, sizeof name - (size_t)a, "%s%s", i ? ", " : "", elems[i]->name);
    b += snprintf(mlir + b, sizeof mlir - (size_t)b, "%s%s", i ? ", " : "", elems[i]->mlir);
    if (a >= (int)sizeof name - 2) a = (int)sizeof name - 2;
    if (b >= (int)sizeof mlir - 3) b = (int)sizeof mlir - 3;
  }
  snprintf(name + a, sizeof name - (size_t)a, "]");
  snprintf(mlir + b, sizeof mlir - (size_t)b, ")>");
  Derived *d = calloc(1, sizeof *d);
  d->t = (Type){.kind = TY_TUPLE, .name = strdup(name), .mlir = strdup(mlir), .width = n, .bits = 64};
  d->t.elems = calloc((size_t)n + 1, sizeof(Type *));
  for (int i = 0; i < n; i++) d->t.elems[i] = elems[i];
  return &d->t;
}

Type *type_optional(Type *elem) {
  char name[300], mlir[600];
  snprintf(name, sizeof name, "Optional[%s]", elem->name);
  snprintf(mlir, sizeof mlir, "!llvm.struct<(i1, %s)>", elem->mlir);
  Type *t = derive(TY_OPTIONAL, elem, 0, name, mlir);
  t->bits = 64;
  return t;
}

Type *type_mlir(const char *text) {
  for (Derived *d = derived; d; d = d->next)
    if (d->t.kind == TY_MLIR && !strcmp(d->t.mlir, text)) return &d->t;
  char name[256];
  snprintf(name, sizeof name, "__mlir_type.%s", text);
  Derived *d = calloc(1, sizeof *d);
  d->t = (Type){.kind = TY_MLIR, .name = strdup(name), .mlir = strdup(text), .bits = 64};
  d->next = derived;
  derived = d;
  return &d->t;
}
