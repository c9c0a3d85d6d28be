/* symbol.h — what a name means: a variable, a function, an alias, a type,
 * a builtin or a module. Symbols of a cell live in the cell's arena; the
 * session keeps the arenas of cells that compiled, so a committed symbol
 * stays valid until reset. GlobalTable is the session's map from source
 * name to the newest symbol of that name. */
#ifndef EMBER_SYMBOL_H
#define EMBER_SYMBOL_H

#include <stdbool.h>
#include <stdint.h>

#include "compiler/ast.h"
#include "compiler/types.h"

typedef enum SymKind { SYM_VAR, SYM_FN, SYM_ALIAS, SYM_TYPE, SYM_BUILTIN, SYM_MODULE, SYM_TRAIT } SymKind;

/* The builtins that the checker and emitter know by id. */
#define BUILTIN_LIST(B)                                                       \
  B(PRINT, "print") B(LEN, "len") B(RANGE, "range") B(ABS, "abs")             \
  B(MIN, "min") B(MAX, "max") B(STR, "str") B(INT, "int") B(FLOAT, "float")   \
  B(BOOL, "bool") B(INPUT, "input") B(DISPLAY, "display")                     \
  B(CLEAR_OUTPUT, "clear_output")                                             \
  /* from here on: reached only through an import */                        \
  B(NOW, "now") B(MATH, "<math>") B(MEMORY, "<memory>") B(PARALLELIZE, "parallelize") \
  B(SYSINFO, "<sys.info>") B(EXTERNAL_CALL, "external_call") B(PYTHON, "<Python>") \
  B(GPU, "<gpu>")

typedef enum BuiltinId {
#define B_ENUM(id, name) BI_##id,
  BUILTIN_LIST(B_ENUM)
#undef B_ENUM
  BI_COUNT
} BuiltinId;

/* A compile-time constant (alias values). */
typedef struct ConstVal {
  Type *type;
  bool is_literal;    /* from a literal: may convert like one */
  union {
    int64_t i;
    double f;
  };
  const char *s;
  int64_t slen;
  Type *as_type;      /* a type parameter's binding (instead of a value) */
  Symbol *fn;         /* a function parameter's binding */
} ConstVal;

typedef struct Instance Instance;
typedef struct Symbol Symbol;

/* How a function receives an argument (Mojo's conventions). */
typedef enum ArgConvention {
  ARG_BORROWED,   /* default: read-only; structs arrive by pointer */
  ARG_INOUT,      /* inout / mut: a pointer to the caller's variable */
  ARG_OWNED,      /* owned / var: the callee's own copy, mutable */
  ARG_OUT,        /* out self: an __init__'s uninitialized result */
} ArgConvention;

/* A struct's layout and methods. */
struct StructInfo {
  Node *decl;
  int nfields;
  const char **field_names;
  Type **field_types;
  Symbol **methods;           /* every method, overloads included */
  int nmethods, capmethods;
  const char *mangled;        /* "Point$c3": prefix of its methods' symbols */
  bool is_value;              /* @value: synthesized __init__ */
  Symbol **traits;            /* the traits it declares it conforms to */
  int ntraits;
  /* a struct with [parameters]: a pattern; each binding is an instance */
  bool generic;
  struct StructInstance *instances;  /* committed instances */
  void *param_names;          /* an instance: its parameters' bindings (a checker Binding list) */
  struct StructInfo *origin;  /* an instance: the struct with parameters it was made from */
  const char *module;         /* defined by a standard library module */
  int cell;                   /* the cell that declared it (an instance: the user's) */
  ConstVal *params;           /* an instance: the parameters' values */
};

typedef struct StructInstance {
  ConstVal *params;
  Type *type;
  struct StructInstance *next;
} StructInstance;

enum {
  SYM_GLOBAL = 1 << 0,    /* a module-level variable (an LLVM global) */
  SYM_MUTABLE = 1 << 1,
  SYM_PARAM = 1 << 2,
  SYM_DECLARED = 1 << 3,  /* declared with var/let (block-scoped) */
  SYM_BYREF = 1 << 4,     /* a parameter whose storage is the caller's (pointer argument) */
  SYM_MOVED = 1 << 5,     /* a global whose value an earlier cell transferred out with ^ */
  SYM_IMPLICIT = 1 << 6,  /* a def's local made by assigning it (x = ...), not by var */
};

struct Symbol {
  SymKind kind;
  const char *name;       /* source name */
  Type *type;             /* VAR/ALIAS: its type; FN: result type; TYPE: the type */
  const char *mangled;    /* global or function symbol in the JIT, e.g. "x$c3" */
  int flags;
  int id;                 /* locals: unique within the cell, for the emitter */
  int cell;               /* number of the cell that defined it */
  int line_cell;          /* FN: the cell its lines count in, when not `cell` (an instance of a
                             generic from another cell, a module's; 0: cell) */
  Node *decl;             /* FN_DEF, ALIAS, VAR_DECL (for inspect and generics) */
  /* functions */
  int nparams;
  Type **param_types;     /* NULL entries: untyped (generic def) */
  bool generic;           /* a def with untyped parameters: instantiated per call */
  bool checked;           /* its body has been checked (may_raise is final) */
  bool bad_signature;     /* a parameter or result type did not resolve (reported) */
  bool may_raise;         /* callers must look at rt_error_pending after a call */
  Instance *instances;    /* generic: instances compiled so far (committed) */
  /* aliases */
  ConstVal value;
  /* builtins and modules */
  BuiltinId builtin;
  /* methods and conventions */
  Type *owner;            /* the struct a method belongs to, or NULL */
  ArgConvention self_conv;/* how the method receives self */
  bool is_static;         /* @staticmethod: no self */
  ArgConvention *conventions;  /* per parameter (NULL: all borrowed) */
  /* closures: nested functions see the enclosing function's variables by
     reference, through an environment (an array of pointers) passed as a
     hidden last argument */
  Symbol *closure_root;   /* a nested fn, its instances and parameter copies: the nested fn */
  Symbol **captures;      /* root only: the enclosing variables it uses (the env layout) */
  int ncaptures, capcaptures;
  void *def_scope, *def_fn;  /* root only: the checker's Scope and FnCtx where it is defined */
  const char *module;     /* defined by a standard library module (its names resolve inside) */
  Symbol *overloads;      /* a function: the earlier function of that name in the same cell */
  Symbol **env_params;    /* an instance whose function parameters are closures: */
  int nenv_params, capenv_params;  /* their roots, each with a hidden env argument */
};

struct Instance {
  Type **arg_types;       /* nparams entries */
  ConstVal *params;       /* the compile-time parameters' bindings, in order */
  Symbol *fn;             /* the concrete function */
  Instance *next;
};

/* ---- the session's global names ---------------------------------------- */
typedef struct GlobalTable GlobalTable;

GlobalTable *globals_new(void);
void globals_free(GlobalTable *g);
Symbol *globals_get(GlobalTable *g, const char *name);
void globals_set(GlobalTable *g, const char *name, Symbol *sym);  /* replaces */
/* Iterate: calls fn for every name (completion, %whos). */
void globals_each(GlobalTable *g, void (*fn)(void *ud, const char *name, Symbol *s), void *ud);

#endif
