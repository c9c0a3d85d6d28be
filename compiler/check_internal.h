/* check_internal.h — what the checker's files share: the checker's state,
 * scopes, the error macros and the check_ functions one file defines and
 * another calls. Not for use outside compiler/check*.c. */
#ifndef EMBER_CHECK_INTERNAL_H
#define EMBER_CHECK_INTERNAL_H

#include "compiler/check.h"

#include <string.h>

typedef struct Binding {
  const char *name;
  Symbol *sym;
  struct Binding *next;
} Binding;

typedef struct Scope {
  struct Scope *parent;
  Binding *names;
  bool is_fn;          /* a function's outermost scope: implicit locals go here */
} Scope;

typedef struct Moved {
  Symbol *sym;
  int line, col;       /* where it was transferred */
  struct Moved *next;
} Moved;

typedef struct FnCtx {
  Symbol *sym;
  struct FnCtx *outer;  /* a closure: the function it is nested in */
  Type *ret;           /* declared result type, or NULL while inferring */
  bool infer;          /* generic def without '-> T': infer from returns */
  Type *inferred;
  bool is_def;
  bool may_raise;      /* something in the body can raise */
  bool raises;         /* declared `raises` (or a def): may raise explicitly */
  /* A def's variables whose values change type (x = 1, then x = "a"): they
     are checked again as `object`, as is the result when returns differ. */
  const char **dynamic;
  int ndynamic, capdynamic;
  bool retry;          /* a new dynamic name (or result) was found: check the body again */
  bool dynamic_result;
} FnCtx;

typedef struct Checker {
  Arena *arena;
  Diags *diags;
  GlobalTable *globals;
  CheckedCell *out;
  Scope top;           /* the cell's new top-level names */
  Scope *scope;
  FnCtx *fn;           /* NULL at top level */
  int loop_depth;
  int try_depth;       /* inside a try body: explicit raises are caught here */
  bool quiet;          /* trying an overload: report nothing */
  Type *self_type;     /* inside a struct: what `Self` names */
  struct Moved *moved; /* variables transferred out with ^ and not assigned since */
  int handler_depth;   /* inside an except clause: bare `raise` re-raises */
  int cell;
  bool instantiating;  /* declaring a struct instance: no name to bind */
  const char *module;  /* checking an instance of a module's generic: its names are visible */
  bool python_args;    /* checking the arguments of a call of an untyped def */
} Checker;

/* While overloads are being tried (C->quiet), nothing is reported. */
#define HINT(...) \
  do { if (!C->quiet) diag_hint(C->diags, __VA_ARGS__); } while (0)
#define ERR(node, ...) \
  do { if (!C->quiet) diag_error(C->diags, (node)->line, (node)->col, __VA_ARGS__); } while (0)


void check_mark_raise(Checker *C);
/* Mark a CALL as implemented inline (see Intrinsic in check.h). */
static inline Type *check_intrinsic(Node *n, Intrinsic op, Type *result) {
  n->flags |= CALL_INTRINSIC;
  n->op = op;
  return result;
}
static inline bool check_is_named(const Node *n, const char *name) {
  return n->kind == N_NAME && !strcmp(n->name, name);
}
/* Is name one of list's (NULL-terminated) names? */
static inline bool check_in_list(const char *const *list, const char *name) {
  for (int i = 0; list[i]; i++)
    if (!strcmp(list[i], name)) return true;
  return false;
}
/* A string literal node for text, where `at` stands (not yet checked). */
Node *check_string_node(Checker *C, const Node *at, const char *text);
void check_push_symbol(Checker *C, Symbol ***items, int *len, int *cap, Symbol *s);
void check_propagate_captures(Checker *C, Symbol *root);
void check_scope_add(Checker *C, Scope *s, Symbol *sym);
Symbol *check_lookup(Checker *C, const char *name);
void check_push_scope(Checker *C, Scope *s, bool is_fn);
const char *check_mangle(Checker *C, const char *name, const char *suffix);
void check_add_def(Checker *C, Symbol *sym);
Symbol *check_new_symbol(Checker *C, SymKind kind, const char *name, Type *type);
Symbol *check_declare_var(Checker *C, const char *name, Type *type, bool mutable_, bool block);
bool check_is_literal(Node *n);
bool check_coerce(Checker *C, Node *n, Type *to, const char *where);
bool check_truthy_ok(Checker *C, Node *n);
Type *check_promote(Node *a, Node *b);
Type *check_list_of(Checker *C, Type *elem);
Type *check_resolve_type(Checker *C, Node *t);
bool check_const_eval(Checker *C, Node *n, ConstVal *v);
int check_self_offset(const Symbol *fn);
Node *check_param_node(Symbol *fn, int i);
const char *check_param_name(Symbol *fn, int i);
bool check_no_kwargs(Checker *C, Node *n, const char *name);
bool check_arg_count(Checker *C, Node *n, const char *name, int lo, int hi);
bool check_args(Checker *C, Node *n);
Type *check_expr(Checker *C, Node *n);
Symbol *check_lookup_trait(Checker *C, Node *name_node);
bool check_satisfies(Checker *C, Type *t, Symbol *tr, Node *at);
bool check_has_method(const Type *t, const char *name);
Type *check_finish_call(Checker *C, Node *n, Symbol *fn, Node **bound);
Type *check_as_method_call(Checker *C, Node *n, Node *recv, const char *name, NodeList args);
Symbol *check_instantiate(Checker *C, Node *n, Symbol *g, Node **bound);
bool check_instance_fits(Checker *C, Node *n, Symbol *g, Node **bound);
void check_stmt_list(Checker *C, NodeList *body);
bool check_has_decorator(Node *n, const char *name);

