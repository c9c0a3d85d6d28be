/* check_gpu.c — GPU kernels (LANGUAGE.md tier 6), as current Mojo spells
 * them: the `gpu` module's thread_idx/block_idx/block_dim/grid_dim/global_idx
 * and barrier(), shared memory through stack_allocation's address_space, and
 * ctx.enqueue_function[kernel](args..., grid_dim=..., block_dim=...), which
 * launches an ordinary fn as a kernel. A kernel's body is checked as any fn;
 * the emitter compiles it a second time for the GPU (mlir/emit_gpu.c).
 * DeviceContext and its buffers are Ember source in stdlib/gpu/host.ember. */
#include "compiler/check_internal.h"

#include <string.h>

/* The index objects, in the order IN_GPU_ID numbers them (kind * 3 + dim). */
static const char *const index_objects[] = {"thread_idx", "block_idx", "block_dim", "grid_dim",
                                            "global_idx", NULL};

static int index_object(const char *name) {
  for (int i = 0; index_objects[i]; i++)
    if (!strcmp(index_objects[i], name)) return i;
  return -1;
}

bool check_gpu_is_module(const char *name) {
  return !strcmp(name, "gpu") || !strcmp(name, "gpu.id") || !strcmp(name, "gpu.sync") ||
         !strcmp(name, "gpu.memory") || !strcmp(name, "gpu.globals");
}

/* What `from <module> import <name>` binds for the built-in gpu modules;
   *ok false when there is no such name. */
Symbol *check_gpu_member(Checker *C, const char *module, const char *name, bool *ok) {
  *ok = true;
  bool gpu = !strcmp(module, "gpu");
  if ((gpu || !strcmp(module, "gpu.id")) && index_object(name) >= 0) {
    Symbol *s = check_new_symbol(C, SYM_MODULE, name, NULL);  /* a namespace: thread_idx.x */
    s->value.s = "gpu.index";
    return s;
  }
  if ((gpu || !strcmp(module, "gpu.sync")) && !strcmp(name, "barrier")) {
    Symbol *s = check_new_symbol(C, SYM_BUILTIN, name, NULL);
    s->builtin = BI_GPU;
    s->value.s = name;
    return s;
  }
  if ((gpu || !strcmp(module, "gpu.globals")) && !strcmp(name, "WARP_SIZE")) {
    Symbol *s = check_new_symbol(C, SYM_ALIAS, name, TYPE(INT));
    s->value = (ConstVal){.type = TYPE(INT), .i = 32};
    return s;
  }
  if ((gpu || !strcmp(module, "gpu.memory")) && !strcmp(name, "AddressSpace")) {
    Symbol *s = check_new_symbol(C, SYM_MODULE, name, NULL);
    s->value.s = "gpu.AddressSpace";
    return s;
  }
  *ok = false;
  return NULL;
}

/* AddressSpace's members, as the numbers NVVM gives them. */
static const struct { const char *name; int space; } address_spaces[] = {
    {"GENERIC", 0}, {"GLOBAL", 1}, {"SHARED", 3}, {"CONSTANT", 4}, {"LOCAL", 5}, {NULL, 0}};

/* thread_idx.x and friends, and AddressSpace.SHARED; NULL when n is not one
   of them (*handled false). */
