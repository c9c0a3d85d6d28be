/* emit_internal.h — what the emitter's files share: the emitter's state,
 * the OUT macro and the emit_ helpers for values, constants, runtime calls
 * and error paths. Not for use outside mlir/emit*.c. */
#ifndef EMBER_EMIT_INTERNAL_H
#define EMBER_EMIT_INTERNAL_H

#include "mlir/emit.h"
#include "compiler/buf.h"

typedef int Val;            /* an SSA value %v<N>; 0 means "no value" (None) */

typedef struct Finally Finally;

typedef struct Loop {
  int cont, brk;            /* block ids for continue and break */
  Finally *finally_at;      /* finally blocks open when the loop started */
  int depth;                /* block depth of the loop statement */
  struct Loop *outer;
} Loop;

/* A try's finally body, which every exit from the try must run. */
struct Finally {
  const NodeList *body;
  int handler;              /* the handler in force outside the try */
  Finally *outer;
};

typedef struct Emitter {
  const CheckedCell *cell;
  Buf globals;              /* module-level declarations and definitions */
  Buf allocas;              /* the current function's entry allocas */
  Buf body;                 /* the current function's blocks */
  Buf deferred;             /* blocks emitted out of line, appended at the end */
  char **declared;          /* names already declared in this module */
  int ndeclared, capdeclared;
  int next_val, next_block, next_str;
  bool open;                /* the current block has no terminator yet */
  Loop *loop;
  Type *ret;                /* the current function's result type */
  int unwind;               /* block that returns while an error is pending; 0: not yet used */
  int handler;              /* where a pending error goes: an except block, or 0 (unwind) */
  Finally *finally;         /* innermost enclosing finally */
  Val caught;               /* in an except clause: slot holding the RtError* being handled */
  struct Live *live;        /* locals with a destructor, alive now (see lifetimes below) */
  int nlive, caplive;
  int depth;                /* block nesting of the statement being emitted */
  const Symbol *fn;         /* the function being emitted (NULL: the cell's body) */
  int handler_depth;        /* block depth of the try whose handler is E->handler */
  bool unwinding;           /* emitting destructors on an error path (no nesting) */
  int *local_made;          /* per local symbol id: alloca emitted */
  /* closures: the environments this function received (its own, when it is
     a closure, and one per closure it was instantiated with) */
  const Symbol *envs_root[16];
  Val envs_val[16];
  int nenvs;
  const Symbol *self_env;   /* this function is a closure: its root */
  const Symbol *snap_sym[32];  /* immutable captures copied into locals at entry */
  Val snap_slot[32];
  int nsnaps;
  int nlocal_made;          /* size of local_made (ids of copied functions may be larger) */
  int key_cell;             /* the cell whose source lines the code being emitted has */
  const Symbol **copies;    /* functions of earlier cells copied into this module */
  int ncopies, capcopies;
  /* GPU (emit_gpu.c): the kernels this module launches, and for the device
     module's emitter, device=true and the first thing that cannot run there */
  const Symbol **kernels;
  int nkernels, capkernels;
  bool device;
  char *device_error;
  int next_shared;          /* shared-memory globals of the device module */
} Emitter;

#define OUT(...) buf_printf(&E->body, __VA_ARGS__)

Val emit_new_val(Emitter *E);
int emit_new_block(Emitter *E);
void emit_start_block(Emitter *E, int b);
void emit_br(Emitter *E, int b);
void emit_cond_br(Emitter *E, Val c, int t, int f);
bool emit_declare_once(Emitter *E, const char *name);
void emit_need_rt(Emitter *E, const char *name, const char *sig);
const char *emit_mlir_type(const Type *t);
Val emit_const_int(Emitter *E, int64_t v, const char *ty);
Val emit_const_float(Emitter *E, double v, const Type *t);
Val emit_const_string(Emitter *E, const char *s, int64_t n);
Val emit_cell_key(Emitter *E);
Val emit_call_rt(Emitter *E, const char *name, const char *argtypes, const char *ret,
                   const Val *args, int nargs);