/* check_param.c: compile-time parameters. A PARAM in a FN_DEF's list3 has
   op = what it binds. */
enum { PARAM_VALUE = 1, PARAM_TYPE, PARAM_FN };
bool check_mentions_param(Node *fn_node, Node *t);
bool check_declare_params(Checker *C, Node *n, Symbol *fn);
void check_fn_body(Checker *C, Node *def, Symbol *fn);
void check_parameter_if(Checker *C, Node *n);
void check_parameter_for(Checker *C, Node *n);
void check_stmt(Checker *C, Node *n);

/* structs (check.c) and their instances (check_param.c) */
/* check_struct.c: structs and traits */
void check_declare_structs(Checker *C, NodeList *stmts);
void check_struct_stmt(Checker *C, Node *n);
/* check.c, for check_struct.c */
void check_alias_stmt(Checker *C, Node *n);
Symbol *check_declare_fn(Checker *C, Node *n, Type *owner);
void check_defaults(Checker *C, Node *n, Symbol *fn);
void check_declare_struct(Checker *C, Node *n);
void check_define_fields(Checker *C, Node *n);
void check_declare_methods(Checker *C, Node *n);
void check_struct_traits(Checker *C, Node *n);
void check_struct_bodies(Checker *C, Node *n);
void check_declare_struct_params(Checker *C, Node *n);
Type *check_struct_instance(Checker *C, Type *generic, Node *ix);

/* check_tuple.c */
Type *check_tuple_literal(Checker *C, Node *n);
bool check_tuple_coerce(Checker *C, Node *n, Type *to, const char *where);
Type *check_tuple_type_expr(Checker *C, Node *t);
Type *check_optional_type_expr(Checker *C, Node *t);
Type *check_tuple_index(Checker *C, Node *n, Type *t);
Type *check_optional_construct(Checker *C, Node *n, Type *t);
Type *check_optional_method(Checker *C, Node *n, Type *t);
Type *check_optional_is_none(Checker *C, Node *n);

/* check_python.c */
bool check_to_python(const Type *t);
bool check_python_global(Checker *C, Node *n);
bool check_python_global_as(Checker *C, Node *n, const char *name);
bool check_is_python_builtin(const char *name);
Type *check_python_builtin_call(Checker *C, Node *n, const char *name);
Type *check_python_dict(Checker *C, Node *n);
Type *check_python_set(Checker *C, Node *n);
Type *check_python_call(Checker *C, Node *n, const char *name);
Type *check_python_callee(Checker *C, Node *n);
Type *check_python_method(Checker *C, Node *n);
Type *check_python_binary(Checker *C, Node *n);
Type *check_python_compare(Checker *C, Node *n);
Type *check_python_index(Checker *C, Node *n);

/* check_stdlib.c */
Type *check_parallelize(Checker *C, Node *n);
Type *check_sysinfo_call(Checker *C, Node *n, const char *name);
Type *check_external_call(Checker *C, Node *n);
/* check_gpu.c: GPU kernels */
bool check_gpu_is_module(const char *name);
Symbol *check_gpu_member(Checker *C, const char *module, const char *name, bool *ok);
Type *check_gpu_attr(Checker *C, Node *n, bool *handled);
Type *check_gpu_call(Checker *C, Node *n, const char *name);
bool check_gpu_is_launch(const Type *t, const char *method);
Type *check_gpu_launch(Checker *C, Node *n);

/* check_mlir.c */
bool check_is_mlir_type(const Node *t);
bool check_is_mlir_attr(const Node *t);
bool check_is_mlir_op(const Node *callee);
Type *check_mlir_attr_value(Checker *C, Node *n);
Type *check_mlir_op(Checker *C, Node *n);

/* check_simd.c */
bool check_ct_int(Checker *C, Node *n, int64_t *out);
Type *check_ct_dtype(Checker *C, Node *n);
Type *check_dtype_attr(Checker *C, Node *n);
bool check_is_simd_name(const Node *n);
Type *check_simd_type_expr(Checker *C, Node *t);
Type *check_simd_binary(Checker *C, Node *n);
Type *check_simd_compare(Checker *C, Node *n);
Type *check_simd_construct(Checker *C, Node *n, Type *t);
Type *check_simd_method(Checker *C, Node *n, Type *t);
Type *check_simd_static(Checker *C, Node *n, Type *t);
Type *check_simd_index(Checker *C, Node *n, Type *t);
Type *check_simd_minmax_abs(Checker *C, Node *n, const char *fn);
bool check_any_simd_arg(const Node *n);
Type *check_math_call(Checker *C, Node *n, const char *name);
bool check_is_math_fn(const char *name);

/* check_ptr.c */
bool check_is_pointer_name(const Node *n);
Type *check_pointer_type_expr(Checker *C, Node *t);
Type *check_pointer_construct(Checker *C, Node *n, Type *t);
Type *check_pointer_static(Checker *C, Node *n, Type *t);
Type *check_pointer_method(Checker *C, Node *n, Type *t);
Type *check_pointer_index(Checker *C, Node *n, Type *t);
Type *check_pointer_binary(Checker *C, Node *n);
Type *check_pointer_compare(Checker *C, Node *n);
Type *check_memory_call(Checker *C, Node *n, const char *name);

#endif