Type *check_gpu_attr(Checker *C, Node *n, bool *handled) {
  *handled = false;
  if (n->a->kind != N_NAME) return NULL;
  Symbol *m = check_lookup(C, n->a->name);
  if (!m || m->kind != SYM_MODULE || !m->value.s) return NULL;
  if (!strcmp(m->value.s, "gpu.AddressSpace")) {
    *handled = true;
    for (int i = 0; address_spaces[i].name; i++)
      if (!strcmp(address_spaces[i].name, n->name)) {
        n->kind = N_INT;  /* a compile-time constant from here on */
        n->ival = (uint64_t)address_spaces[i].space;
        n->flags |= EXPR_LITERAL;
        return TYPE(INT);
      }
    ERR(n, "AddressSpace has no member '%s' (GENERIC, GLOBAL, SHARED, CONSTANT, LOCAL)", n->name);
    return NULL;
  }
  if (strcmp(m->value.s, "gpu.index")) return NULL;
  *handled = true;
  int dim = !strcmp(n->name, "x") ? 0 : !strcmp(n->name, "y") ? 1 : !strcmp(n->name, "z") ? 2 : -1;
  if (dim < 0) {
    ERR(n, "'%s' has the fields x, y and z, not '%s'", m->name, n->name);
    return NULL;
  }
  int kind = index_object(m->name);
  if (kind < 0) {  /* imported under another name */
    ERR(n, "import '%s' under its own name to use it", m->name);
    return NULL;
  }
  n->kind = N_CALL;  /* emitted as an intrinsic with no arguments */
  n->list = (NodeList){0};
  n->ival = (uint64_t)(kind * 3 + dim);
  return check_intrinsic(n, IN_GPU_ID, TYPE(INT));
}

/* barrier(): every thread of the block waits here. */
Type *check_gpu_call(Checker *C, Node *n, const char *name) {
  if (!check_args(C, n) || !check_no_kwargs(C, n, name) || !check_arg_count(C, n, name, 0, 0)) return NULL;
  return check_intrinsic(n, IN_GPU_BARRIER, TYPE(NONE));
}

/* The name a struct was declared with (DeviceBuffer for its instances). */
static const char *struct_name(const Type *t) {
  const StructInfo *st = t->st->origin ? t->st->origin : t->st;
  return st->decl ? st->decl->name : t->name;
}

bool check_gpu_is_launch(const Type *t, const char *method) {
  return type_is_struct(t) && !strcmp(struct_name(t), "DeviceContext") &&
         (!strcmp(method, "enqueue_function") || !strcmp(method, "enqueue_function_checked") ||
          !strcmp(method, "enqueue_function_unchecked"));
}

/* grid_dim=/block_dim=: an Int or a tuple of one to three Ints. */
static bool launch_dims(Checker *C, Node *kw) {
  Type *t = check_expr(C, kw->a);
  if (!t) return false;
  if (type_is_tuple(t) && t->width >= 1 && t->width <= 3) {
    for (int i = 0; i < t->width; i++)
      if (!t->elems[i]->is_int) {
        ERR(kw->a, "%s takes Ints: (x, y, z)", kw->name);
        return false;
      }
    return true;
  }
  return check_coerce(C, kw->a, TYPE(INT), kw->name);
}

/* A DeviceBuffer passed where the kernel takes a pointer: its device
   pointer (the buffer's first field). */
static Node *buffer_pointer(Checker *C, Node *arg) {
  Type *t = arg->type;
  if (!type_is_struct(t) || strcmp(struct_name(t), "DeviceBuffer") || t->st->nfields < 1) return arg;
  Node *f = node_new(C->arena, N_ATTR, arg->line, arg->col);
  f->a = arg;
  f->name = t->st->field_names[0];
  f->ival = 0;
  f->type = t->st->field_types[0];
  return f;
}

static bool kernel_ok(Checker *C, Node *at, Symbol *k) {
  const char *why = NULL;
  if (k->kind != SYM_FN) why = "is not a function";
  else if (k->generic) why = "has parameters in brackets: give them, as in kernel[16]";
  else if (check_has_self(k)) why = "is a method; kernels are plain functions";
  else if (k->closure_root || k->nenv_params) why = "captures variables; kernels take everything as arguments";
  else if (k->type && k->type->kind != TY_NONE) why = "returns a value; kernels write their results through pointers";
  if (why) {
    ERR(at, "'%s' cannot run as a GPU kernel: it %s", k->name, why);
    return false;
  }
  for (int i = 0; i < k->nparams; i++)
    if (check_param_byref(k, i) || type_is_struct(k->param_types[i]) || k->param_types[i]->kind == TY_STRING ||
        type_is_list(k->param_types[i]) || type_is_py(k->param_types[i])) {
      ERR(at, "GPU kernel '%s' takes '%s' as '%s': kernel parameters are numbers, SIMD values and pointers",
          k->name, check_param_name(k, i), k->param_types[i]->name);
      return false;
    }
  return true;
}

