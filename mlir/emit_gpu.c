/* emit_gpu.c — GPU kernels.
 *
 * A kernel is an ordinary fn. Each cell module that launches kernels gets a
 * gpu.module holding one gpu.func per launched kernel (a wrapper that calls
 * the kernel's body) and a device copy of every function the kernels call,
 * emitted a second time by an Emitter with `device` set: no runtime calls,
 * no interrupt polls, a trap where the CPU would raise, shared memory as
 * address-space-3 globals. jit/engine.c lowers the gpu.module through NVVM
 * to PTX inside the process; a launch is gpu.launch_func, which becomes
 * calls of the mgpu* functions that runtime/gpu.c implements over the CUDA
 * driver. On the CPU the index objects read as a grid of one thread
 * (thread_idx 0, block_dim 1) and barrier() does nothing. */
#include "mlir/emit_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/runtime.h"

static const char *const index_ops[] = {"gpu.thread_id", "gpu.block_id", "gpu.block_dim", "gpu.grid_dim"};

static Val index_op(Emitter *E, int kind, int dim) {
  Val r = emit_new_val(E), w = emit_new_val(E);
  OUT("  %%v%d = %s %c\n", r, index_ops[kind], "xyz"[dim]);
  OUT("  %%v%d = arith.index_cast %%v%d : index to i64\n", w, r);
  return w;
}

/* thread_idx.x (kind 0) … grid_dim.z; global_idx (kind 4) is
   block_idx * block_dim + thread_idx. */
static Val gpu_index(Emitter *E, int kind, int dim) {
  if (!E->device) return emit_const_int(E, kind == 2 || kind == 3 ? 1 : 0, "i64");
  if (kind < 4) return index_op(E, kind, dim);
  Val base = emit_binop(E, "arith.muli", index_op(E, 1, dim), index_op(E, 2, dim), "i64", "");
  return emit_binop(E, "arith.addi", base, index_op(E, 0, dim), "i64", "");
}

/* The kernel's position in E->kernels, added on first launch. */
static int kernel_index(Emitter *E, const Symbol *k) {
  for (int i = 0; i < E->nkernels; i++)
    if (E->kernels[i] == k) return i;
  if (E->nkernels == E->capkernels) {
    E->capkernels = E->capkernels ? E->capkernels * 2 : 4;
    E->kernels = realloc(E->kernels, sizeof(Symbol *) * (size_t)E->capkernels);
  }
  E->kernels[E->nkernels] = k;
  return E->nkernels++;
}

/* The PTX entry's name: letters, digits and _ only (NVPTX renames others,
   and the host looks the kernel up by this name). */
static void kernel_name(const Symbol *k, int index, char *buf, size_t size) {
  int n = snprintf(buf, size, "ember_k%d_", index);
  for (const char *p = k->name; *p && (size_t)n + 1 < size; p++)
    buf[n++] = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ? *p : '_';
  buf[n] = 0;
}

/* grid_dim=/block_dim=: three index values, missing ones 1. */
static void launch_dims(Emitter *E, Node *v, Val out[3]) {
  Val one = emit_const_int(E, 1, "i64"), d[3] = {one, one, one};
  if (type_is_tuple(v->type)) {
    Val t = emit_expr(E, v);
    for (int i = 0; i < v->type->width; i++)
      d[i] = emit_convert(E, emit_extract(E, t, i, v->type), v->type->elems[i], TYPE(INT));
  } else d[0] = emit_expr_as(E, v, TYPE(INT));
  for (int i = 0; i < 3; i++) {
    out[i] = emit_new_val(E);
    OUT("  %%v%d = arith.index_cast %%v%d : i64 to index\n", out[i], d[i]);
  }
}

static Node *kwarg_value(Node *n, const char *name) {
  for (int i = 0; i < n->list2.len; i++)
    if (!strcmp(n->list2.items[i]->name, name)) return n->list2.items[i]->a;
  return NULL;
}

/* ctx.enqueue_function[k](args, grid_dim=, block_dim=): launch and wait;
   a failed launch or a fault in the kernel raises here. */
static Val launch(Emitter *E, Node *n) {
  const Symbol *k = n->sym;
  int index = kernel_index(E, k);
  Val *args = calloc((size_t)n->list.len + 1, sizeof(Val));
  for (int i = 0; i < n->list.len; i++) args[i] = emit_expr_as(E, n->list.items[i], k->param_types[i]);
  Val grid[3], block[3];
  launch_dims(E, kwarg_value(n, "grid_dim"), grid);
  launch_dims(E, kwarg_value(n, "block_dim"), block);
  Node *sm = kwarg_value(n, "shared_mem_bytes");
  Val shared = emit_op1(E, "arith.trunci", sm ? emit_expr_as(E, sm, TYPE(INT)) : emit_const_int(E, 0, "i64"),
                        "i64", "i32");
  char name[160];
  kernel_name(k, index, name, sizeof name);
  OUT("  gpu.launch_func @gpu_c%d::@%s blocks in (%%v%d, %%v%d, %%v%d) threads in (%%v%d, %%v%d, %%v%d)"
      " dynamic_shared_memory_size %%v%d",
      E->cell->cell, name, grid[0], grid[1], grid[2], block[0], block[1], block[2], shared);
  if (n->list.len) {
    OUT(" args(");
    for (int i = 0; i < n->list.len; i++)
      OUT("%s%%v%d : %s", i ? ", " : "", args[i], emit_mlir_type(k->param_types[i]));
    OUT(")");
  }
  OUT("\n");
  free(args);
  Val where[2] = {emit_cell_key(E), emit_const_int(E, n->line, "i32")};
  emit_call_rt(E, "rt_gpu_check", "!llvm.ptr, i32", NULL, where, 2);
  emit_check_pending_rt(E, n->line);
  return 0;
}

