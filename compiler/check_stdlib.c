/* check_stdlib.c — the standard library functions the compiler implements
 * itself: parallelize (the closure goes to the runtime's thread pool) and
 * sys.info (simdwidthof is a compile-time constant for the host CPU).
 * The rest of the standard library is Ember source in stdlib/. */
#include "compiler/check_internal.h"

#include <string.h>

/* parallelize[func](num_work_items[, num_workers]): func(i) for every i,
   spread over one worker per core. func takes an Int and returns nothing. */
Type *check_parallelize(Checker *C, Node *n) {
  if (n->list.len == 2 && check_expr(C, n->list.items[0]) && type_is_struct(n->list.items[0]->type) &&
      !strcmp(n->list.items[0]->type->name, "Runtime")) {
    /* 2023: parallelize[func](rt, n) with rt from `with Runtime() as rt` */
    n->list.items[0] = n->list.items[1];
    n->list.len = 1;
  }
  if (!check_arg_count(C, n, "parallelize", 1, 2)) return NULL;
  if (n->list3.len != 1 || n->list3.items[0]->kind != N_NAME) {
    ERR(n, "parallelize takes the function to run in brackets: parallelize[work](n)");
    return NULL;
  }
  Node *fnode = n->list3.items[0];
  Symbol *f = check_lookup(C, fnode->name);
  if (!f || f->kind != SYM_FN) {
    ERR(fnode, "parallelize[%s]: '%s' is not a function", fnode->name, fnode->name);
    return NULL;
  }
  if (f->generic || f->nparams != 1 || !f->param_types[0] || f->param_types[0]->kind != TY_INT ||
      (f->type && f->type->kind != TY_NONE) || check_has_self(f)) {
    ERR(fnode, "parallelize needs a function of one Int that returns nothing, as in fn work(i: Int)");
    return NULL;
  }
  for (int i = 0; i < n->list.len; i++)
    if (!check_coerce(C, n->list.items[i], TYPE(INT), i ? "as the number of workers" : "as the number of work items"))
      return NULL;
  fnode->sym = f;
  if (f->closure_root) check_propagate_captures(C, f->closure_root);
  check_mark_raise(C);  /* Ctrl-C stops the workers and raises here */
  return check_intrinsic(n, IN_PARALLELIZE, TYPE(NONE));
}

/* The host's vector width in bits: what simdwidthof divides. */
static int vector_bits(void) {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return 512;
  if (__builtin_cpu_supports("avx")) return 256;
  return 128;
}

Type *check_sysinfo_call(Checker *C, Node *n, const char *name) {
  if (!check_args(C, n) || !check_no_kwargs(C, n, name) || !check_arg_count(C, n, name, 0, 0)) return NULL;
  if (!strcmp(name, "simdwidthof")) {
    if (n->list3.len != 1) {
      ERR(n, "simdwidthof takes a DType: simdwidthof[DType.float32]()");
      return NULL;
    }
    Type *elem = check_ct_dtype(C, n->list3.items[0]);
    if (!elem) return NULL;
    int bits = elem->kind == TY_BOOL ? 8 : elem->bits;
    n->ival = (uint64_t)(vector_bits() / bits);
    n->flags |= EXPR_LITERAL;
    return check_intrinsic(n, IN_SIMDWIDTHOF, TYPE(INT));
  }
  if (n->list3.len) {
    ERR(n->list3.items[0], "'%s' takes no compile-time parameters", name);
    return NULL;
  }
  bool logical = !strcmp(name, "num_logical_cores");
  return check_intrinsic(n, logical ? IN_NUM_LOGICAL_CORES : IN_NUM_CORES, TYPE(INT));
}

/* external_call["c_function", ResultType](args...): a call to a C function
   of the process (the runtime's rt_* functions, libc). The arguments are
   passed as their own types; the declaration is made from them. */
Type *check_external_call(Checker *C, Node *n) {
  if (!check_args(C, n) || !check_no_kwargs(C, n, "external_call")) return NULL;
  if (n->list3.len != 2 || n->list3.items[0]->kind != N_STR) {
    ERR(n, "external_call takes the C function's name and its result type: external_call[\"f\", Int](x)");
    return NULL;
  }
  Type *ret = check_resolve_type(C, n->list3.items[1]);
  if (!ret) return NULL;
  for (int i = 0; i < n->list.len; i++) {
    Type *t = n->list.items[i]->type;
    if (type_is_struct(t) || t->kind == TY_NONE) {
      ERR(n->list.items[i], "external_call passes numbers, Bools, pointers and Strings, not '%s'", t->name);
      return NULL;
    }
  }
  n->name = n->list3.items[0]->str;
  return check_intrinsic(n, IN_EXTERNAL_CALL, ret);
}