/* A kernel with compile-time parameters, kernel[16] or inferred from the
   arguments: its instance (the arguments are checked already). */
static Symbol *kernel_instance(Checker *C, Node *n, Node *knode, Symbol *k) {
  if (!k->generic || k->kind != SYM_FN) return k;
  if (n->list.len != k->nparams) return k;  /* kernel_ok's count check says so */
  Node *call = node_new(C->arena, N_CALL, knode->line, knode->col);
  if (knode->kind == N_INDEX) {
    call->list3 = knode->list;
    for (int i = 0; i < knode->list2.len; i++) node_push(C->arena, &call->list3, knode->list2.items[i]);
  }
  return check_instantiate(C, call, k, n->list.items);
}

/* ctx.enqueue_function[kernel](args..., grid_dim=G, block_dim=B
   [, shared_mem_bytes=N]); kernel may be kernel[params]. */
Type *check_gpu_launch(Checker *C, Node *n) {
  Node *knode = n->list3.len >= 1 && n->list3.len <= 2 ? n->list3.items[0] : NULL;
  Node *kname = knode && knode->kind == N_INDEX ? knode->a : knode;
  if (!kname || kname->kind != N_NAME) {
    ERR(n, "enqueue_function takes the kernel in brackets: ctx.enqueue_function[kernel](args..., grid_dim=..., block_dim=...)");
    return NULL;
  }
  Symbol *k = check_lookup(C, kname->name);
  if (!k) {
    ERR(kname, "use of unknown declaration '%s'", kname->name);
    return NULL;
  }
  for (int i = 0; i < n->list.len; i++) {  /* a DeviceBuffer is the kernel's pointer to its data */
    if (!check_expr(C, n->list.items[i])) return NULL;
    n->list.items[i] = buffer_pointer(C, n->list.items[i]);
  }
  k = kernel_instance(C, n, knode, k);
  if (!k || !kernel_ok(C, knode, k)) return NULL;
  knode->sym = k;
  Node *grid = NULL, *block = NULL, *shared = NULL;
  for (int i = 0; i < n->list2.len; i++) {
    Node *kw = n->list2.items[i];
    if (!strcmp(kw->name, "grid_dim")) grid = kw;
    else if (!strcmp(kw->name, "block_dim")) block = kw;
    else if (!strcmp(kw->name, "shared_mem_bytes")) shared = kw;
    else {
      ERR(kw, "enqueue_function has no argument '%s' (grid_dim, block_dim, shared_mem_bytes)", kw->name);
      return NULL;
    }
  }
  if (!grid || !block) {
    ERR(n, "enqueue_function needs grid_dim= and block_dim=");
    return NULL;
  }
  if (!launch_dims(C, grid) || !launch_dims(C, block)) return NULL;
  if (shared && !check_coerce(C, shared->a, TYPE(INT), "shared_mem_bytes")) return NULL;
  if (n->list.len != k->nparams) {
    ERR(n, "kernel '%s' takes %d argument%s, %d given", k->name, k->nparams, k->nparams == 1 ? "" : "s",
        n->list.len);
    return NULL;
  }
  for (int i = 0; i < n->list.len; i++)
    if (!check_coerce(C, n->list.items[i], k->param_types[i], "as a kernel argument")) return NULL;
  n->sym = k;
  check_mark_raise(C);  /* a failed launch or a fault in the kernel raises here */
  return check_intrinsic(n, IN_GPU_LAUNCH, TYPE(NONE));
}