Val emit_gpu_intrinsic(Emitter *E, Node *n) {
  switch (n->op) {
  case IN_GPU_ID: return gpu_index(E, (int)(n->ival / 3), (int)(n->ival % 3));
  case IN_GPU_BARRIER:
    if (E->device) OUT("  gpu.barrier\n");
    return 0;
  case IN_GPU_LAUNCH:
    if (E->device) emit_device_unsupported(E, "a kernel launch");
    else launch(E, n);
    return 0;
  default: return 0;
  }
}

/* stack_allocation[n, T, address_space=AddressSpace.SHARED]() in a kernel:
   one array per block, in shared memory. */
Val emit_gpu_shared(Emitter *E, Node *n) {
  int id = ++E->next_shared;
  buf_printf(&E->globals, "  llvm.mlir.global internal @shared.%d() {addr_space = 3 : i32, alignment = 16 : i64}"
             " : !llvm.array<%llu x %s>\n", id, (unsigned long long)n->ival, n->type->elem->mlir);
  Val p = emit_new_val(E), r = emit_new_val(E);
  OUT("  %%v%d = llvm.mlir.addressof @shared.%d : !llvm.ptr<3>\n", p, id);
  OUT("  %%v%d = llvm.addrspacecast %%v%d : !llvm.ptr<3> to !llvm.ptr\n", r, p);
  return r;
}

/* What a runtime function is, for the message. */
static const char *runtime_feature(const char *rt) {
  static const struct { const char *prefix, *what; } features[] = {
      {"rt_write", "print"}, {"rt_print", "print"}, {"rt_str", "strings"}, {"rt_list", "lists"},
      {"rt_py", "Python objects"}, {"rt_alloc", "heap memory"}, {"rt_free", "heap memory"},
      {"rt_raise", "raise"}, {"rt_parallelize", "parallelize"}, {"rt_gpu", "a kernel launch"},
      {"rt_display", "display"}, {"rt_random", "random numbers"}, {NULL, NULL}};
  for (int i = 0; features[i].prefix; i++)
    if (!strncmp(rt, features[i].prefix, strlen(features[i].prefix))) return features[i].what;
  return NULL;
}

/* Record the first thing device code uses that only the CPU has. */
void emit_device_unsupported(Emitter *E, const char *what) {
  if (E->device_error) return;
  const char *feature = !strncmp(what, "rt_", 3) ? runtime_feature(what) : NULL;
  char msg[600];
  snprintf(msg, sizeof msg, "'%s' runs on the GPU (it is a kernel or a kernel calls it) and uses %s, which only "
           "the CPU has: kernels can use numbers, SIMD values, pointers, structs, math and barrier()",
           E->fn ? E->fn->name : "?", feature ? feature : what);
  E->device_error = strdup(msg);
}

/* The chip to compile for: the one the user names (EMBER_GPU_ARCH, which
   `ember build --gpu-arch` sets), else the GPU present, else sm_80. */
static const char *target_chip(void) {
  const char *env = getenv("EMBER_GPU_ARCH");
  if (env && *env) return env;
  const char *present = rt_gpu_arch();
  return present ? present : "sm_80";
}

static void wrapper(Emitter *D, Buf *out, const Symbol *k, int index) {
  char name[160], copy[512];
  kernel_name(k, index, name, sizeof name);
  buf_printf(out, "  gpu.func @%s", name);
  emit_fn_signature(out, k, true);
  buf_printf(out, " kernel {\n    func.call @\"%s\"(", emit_copy_symbol(D, k, copy, sizeof copy));
  for (int i = 0; i < k->nparams; i++) buf_printf(out, "%s%%a%d", i ? ", " : "", i);
  buf_puts(out, ") : ");
  emit_fn_signature(out, k, false);
  buf_puts(out, " -> ()\n    gpu.return\n  }\n");
}

/* The gpu.module of the kernels E launched, appended to out. */
bool emit_gpu_module(Emitter *E, Buf *out, char **err) {
  Emitter D = {.cell = E->cell, .key_cell = E->cell->cell, .device = true};
  D.nlocal_made = E->nlocal_made;
  D.local_made = calloc((size_t)D.nlocal_made, sizeof(int));
  char copy_name[512];
  for (int i = 0; i < E->nkernels; i++) emit_callee_name(&D, E->kernels[i], copy_name, sizeof copy_name);
  Buf fns = {0};
  for (int i = 0; i < D.ncopies && !D.device_error; i++) emit_function_copy(&D, D.copies[i], &fns);
  bool ok = !D.device_error;
  if (ok) {
    buf_printf(out, "  gpu.module @gpu_c%d [#nvvm.target<chip = \"%s\", O = 3>] {\n", E->cell->cell, target_chip());
    buf_puts(out, buf_str(&D.globals));
    for (int i = 0; i < E->nkernels; i++) wrapper(&D, out, E->kernels[i], i);
    buf_puts(out, buf_str(&fns));
    buf_puts(out, "  }\n");
  } else *err = D.device_error;
  buf_free(&fns);
  buf_free(&D.globals);
  buf_free(&D.allocas);
  buf_free(&D.body);
  buf_free(&D.deferred);
  for (int i = 0; i < D.ndeclared; i++) free(D.declared[i]);
  free(D.declared);
  free(D.local_made);
  free(D.copies);
  free(D.live);
  return ok;
}