void emit_unwind(Emitter *E);
void emit_check_pending(Emitter *E, int line);
void emit_check_pending_rt(Emitter *E, int line);
void emit_raise_message(Emitter *E, const char *msg, int line);
const char *emit_val_name(Val v, char *buf);
Val emit_op1(Emitter *E, const char *op, Val a, const char *from, const char *to);
Val emit_truthy(Emitter *E, Val v, const Type *t);
Val emit_to_string(Emitter *E, Val v, const Type *t);
Val emit_convert(Emitter *E, Val v, const Type *from, const Type *to);
Val emit_expr_as(Emitter *E, Node *n, Type *to);
void emit_guard(Emitter *E, Val cond, void (*raise)(Emitter *, int, bool), int line, bool flag);
Val emit_binop(Emitter *E, const char *op, Val a, Val b, const char *ty, const char *flags);
Val emit_cmp(Emitter *E, const char *op, const char *pred, Val a, Val b, const char *ty);
Val emit_select(Emitter *E, Val c, Val a, Val b, const char *ty);
Val emit_expr(Emitter *E, Node *n);
Val emit_alloca_tmp(Emitter *E, const char *ty);
void emit_store_tmp(Emitter *E, Val v, Val p, const char *ty);
Val emit_load_tmp(Emitter *E, Val p, const char *ty);

/* emit_simd.c: vectors, math and pointers */
Val emit_splat(Emitter *E, Val scalar, const Type *vec);
Val emit_simd_convert(Emitter *E, Val v, const Type *from, const Type *to);
Val emit_simd_extract(Emitter *E, Val vec, Val i, const Type *t);
Val emit_simd_index(Emitter *E, Node *n);
Val emit_simd_with_lane(Emitter *E, Node *target, Val x);
Val emit_elem_size(Emitter *E, const Type *t);
Val emit_ptr_offset(Emitter *E, Val p, Val i, const Type *ptr);
Val emit_ptr_load(Emitter *E, Val addr, const Type *ptr, const Type *vt);
void emit_ptr_store(Emitter *E, Val addr, Val v, const Type *ptr, const Type *vt);
Val emit_ptr_index(Emitter *E, Node *n);
void emit_ptr_index_store(Emitter *E, Node *target, Val v);
Val emit_ptr_compare(Emitter *E, int op, Val a, Val b);
Val emit_ptr_truthy(Emitter *E, Val p);
Val emit_intrinsic(Emitter *E, Node *n);
/* emit_tuple.c: tuples and optionals */
Val emit_extract(Emitter *E, Val agg, int k, const Type *t);
Val emit_tuple_literal(Emitter *E, Node *n);
Val emit_tuple_index(Emitter *E, Node *n);
Val emit_optional_of(Emitter *E, Val v, const Type *from, const Type *opt);
Val emit_optional_present(Emitter *E, Val opt, const Type *t);
Val emit_tuple_text(Emitter *E, Val v, const Type *t);
Val emit_optional_intrinsic(Emitter *E, Node *n);
Val emit_mlir_attr(Emitter *E, Node *n);
const char *emit_storage_type(const Type *t);  /* how a variable of type t is stored */
Val emit_mlir_op(Emitter *E, Node *n);
Val emit_parallelize(Emitter *E, Node *n);
/* emit_python.c: PythonObject */
Val emit_to_python(Emitter *E, Val v, const Type *from);
Val emit_from_python(Emitter *E, Node *at, Val v, const Type *to);
Val emit_python_intrinsic(Emitter *E, Node *n);
Val emit_python_getattr(Emitter *E, Node *n);
Val emit_python_binary(Emitter *E, Node *n);
Val emit_python_negate(Emitter *E, Node *n);
Val emit_python_compare(Emitter *E, Node *n);
Val emit_python_index(Emitter *E, Node *n);
void emit_python_setitem(Emitter *E, Node *target, Val v, const Type *vt);
void emit_python_setattr(Emitter *E, Node *target, Val v, const Type *vt);
Val emit_python_dict(Emitter *E, Node *n);
Val emit_python_set(Emitter *E, Node *n);
void emit_python_list_append(Emitter *E, Node *step, Val list);
/* emit.c */
Val emit_place_ptr(Emitter *E, Node *n);
bool emit_is_place(const Node *n);
void emit_function_copy(Emitter *E, const Symbol *fn, Buf *out);
const char *emit_callee_name(Emitter *E, const Symbol *fn, char *buf, size_t size);
const char *emit_copy_symbol(Emitter *E, const Symbol *fn, char *buf, size_t size);
void emit_fn_signature(Buf *b, const Symbol *fn, bool names);
/* emit_gpu.c: GPU kernels */
Val emit_gpu_intrinsic(Emitter *E, Node *n);
Val emit_gpu_shared(Emitter *E, Node *n);
void emit_device_unsupported(Emitter *E, const char *what);
bool emit_gpu_module(Emitter *E, Buf *out, char **err);

#endif
