/* types.h — Ember's types. Tier 1 has only built-in scalar types and String,
 * each a static singleton, so types compare by pointer. */
#ifndef EMBER_TYPES_H
#define EMBER_TYPES_H

#include <stdbool.h>

/* TYPE(kind, Ember name, MLIR type, bits, is_int, is_signed, is_float) */
#define TYPE_LIST(TYPE)                                         \
  TYPE(INT, "Int", "i64", 64, 1, 1, 0)                          \
  TYPE(UINT, "UInt", "i64", 64, 1, 0, 0)                        \
  TYPE(I8, "Int8", "i8", 8, 1, 1, 0)                            \
  TYPE(I16, "Int16", "i16", 16, 1, 1, 0)                        \
  TYPE(I32, "Int32", "i32", 32, 1, 1, 0)                        \
  TYPE(I64, "Int64", "i64", 64, 1, 1, 0)                        \
  TYPE(U8, "UInt8", "i8", 8, 1, 0, 0)                           \
  TYPE(U16, "UInt16", "i16", 16, 1, 0, 0)                       \
  TYPE(U32, "UInt32", "i32", 32, 1, 0, 0)                       \
  TYPE(U64, "UInt64", "i64", 64, 1, 0, 0)                       \
  TYPE(F16, "Float16", "f16", 16, 0, 1, 1)                      \
  TYPE(BF16, "BFloat16", "bf16", 16, 0, 1, 1)                   \
  TYPE(F32, "Float32", "f32", 32, 0, 1, 1)                      \
  TYPE(F64, "Float64", "f64", 64, 0, 1, 1)                      \
  TYPE(BOOL, "Bool", "i1", 1, 0, 0, 0)                          \
  TYPE(STRING, "String", "!llvm.ptr", 64, 0, 0, 0)              \
  TYPE(ERROR, "Error", "!llvm.ptr", 64, 0, 0, 0)                \
  TYPE(NONE, "NoneType", "", 0, 0, 0, 0)                        \
  TYPE(DTYPE, "DType", "i8", 8, 0, 0, 0)                        \
  TYPE(PYOBJ, "PythonObject", "!llvm.ptr", 64, 0, 0, 0)

typedef enum TypeKind {
#define TYPE_ENUM(kind, name, mlir, bits, i, s, f) TY_##kind,
  TYPE_LIST(TYPE_ENUM)
#undef TYPE_ENUM
  TY_COUNT,                 /* the built-in types above live in type_table */
  TY_STRUCT = TY_COUNT,     /* user structs: one Type each, in their cell's arena */
  TY_LIST,                  /* List[T]: made on use; equal when their elements are */
  TY_SIMD,                  /* SIMD[dtype, width > 1]: an MLIR vector of a scalar type */
  TY_POINTER,               /* Pointer[T], DTypePointer[dtype], UnsafePointer[T] */
  TY_TUPLE,                 /* Tuple[A, B, ...] / (A, B): an LLVM struct of the elements */
  TY_OPTIONAL,              /* Optional[T]: an LLVM struct {i1 present, T value} */
  TY_MLIR,                  /* __mlir_type.X: an MLIR type named by the user */
} TypeKind;

/* Which pointer a TY_POINTER is: the three spellings differ in methods. */
typedef enum PointerFlavor { PTR_POINTER, PTR_DTYPE, PTR_UNSAFE } PointerFlavor;

typedef struct StructInfo StructInfo;

typedef struct Type {
  TypeKind kind;
  const char *name;   /* as the user writes it */
  const char *mlir;   /* its MLIR spelling; "" for NoneType */
  int bits;
  bool is_int, is_signed, is_float;
  StructInfo *st;     /* TY_STRUCT: fields and methods */
  struct Type *elem;  /* TY_LIST, TY_SIMD, TY_POINTER: the element type */
  int width;          /* TY_SIMD: lanes; TY_POINTER: its PointerFlavor; TY_TUPLE: elements */
  struct Type **elems;/* TY_TUPLE: the element types */
} Type;

extern Type type_table[TY_COUNT];
#define TYPE(k) (&type_table[TY_##k])

Type *type_by_name(const char *name);
static inline bool type_is_struct(const Type *t) { return t && t->kind == TY_STRUCT; }
static inline bool type_is_list(const Type *t) { return t && t->kind == TY_LIST; }
/* The same type: the same object, or lists of the same element type. */
bool type_same(const Type *a, const Type *b);  /* also StringLiteral, Float, Scalar aliases */
static inline bool type_is_numeric(const Type *t) { return t->is_int || t->is_float; }
static inline bool type_is_simd(const Type *t) { return t && t->kind == TY_SIMD; }
static inline bool type_is_pointer(const Type *t) { return t && t->kind == TY_POINTER; }
/* A scalar that can be a SIMD lane (DType's element types). */
static inline bool type_is_scalar(const Type *t) { return t && (type_is_numeric(t) || t->kind == TY_BOOL) && t->kind < TY_COUNT; }
/* The scalar type of a value: its lanes for SIMD, itself otherwise. */
static inline const Type *type_lane(const Type *t) { return t->kind == TY_SIMD ? t->elem : t; }

/* SIMD[elem, width]; width 1 is elem itself (Float32 is SIMD[float32, 1]).
   Derived types of built-in elements are made once and shared. */
Type *type_simd(Type *elem, int width);
Type *type_pointer(Type *elem, PointerFlavor flavor);
Type *type_tuple(Type **elems, int n);
Type *type_optional(Type *elem);
Type *type_mlir(const char *text);  /* __mlir_type.i1: one Type per spelling */
static inline bool type_is_tuple(const Type *t) { return t && t->kind == TY_TUPLE; }
static inline bool type_is_py(const Type *t) { return t && t->kind == TY_PYOBJ; }
static inline bool type_is_optional(const Type *t) { return t && t->kind == TY_OPTIONAL; }
/* DType.<name> → its scalar type, and back ("float32"). */
Type *type_from_dtype_name(const char *name);
const char *type_dtype_name(const Type *t);

#endif
