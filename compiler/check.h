/* check.h — name resolution and type checking of one cell against the
 * session's globals. On success the caller emits the cell and, once it has
 * compiled, commits its definitions (check_commit); on failure nothing in the
 * session has changed. */
#ifndef EMBER_CHECK_H
#define EMBER_CHECK_H

#include "compiler/ast.h"
#include "compiler/diag.h"
#include "compiler/symbol.h"

typedef struct PendingInstance {
  Symbol *generic;
  Instance *inst;
} PendingInstance;

typedef struct PendingStruct {
  StructInfo *generic;
  StructInstance *inst;
} PendingStruct;

typedef struct CheckedCell {
  int cell;               /* the cell's number in the session */
  const char *module;     /* a standard library module: its names are committed as module.name */
  NodeList stmts;         /* top-level statements, checked */
  NodeList functions;     /* FN_DEF nodes to emit here (including generic instances) */
  Node *result;           /* the last expression statement, when its value is shown */
  Symbol **defs;          /* new top-level definitions, in order */
  int ndefs, capdefs;
  PendingInstance *insts; /* generic instances made by this cell */
  int ninsts, capinsts;
  PendingStruct *structs; /* struct instances made by this cell */
  int nstructs, capstructs;
  int nlocals;            /* ids handed to local symbols */
  Symbol **moved;         /* globals this cell leaves moved-out (committed) */
  int nmoved, capmoved;
  Symbol **revived;       /* moved-out globals this cell assigns again */
  int nrevived, caprevived;
} CheckedCell;

/* Checks stmts; returns true when there were no errors. */
bool check_cell(NodeList stmts, int cell, GlobalTable *globals, Arena *arena, Diags *diags,
                CheckedCell *out);
/* The global name under which a module's definition lives ("algorithm.vectorize"),
   and the marker that says the module was loaded ("module:algorithm"). */
#define CHECK_MODULE_MARK "module:"
/* Make the cell's definitions visible to later cells. */
void check_commit(CheckedCell *cell, GlobalTable *globals);

/* Implicit conversion allowed from `from` to `to` (literal: an untyped literal). */
bool check_converts(const Type *from, const Type *to, bool literal);
/* String methods: a CALL node whose callee is `s.name(...)` on a String has
   op = index + 1 into this table. */
typedef struct StringMethod {
  const char *name;
  const char *runtime;    /* the rt_ function */
  int nargs;              /* String arguments after self */
  TypeKind result;        /* TY_STRING, TY_INT or TY_BOOL (from an i32 0/1) */
  int extra;              /* for strip: which side, passed as an i32 */
  bool last_optional;     /* the last argument may be left out (passed as NULL) */
} StringMethod;
extern const StringMethod check_string_methods[];

/* Calls the compiler implements inline (SIMD methods and constructors,
   math functions, pointer operations): a CALL node with CALL_INTRINSIC has
   op = one of these; a method's receiver is n->a->a, arguments n->list. */
#define INTRINSIC_LIST(X)                                                     \
  X(SIMD_ZERO) X(SIMD_SPLAT) X(SIMD_ELEMENTS) X(SIMD_CAST) X(SIMD_SELECT)      \
  X(SIMD_FMA) X(SIMD_IOTA) X(SIMD_LEN)                                         \
  X(REDUCE_ADD) X(REDUCE_MUL) X(REDUCE_MIN) X(REDUCE_MAX) X(REDUCE_AND)        \
  X(REDUCE_OR)                                                                 \
  X(MATH_UNARY) X(MATH_POW) X(MATH_MIN) X(MATH_MAX) X(MATH_ABS)                \
  X(PTR_NULL) X(PTR_ALLOC) X(PTR_FREE) X(PTR_LOAD) X(PTR_STORE) X(PTR_OFFSET)   \
  X(PTR_STACK) X(PTR_ADDRESS_OF) X(PTR_BITCAST) X(PTR_IS_NULL)              \
  X(MEMSET_ZERO) X(MEMSET) X(MEMCPY)                                           \
  X(OPT_MAKE) X(OPT_VALUE) X(OPT_OR_ELSE) X(OPT_PRESENT) X(TUPLE_LEN)          \
  X(MLIR_OP) X(PARALLELIZE) X(SIMDWIDTHOF) X(NUM_CORES) X(NUM_LOGICAL_CORES) \
  X(EXTERNAL_CALL)                                                             \
  X(PTR_FROM_ADDRESS) X(PY_IMPORT) X(PY_EVAL) X(PY_NONE) X(PY_CALL) X(PY_CALL_METHOD) X(PY_TO_F64) X(PY_LEN) \
  X(GPU_ID) X(GPU_BARRIER) X(GPU_LAUNCH)

typedef enum Intrinsic {
  INTRINSIC_NONE,
#define X_ENUM(id) IN_##id,
  INTRINSIC_LIST(X_ENUM)
#undef X_ENUM
} Intrinsic;

/* math functions on scalars and SIMD floats: name and MLIR op */
typedef struct MathFn {
  const char *name;
  const char *op;
} MathFn;
extern const MathFn check_math_fns[];

/* An integer literal (or integer alias) known not to be zero: dividing by
   it cannot raise. */
bool check_literal_nonzero(const Node *n);
/* The method `name` of struct t taking nparams arguments, or NULL. */
Symbol *check_method_named(const Type *t, const char *name, int nparams);
/* Does t, or a field of it at any depth, have that method? (Which values
   need __del__ run, or a copy made by __copyinit__.) */
bool check_type_needs(const Type *t, const char *name, int nparams);
/* Parameter i of fn arrives as a pointer (inout, or a struct read in place). */
bool check_param_byref(const Symbol *fn, int i);
/* A method that receives self (by pointer). */
static inline bool check_has_self(const Symbol *fn) { return fn->owner && !fn->is_static; }
/* Set by the session: does the embedded Python's __main__ define a name?
   A name Ember does not know but a %%python cell defined is that Python
   object (NULL: no Python). */
extern bool (*check_python_has_global)(const char *name);

/* 2023's `fn __init__(...) -> Self` (no self): a static constructor. */
bool check_is_value_init(const Node *f);
/* Does the definition carry @name (or @name(...))? */
bool check_has_decorator(Node *n, const char *name);
/* Whether a statement list always ends by returning. */
bool check_always_returns(const NodeList *body);

#endif
