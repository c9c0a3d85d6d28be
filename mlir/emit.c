/* emit.c — MLIR text from a checked cell.
 *
 * The output is one module per cell written with the func, arith, math, cf
 * and llvm dialects. Every variable lives in an llvm.alloca in its
 * function's entry block (or an llvm.mlir.global at top level); LLVM's
 * mem2reg turns the allocas into registers. Control flow is explicit blocks
 * and cf branches, so break/continue/return are plain jumps, and
 * short-circuit operators merge values through block arguments.
 *
 * Reading order: module assembly (emit_cell) → functions → statements →
 * expressions → conversions and runtime calls. Symbols from earlier cells
 * and runtime functions are declared on first use (declare_once). */
#include "mlir/emit_internal.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/buf.h"

Val emit_expr(Emitter *E, Node *n);
Val emit_expr_as(Emitter *E, Node *n, Type *to);
Val emit_alloca_tmp(Emitter *E, const char *ty);
void emit_store_tmp(Emitter *E, Val v, Val p, const char *ty);
Val emit_load_tmp(Emitter *E, Val p, const char *ty);
static Val struct_text(Emitter *E, Val v, const Type *t, const char *method);
static Val emit_call(Emitter *E, Symbol *fn, Val self, Node **args, int line);
static Val transfer(Emitter *E, Node *n);
static Val copy_value(Emitter *E, Node *n, Type *to);
static bool needs_destroy(const Type *t);
static bool needs_copy(const Type *t);
static Val copy_from_ptr(Emitter *E, Val src, const Type *t);
static Val list_slot(Emitter *E, Val list, Val i, int line);
static void destroy_at(Emitter *E, Val ptr, const Type *t);
static void destroy_live_above(Emitter *E, int depth, const Symbol *except);
static void push_live(Emitter *E, const Symbol *sym);
Val emit_convert(Emitter *E, Val v, const Type *from, const Type *to);
static void stmt_list(Emitter *E, const NodeList *body);
static void stmt(Emitter *E, Node *n);
static void assert_stmt(Emitter *E, Node *n);
static void list_append(Emitter *E, Val list, Val v, const Type *elem);


Val emit_new_val(Emitter *E) { return ++E->next_val; }
int emit_new_block(Emitter *E) { return ++E->next_block; }

void emit_start_block(Emitter *E, int b) {
  OUT("^b%d:\n", b);
  E->open = true;
}

void emit_br(Emitter *E, int b) {
  OUT("  cf.br ^b%d\n", b);
  E->open = false;
}

void emit_cond_br(Emitter *E, Val c, int t, int f) {
  OUT("  cf.cond_br %%v%d, ^b%d, ^b%d\n", c, t, f);
  E->open = false;
}

/* ---- declarations ------------------------------------------------------ */

bool emit_declare_once(Emitter *E, const char *name) {
  for (int i = 0; i < E->ndeclared; i++)
    if (strcmp(E->declared[i], name) == 0) return false;
  if (E->ndeclared == E->capdeclared) {
    E->capdeclared = E->capdeclared ? E->capdeclared * 2 : 32;
    E->declared = realloc(E->declared, sizeof(char *) * (size_t)E->capdeclared);
  }
  E->declared[E->ndeclared++] = strdup(name);
  return true;
}

/* Declare a runtime function: sig is "(i64) -> !llvm.ptr" */
void emit_need_rt(Emitter *E, const char *name, const char *sig) {
  if (E->device) emit_device_unsupported(E, name);
  if (emit_declare_once(E, name)) buf_printf(&E->globals, "  func.func private @%s%s\n", name, sig);
}

const char *emit_mlir_type(const Type *t) { return t->mlir; }

/* The hidden environment arguments of fn, after its parameters: its own
   when it is a closure, then one per closure it was instantiated with. */
static int env_roots(const Symbol *fn, const Symbol **out) {
  int n = 0;
  if (fn->closure_root) out[n++] = fn->closure_root;
  for (int i = 0; i < fn->nenv_params && n < 16; i++) out[n++] = fn->env_params[i];
  return n;
}

/* (self pointer, then each parameter: a pointer when it is by reference) */
void emit_fn_signature(Buf *b, const Symbol *fn, bool names) {
  buf_puts(b, "(");
  int k = 0;
  if (check_has_self(fn)) {
    if (names) buf_printf(b, "%%a%d: ", k);
    buf_puts(b, "!llvm.ptr");
    k++;
  }
  for (int i = 0; i < fn->nparams; i++, k++) {
    if (k) buf_puts(b, ", ");
    if (names) buf_printf(b, "%%a%d: ", k);
    buf_puts(b, check_param_byref(fn, i) ? "!llvm.ptr" : emit_mlir_type(fn->param_types[i]));
  }
  const Symbol *roots[16];
  for (int i = 0, n = env_roots(fn, roots); i < n; i++, k++) {
    if (k) buf_puts(b, ", ");
    if (names) buf_printf(b, "%%a%d: ", k);
    buf_puts(b, "!llvm.ptr");
  }
  buf_puts(b, ")");
  if (fn->type && fn->type->kind != TY_NONE) buf_printf(b, " -> %s", emit_mlir_type(fn->type));
}

/* A function or global defined by an earlier cell: declare it here. */
static void need_symbol(Emitter *E, const Symbol *s) {
  if (E->device && s->kind != SYM_FN) {
    char what[300];
    snprintf(what, sizeof what, "the global variable '%s'", s->name);
    emit_device_unsupported(E, what);
  }
  if ((s->cell == E->cell->cell && !E->device) || !emit_declare_once(E, s->mangled)) return;
  if (s->kind == SYM_FN) {
    buf_printf(&E->globals, "  func.func private @\"%s\"", s->mangled);
    emit_fn_signature(&E->globals, s, false);
    buf_puts(&E->globals, "\n");
  } else {
    buf_printf(&E->globals, "  llvm.mlir.global external @\"%s\"() {addr_space = 0 : i32} : %s\n",
               s->mangled, emit_storage_type(s->type));
  }
}

/* ---- constants --------------------------------------------------------- */

/* A constant of a vector type: the scalar, broadcast to every lane. */
static Val vector_const_int(Emitter *E, int64_t v, const char *ty) {
  char elem[16];
  const char *x = strchr(ty, 'x');
  snprintf(elem, sizeof elem, "%.*s", (int)(strlen(x + 1) - 1), x + 1);
  Val s = emit_const_int(E, v, elem), r = emit_new_val(E);
  OUT("  %%v%d = vector.broadcast %%v%d : %s to %s\n", r, s, elem, ty);
  return r;
}

Val emit_const_int(Emitter *E, int64_t v, const char *ty) {
  if (!strncmp(ty, "vector<", 7)) return vector_const_int(E, v, ty);
  Val r = emit_new_val(E);
  if (strcmp(ty, "i1") == 0) OUT("  %%v%d = arith.constant %s\n", r, v ? "true" : "false");
  else OUT("  %%v%d = arith.constant %" PRId64 " : %s\n", r, v, ty);
  return r;
}

static uint64_t nonfinite_bits(double v, const Type *t) {
  int neg = signbit(v) != 0;
  bool nan = isnan(v);
  switch (t->kind) {
  case TY_F16: return (neg ? 0x8000u : 0) | (nan ? 0x7E00u : 0x7C00u);
  case TY_BF16: return (neg ? 0x8000u : 0) | (nan ? 0x7FC0u : 0x7F80u);
  case TY_F32: return (neg ? 0x80000000u : 0) | (nan ? 0x7FC00000u : 0x7F800000u);
  default:
    return (neg ? 0x8000000000000000ull : 0) | (nan ? 0x7FF8000000000000ull : 0x7FF0000000000000ull);
  }
}

Val emit_const_float(Emitter *E, double v, const Type *t) {
  if (type_is_simd(t)) return emit_splat(E, emit_const_float(E, v, t->elem), t);
  Val r = emit_new_val(E);
  if (isfinite(v)) OUT("  %%v%d = arith.constant %.17e : %s\n", r, v, t->mlir);
  else OUT("  %%v%d = arith.constant 0x%" PRIX64 " : %s\n", r, nonfinite_bits(v, t), t->mlir);
  return r;
}

/* A string literal: a constant {i64 len, [n+1 x i8]} global (RtStr layout). */
Val emit_const_string(Emitter *E, const char *s, int64_t n) {
  int id = ++E->next_str;
  Buf *g = &E->globals;
  const char *ty = NULL;
  char tybuf[96];
  snprintf(tybuf, sizeof tybuf, "!llvm.struct<(i64, array<%" PRId64 " x i8>)>", n + 1);
  ty = tybuf;
  buf_printf(g, "  llvm.mlir.global private constant @str.%d() {addr_space = 0 : i32} : %s {\n", id, ty);
  buf_printf(g, "    %%0 = llvm.mlir.undef : %s\n", ty);
  buf_printf(g, "    %%1 = llvm.mlir.constant(%" PRId64 " : i64) : i64\n", n);
  buf_printf(g, "    %%2 = llvm.insertvalue %%1, %%0[0] : %s\n", ty);
  buf_puts(g, "    %3 = llvm.mlir.constant(\"");
  for (int64_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c >= 32 && c < 127 && c != '"' && c != '\\') buf_put(g, (const char *)&c, 1);
    else buf_printf(g, "\\%02X", c);
  }
  buf_printf(g, "\\00\") : !llvm.array<%" PRId64 " x i8>\n", n + 1);
  buf_printf(g, "    %%4 = llvm.insertvalue %%3, %%2[1] : %s\n", ty);
  buf_printf(g, "    llvm.return %%4 : %s\n  }\n", ty);
  Val r = emit_new_val(E);
  OUT("  %%v%d = llvm.mlir.addressof @str.%d : !llvm.ptr\n", r, id);
  return r;
}

/* The cell's key ("c7") as a C string, for runtime error locations. */
Val emit_cell_key(Emitter *E) {
  char name[32];
  snprintf(name, sizeof name, "cellkey.%d", E->key_cell);
  if (emit_declare_once(E, name)) {
    char key[32];
    int n = snprintf(key, sizeof key, "c%d", E->key_cell);
    buf_printf(&E->globals,
               "  llvm.mlir.global private constant @%s(\"%s\\00\") {addr_space = 0 : i32} : !llvm.array<%d x i8>\n",
               name, key, n + 1);
  }
  Val r = emit_new_val(E);
  OUT("  %%v%d = llvm.mlir.addressof @%s : !llvm.ptr\n", r, name);
  return r;
}

/* ---- runtime calls ----------------------------------------------------- */

Val emit_call_rt(Emitter *E, const char *name, const char *argtypes, const char *ret,
                   const Val *args, int nargs) {
  char sig[256];
  snprintf(sig, sizeof sig, "(%s)%s%s", argtypes, ret ? " -> " : "", ret ? ret : "");
  emit_need_rt(E, name, sig);
  if (!ret) strcat(sig, " -> ()");
  Val r = ret ? emit_new_val(E) : 0;
  if (ret) OUT("  %%v%d = ", r);
  else OUT("  ");
  OUT("func.call @%s(", name);
  for (int i = 0; i < nargs; i++) OUT("%s%%v%d", i ? ", " : "", args[i]);
  OUT(") : %s\n", sig);
  return r;
}

/* Go where a pending error goes: the enclosing except, or out of the
   function (errors are values). */
void emit_unwind(Emitter *E) {
  if (!E->unwinding) {  /* what is alive up to the handler dies on the way */
    E->unwinding = true;
    destroy_live_above(E, E->handler ? E->handler_depth : -1, NULL);
    E->unwinding = false;
  }
  if (E->handler) {
    emit_br(E, E->handler);
    return;
  }
  if (!E->unwind) E->unwind = emit_new_block(E);
  emit_br(E, E->unwind);
}

/* After a call that may raise: if an error is pending, record this frame
   (add_frame; a runtime function that raised recorded it already) and
   leave; otherwise go on in a fresh block. */
static void check_pending_frame(Emitter *E, int line, bool add_frame) {
  if (E->device) return;  /* device code traps instead of raising */
  if (emit_declare_once(E, "rt_error_pending"))
    buf_puts(&E->globals, "  llvm.mlir.global external @rt_error_pending() {addr_space = 0 : i32} : i32\n");
  Val p = emit_new_val(E), f = emit_new_val(E), c = emit_new_val(E), z = emit_const_int(E, 0, "i32");
  OUT("  %%v%d = llvm.mlir.addressof @rt_error_pending : !llvm.ptr\n", p);
  OUT("  %%v%d = llvm.load %%v%d : !llvm.ptr -> i32\n", f, p);
  OUT("  %%v%d = arith.cmpi ne, %%v%d, %%v%d : i32\n", c, f, z);
  int bad = emit_new_block(E), ok = emit_new_block(E);
  OUT("  cf.cond_br %%v%d, ^b%d, ^b%d {branch_weights = array<i32: 1, 2000>}\n", c, bad, ok);
  E->open = false;
  emit_start_block(E, bad);
  if (add_frame) {
    Val args[2] = {emit_cell_key(E), emit_const_int(E, line, "i32")};
    emit_call_rt(E, "rt_add_frame", "!llvm.ptr, i32", NULL, args, 2);
  }
  emit_unwind(E);
  emit_start_block(E, ok);
}

/* After a user function: its frame is this call's line. */
void emit_check_pending(Emitter *E, int line) { check_pending_frame(E, line, true); }
/* After a runtime function, which put the raising line in the traceback. */
void emit_check_pending_rt(Emitter *E, int line) { check_pending_frame(E, line, false); }

static void raise_interrupt(Emitter *E, int line, bool unused) {
  Val args[2] = {emit_cell_key(E), emit_const_int(E, line, "i32")};
  emit_call_rt(E, "rt_raise_interrupt", "!llvm.ptr, i32", NULL, args, 2);
  emit_unwind(E);
}

void emit_guard(Emitter *E, Val cond, void (*raise)(Emitter *, int, bool), int line, bool flag);
Val emit_cmp(Emitter *E, const char *op, const char *pred, Val a, Val b, const char *ty);

/* At the top of every loop iteration: stop if an interrupt was requested.
   The load is volatile so LLVM cannot hoist it out of the loop. */
static void poll_interrupt(Emitter *E, int line) {
  if (E->device) return;  /* a kernel is not interrupted */
  if (emit_declare_once(E, "rt_interrupt_requested"))
    buf_puts(&E->globals,
             "  llvm.mlir.global external @rt_interrupt_requested() {addr_space = 0 : i32} : i32\n");
  Val p = emit_new_val(E), f = emit_new_val(E), z = emit_const_int(E, 0, "i32");
  OUT("  %%v%d = llvm.mlir.addressof @rt_interrupt_requested : !llvm.ptr\n", p);
  OUT("  %%v%d = llvm.load volatile %%v%d : !llvm.ptr -> i32\n", f, p);
  emit_guard(E, emit_cmp(E, "arith.cmpi", "ne", f, z, "i32"), raise_interrupt, line, false);
}

/* Raise ZeroDivisionError here; the block ends after it. */
static void raise_zero_division(Emitter *E, int line, bool true_div) {
  Val args[3] = {emit_cell_key(E), emit_const_int(E, line, "i32"), emit_const_int(E, true_div, "i32")};
  emit_call_rt(E, "rt_raise_zero_division", "!llvm.ptr, i32, i32", NULL, args, 3);
  emit_unwind(E);
}

void emit_raise_message(Emitter *E, const char *msg, int line) {
  Val args[3] = {0, emit_cell_key(E), emit_const_int(E, line, "i32")};
  /* the message is a C string: skip the RtStr length header (8 bytes) */
  Val s = emit_const_string(E, msg, (int64_t)strlen(msg));
  Val eight = emit_const_int(E, 8, "i64");
  args[0] = emit_new_val(E);
  OUT("  %%v%d = llvm.getelementptr %%v%d[%%v%d] : (!llvm.ptr, i64) -> !llvm.ptr, i8\n", args[0], s, eight);
  emit_call_rt(E, "rt_raise", "!llvm.ptr, !llvm.ptr, i32", NULL, args, 3);
  emit_unwind(E);
}

/* If cond is true, raise; continue in a fresh block otherwise. */
void emit_guard(Emitter *E, Val cond, void (*raise)(Emitter *, int, bool), int line, bool flag) {
  int bad = emit_new_block(E), ok = emit_new_block(E);
  OUT("  cf.cond_br %%v%d, ^b%d, ^b%d {branch_weights = array<i32: 1, 2000>}\n", cond, bad, ok);
  E->open = false;
  emit_start_block(E, bad);
  if (E->device) {  /* on the GPU an error stops the kernel, which the launch reports */
    OUT("  \"llvm.intr.trap\"() : () -> ()\n  llvm.unreachable\n");
    E->open = false;
  } else raise(E, line, flag);
  emit_start_block(E, ok);
}

/* ---- variables --------------------------------------------------------- */

/* A local's slot. A by-reference parameter's slot holds the pointer to the
   caller's storage instead of a value. */
static Val local_slot(Emitter *E, const Symbol *s) {
  if (s->id >= E->nlocal_made) {  /* a function copied from another cell */
    int n = s->id * 2 + 16;
    E->local_made = realloc(E->local_made, sizeof(int) * (size_t)n);
    memset(E->local_made + E->nlocal_made, 0, sizeof(int) * (size_t)(n - E->nlocal_made));
    E->nlocal_made = n;
  }
  if (!E->local_made[s->id]) {
    E->local_made[s->id] = 1;
    buf_printf(&E->allocas, "  %%l%d = llvm.alloca %%one x %s : (i64) -> !llvm.ptr\n", s->id,
               s->flags & SYM_BYREF ? "!llvm.ptr" : emit_storage_type(s->type));
  }
  return -s->id - 1;  /* negative: names %l<id> (see val_name) */
}

static Val local_ptr(Emitter *E, const Symbol *s) {
  Val slot = local_slot(E, s);
  if (!(s->flags & SYM_BYREF)) return slot;
  Val p = emit_new_val(E);
  OUT("  %%v%d = llvm.load %%l%d : !llvm.ptr -> !llvm.ptr\n", p, s->id);
  return p;
}

/* Values are %v<N>; local slots are %l<id>, encoded as negative Val. */
const char *emit_val_name(Val v, char *buf) {
  if (v < 0) snprintf(buf, 24, "%%l%d", -v - 1);
  else snprintf(buf, 24, "%%v%d", v);
  return buf;
}

/* Inside a closure, a captured variable's address is in the environment. */
static Val captured_ptr(Emitter *E, const Symbol *s) {
  for (int i = 0; i < E->nsnaps; i++)
    if (E->snap_sym[i] == s) return E->snap_slot[i];
  const Symbol *root = E->self_env;
  for (int i = 0; root && i < root->ncaptures; i++)
    if (root->captures[i] == s) {
      Val slot = emit_new_val(E), p = emit_new_val(E);
      OUT("  %%v%d = llvm.getelementptr %%v%d[%d] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr\n", slot, E->envs_val[0], i);
      OUT("  %%v%d = llvm.load %%v%d : !llvm.ptr -> !llvm.ptr\n", p, slot);
      return p;
    }
  return 0;
}

/* A closure reads an immutable captured variable (an fn argument, a let)
   from a local copy made at its entry, not through the environment: the
   value cannot change while the closure runs, and a local lets LLVM keep
   it in a register instead of reloading it after every store (what makes
   a parallelized closure as fast as the plain loop). */
static void snapshot_captures(Emitter *E) {
  const Symbol *root = E->self_env;
  for (int i = 0; root && i < root->ncaptures && E->nsnaps < 32; i++) {
    const Symbol *s = root->captures[i];
    if ((s->flags & SYM_MUTABLE) || s->type->kind == TY_NONE) continue;
    Val p = captured_ptr(E, s), slot = emit_new_val(E), v = emit_new_val(E);
    const char *ty = emit_storage_type(s->type);
    buf_printf(&E->allocas, "  %%v%d = llvm.alloca %%one x %s : (i64) -> !llvm.ptr\n", slot, ty);
    OUT("  %%v%d = llvm.load %%v%d : !llvm.ptr -> %s\n", v, p, ty);
    OUT("  llvm.store %%v%d, %%v%d : %s, !llvm.ptr\n", v, slot, ty);
    E->snap_sym[E->nsnaps] = s;
    E->snap_slot[E->nsnaps++] = slot;
  }
}

static Val var_ptr(Emitter *E, const Symbol *s) {
  Val cap = captured_ptr(E, s);
  if (cap) return cap;
  if (!(s->flags & SYM_GLOBAL)) return local_ptr(E, s);
  need_symbol(E, s);
  Val r = emit_new_val(E);
  OUT("  %%v%d = llvm.mlir.addressof @\"%s\" : !llvm.ptr\n", r, s->mangled);
  return r;
}

/* MLIR's index type has no size in LLVM: variables of __mlir_type.index
   are stored as i64 and cast on the way in and out. */
static bool is_index(const Type *t) { return t->kind == TY_MLIR && !strcmp(t->mlir, "index"); }

const char *emit_storage_type(const Type *t) { return is_index(t) ? "i64" : emit_mlir_type(t); }

static Val index_cast(Emitter *E, Val v, const char *from, const char *to) {
  Val r = emit_new_val(E);
  OUT("  %%v%d = arith.index_cast %%v%d : %s to %s\n", r, v, from, to);
  return r;
}

/* NoneType variables hold nothing: no storage, loads give no value. */
static Val load_var(Emitter *E, const Symbol *s) {
  if (s->type->kind == TY_NONE) return 0;
  Val r = emit_load_tmp(E, var_ptr(E, s), emit_storage_type(s->type));
  return is_index(s->type) ? index_cast(E, r, "i64", "index") : r;
}

static void store_var(Emitter *E, const Symbol *s, Val v) {
  if (s->type->kind == TY_NONE) return;
  if (is_index(s->type)) v = index_cast(E, v, "index", "i64");
  emit_store_tmp(E, v, var_ptr(E, s), emit_storage_type(s->type));
}

/* ---- conversions ------------------------------------------------------- */

Val emit_op1(Emitter *E, const char *op, Val a, const char *from, const char *to) {
  Val r = emit_new_val(E);
  OUT("  %%v%d = %s %%v%d : %s to %s\n", r, op, a, from, to);
  return r;
}

Val emit_truthy(Emitter *E, Val v, const Type *t) {
  if (t->kind == TY_BOOL) return v;
  if (type_is_pointer(t)) return emit_ptr_truthy(E, v);
  if (t->kind == TY_PYOBJ) {
    Node at = {.line = 0};
    return emit_from_python(E, &at, v, TYPE(BOOL));
  }
  if (type_is_optional(t)) return emit_optional_present(E, v, t);
  Val r = emit_new_val(E);
  if (type_is_list(t)) {  /* non-empty */
    Val len = emit_call_rt(E, "rt_list_len", "!llvm.ptr", "i64", &v, 1);
    OUT("  %%v%d = arith.cmpi ne, %%v%d, %%v%d : i64\n", r, len, emit_const_int(E, 0, "i64"));
    return r;
  }
  if (t->is_int) {
    Val z = emit_const_int(E, 0, t->mlir);
    OUT("  %%v%d = arith.cmpi ne, %%v%d, %%v%d : %s\n", r, v, z, t->mlir);
  } else if (t->is_float) {
    Val z = emit_const_float(E, 0.0, t);
    OUT("  %%v%d = arith.cmpf une, %%v%d, %%v%d : %s\n", r, v, z, t->mlir);
  } else {  /* String: non-empty */
    Val len = emit_call_rt(E, "rt_str_len", "!llvm.ptr", "i64", &v, 1);
    Val z = emit_const_int(E, 0, "i64");
    OUT("  %%v%d = arith.cmpi ne, %%v%d, %%v%d : i64\n", r, len, z);
  }
  return r;
}

Val emit_to_string(Emitter *E, Val v, const Type *t) {
  switch (t->kind) {
  case TY_STRING: return v;
  case TY_STRUCT: return struct_text(E, v, t, "__str__");
  case TY_SIMD: {  /* [1.0, 2.0, ...]: the lanes through memory */
    Val tmp = emit_alloca_tmp(E, t->mlir);
    emit_store_tmp(E, v, tmp, t->mlir);
    const Type *e = t->elem;
    int kind = e->kind == TY_BOOL ? 0 : e->kind == TY_BF16 ? 4 : e->is_float ? 1 : e->is_signed ? 2 : 3;
    Val args[4] = {tmp, emit_const_int(E, t->width, "i64"), emit_const_int(E, kind, "i32"),
                   emit_const_int(E, e->kind == TY_BOOL ? 8 : e->bits, "i32")};
    return emit_call_rt(E, "rt_simd_repr", "!llvm.ptr, i64, i32, i32", "!llvm.ptr", args, 4);
  }
  case TY_POINTER: return emit_call_rt(E, "rt_str_ptr", "!llvm.ptr", "!llvm.ptr", &v, 1);
  case TY_TUPLE: return emit_tuple_text(E, v, t);
  case TY_PYOBJ: return emit_call_rt(E, "rt_py_str", "!llvm.ptr", "!llvm.ptr", &v, 1);
  case TY_DTYPE: return emit_call_rt(E, "rt_str_dtype", "i8", "!llvm.ptr", &v, 1);
  case TY_LIST: {
    TypeKind k = t->elem->kind;
    int kind = (k == TY_INT || k == TY_I64) ? 1 : (k == TY_UINT || k == TY_U64) ? 2 : k == TY_F64 ? 3
             : k == TY_F32 ? 4 : k == TY_BOOL ? 5 : 6;
    Val args[2] = {v, emit_const_int(E, kind, "i32")};
    return emit_call_rt(E, "rt_list_repr", "!llvm.ptr, i32", "!llvm.ptr", args, 2);
  }
  case TY_ERROR: return emit_call_rt(E, "rt_error_text", "!llvm.ptr", "!llvm.ptr", &v, 1);
  case TY_NONE: return emit_const_string(E, "None", 4);
  case TY_BOOL: {
    Val w = emit_op1(E, "arith.extui", v, "i1", "i32");
    return emit_call_rt(E, "rt_str_bool", "i32", "!llvm.ptr", &w, 1);
  }
  case TY_F64: return emit_call_rt(E, "rt_str_f64", "f64", "!llvm.ptr", &v, 1);
  case TY_F32: return emit_call_rt(E, "rt_str_f32", "f32", "!llvm.ptr", &v, 1);
  case TY_F16: case TY_BF16: {
    Val w = emit_op1(E, "arith.extf", v, t->mlir, "f32");
    return emit_call_rt(E, t->kind == TY_F16 ? "rt_str_f16" : "rt_str_bf16", "f32", "!llvm.ptr", &w, 1);
  }
  default: {
    Val w = t->bits < 64 ? emit_op1(E, t->is_signed ? "arith.extsi" : "arith.extui", v, t->mlir, "i64") : v;
    return emit_call_rt(E, t->is_signed ? "rt_str_i64" : "rt_str_u64", "i64", "!llvm.ptr", &w, 1);
  }
  }
}

/* Numeric and Bool conversions (implicit or explicit). */
Val emit_convert(Emitter *E, Val v, const Type *from, const Type *to) {
  if (type_same(from, to)) return v;
  if ((from->kind == TY_MLIR || to->kind == TY_MLIR) && !strcmp(from->mlir, to->mlir)) return v;
  if (type_is_simd(to) || (type_is_simd(from) && to->kind != TY_STRING)) return emit_simd_convert(E, v, from, to);
  if (type_is_optional(to) && !type_is_optional(from)) return emit_optional_of(E, v, from, to);
  if (to->kind == TY_PYOBJ) return emit_to_python(E, v, from);
  if (type_is_pointer(from) && to->is_int) return emit_op1(E, "llvm.ptrtoint", v, "!llvm.ptr", to->mlir);
  if (from->kind == TY_PYOBJ && to->kind != TY_STRING) {  /* Int(obj), Float64(obj), Bool(obj) */
    Node at = {.line = 0};
    return emit_from_python(E, &at, v, to);
  }
  if (from->is_int && to->is_int && from->bits == to->bits) return v;
  if (to->kind == TY_STRING) return emit_to_string(E, v, from);
  if (to->kind == TY_ERROR) return emit_call_rt(E, "rt_error_new", "!llvm.ptr", "!llvm.ptr", &v, 1);
  if (to->kind == TY_BOOL) return emit_truthy(E, v, from);
  if (from->kind == TY_BOOL)
    return emit_op1(E, to->is_float ? "arith.uitofp" : "arith.extui", v, "i1", to->mlir);
  if (from->is_int && to->is_int) {
    if (from->bits == to->bits) return v;
    if (from->bits > to->bits) return emit_op1(E, "arith.trunci", v, from->mlir, to->mlir);
    return emit_op1(E, from->is_signed ? "arith.extsi" : "arith.extui", v, from->mlir, to->mlir);
  }
  if (from->is_int) return emit_op1(E, from->is_signed ? "arith.sitofp" : "arith.uitofp", v, from->mlir, to->mlir);
  if (to->is_int) return emit_op1(E, to->is_signed ? "arith.fptosi" : "arith.fptoui", v, from->mlir, to->mlir);
  if (from->kind == TY_BF16 || to->kind == TY_BF16 || from->kind == TY_F16 || to->kind == TY_F16) {
    /* go through f32 so that f16 <-> bf16 works too */
    Val w = from->bits < 32 ? emit_op1(E, "arith.extf", v, from->mlir, "f32") : v;
    const char *wt = from->bits < 32 ? "f32" : from->mlir;
    if (!strcmp(wt, to->mlir)) return w;
    if (to->bits < 32) {
      if (strcmp(wt, "f32")) w = emit_op1(E, "arith.truncf", w, wt, "f32");
      return emit_op1(E, "arith.truncf", w, "f32", to->mlir);
    }
    return emit_op1(E, "arith.extf", w, "f32", to->mlir);
  }
  return emit_op1(E, from->bits > to->bits ? "arith.truncf" : "arith.extf", v, from->mlir, to->mlir);
}

Val emit_expr_as(Emitter *E, Node *n, Type *to) {
  Val v = emit_expr(E, n);
  return emit_convert(E, v, n->type, to);
}

/* ---- arithmetic -------------------------------------------------------- */

Val emit_binop(Emitter *E, const char *op, Val a, Val b, const char *ty, const char *flags) {
  Val r = emit_new_val(E);
  OUT("  %%v%d = %s %%v%d, %%v%d%s : %s\n", r, op, a, b, flags, ty);
  return r;
}

Val emit_cmp(Emitter *E, const char *op, const char *pred, Val a, Val b, const char *ty) {
  Val r = emit_new_val(E);
  OUT("  %%v%d = %s %s, %%v%d, %%v%d : %s\n", r, op, pred, a, b, ty);
  return r;
}

/* The type of a comparison's result on operands of type ty: i1, or a
   vector<N x i1> for a vector. */
static const char *mask_of(const char *ty, char *buf, size_t size) {
  if (strncmp(ty, "vector<", 7)) return "i1";
  snprintf(buf, size, "vector<%dxi1>", atoi(ty + 7));
  return buf;
}

Val emit_select(Emitter *E, Val c, Val a, Val b, const char *ty) {
  char mb[32];
  Val r = emit_new_val(E);
  if (!strncmp(ty, "vector<", 7) && strcmp(mask_of(ty, mb, sizeof mb), ty))
    OUT("  %%v%d = arith.select %%v%d, %%v%d, %%v%d : %s, %s\n", r, c, a, b, mb, ty);
  else OUT("  %%v%d = arith.select %%v%d, %%v%d, %%v%d : %s\n", r, c, a, b, ty);
  return r;
}

static void check_nonzero(Emitter *E, Val b, const Type *t, int line, bool true_div) {
  Val z = emit_const_int(E, 0, t->mlir);
  Val c = emit_cmp(E, "arith.cmpi", "eq", b, z, t->mlir);
  emit_guard(E, c, raise_zero_division, line, true_div);
}

/* Python's floor division and modulo for signed integers. The divisor -1 is
 * handled apart so that INT_MIN // -1 wraps instead of trapping. */
static Val int_floordiv_mod(Emitter *E, Val a, Val b, const Type *t, bool want_mod) {
  const char *ty = t->mlir;
  if (!t->is_signed) return emit_binop(E, want_mod ? "arith.remui" : "arith.divui", a, b, ty, "");
  Val m1 = emit_const_int(E, -1, ty), one = emit_const_int(E, 1, ty), zero = emit_const_int(E, 0, ty);
  Val is_m1 = emit_cmp(E, "arith.cmpi", "eq", b, m1, ty);
  Val bs = emit_select(E, is_m1, one, b, ty);
  Val q = emit_binop(E, "arith.divsi", a, bs, ty, "");
  Val r = emit_binop(E, "arith.remsi", a, bs, ty, "");
  /* adjust when the remainder's sign differs from the divisor's */
  Val rnz = emit_cmp(E, "arith.cmpi", "ne", r, zero, ty);
  Val x = emit_binop(E, "arith.xori", r, b, ty, "");
  Val neg = emit_cmp(E, "arith.cmpi", "slt", x, zero, ty);
  char mb[32];
  Val adj = emit_binop(E, "arith.andi", rnz, neg, mask_of(ty, mb, sizeof mb), "");
  if (want_mod) {
    Val r2 = emit_binop(E, "arith.addi", r, b, ty, "");
    return emit_select(E, adj, r2, r, ty);
  }
  Val q2 = emit_binop(E, "arith.subi", q, one, ty, "");
  Val qa = emit_select(E, adj, q2, q, ty);
  Val negated = emit_binop(E, "arith.subi", zero, a, ty, "");
  return emit_select(E, is_m1, negated, qa, ty);
}

static Val float_floordiv_mod(Emitter *E, Val a, Val b, const Type *t, bool want_mod) {
  const char *ty = t->mlir;
  Val r = emit_binop(E, "arith.remf", a, b, ty, "");
  Val zero = emit_const_float(E, 0.0, t);
  Val rnz = emit_cmp(E, "arith.cmpf", "une", r, zero, ty);
  Val rneg = emit_cmp(E, "arith.cmpf", "olt", r, zero, ty);
  Val bneg = emit_cmp(E, "arith.cmpf", "olt", b, zero, ty);
  char mb[32];
  const char *mt = mask_of(ty, mb, sizeof mb);
  Val differ = emit_binop(E, "arith.xori", rneg, bneg, mt, "");
  Val adj = emit_binop(E, "arith.andi", rnz, differ, mt, "");
  Val r2 = emit_binop(E, "arith.addf", r, b, ty, "");
  Val m = emit_select(E, adj, r2, r, ty);
  if (want_mod) return m;
  /* (a - mod) / b is exact for the floor quotient, as CPython computes it */
  Val diff = emit_binop(E, "arith.subf", a, m, ty, "");
  Val q = emit_binop(E, "arith.divf", diff, b, ty, "");
  Val fl = emit_new_val(E);
  OUT("  %%v%d = math.round %%v%d : %s\n", fl, q, ty);
  return fl;
}

static Val shift(Emitter *E, int op, Val a, Val b, const Type *t) {
  const char *ty = t->mlir;
  Val bits = emit_const_int(E, t->bits, ty);
  Val in_range = emit_cmp(E, "arith.cmpi", "ult", b, bits, ty);
  if (op == T_LSHIFT || !t->is_signed) {
    Val r = emit_binop(E, op == T_LSHIFT ? "arith.shli" : "arith.shrui", a, b, ty, "");
    return emit_select(E, in_range, r, emit_const_int(E, 0, ty), ty);
  }
  Val maxs = emit_const_int(E, t->bits - 1, ty);
  Val amt = emit_select(E, in_range, b, maxs, ty);
  return emit_binop(E, "arith.shrsi", a, amt, ty, "");
}

static Val int_pow(Emitter *E, Val a, Val b, const Type *t, int line) {
  Val wa = emit_convert(E, a, t, TYPE(INT)), wb = emit_convert(E, b, t, TYPE(INT));
  Val args[4] = {wa, wb, emit_cell_key(E), emit_const_int(E, line, "i32")};
  Val r = emit_call_rt(E, "rt_pow_i64", "i64, i64, !llvm.ptr, i32", "i64", args, 4);
  emit_check_pending_rt(E, line);
  return emit_convert(E, r, TYPE(INT), t);
}

static Val string_binary(Emitter *E, Node *n) {
  Val a = emit_expr(E, n->a), b = emit_expr(E, n->b);
  if (n->op == T_PLUS) {
    Val args[2] = {a, b};
    return emit_call_rt(E, "rt_str_concat", "!llvm.ptr, !llvm.ptr", "!llvm.ptr", args, 2);
  }
  bool str_first = n->a->type->kind == TY_STRING;
  Val s = str_first ? a : b;
  Node *count = str_first ? n->b : n->a;
  Val k = emit_convert(E, str_first ? b : a, count->type, TYPE(INT));
  Val args[2] = {s, k};
  return emit_call_rt(E, "rt_str_repeat", "!llvm.ptr, i64", "!llvm.ptr", args, 2);
}

static bool is_float_mul(const Node *n) {
  return n->kind == N_BINARY && n->op == T_STAR && n->type && n->type->is_float;
}

/* Float contraction follows C's FP_CONTRACT ON: a multiply may fuse into an
 * add or subtract of the same expression (fma), never across statements. */
static Val float_operand(Emitter *E, Node *n, Type *t, bool contract);

static Val arith(Emitter *E, Node *n, bool contract) {
  Type *t = n->optype;
  const char *ty = t->mlir;
  bool fuse = t->is_float && (n->op == T_PLUS || n->op == T_MINUS);
  Val a = t->is_float ? float_operand(E, n->a, t, fuse) : emit_expr_as(E, n->a, t);
  Val b = t->is_float ? float_operand(E, n->b, t, fuse) : emit_expr_as(E, n->b, t);
  const char *fm = (contract || (fuse && (is_float_mul(n->a) || is_float_mul(n->b))))
                       ? " fastmath<contract>" : "";
  if (t->is_float) {
    switch (n->op) {
    case T_PLUS: return emit_binop(E, "arith.addf", a, b, ty, fm);
    case T_MINUS: return emit_binop(E, "arith.subf", a, b, ty, fm);
    case T_STAR: return emit_binop(E, "arith.mulf", a, b, ty, fm);
    case T_SLASH:
      if (n->a->type->is_int && n->b->type->is_int && !check_literal_nonzero(n->b)) {
        /* Int / Int: the divisor was converted; check the original value */
        Val z = emit_const_float(E, 0.0, t);
        Val c = emit_cmp(E, "arith.cmpf", "oeq", b, z, ty);
        emit_guard(E, c, raise_zero_division, n->line, true);
      }
      return emit_binop(E, "arith.divf", a, b, ty, "");
    case T_DSLASH: return float_floordiv_mod(E, a, b, t, false);
    case T_PERCENT: return float_floordiv_mod(E, a, b, t, true);
    case T_DSTAR: {
      Val r = emit_new_val(E);
      OUT("  %%v%d = math.powf %%v%d, %%v%d : %s\n", r, a, b, ty);
      return r;
    }
    }
  }
  switch (n->op) {
  case T_PLUS: return emit_binop(E, "arith.addi", a, b, ty, "");
  case T_MINUS: return emit_binop(E, "arith.subi", a, b, ty, "");
  case T_STAR: return emit_binop(E, "arith.muli", a, b, ty, "");
  case T_AMP: return emit_binop(E, "arith.andi", a, b, ty, "");
  case T_PIPE: return emit_binop(E, "arith.ori", a, b, ty, "");
  case T_CARET: return emit_binop(E, "arith.xori", a, b, ty, "");
  case T_LSHIFT: case T_RSHIFT: return shift(E, n->op, a, b, t);
  case T_DSLASH: case T_PERCENT:
    if (!check_literal_nonzero(n->b) && !type_is_simd(t)) check_nonzero(E, b, t, n->line, false);
    if (type_is_simd(t) && !check_literal_nonzero(n->b)) {
      /* lanes divided by zero give 0 instead of undefined behaviour */
      Val zero = emit_const_int(E, 0, ty);
      Val is_zero = emit_cmp(E, "arith.cmpi", "eq", b, zero, ty);
      Val safe = emit_select(E, is_zero, emit_const_int(E, 1, ty), b, ty);
      Val q = int_floordiv_mod(E, a, safe, t, n->op == T_PERCENT);
      return emit_select(E, is_zero, zero, q, ty);
    }
    return int_floordiv_mod(E, a, b, t, n->op == T_PERCENT);
  case T_DSTAR: return int_pow(E, a, b, t, n->line);
  }
  return 0;
}

static Val float_operand(Emitter *E, Node *n, Type *t, bool contract) {
  if (contract && is_float_mul(n) && n->optype == t) return arith(E, n, true);
  return emit_expr_as(E, n, t);
}

static Val binary(Emitter *E, Node *n) {
  if (n->optype->kind == TY_STRING) return string_binary(E, n);
  if (type_is_list(n->optype)) {  /* lists joined, or one repeated: a new list */
    if (n->op == T_PLUS) {
      Val ab[2] = {emit_expr(E, n->a), emit_expr(E, n->b)};
      return emit_call_rt(E, "rt_list_concat", "!llvm.ptr, !llvm.ptr", "!llvm.ptr", ab, 2);
    }
    bool list_first = type_is_list(n->a->type);
    Val args[2] = {emit_expr(E, list_first ? n->a : n->b), emit_expr_as(E, list_first ? n->b : n->a, TYPE(INT))};
    return emit_call_rt(E, "rt_list_repeat", "!llvm.ptr, i64", "!llvm.ptr", args, 2);
  }
  if (n->optype->kind == TY_PYOBJ) return emit_python_binary(E, n);
  if (type_is_pointer(n->optype)) {  /* p + i, p - i */
    Val p = emit_expr(E, n->a), i = emit_expr_as(E, n->b, TYPE(INT));
    if (n->op == T_MINUS) i = emit_binop(E, "arith.subi", emit_const_int(E, 0, "i64"), i, "i64", "");
    return emit_ptr_offset(E, p, i, n->optype);
  }
  return arith(E, n, false);
}

static Val unary(Emitter *E, Node *n) {
  Type *t = n->type;
  if (t->kind == TY_PYOBJ && n->op == T_MINUS) return emit_python_negate(E, n);
  Val a = emit_expr(E, n->a);
  if (n->op == T_PLUS) return a;
  if (t->is_float) {
    Val r = emit_new_val(E);
    OUT("  %%v%d = arith.negf %%v%d : %s\n", r, a, t->mlir);
    return r;
  }
  if (n->op == T_MINUS) return emit_binop(E, "arith.subi", emit_const_int(E, 0, t->mlir), a, t->mlir, "");
  return emit_binop(E, "arith.xori", a, emit_const_int(E, -1, t->mlir), t->mlir, "");
}

/* ---- comparisons and logic --------------------------------------------- */

static const char *int_pred(int op, bool is_signed) {
  switch (op) {
  case T_EQ: return "eq";
  case T_NE: return "ne";
  case T_LT: return is_signed ? "slt" : "ult";
  case T_LE: return is_signed ? "sle" : "ule";
  case T_GT: return is_signed ? "sgt" : "ugt";
  default: return is_signed ? "sge" : "uge";
  }
}

static const char *float_pred(int op) {
  switch (op) {
  case T_EQ: return "oeq";
  case T_NE: return "une";
  case T_LT: return "olt";
  case T_LE: return "ole";
  case T_GT: return "ogt";
  default: return "oge";
  }
}

static Val compare_values(Emitter *E, int op, Val a, Val b, const Type *t) {
  if (t->kind == TY_STRING) {
    Val args[2] = {a, b};
    Val c = emit_call_rt(E, "rt_str_cmp", "!llvm.ptr, !llvm.ptr", "i64", args, 2);
    return emit_cmp(E, "arith.cmpi", int_pred(op, true), c, emit_const_int(E, 0, "i64"), "i64");
  }
  if (t->is_float) return emit_cmp(E, "arith.cmpf", float_pred(op), a, b, t->mlir);
  return emit_cmp(E, "arith.cmpi", int_pred(op, t->is_signed), a, b, t->mlir);
}

/* a < b < c: each operand evaluated once; stops at the first false link. */
static Val string_contains(Emitter *E, Node *n) {
  Val needle = emit_expr(E, n->list.items[0]), hay = emit_expr(E, n->list.items[1]);
  Val args[2] = {hay, needle};
  Val r = emit_call_rt(E, "rt_str_contains", "!llvm.ptr, !llvm.ptr", "i32", args, 2);
  return emit_cmp(E, "arith.cmpi", n->ops[0] == T_KW_IN ? "ne" : "eq", r, emit_const_int(E, 0, "i32"), "i32");
}

/* x in lst / x not in lst: a scan for an equal element. */
static Val list_contains(Emitter *E, Node *n) {
  Type *lt = n->optype, *et = lt->elem;
  Val needle = emit_expr_as(E, n->list.items[0], et), list = emit_expr(E, n->list.items[1]);
  Val len = emit_call_rt(E, "rt_list_len", "!llvm.ptr", "i64", &list, 1);
  Val ctr = emit_alloca_tmp(E, "i64"), found = emit_alloca_tmp(E, "i1");
  emit_store_tmp(E, emit_const_int(E, 0, "i64"), ctr, "i64");
  emit_store_tmp(E, emit_const_int(E, 0, "i1"), found, "i1");
  int head = emit_new_block(E), body = emit_new_block(E), hit = emit_new_block(E), next = emit_new_block(E),
      done = emit_new_block(E);
  emit_br(E, head);
  emit_start_block(E, head);
  Val i = emit_load_tmp(E, ctr, "i64");
  emit_cond_br(E, emit_cmp(E, "arith.cmpi", "slt", i, len, "i64"), body, done);
  emit_start_block(E, body);
  Val x = emit_load_tmp(E, list_slot(E, list, i, n->line), et->mlir);
  emit_cond_br(E, compare_values(E, T_EQ, x, needle, et), hit, next);
  emit_start_block(E, hit);
  emit_store_tmp(E, emit_const_int(E, 1, "i1"), found, "i1");
  emit_br(E, done);
  emit_start_block(E, next);
  emit_store_tmp(E, emit_binop(E, "arith.addi", i, emit_const_int(E, 1, "i64"), "i64", ""), ctr, "i64");
  emit_br(E, head);
  emit_start_block(E, done);
  Val r = emit_load_tmp(E, found, "i1");
  return n->ops[0] == T_KW_IN ? r : emit_binop(E, "arith.xori", r, emit_const_int(E, 1, "i1"), "i1", "");
}

static Val compare(Emitter *E, Node *n) {
  Type *t = n->optype;
  int links = n->list.len - 1;
  if (t->kind == TY_PYOBJ) return emit_python_compare(E, n);
  if (type_is_list(t)) return list_contains(E, n);
  if (n->ops[0] == T_KW_IN || n->ops[0] == -T_KW_IN) return string_contains(E, n);
  Val left = emit_expr_as(E, n->list.items[0], t);
  if (type_is_pointer(t)) return emit_ptr_compare(E, n->ops[0], left, emit_expr(E, n->list.items[1]));
  if (type_is_optional(t)) {  /* x is None / x is not None */
    Val present = emit_optional_present(E, left, t);
    if (n->ops[0] == -T_KW_IS) return present;
    return emit_binop(E, "arith.xori", present, emit_const_int(E, 1, "i1"), "i1", "");
  }
  if (links == 1) return compare_values(E, n->ops[0], left, emit_expr_as(E, n->list.items[1], t), t);
  int done = emit_new_block(E);
  for (int i = 0; i < links; i++) {
    Val right = emit_expr_as(E, n->list.items[i + 1], t);
    Val c = compare_values(E, n->ops[i], left, right, t);
    if (i == links - 1) {
      OUT("  cf.br ^b%d(%%v%d : i1)\n", done, c);
      break;
    }
    int next = emit_new_block(E);
    Val f = emit_const_int(E, 0, "i1");
    OUT("  cf.cond_br %%v%d, ^b%d, ^b%d(%%v%d : i1)\n", c, next, done, f);
    emit_start_block(E, next);
    left = right;
  }
  Val r = emit_new_val(E);
  OUT("^b%d(%%v%d: i1):\n", done, r);
  E->open = true;
  return r;
}

/* `a and b` / `a or b`: returns an operand (same types) or a Bool. */
static Val logic(Emitter *E, Node *n) {
  Type *t = n->optype;
  bool as_bool = t->kind == TY_BOOL;
  Val a = as_bool ? emit_truthy(E, emit_expr(E, n->a), n->a->type) : emit_expr_as(E, n->a, t);
  Val ta = as_bool ? a : emit_truthy(E, a, t);
  int rhs = emit_new_block(E), done = emit_new_block(E);
  if (n->op == T_KW_AND)
    OUT("  cf.cond_br %%v%d, ^b%d, ^b%d(%%v%d : %s)\n", ta, rhs, done, a, t->mlir);
  else
    OUT("  cf.cond_br %%v%d, ^b%d(%%v%d : %s), ^b%d\n", ta, done, a, t->mlir, rhs);
  emit_start_block(E, rhs);
  Val b = as_bool ? emit_truthy(E, emit_expr(E, n->b), n->b->type) : emit_expr_as(E, n->b, t);
  OUT("  cf.br ^b%d(%%v%d : %s)\n", done, b, t->mlir);
  Val r = emit_new_val(E);
  OUT("^b%d(%%v%d: %s):\n", done, r, t->mlir);
  return r;
}

static Val ternary(Emitter *E, Node *n) {
  Type *t = n->optype;
  Val c = emit_truthy(E, emit_expr(E, n->a), n->a->type);
  int tb = emit_new_block(E), eb = emit_new_block(E), done = emit_new_block(E);
  emit_cond_br(E, c, tb, eb);
  emit_start_block(E, tb);
  Val x = emit_expr_as(E, n->b, t);
  OUT("  cf.br ^b%d(%%v%d : %s)\n", done, x, t->mlir);
  emit_start_block(E, eb);
  Val y = emit_expr_as(E, n->c, t);
  OUT("  cf.br ^b%d(%%v%d : %s)\n", done, y, t->mlir);
  Val r = emit_new_val(E);
  OUT("^b%d(%%v%d: %s):\n", done, r, t->mlir);
  return r;
}

/* ---- calls ------------------------------------------------------------- */


/* ---- lists ---------------------------------------------------------------- */

/* sizeof(T) as LLVM lays it out: the address of element 1 from null. */

static void list_append(Emitter *E, Val list, Val v, const Type *elem) {
  Val slot = emit_call_rt(E, "rt_list_append_slot", "!llvm.ptr", "!llvm.ptr", &list, 1);
  OUT("  llvm.store %%v%d, %%v%d : %s, !llvm.ptr\n", v, slot, elem->mlir);
}

/* [a, b] and List[T](a, b): a new list holding the elements. */
static Val build_list(Emitter *E, const NodeList *items, const Type *list_type) {
  const Type *elem = list_type->elem;
  Val args[2] = {emit_elem_size(E, elem), emit_const_int(E, items->len, "i64")};
  Val list = emit_call_rt(E, "rt_list_new", "i64, i64", "!llvm.ptr", args, 2);
  for (int i = 0; i < items->len; i++)
    list_append(E, list, copy_value(E, items->items[i], (Type *)elem), elem);
  return list;
}

/* A pointer to element i (after the IndexError check). */
static Val list_slot(Emitter *E, Val list, Val i, int line) {
  Val args[4] = {list, i, emit_cell_key(E), emit_const_int(E, line, "i32")};
  Val p = emit_call_rt(E, "rt_list_at", "!llvm.ptr, i64, !llvm.ptr, i32", "!llvm.ptr", args, 4);
  emit_check_pending_rt(E, line);
  return p;
}

/* lst[a:b:c]: a new list of those elements, with Python's rules for
   negative and missing bounds (a step of 0 is a ValueError). */
static Val list_slice(Emitter *E, Node *n) {
  Node *sl = n->list.items[0], *parts[3] = {sl->a, sl->b, sl->c};
  Val args[7] = {emit_expr(E, n->a)};
  int given = 0;
  for (int i = 0; i < 3; i++) {
    args[i + 1] = parts[i] ? emit_expr_as(E, parts[i], TYPE(INT)) : emit_const_int(E, 0, "i64");
    given |= parts[i] ? 1 << i : 0;
  }
  args[4] = emit_const_int(E, given, "i32");
  args[5] = emit_cell_key(E);
  args[6] = emit_const_int(E, n->line, "i32");
  Val r = emit_call_rt(E, "rt_list_slice", "!llvm.ptr, i64, i64, i64, i32, !llvm.ptr, i32", "!llvm.ptr", args, 7);
  emit_check_pending_rt(E, n->line);
  return r;
}

/* lst[i] as a value read in place (an element is a place: copy_value
   copies it where a copy is kept, as var e = lst[i] does). */
static Val list_index(Emitter *E, Node *n) {
  Val list = emit_expr(E, n->a);
  Val p = list_slot(E, list, emit_expr_as(E, n->list.items[0], TYPE(INT)), n->line);
  return emit_load_tmp(E, p, n->type->mlir);
}

static Val list_method(Emitter *E, Node *n) {
  Node *recv = n->a->a;
  const Type *elem = recv->type->elem;
  Val list = emit_expr(E, recv);
  if (n->op == 1) {
    list_append(E, list, copy_value(E, n->list.items[0], (Type *)elem), elem);
    return 0;
  }
  if (n->op == 3) {
    emit_call_rt(E, "rt_list_clear", "!llvm.ptr", NULL, &list, 1);
    return 0;
  }
  Val i = n->list.len ? emit_expr_as(E, n->list.items[0], TYPE(INT)) : emit_const_int(E, -1, "i64");
  Val args[4] = {list, i, emit_cell_key(E), emit_const_int(E, n->line, "i32")};
  Val p = emit_call_rt(E, "rt_list_pop_slot", "!llvm.ptr, i64, !llvm.ptr, i32", "!llvm.ptr", args, 4);
  emit_check_pending_rt(E, n->line);
  return emit_load_tmp(E, p, elem->mlir);
}

/* ---- structs: places and fields ----------------------------------------- */

/* Expressions with storage: variables and fields of them. */
static bool is_place(const Node *n);
bool emit_is_place(const Node *n) { return is_place(n); }

/* A variable, a field of a place, or an element of a List: storage that
   a read copies from and a method changes in place (grid[0].append(1)). */
static bool is_place(const Node *n) {
  if (n->kind == N_NAME) return n->sym && n->sym->kind == SYM_VAR && n->type->kind != TY_NONE;
  if (n->kind == N_ATTR) return type_is_struct(n->a->type) && is_place(n->a);
  if (n->kind == N_INDEX) return n->a->type && type_is_list(n->a->type) && n->list.len == 1 &&
                                 n->list.items[0]->kind != N_SLICE;
  return false;
}

static Val field_ptr(Emitter *E, Val base, const Type *st, int index) {
  char nb[24];
  Val r = emit_new_val(E);
  OUT("  %%v%d = llvm.getelementptr %s[0, %d] : (!llvm.ptr) -> !llvm.ptr, %s\n", r,
      emit_val_name(base, nb), index, st->mlir);
  return r;
}

static Val place_ptr(Emitter *E, Node *n) {
  if (n->kind == N_NAME) return var_ptr(E, n->sym);
  if (n->kind == N_INDEX)  /* the list's slot (an IndexError raises) */
    return list_slot(E, emit_expr(E, n->a), emit_expr_as(E, n->list.items[0], TYPE(INT)), n->line);
  return field_ptr(E, place_ptr(E, n->a), n->a->type, (int)n->ival);
}

/* The address of a variable or field as a %v value. */
Val emit_place_ptr(Emitter *E, Node *n) {
  char nb[24];
  Val p = place_ptr(E, n);
  if (p > 0) return p;
  Val r = emit_new_val(E);
  OUT("  %%v%d = llvm.getelementptr %s[0] : (!llvm.ptr) -> !llvm.ptr, i8\n", r, emit_val_name(p, nb));
  return r;
}

static Val field_value(Emitter *E, Node *n) {
  if (is_place(n)) return emit_load_tmp(E, place_ptr(E, n), emit_mlir_type(n->type));
  Val agg = emit_expr(E, n->a), r = emit_new_val(E);
  OUT("  %%v%d = llvm.extractvalue %%v%d[%d] : %s\n", r, agg, (int)n->ival, n->a->type->mlir);
  if (needs_destroy(n->a->type)) {  /* a temporary read for one field dies now */
    Val tmp = emit_alloca_tmp(E, n->a->type->mlir);
    emit_store_tmp(E, agg, tmp, n->a->type->mlir);
    destroy_at(E, tmp, n->a->type);
  }
  return r;
}

static void store_place(Emitter *E, Node *target, Val v) {
  emit_store_tmp(E, v, place_ptr(E, target), emit_mlir_type(target->type));
}

/* __str__ / __repr__ of a struct value, by its zero-argument method. */
static Val struct_text(Emitter *E, Val v, const Type *t, const char *method) {
  Symbol *m = check_method_named(t, method, 0);
  if (!m) {
    char text[160];
    snprintf(text, sizeof text, "<%s value>", t->name);
    return emit_const_string(E, text, (int64_t)strlen(text));
  }
  Val tmp = emit_alloca_tmp(E, t->mlir);
  emit_store_tmp(E, v, tmp, t->mlir);
  return emit_call(E, m, tmp, NULL, 0);
}


/* A pointer to n's value: its storage when it has one, else a spilled copy. */
static Val value_ptr(Emitter *E, Node *n) {
  if (is_place(n)) return place_ptr(E, n);
  Val v = emit_expr(E, n);
  Val tmp = emit_alloca_tmp(E, emit_mlir_type(n->type));
  emit_store_tmp(E, v, tmp, emit_mlir_type(n->type));
  return tmp;
}

/* The environment of closure `root` here: received as an argument, or
   made now from the addresses of the variables it captures. */
static Val env_for(Emitter *E, const Symbol *root) {
  for (int i = 0; i < E->nenvs; i++)
    if (E->envs_root[i] == root) return E->envs_val[i];
  Val env = emit_new_val(E);
  buf_printf(&E->allocas, "  %%n%d = llvm.mlir.constant(%d : i64) : i64\n", env, root->ncaptures + 1);
  buf_printf(&E->allocas, "  %%v%d = llvm.alloca %%n%d x !llvm.ptr : (i64) -> !llvm.ptr\n", env, env);
  for (int i = 0; i < root->ncaptures; i++) {
    Val p = var_ptr(E, root->captures[i]), slot = emit_new_val(E);
    char nb[24];
    OUT("  %%v%d = llvm.getelementptr %%v%d[%d] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr\n", slot, env, i);
    OUT("  llvm.store %s, %%v%d : !llvm.ptr, !llvm.ptr\n", emit_val_name(p, nb), slot);
  }
  return env;
}

/* After the pool returns: a Ctrl-C it saw, or the KeyboardInterrupt a
   body's loop raised, stops the cell here. */
static void poll_after_parallel(Emitter *E, int line) {
  poll_interrupt(E, line);
  emit_check_pending(E, line);
}

/* parallelize[func](n, workers): the runtime's pool calls func(i, env) from
   its threads; a closure gets its environment, a plain fn ignores it. */
Val emit_parallelize(Emitter *E, Node *n) {
  Symbol *f = n->list3.items[0]->sym;
  need_symbol(E, f);
  Val fp = emit_new_val(E);
  const Symbol *roots[16];
  bool has_env = env_roots(f, roots) > 0;
  const char *fty = has_env ? "(i64, !llvm.ptr) -> ()" : "(i64) -> ()";
  OUT("  %%v%d = func.constant @\"%s\" : %s\n", fp, f->mangled, fty);
  Val ptr = emit_new_val(E);
  OUT("  %%v%d = builtin.unrealized_conversion_cast %%v%d : %s to !llvm.ptr\n", ptr, fp, fty);
  Val env = has_env ? env_for(E, roots[0]) : 0;
  if (!env) {
    env = emit_new_val(E);
    OUT("  %%v%d = llvm.mlir.zero : !llvm.ptr\n", env);
  }
  Val count = emit_expr_as(E, n->list.items[0], TYPE(INT));
  Val workers = n->list.len > 1 ? emit_expr_as(E, n->list.items[1], TYPE(INT)) : emit_const_int(E, 0, "i64");
  Val args[4] = {ptr, env, count, workers};
  emit_call_rt(E, "rt_parallelize", "!llvm.ptr, !llvm.ptr, i64, i64", NULL, args, 4);
  poll_after_parallel(E, n->line);
  return 0;
}

/* ---- copies of small functions from earlier cells ----------------------
 * Each cell is its own LLVM module, so a call to a method defined in an
 * earlier cell could not be inlined (Matrix.load in a matmul loop). Small
 * functions (and @always_inline ones) of earlier cells are therefore
 * emitted again in the calling module as private copies, which LLVM
 * inlines and then drops. */

static bool is_loop_node(const Node *n, const void *unused) {
  (void)unused;
  return n->kind == N_FOR || n->kind == N_WHILE || n->kind == N_TRY;
}

static int count_nodes(const Node *n) {
  if (!n) return 0;
  int c = 1 + count_nodes(n->a) + count_nodes(n->b) + count_nodes(n->c);
  const NodeList *ls[3] = {&n->list, &n->list2, &n->list3};
  for (int k = 0; k < 3; k++)
    for (int i = 0; i < ls[k]->len; i++) c += count_nodes(ls[k]->items[i]);
  return c;
}

static bool copyable(Emitter *E, const Symbol *fn) {
  if (E->device) return fn->decl && fn->decl->kind == N_FN_DEF;  /* the device module has all it calls */
  if (fn->cell == E->cell->cell || !fn->decl || fn->decl->kind != N_FN_DEF || fn->closure_root ||
      fn->nenv_params || !fn->checked)
    return false;
  if (check_has_decorator(fn->decl, "always_inline")) return true;
  for (int i = 0; i < fn->decl->list2.len; i++)
    if (node_any(fn->decl->list2.items[i], is_loop_node, NULL)) return false;
  int size = 0;
  for (int i = 0; i < fn->decl->list2.len; i++) size += count_nodes(fn->decl->list2.items[i]);
  return size <= 60;
}

/* The symbol of fn's private copy: "<mangled>.copy"; in the device module
   letters, digits and _ only, because NVVM's lowering gives each function
   an external C wrapper (_mlir_ciface_<name>) whose name goes into the PTX
   unescaped. */
const char *emit_copy_symbol(Emitter *E, const Symbol *fn, char *buf, size_t size) {
  if (!E->device) {
    snprintf(buf, size, "%s.copy", fn->mangled);
    return buf;
  }
  size_t n = (size_t)snprintf(buf, size, "dev_");
  for (const char *p = fn->mangled; *p && n + 4 < size; p++) {
    bool plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9');
    if (plain) buf[n++] = *p;
    else n += (size_t)snprintf(buf + n, size - n, *p == '_' ? "__" : "_%02x", (unsigned char)*p);
  }
  buf[n] = 0;
  return buf;
}

/* The name to call fn by here: its private copy when it is copied. */
const char *emit_callee_name(Emitter *E, const Symbol *fn, char *buf, size_t size) {
  if (!copyable(E, fn)) return fn->mangled;
  emit_copy_symbol(E, fn, buf, size);
  if (emit_declare_once(E, buf)) {
    if (E->ncopies == E->capcopies) {
      E->capcopies = E->capcopies ? E->capcopies * 2 : 8;
      E->copies = realloc(E->copies, sizeof(Symbol *) * (size_t)E->capcopies);
    }
    E->copies[E->ncopies++] = fn;
  }
  return buf;
}

static Val emit_call(Emitter *E, Symbol *fn, Val self, Node **args, int line) {
  char copy_name[512];
  const char *callee = emit_callee_name(E, fn, copy_name, sizeof copy_name);
  if (callee == fn->mangled && E->device) {
    char what[300];
    snprintf(what, sizeof what, "'%s', which has no source to compile for the GPU", fn->name);
    emit_device_unsupported(E, what);
  }
  if (callee == fn->mangled) need_symbol(E, fn);
  const Symbol *roots[16];
  int nroots = env_roots(fn, roots);
  int k = 0, nargs = fn->nparams + (self != 0) + nroots, ntemps = 0;
  Val *vals = calloc((size_t)nargs + 1, sizeof(Val));
  Node **temps = calloc((size_t)fn->nparams + 1, sizeof(Node *));
  Val *temp_ptrs = calloc((size_t)fn->nparams + 1, sizeof(Val));
  if (self) vals[k++] = self;
  bool moving = fn->owner && !strcmp(fn->name, "__moveinit__");  /* the source is moved, not copied */
  for (int i = 0; i < fn->nparams; i++) {
    Node *a = args[i];
    if (!check_param_byref(fn, i))
      vals[k++] = moving ? emit_expr_as(E, a, fn->param_types[i]) : copy_value(E, a, fn->param_types[i]);
    else {
      vals[k++] = value_ptr(E, a);
      if (!is_place(a) && needs_destroy(a->type)) {  /* a temporary passed by reference */
        temps[ntemps] = a;
        temp_ptrs[ntemps++] = vals[k - 1];
      }
    }
  }
  for (int i = 0; i < nroots; i++) vals[k++] = env_for(E, roots[i]);
  bool has_result = fn->type && fn->type->kind != TY_NONE;
  Val r = has_result ? emit_new_val(E) : 0;
  if (has_result) OUT("  %%v%d = ", r);
  else OUT("  ");
  char nb[24];
  OUT("func.call @\"%s\"(", callee);
  for (int i = 0; i < nargs; i++) OUT("%s%s", i ? ", " : "", emit_val_name(vals[i], nb));
  OUT(") : ");
  Buf sig = {0};
  emit_fn_signature(&sig, fn, false);
  if (!has_result) buf_puts(&sig, " -> ()");
  OUT("%s\n", buf_str(&sig));
  buf_free(&sig);
  for (int i = 0; i < ntemps; i++) destroy_at(E, temp_ptrs[i], temps[i]->type);
  free(vals);
  free(temps);
  free(temp_ptrs);
  if (fn->may_raise) emit_check_pending(E, line);
  return r;
}

static Val user_call(Emitter *E, Node *n) {
  Symbol *fn = n->sym;
  if (n->flags & CALL_CTOR) {  /* T(args): __init__ fills a fresh slot */
    const char *ty = emit_mlir_type(fn->owner);
    Val tmp = emit_alloca_tmp(E, ty);
    emit_call(E, fn, tmp, n->list.items, n->line);
    return emit_load_tmp(E, tmp, ty);
  }
  Node *recv = check_has_self(fn) ? n->a->a : NULL;
  Val self = recv ? value_ptr(E, recv) : 0;
  Val r = emit_call(E, fn, self, n->list.items, n->line);
  if (recv && !is_place(recv) && needs_destroy(recv->type) && E->open)
    destroy_at(E, self, recv->type);  /* a temporary receiver dies after the call */
  return r;
}

static Val kwarg_string(Emitter *E, Node *call, const char *name, const char *dflt) {
  for (int i = 0; i < call->list2.len; i++)
    if (strcmp(call->list2.items[i]->name, name) == 0) return emit_expr(E, call->list2.items[i]->a);
  return emit_const_string(E, dflt, (int64_t)strlen(dflt));
}

static void write_str(Emitter *E, Val s) { emit_call_rt(E, "rt_write_str", "!llvm.ptr", NULL, &s, 1); }

static Node *kwarg(Node *call, const char *name) {
  for (int i = 0; i < call->list2.len; i++)
    if (strcmp(call->list2.items[i]->name, name) == 0) return call->list2.items[i]->a;
  return NULL;
}

/* Text to stdout (fd 0: no file= given) or to the descriptor's stream. */
static void write_to(Emitter *E, Val fd, Val text) {
  if (!fd) {
    write_str(E, text);
    return;
  }
  Val args[2] = {fd, text};
  emit_call_rt(E, "rt_write_fd_str", "i64, !llvm.ptr", NULL, args, 2);
}

/* Python evaluates every argument before printing any of them. With
   file=stderr (2) the text goes to the error stream. */
static Val print_call(Emitter *E, Node *n) {
  if (E->device) emit_device_unsupported(E, "print");
  Val *texts = calloc((size_t)n->list.len + 1, sizeof(Val));
  for (int i = 0; i < n->list.len; i++) {
    Node *a = n->list.items[i];
    texts[i] = emit_to_string(E, emit_expr(E, a), a->type);
  }
  Val sep = n->list.len > 1 ? kwarg_string(E, n, "sep", " ") : 0;
  Val end = kwarg_string(E, n, "end", "\n");
  Node *file = kwarg(n, "file");
  Val fd = file ? emit_expr_as(E, file, TYPE(INT)) : 0;
  for (int i = 0; i < n->list.len; i++) {
    if (i) write_to(E, fd, sep);
    write_to(E, fd, texts[i]);
  }
  write_to(E, fd, end);
  free(texts);
  if (kwarg(n, "flush")) emit_call_rt(E, "rt_flush", "", NULL, NULL, 0);
  return 0;
}

static Val minmax(Emitter *E, Node *n, bool is_max) {
  Type *t = n->optype;
  Val acc = emit_expr_as(E, n->list.items[0], t);
  for (int i = 1; i < n->list.len; i++) {
    Val b = emit_expr_as(E, n->list.items[i], t);
    /* Python keeps the first of equal values: replace only when strictly better */
    Val better = compare_values(E, is_max ? T_GT : T_LT, b, acc, t);
    acc = emit_select(E, better, b, acc, t->mlir);
  }
  return acc;
}

static Val abs_value(Emitter *E, Node *n) {
  Type *t = n->type;
  Val a = emit_expr(E, n->list.items[0]);
  if (t->is_float) {
    Val r = emit_new_val(E);
    OUT("  %%v%d = math.absf %%v%d : %s\n", r, a, t->mlir);
    return r;
  }
  if (!t->is_signed) return a;
  Val neg = emit_binop(E, "arith.subi", emit_const_int(E, 0, t->mlir), a, t->mlir, "");
  Val is_neg = emit_cmp(E, "arith.cmpi", "slt", a, emit_const_int(E, 0, t->mlir), t->mlir);
  return emit_select(E, is_neg, neg, a, t->mlir);
}

static Val zero_of(Emitter *E, Type *t) {
  if (t->kind == TY_STRING) return emit_const_string(E, "", 0);
  if (type_is_struct(t)) {
    Val r = emit_new_val(E);
    OUT("  %%v%d = llvm.mlir.zero : %s\n", r, t->mlir);
    return r;
  }
  if (t->kind == TY_ERROR) return emit_convert(E, emit_const_string(E, "", 0), TYPE(STRING), t);
  if (t->is_float) return emit_const_float(E, 0.0, t);
  return emit_const_int(E, 0, t->mlir);
}

static Val builtin_call(Emitter *E, Node *n) {
  Symbol *s = n->a->sym;
  if (s->kind == SYM_TYPE || s->builtin == BI_STR || s->builtin == BI_INT ||
      s->builtin == BI_FLOAT || s->builtin == BI_BOOL) {
    if (!n->list.len) return zero_of(E, n->type);
    Node *a = n->list.items[0];
    if (a->type->kind == TY_STRING && type_is_numeric(n->type)) {  /* Int("42") */
      bool to_float = n->type->is_float;
      Val args[3] = {emit_expr(E, a), emit_cell_key(E), emit_const_int(E, n->line, "i32")};
      Val v = emit_call_rt(E, to_float ? "rt_str_to_f64" : "rt_str_to_i64", "!llvm.ptr, !llvm.ptr, i32",
                      to_float ? "f64" : "i64", args, 3);
      emit_check_pending_rt(E, n->line);
      return emit_convert(E, v, to_float ? TYPE(F64) : TYPE(INT), n->type);
    }
    return emit_expr_as(E, a, n->type);
  }
  switch (s->builtin) {
  case BI_PRINT: return print_call(E, n);
  case BI_LEN: {
    Val v = emit_expr(E, n->list.items[0]);
    bool list = type_is_list(n->list.items[0]->type);
    return emit_call_rt(E, list ? "rt_list_len" : "rt_str_len", "!llvm.ptr", "i64", &v, 1);
  }
  case BI_ABS: return abs_value(E, n);
  case BI_MIN: return minmax(E, n, false);
  case BI_MAX: return minmax(E, n, true);
  case BI_NOW: return emit_call_rt(E, "rt_now_ns", "", "i64", NULL, 0);
  case BI_DISPLAY: {
    Node *x = n->list.items[0];
    if (x->type->kind == TY_PYOBJ && n->list.len == 1) {
      Val o = emit_expr(E, x);
      emit_call_rt(E, "rt_py_display", "!llvm.ptr", NULL, &o, 1);
      return 0;
    }
    Val args[2] = {0, emit_to_string(E, emit_expr(E, x), x->type)};
    args[0] = n->list.len == 2 ? emit_expr(E, n->list.items[1]) : emit_const_string(E, "text/plain", 10);
    emit_call_rt(E, "rt_display", "!llvm.ptr, !llvm.ptr", NULL, args, 2);
    return 0;
  }
  case BI_CLEAR_OUTPUT: {
    Val w = n->list.len ? emit_op1(E, "arith.extui", emit_expr(E, n->list.items[0]), "i1", "i32")
                        : emit_const_int(E, 0, "i32");
    emit_call_rt(E, "rt_clear_output", "i32", NULL, &w, 1);
    return 0;
  }
  case BI_INPUT: {
    Val prompt = n->list.len ? emit_expr(E, n->list.items[0]) : emit_const_string(E, "", 0);
    Val args[3] = {prompt, emit_cell_key(E), emit_const_int(E, n->line, "i32")};
    Val r = emit_call_rt(E, "rt_input", "!llvm.ptr, !llvm.ptr, i32", "!llvm.ptr", args, 3);
    emit_check_pending_rt(E, n->line);
    return r;
  }
  default: return 0;
  }
}

/* s.method(args): the runtime function takes s, then (strip only) the side
   as an i32, then the String arguments; a left-out last one is NULL. */
static Val split_or_join(Emitter *E, Node *n) {
  Val s = emit_expr(E, n->a->a);
  if (n->op == 101) {  /* sep.join(parts) */
    Val args[2] = {s, emit_expr(E, n->list.items[0])};
    return emit_call_rt(E, "rt_str_join", "!llvm.ptr, !llvm.ptr", "!llvm.ptr", args, 2);
  }
  Val sep;
  if (n->list.len) sep = emit_expr(E, n->list.items[0]);
  else {
    sep = emit_new_val(E);
    OUT("  %%v%d = llvm.mlir.zero : !llvm.ptr\n", sep);
  }
  Val args[4] = {s, sep, emit_cell_key(E), emit_const_int(E, n->line, "i32")};
  Val r = emit_call_rt(E, "rt_str_split", "!llvm.ptr, !llvm.ptr, !llvm.ptr, i32", "!llvm.ptr", args, 4);
  emit_check_pending_rt(E, n->line);
  return r;
}

static Val string_method(Emitter *E, Node *n) {
  if (n->op >= 100) return split_or_join(E, n);
  const StringMethod *m = &check_string_methods[n->op - 1];
  Val args[4];
  char types[64] = "!llvm.ptr";
  int k = 0;
  args[k++] = emit_expr(E, n->a->a);
  if (m->extra) {
    args[k++] = emit_const_int(E, m->extra, "i32");
    strcat(types, ", i32");
  }
  for (int i = 0; i < m->nargs; i++) {
    if (i < n->list.len) args[k++] = emit_expr(E, n->list.items[i]);
    else {
      args[k] = emit_new_val(E);
      OUT("  %%v%d = llvm.mlir.zero : !llvm.ptr\n", args[k++]);
    }
    strcat(types, ", !llvm.ptr");
  }
  const char *ret = m->result == TY_STRING ? "!llvm.ptr" : m->result == TY_INT ? "i64" : "i32";
  Val r = emit_call_rt(E, m->runtime, types, ret, args, k);
  if (m->result == TY_BOOL) r = emit_cmp(E, "arith.cmpi", "ne", r, emit_const_int(E, 0, "i32"), "i32");
  return r;
}

static Val struct_literal(Emitter *E, Node *n) {
  const Type *t = n->type;
  Val agg = emit_new_val(E);
  OUT("  %%v%d = llvm.mlir.undef : %s\n", agg, t->mlir);
  for (int i = 0; i < n->list2.len; i++) {
    Node *kw = n->list2.items[i];
    int k = (int)kw->ival;
    Val v = copy_value(E, kw->a, t->st->field_types[k]), r = emit_new_val(E);
    OUT("  %%v%d = llvm.insertvalue %%v%d, %%v%d[%d] : %s\n", r, v, agg, k, t->mlir);
    agg = r;
  }
  return agg;
}

static Val call(Emitter *E, Node *n) {
  if (n->flags & CALL_INTRINSIC) return emit_intrinsic(E, n);
  if (n->flags & CALL_STRUCT_LIT) return struct_literal(E, n);
  if (n->a->kind == N_INDEX && type_is_list(n->type)) return build_list(E, &n->list, n->type);
  if (n->a->kind == N_ATTR && n->a->a->type && type_is_list(n->a->a->type)) return list_method(E, n);
  if (n->op && n->a->kind == N_ATTR && n->a->a->type->kind == TY_STRING) return string_method(E, n);
  if (n->sym && n->sym->kind == SYM_FN) return user_call(E, n);
  return builtin_call(E, n);
}


static Val string_slice(Emitter *E, Node *n, Node *sl) {
  Val s = emit_expr(E, n->a);
  Val start = sl->a ? emit_expr_as(E, sl->a, TYPE(INT)) : emit_const_int(E, 0, "i64");
  Val stop = sl->b ? emit_expr_as(E, sl->b, TYPE(INT)) : emit_const_int(E, 0, "i64");
  Val step = sl->c ? emit_expr_as(E, sl->c, TYPE(INT)) : emit_const_int(E, 1, "i64");
  Val args[8] = {s, start, stop, step, emit_const_int(E, sl->a != NULL, "i32"),
                 emit_const_int(E, sl->b != NULL, "i32"), emit_cell_key(E), emit_const_int(E, n->line, "i32")};
  Val r = emit_call_rt(E, "rt_str_slice", "!llvm.ptr, i64, i64, i64, i32, i32, !llvm.ptr, i32",
                  "!llvm.ptr", args, 8);
  if (sl->c) emit_check_pending_rt(E, n->line);
  return r;
}

/* One f-string field: str(x), repr(x) with !r, or x formatted by a spec. */
static Val format_field(Emitter *E, Node *n) {
  Type *t = n->a->type;
  Val v = emit_expr(E, n->a);
  if (n->op == 'r') {  /* !r: the repr, then any spec applies to that text */
    v = t->kind == TY_STRING ? emit_call_rt(E, "rt_str_repr", "!llvm.ptr", "!llvm.ptr", &v, 1)
        : check_method_named(t, "__repr__", 0) ? struct_text(E, v, t, "__repr__")
                            : emit_to_string(E, v, t);
    t = TYPE(STRING);
  }
  if (!n->str || !*n->str) return emit_to_string(E, v, t);
  Val spec = emit_const_string(E, n->str, (int64_t)strlen(n->str));
  const char *fn = "rt_format_str_spec", *vt = "!llvm.ptr";
  if (t->is_float) {
    v = emit_convert(E, v, t, TYPE(F64));
    fn = "rt_format_f64_spec", vt = "f64";
  } else if (t->is_int) {
    v = emit_convert(E, v, t, t->is_signed ? TYPE(INT) : TYPE(U64));
    fn = "rt_format_i64_spec", vt = "i64";
  }
  char types[64];
  snprintf(types, sizeof types, "%s, !llvm.ptr, !llvm.ptr, i32", vt);
  Val args[4] = {v, spec, emit_cell_key(E), emit_const_int(E, n->line, "i32")};
  Val r = emit_call_rt(E, fn, types, "!llvm.ptr", args, 4);
  emit_check_pending_rt(E, n->line);
  return r;
}

static Val string_index(Emitter *E, Node *n) {
  Val s = emit_expr(E, n->a);
  Val i = emit_expr_as(E, n->list.items[0], TYPE(INT));
  Val args[4] = {s, i, emit_cell_key(E), emit_const_int(E, n->line, "i32")};
  Val r = emit_call_rt(E, "rt_str_getitem", "!llvm.ptr, i64, !llvm.ptr, i32", "!llvm.ptr", args, 4);
  emit_check_pending_rt(E, n->line);
  return r;
}

static Val alias_value(Emitter *E, const Symbol *s) {
  const ConstVal *v = &s->value;
  if (v->type->kind == TY_STRING) return emit_const_string(E, v->s, v->slen);
  if (v->type->is_float) return emit_const_float(E, v->f, v->type);
  return emit_const_int(E, v->i, v->type->mlir);
}

/* An untyped def as a Python callable (see the checker's function_value):
   its instance over objects, called through python/pyobj.c. */
static Val function_value(Emitter *E, const Symbol *fn) {
  need_symbol(E, fn);
  Buf sig = {0};
  emit_fn_signature(&sig, fn, false);
  if (!fn->type || fn->type->kind == TY_NONE) buf_puts(&sig, " -> ()");
  Val f = emit_new_val(E), p = emit_new_val(E);
  OUT("  %%v%d = func.constant @\"%s\" : %s\n", f, fn->mangled, buf_str(&sig));
  OUT("  %%v%d = builtin.unrealized_conversion_cast %%v%d : %s to !llvm.ptr\n", p, f, buf_str(&sig));
  buf_free(&sig);
  const Type *r = fn->type;
  int kind = !r || r->kind == TY_NONE ? 0 : r->kind == TY_PYOBJ ? 1 : r->kind == TY_BOOL ? 2
           : r->is_float ? 3 : r->kind == TY_STRING ? 5 : 4;  /* what the callable converts the result from */
  Val args[3] = {p, emit_const_int(E, fn->nparams, "i64"), emit_const_int(E, kind, "i64")};
  return emit_call_rt(E, "rt_py_function", "!llvm.ptr, i64, i64", "!llvm.ptr", args, 3);
}

Val emit_expr(Emitter *E, Node *n) {
  switch (n->kind) {
  case N_INT: return emit_const_int(E, (int64_t)n->ival, n->type->mlir);
  case N_FLOAT: return emit_const_float(E, n->fval, n->type);
  case N_BOOL: return emit_const_int(E, (int64_t)n->ival, "i1");
  case N_STR: return emit_const_string(E, n->str, n->slen);
  case N_NONE: return 0;
  case N_NAME:
    if (n->sym->kind == SYM_ALIAS) return alias_value(E, n->sym);
    if (n->sym->kind == SYM_FN) return function_value(E, n->sym);
    return load_var(E, n->sym);
  case N_BINARY: return binary(E, n);
  case N_UNARY: return unary(E, n);
  case N_NOT: {
    Val c = emit_truthy(E, emit_expr(E, n->a), n->a->type);
    return emit_binop(E, "arith.xori", c, emit_const_int(E, 1, "i1"), "i1", "");
  }
  case N_LOGIC: return logic(E, n);
  case N_COMPARE: return compare(E, n);
  case N_TERNARY: return ternary(E, n);
  case N_CALL: return call(E, n);
  case N_LISTCOMP:  /* its statements fill the list, which is the value (see the checker) */
    for (int i = 0; i < n->list2.len && E->open; i++) stmt(E, n->list2.items[i]);
    return load_var(E, n->sym);
  case N_COMP_APPEND: {
    Val list = load_var(E, n->sym);
    if (n->op || n->sym->type->kind == TY_PYOBJ) {
      emit_python_list_append(E, n, list);
      return 0;
    }
    const Type *elem = n->sym->type->elem;
    list_append(E, list, copy_value(E, n->a, (Type *)elem), elem);
    return 0;
  }
  case N_SET:
    if (!n->list.len) return emit_call_rt(E, "rt_py_new_set", "", "!llvm.ptr", NULL, 0);  /* a comprehension's */
    return emit_python_set(E, n);
  case N_LIST:
    if (n->type->kind == TY_PYOBJ) {  /* `[]` in untyped code: a Python list */
      Val zero = emit_const_int(E, 0, "i64");
      return emit_call_rt(E, "rt_py_new_list", "i64", "!llvm.ptr", &zero, 1);
    }
    return build_list(E, &n->list, n->type);
  case N_TUPLE: return emit_tuple_literal(E, n);
  case N_DICT: return emit_python_dict(E, n);
  case N_INDEX:
    if (type_is_list(n->a->type) && n->list.items[0]->kind == N_SLICE) return list_slice(E, n);
    if (type_is_list(n->a->type)) return list_index(E, n);
    if (type_is_simd(n->a->type)) return emit_simd_index(E, n);
    if (type_is_tuple(n->a->type)) return emit_tuple_index(E, n);
    if (type_is_scalar(n->a->type) && n->a->type->kind != TY_BOOL) return emit_expr(E, n->a);  /* x[0] of a scalar */
    if (type_is_py(n->a->type)) return emit_python_index(E, n);
    if (type_is_pointer(n->a->type)) return emit_ptr_index(E, n);
    if (n->list.items[0]->kind == N_SLICE) return string_slice(E, n, n->list.items[0]);
    return string_index(E, n);
  case N_FORMAT: return format_field(E, n);
  case N_ATTR:
    if (n->type->kind == TY_DTYPE) return emit_const_int(E, (int64_t)n->ival, "i8");
    if (n->type->kind == TY_MLIR && n->a->kind == N_NAME && !strcmp(n->a->name, "__mlir_attr"))
      return emit_mlir_attr(E, n);
    if (n->a->type && type_is_py(n->a->type)) return emit_python_getattr(E, n);
    return field_value(E, n);
  case N_TRANSFER: return transfer(E, n);
  default: return 0;
  }
}


/* ---- lifetimes: destructors, copies, moves ------------------------------
 *
 * A local declared with `var` whose type has a destructor (__del__, or a
 * field that has one) is destroyed right after the last statement of its
 * block that mentions it (Mojo's as-soon-as-possible rule, at statement
 * granularity), unless its value was transferred out with `^`. Early exits
 * (return, break, continue) destroy what is alive on their way out. An
 * assignment destroys the old value after computing the new one; a value
 * computed and dropped, or spilled to pass by reference, dies after its
 * statement or call. Copying from a variable calls __copyinit__. Errors
 * that unwind skip destructors (for now). */

typedef struct Live {
  const Symbol *sym;
  int depth;                /* block depth where it was declared */
  bool dead;                /* destroyed or moved out */
} Live;

static bool needs_destroy(const Type *t) { return check_type_needs(t, "__del__", 0); }

/* Run t's destructor on the value at ptr, then its fields'. A
   PythonObject gives its reference back. */
static void destroy_at(Emitter *E, Val ptr, const Type *t) {
  if (t->kind == TY_PYOBJ || type_is_list(t)) {
    Val v = emit_load_tmp(E, ptr, "!llvm.ptr");
    emit_call_rt(E, t->kind == TY_PYOBJ ? "rt_py_decref" : "rt_list_free", "!llvm.ptr", NULL, &v, 1);
    return;
  }
  Symbol *del = check_method_named(t, "__del__", 0);
  if (del) emit_call(E, del, ptr, NULL, 0);
  for (int i = 0; i < t->st->nfields; i++)
    if (needs_destroy(t->st->field_types[i]))
      destroy_at(E, field_ptr(E, ptr, t, i), t->st->field_types[i]);
}

static void push_live(Emitter *E, const Symbol *sym) {
  if (E->nlive == E->caplive) {
    E->caplive = E->caplive ? E->caplive * 2 : 8;
    E->live = realloc(E->live, sizeof(Live) * (size_t)E->caplive);
  }
  E->live[E->nlive++] = (Live){sym, E->depth, false};
}

static Live *find_live(Emitter *E, const Symbol *sym) {
  for (int i = E->nlive - 1; i >= 0; i--)
    if (E->live[i].sym == sym) return &E->live[i];
  return NULL;
}

/* On an early exit: destroy what was declared deeper than `depth`. */
static void destroy_live_above(Emitter *E, int depth, const Symbol *except) {
  for (int i = E->nlive - 1; i >= 0 && E->open; i--) {
    Live *l = &E->live[i];
    if (l->depth > depth && !l->dead && l->sym != except) destroy_at(E, var_ptr(E, l->sym), l->sym->type);
  }
}

static bool names_symbol(const Node *n, const void *sym) {
  return n->sym == sym && (n->kind == N_NAME || n->kind == N_VAR_DECL);
}

static bool mentions(const Node *n, const Symbol *sym) { return node_any(n, names_symbol, sym); }

static int last_use(const NodeList *body, int from, const Symbol *sym) {
  int last = from;
  for (int j = from + 1; j < body->len; j++)
    if (mentions(body->items[j], sym)) last = j;
  return last;
}

/* After statement i of body: destroy the block's locals last used there. */
static void end_of_statement(Emitter *E, const NodeList *body, int i, int base) {
  for (int k = E->nlive - 1; k >= base && E->open; k--) {
    Live *l = &E->live[k];
    if (l->dead || l->depth != E->depth) continue;
    const Node *decl = l->sym->decl;
    int at = 0;
    while (at < body->len && body->items[at] != decl) at++;
    if (at < body->len && last_use(body, at, l->sym) == i) {
      l->dead = true;  /* before the call: an error in __del__ must not run it again */
      destroy_at(E, var_ptr(E, l->sym), l->sym->type);
    }
  }
}

static bool needs_copy(const Type *t) { return check_type_needs(t, "__copyinit__", 1); }

/* A copy of the value at src: its __copyinit__, or field by field (the
   synthesized copy of @value) when only some fields have one. */
static Val copy_from_ptr(Emitter *E, Val src, const Type *t) {
  char nb[24];
  if (t->kind == TY_PYOBJ) {  /* another reference to the same object */
    Val v = emit_load_tmp(E, src, "!llvm.ptr");
    emit_call_rt(E, "rt_py_incref", "!llvm.ptr", NULL, &v, 1);
    return v;
  }
  if (type_is_list(t)) {  /* a list of its own */
    Val v = emit_load_tmp(E, src, "!llvm.ptr");
    return emit_call_rt(E, "rt_list_copy", "!llvm.ptr", "!llvm.ptr", &v, 1);
  }
  Symbol *copy = check_method_named(t, "__copyinit__", 1);
  if (copy) {
    need_symbol(E, copy);
    Val tmp = emit_alloca_tmp(E, t->mlir);
    OUT("  func.call @\"%s\"(%%v%d, %s) : (!llvm.ptr, !llvm.ptr) -> ()\n", copy->mangled, tmp,
        emit_val_name(src, nb));
    if (copy->may_raise) emit_check_pending(E, 0);
    return emit_load_tmp(E, tmp, t->mlir);
  }
  Val v = emit_load_tmp(E, src, t->mlir);
  for (int i = 0; i < t->st->nfields; i++) {
    if (!needs_copy(t->st->field_types[i])) continue;
    Val f = copy_from_ptr(E, field_ptr(E, src, t, i), t->st->field_types[i]);
    Val w = emit_new_val(E);
    OUT("  %%v%d = llvm.insertvalue %%v%d, %%v%d[%d] : %s\n", w, f, v, i, t->mlir);
    v = w;
  }
  return v;
}

/* A value read from a place is copied (see copy_from_ptr) when its type
   says how. */
static Val copy_value(Emitter *E, Node *n, Type *to) {
  if (is_place(n) && type_is_list(n->type)) {  /* Lists are values: a copy is a new list */
    Val v = emit_expr(E, n);
    return emit_call_rt(E, "rt_list_copy", "!llvm.ptr", "!llvm.ptr", &v, 1);
  }
  if (!is_place(n) || n->type != to || !needs_copy(n->type)) return emit_expr_as(E, n, to);
  return copy_from_ptr(E, place_ptr(E, n), n->type);
}

/* x^ : the value leaves x, which is not destroyed here any more; a
   __moveinit__ builds the new value from the old one in place of a copy. */
static Val transfer(Emitter *E, Node *n) {
  Live *l = find_live(E, n->a->sym);
  if (l) l->dead = true;
  Symbol *move = check_method_named(n->type, "__moveinit__", 1);
  if (!move) return emit_expr(E, n->a);
  Val tmp = emit_alloca_tmp(E, n->type->mlir);
  Node *args[1] = {n->a};
  emit_call(E, move, tmp, args, n->line);
  return emit_load_tmp(E, tmp, n->type->mlir);
}

/* ---- statements -------------------------------------------------------- */

static void assign_name(Emitter *E, Node *target, Val v, Type *vt) {
  if (target->kind == N_NAME && strcmp(target->name, "_") == 0) {
    if (needs_destroy(vt)) {  /* `_ = value` drops the value now */
      Val tmp = emit_alloca_tmp(E, vt->mlir);
      emit_store_tmp(E, v, tmp, vt->mlir);
      destroy_at(E, tmp, vt);
    }
    return;
  }
  /* The old value of a variable, field or List item goes; in __init__,
     self's fields hold no value yet. A Python item or attribute is
     Python's to drop, and p[i] = v initializes the pointee, as store does. */
  const Node *base = target->kind == N_ATTR ? target->a : target;
  bool initializing = E->fn && !strcmp(E->fn->name, "__init__") && base->kind == N_NAME &&
                      !strcmp(base->name, "self");
  if (needs_destroy(target->type) && is_place(target) && !(target->flags & NAME_DECLARES) && !initializing)
    destroy_at(E, place_ptr(E, target), target->type);
  if (target->kind == N_ATTR && type_is_py(target->a->type)) {  /* obj.attr = v */
    emit_python_setattr(E, target, v, vt);
    return;
  }
  if (target->kind == N_ATTR) {
    store_place(E, target, emit_convert(E, v, vt, target->type));
    return;
  }
  if (target->kind == N_INDEX && type_is_py(target->a->type)) {  /* obj[k] = v */
    emit_python_setitem(E, target, v, vt);
    return;
  }

  if (target->kind == N_INDEX && type_is_pointer(target->a->type)) {  /* p[i] = v */
    emit_ptr_index_store(E, target, emit_convert(E, v, vt, target->type));
    return;
  }
  if (target->kind == N_INDEX && type_is_simd(target->a->type)) {  /* vec[i] = x */
    Val vec = emit_simd_with_lane(E, target, emit_convert(E, v, vt, target->type));
    store_place(E, target->a, vec);
    return;
  }
  if (target->kind == N_INDEX) {  /* lst[i] = v */
    Val list = emit_expr(E, target->a);
    Val p = list_slot(E, list, emit_expr_as(E, target->list.items[0], TYPE(INT)), target->line);
    emit_store_tmp(E, emit_convert(E, v, vt, target->type), p, target->type->mlir);
    return;
  }
  Symbol *s = target->sym;
  store_var(E, s, emit_convert(E, v, vt, s->type));
}

static void assign(Emitter *E, Node *n) {
  Node *v = n->a, *t = n->list.items[0];
  if (t->kind == N_TUPLE && v->kind != N_TUPLE) {  /* a, b = f(): unpack one tuple value */
    Val agg = emit_expr(E, v);
    for (int i = 0; i < t->list.len; i++)
      assign_name(E, t->list.items[i], emit_extract(E, agg, i, v->type), v->type->elems[i]);
    return;
  }
  if (t->kind == N_TUPLE) {  /* evaluate every value before assigning any */
    Val *vals = calloc((size_t)v->list.len, sizeof(Val));
    for (int i = 0; i < v->list.len; i++) vals[i] = copy_value(E, v->list.items[i], v->list.items[i]->type);
    for (int i = 0; i < t->list.len; i++) assign_name(E, t->list.items[i], vals[i], v->list.items[i]->type);
    free(vals);
    return;
  }
  Val x = copy_value(E, v, v->type);
  for (int i = 0; i < n->list.len; i++) {  /* a = b = v: each target holds its own copy */
    Val own = x;
    if (i + 1 < n->list.len && needs_copy(v->type)) {
      Val tmp = emit_alloca_tmp(E, v->type->mlir);
      emit_store_tmp(E, x, tmp, v->type->mlir);
      own = copy_from_ptr(E, tmp, v->type);
    }
    assign_name(E, n->list.items[i], own, v->type);
  }
}

static void aug_assign(Emitter *E, Node *n) {
  Node bin = {.kind = N_BINARY, .op = n->op, .a = n->a, .b = n->b, .line = n->line,
              .col = n->col, .type = n->type, .optype = n->optype};
  Val r = binary(E, &bin);
  if (needs_destroy(n->a->sym->type)) destroy_at(E, var_ptr(E, n->a->sym), n->a->sym->type);  /* the old value */
  store_var(E, n->a->sym, emit_convert(E, r, n->type, n->a->sym->type));
}

static void if_stmt(Emitter *E, Node *n) {
  Val c = emit_truthy(E, emit_expr(E, n->a), n->a->type);
  int tb = emit_new_block(E), eb = n->list2.len ? emit_new_block(E) : 0, done = emit_new_block(E);
  emit_cond_br(E, c, tb, eb ? eb : done);
  emit_start_block(E, tb);
  stmt_list(E, &n->list);
  bool reach = E->open;
  if (E->open) emit_br(E, done);
  if (eb) {
    emit_start_block(E, eb);
    stmt_list(E, &n->list2);
    reach |= E->open;
    if (E->open) emit_br(E, done);
  } else reach = true;
  if (reach) emit_start_block(E, done);
  else {
    /* both branches left: the join block is still referenced by nothing,
       but MLIR needs every block to end; leave the block closed */
  }
}

static void loop_body(Emitter *E, const NodeList *body, int cont, int brk) {
  Loop l = {cont, brk, E->finally, E->depth, E->loop};
  E->loop = &l;
  stmt_list(E, body);
  E->loop = l.outer;
  if (E->open) emit_br(E, cont);
}

static void while_stmt(Emitter *E, Node *n) {
  int head = emit_new_block(E), body = emit_new_block(E), done = emit_new_block(E);
  emit_br(E, head);
  emit_start_block(E, head);
  poll_interrupt(E, n->line);
  Val c = emit_truthy(E, emit_expr(E, n->a), n->a->type);
  emit_cond_br(E, c, body, done);
  emit_start_block(E, body);
  loop_body(E, &n->list, head, done);
  emit_start_block(E, done);
}

Val emit_alloca_tmp(Emitter *E, const char *ty) {
  Val r = emit_new_val(E);
  buf_printf(&E->allocas, "  %%v%d = llvm.alloca %%one x %s : (i64) -> !llvm.ptr\n", r, ty);
  return r;
}

/* Store to / load from the address p: a %v value or a local's %l slot. */
void emit_store_tmp(Emitter *E, Val v, Val p, const char *ty) {
  char nb[24];
  OUT("  llvm.store %%v%d, %s : %s, !llvm.ptr\n", v, emit_val_name(p, nb), ty);
}

Val emit_load_tmp(Emitter *E, Val p, const char *ty) {
  char nb[24];
  Val r = emit_new_val(E);
  OUT("  %%v%d = llvm.load %s : !llvm.ptr -> %s\n", r, emit_val_name(p, nb), ty);
  return r;
}

/* Is the range step a literal we can read the sign of? 0: unknown. */
static int literal_step_sign(Node *step) {
  if (!step) return 1;
  if (step->kind == N_INT) return step->ival ? 1 : 0;
  if (step->kind == N_NAME && step->sym && step->sym->kind == SYM_ALIAS && step->sym->value.type->is_int)
    return step->sym->value.i > 0 ? 1 : step->sym->value.i < 0 ? -1 : 0;
  if (step->kind == N_UNARY && step->op == T_MINUS && step->a->kind == N_INT) return step->a->ival ? -1 : 0;
  return 0;
}

static void raise_range_step(Emitter *E, int line, bool unused) {
  emit_raise_message(E, "ValueError: range() arg 3 must not be zero", line);
}

/* for i in range(a, b, s): the counter lives in a hidden slot. */
static bool is_loop(const Node *n, const void *unused) {
  (void)unused;
  return n->kind == N_FOR || n->kind == N_WHILE;
}

static bool has_inner_loop(const NodeList *body) {
  for (int i = 0; i < body->len; i++)
    if (node_any(body->items[i], is_loop, NULL)) return true;
  return false;
}

/* An innermost counted loop with a positive step runs in chunks of
 * CHUNK iterations with the interrupt poll between chunks, so the loop
 * that does the work has no volatile load and LLVM can vectorize it. */
enum { CHUNK = 4096 };

/* The body of a counted loop (the loop variable is i), then the latch that
   steps the counter and goes back to `back`; code goes on at `done`. */
static void range_body(Emitter *E, Node *n, Val ctr, Val i, Val step, int body, int latch, int back,
                       int done) {
  emit_start_block(E, body);
  assign_name(E, n->a, i, TYPE(INT));
  loop_body(E, &n->list, latch, done);
  emit_start_block(E, latch);
  Val i2 = emit_load_tmp(E, ctr, "i64");
  emit_store_tmp(E, emit_binop(E, "arith.addi", i2, step, "i64", ""), ctr, "i64");
  emit_br(E, back);
  emit_start_block(E, done);
}

static void for_range_chunked(Emitter *E, Node *n, Val start, Val stop, Val step) {
  Val ctr = emit_alloca_tmp(E, "i64"), chunk_stop = emit_alloca_tmp(E, "i64");
  emit_store_tmp(E, start, ctr, "i64");
  int outer = emit_new_block(E), chunk = emit_new_block(E), head = emit_new_block(E);
  int body = emit_new_block(E), latch = emit_new_block(E), done = emit_new_block(E);
  emit_br(E, outer);
  emit_start_block(E, outer);
  poll_interrupt(E, n->line);
  Val i = emit_load_tmp(E, ctr, "i64");
  emit_cond_br(E, emit_cmp(E, "arith.cmpi", "slt", i, stop, "i64"), chunk, done);
  emit_start_block(E, chunk);
  /* i < stop, so stop - i is exact as an unsigned number */
  Val left = emit_binop(E, "arith.subi", stop, i, "i64", "");
  Val span = emit_binop(E, "arith.muli", step, emit_const_int(E, CHUNK, "i64"), "i64", "");
  Val more = emit_cmp(E, "arith.cmpi", "ugt", left, span, "i64");
  Val end = emit_select(E, more, emit_binop(E, "arith.addi", i, span, "i64", ""), stop, "i64");
  emit_store_tmp(E, end, chunk_stop, "i64");
  emit_br(E, head);
  emit_start_block(E, head);
  Val j = emit_load_tmp(E, ctr, "i64"), cs = emit_load_tmp(E, chunk_stop, "i64");
  emit_cond_br(E, emit_cmp(E, "arith.cmpi", "slt", j, cs, "i64"), body, outer);
  range_body(E, n, ctr, j, step, body, latch, head, done);
}

static void for_range(Emitter *E, Node *n) {
  Node *it = n->b;
  int na = it->list.len;
  Val start = na >= 2 ? emit_expr_as(E, it->list.items[0], TYPE(INT)) : emit_const_int(E, 0, "i64");
  Val stop = emit_expr_as(E, it->list.items[na >= 2 ? 1 : 0], TYPE(INT));
  Node *step_node = na == 3 ? it->list.items[2] : NULL;
  Val step = step_node ? emit_expr_as(E, step_node, TYPE(INT)) : emit_const_int(E, 1, "i64");
  int sign = literal_step_sign(step_node);
  Val zero = emit_const_int(E, 0, "i64");
  if (step_node && sign == 0)
    emit_guard(E, emit_cmp(E, "arith.cmpi", "eq", step, zero, "i64"), raise_range_step, it->line, false);
  if (sign > 0 && !has_inner_loop(&n->list) && !E->device) {
    for_range_chunked(E, n, start, stop, step);
    return;
  }
  Val ctr = emit_alloca_tmp(E, "i64");
  emit_store_tmp(E, start, ctr, "i64");
  int head = emit_new_block(E), body = emit_new_block(E), latch = emit_new_block(E), done = emit_new_block(E);
  emit_br(E, head);
  emit_start_block(E, head);
  poll_interrupt(E, n->line);
  Val i = emit_load_tmp(E, ctr, "i64");
  Val c;
  if (sign > 0) c = emit_cmp(E, "arith.cmpi", "slt", i, stop, "i64");
  else if (sign < 0) c = emit_cmp(E, "arith.cmpi", "sgt", i, stop, "i64");
  else {
    Val up = emit_cmp(E, "arith.cmpi", "slt", i, stop, "i64");
    Val down = emit_cmp(E, "arith.cmpi", "sgt", i, stop, "i64");
    Val pos = emit_cmp(E, "arith.cmpi", "sgt", step, zero, "i64");
    c = emit_select(E, pos, up, down, "i1");
  }
  emit_cond_br(E, c, body, done);
  range_body(E, n, ctr, i, step, body, latch, head, done);
}

/* for x in obj, obj a Python iterable: iter() once, next() until it ends */
static void for_python(Emitter *E, Node *n) {
  Val obj = emit_expr(E, n->b);
  Val args[3] = {obj, emit_cell_key(E), emit_const_int(E, n->line, "i32")};
  Val iter = emit_call_rt(E, "rt_py_iter", "!llvm.ptr, !llvm.ptr, i32", "!llvm.ptr", args, 3);
  emit_check_pending_rt(E, n->line);
  int head = emit_new_block(E), body = emit_new_block(E), done = emit_new_block(E);
  emit_br(E, head);
  emit_start_block(E, head);
  poll_interrupt(E, n->line);
  Val nargs[3] = {iter, emit_cell_key(E), emit_const_int(E, n->line, "i32")};
  Val item = emit_call_rt(E, "rt_py_next", "!llvm.ptr, !llvm.ptr, i32", "!llvm.ptr", nargs, 3);
  emit_check_pending_rt(E, n->line);
  emit_cond_br(E, emit_ptr_truthy(E, item), body, done);  /* NULL: the iterator ended */
  emit_start_block(E, body);
  if (n->a->kind == N_TUPLE) {  /* for k, v in ...: each item unpacked, as Python does */
    int k = n->a->list.len;
    Val uargs[4] = {item, emit_const_int(E, k, "i64"), emit_cell_key(E), emit_const_int(E, n->line, "i32")};
    Val tup = emit_call_rt(E, "rt_py_unpack", "!llvm.ptr, i64, !llvm.ptr, i32", "!llvm.ptr", uargs, 4);
    emit_call_rt(E, "rt_py_decref", "!llvm.ptr", NULL, &item, 1);
    emit_check_pending_rt(E, n->line);
    for (int i = 0; i < k; i++) {
      Val iargs[2] = {tup, emit_const_int(E, i, "i64")};
      assign_name(E, n->a->list.items[i], emit_call_rt(E, "rt_py_item", "!llvm.ptr, i64", "!llvm.ptr", iargs, 2),
                  TYPE(PYOBJ));
    }
    emit_call_rt(E, "rt_py_decref", "!llvm.ptr", NULL, &tup, 1);
  } else assign_name(E, n->a, item, TYPE(PYOBJ));
  loop_body(E, &n->list, head, done);
  emit_start_block(E, done);
}

/* for c in s (one-character strings), for x in lst (its elements; the
   length is read again each time, as Python does), for x in a Python object. */
static void for_string(Emitter *E, Node *n) {
  if (type_is_py(n->b->type)) {
    for_python(E, n);
    return;
  }
  bool list = type_is_list(n->b->type);
  Val s = emit_expr(E, n->b);
  Val len = list ? 0 : emit_call_rt(E, "rt_str_len", "!llvm.ptr", "i64", &s, 1);
  Val ctr = emit_alloca_tmp(E, "i64");
  emit_store_tmp(E, emit_const_int(E, 0, "i64"), ctr, "i64");
  int head = emit_new_block(E), body = emit_new_block(E), latch = emit_new_block(E), done = emit_new_block(E);
  emit_br(E, head);
  emit_start_block(E, head);
  poll_interrupt(E, n->line);
  Val i = emit_load_tmp(E, ctr, "i64");
  if (list) len = emit_call_rt(E, "rt_list_len", "!llvm.ptr", "i64", &s, 1);
  emit_cond_br(E, emit_cmp(E, "arith.cmpi", "slt", i, len, "i64"), body, done);
  emit_start_block(E, body);
  if (list) {  /* the variable holds its own copy of an element that has a destructor */
    Val p = list_slot(E, s, i, n->line);
    const Type *elem = n->b->type->elem;
    Val x = needs_copy(elem) ? copy_from_ptr(E, p, elem) : emit_load_tmp(E, p, elem->mlir);
    assign_name(E, n->a, x, n->b->type->elem);
  } else {
    Val args[4] = {s, i, emit_cell_key(E), emit_const_int(E, n->line, "i32")};
    Val ch = emit_call_rt(E, "rt_str_getitem", "!llvm.ptr, i64, !llvm.ptr, i32", "!llvm.ptr", args, 4);
    assign_name(E, n->a, ch, TYPE(STRING));
  }
  loop_body(E, &n->list, latch, done);
  emit_start_block(E, latch);
  Val i2 = emit_load_tmp(E, ctr, "i64");
  emit_store_tmp(E, emit_binop(E, "arith.addi", i2, emit_const_int(E, 1, "i64"), "i64", ""), ctr, "i64");
  emit_br(E, head);
  emit_start_block(E, done);
}

/* Run the finally bodies between here and `stop` (innermost first), each
   with the handler that was in force outside its try. */
static void run_finally_until(Emitter *E, Finally *stop) {
  Finally *saved = E->finally;
  int saved_handler = E->handler;
  for (Finally *f = saved; f && f != stop && E->open; f = f->outer) {
    E->finally = f->outer;
    E->handler = f->handler;
    stmt_list(E, f->body);
  }
  E->finally = saved;
  E->handler = saved_handler;
}

static void return_stmt(Emitter *E, Node *n) {
  Val v = 0;
  bool has_value = E->ret && E->ret->kind != TY_NONE;
  const Symbol *moved = NULL;  /* `return x` of a local moves x out */
  if (has_value && n->a->kind == N_NAME && n->a->sym && !(n->a->sym->flags & SYM_GLOBAL) &&
      !(n->a->sym->flags & SYM_BYREF)) {
    moved = n->a->sym;
    v = emit_expr_as(E, n->a, E->ret);
  } else if (has_value) v = copy_value(E, n->a, E->ret);
  else if (n->a) emit_expr(E, n->a);
  run_finally_until(E, NULL);
  destroy_live_above(E, -1, moved);
  if (!E->open) return;
  if (has_value) OUT("  func.return %%v%d : %s\n", v, E->ret->mlir);
  else OUT("  func.return\n");
  E->open = false;
}

static void jump_out_of_loop(Emitter *E, bool is_break) {
  run_finally_until(E, E->loop->finally_at);
  destroy_live_above(E, E->loop->depth, NULL);
  if (E->open) emit_br(E, is_break ? E->loop->brk : E->loop->cont);
}

/* ---- errors: raise and try --------------------------------------------- */

static void raise_stmt(Emitter *E, Node *n) {
  Val err;
  if (n->a) err = emit_expr_as(E, n->a, TYPE(ERROR));
  else {  /* bare raise: the error of the enclosing except clause */
    Val saved = emit_load_tmp(E, E->caught, "!llvm.ptr");
    err = emit_call_rt(E, "rt_error_value", "!llvm.ptr", "!llvm.ptr", &saved, 1);
  }
  Val args[3] = {err, emit_cell_key(E), emit_const_int(E, n->line, "i32")};
  emit_call_rt(E, "rt_raise_value", "!llvm.ptr, !llvm.ptr, i32", NULL, args, 3);
  emit_unwind(E);
}

/* assert cond[, msg]: AssertionError[: msg] when cond is false. */
static void assert_stmt(Emitter *E, Node *n) {
  int bad = emit_new_block(E), ok = emit_new_block(E);
  emit_cond_br(E, emit_truthy(E, emit_expr(E, n->a), n->a->type), ok, bad);
  emit_start_block(E, bad);
  const char *head = n->b ? "AssertionError: " : "AssertionError";
  Val msg = emit_const_string(E, head, (int64_t)strlen(head));
  if (n->b) {
    Val parts[2] = {msg, emit_to_string(E, emit_expr(E, n->b), n->b->type)};
    msg = emit_call_rt(E, "rt_str_concat", "!llvm.ptr, !llvm.ptr", "!llvm.ptr", parts, 2);
  }
  Val args[3] = {msg, emit_cell_key(E), emit_const_int(E, n->line, "i32")};
  emit_call_rt(E, "rt_raise_value", "!llvm.ptr, !llvm.ptr, i32", NULL, args, 3);
  emit_unwind(E);
  emit_start_block(E, ok);
}

/* The pending error, saved aside (the flag cleared) into a fresh slot. */
static Val save_error(Emitter *E) {
  Val slot = emit_alloca_tmp(E, "!llvm.ptr");
  emit_store_tmp(E, emit_call_rt(E, "rt_error_save", "", "!llvm.ptr", NULL, 0), slot, "!llvm.ptr");
  return slot;
}

/* After finally: put the saved error back and keep unwinding. */
static void restore_and_unwind(Emitter *E, Val slot) {
  Val saved = emit_load_tmp(E, slot, "!llvm.ptr");
  emit_call_rt(E, "rt_error_restore", "!llvm.ptr", NULL, &saved, 1);
  emit_unwind(E);
}

static void finally_inline(Emitter *E, Node *try_) {
  if (try_->b && E->open) stmt_list(E, &try_->b->list);
}

/* One except clause: test its kind, bind the name, run the body. */
static void except_clause(Emitter *E, Node *x, Val slot, int next, int after, Node *try_,
                          int inner_handler) {
  if (x->a) {
    Val saved = emit_load_tmp(E, slot, "!llvm.ptr");
    Val kind = emit_const_string(E, x->a->name, (int64_t)strlen(x->a->name));
    Val eight = emit_const_int(E, 8, "i64"), cstr = emit_new_val(E);
    OUT("  %%v%d = llvm.getelementptr %%v%d[%%v%d] : (!llvm.ptr, i64) -> !llvm.ptr, i8\n", cstr, kind, eight);
    Val args[2] = {saved, cstr};
    Val m = emit_call_rt(E, "rt_error_matches", "!llvm.ptr, !llvm.ptr", "i32", args, 2);
    int body = emit_new_block(E);
    emit_cond_br(E, emit_cmp(E, "arith.cmpi", "ne", m, emit_const_int(E, 0, "i32"), "i32"), body, next);
    emit_start_block(E, body);
  }
  if (x->sym) {
    Val saved = emit_load_tmp(E, slot, "!llvm.ptr");
    store_var(E, x->sym, emit_call_rt(E, "rt_error_value", "!llvm.ptr", "!llvm.ptr", &saved, 1));
  }
  int outer_handler = E->handler;
  Val outer_caught = E->caught;
  E->handler = inner_handler;
  E->caught = slot;
  stmt_list(E, &x->list);
  E->handler = outer_handler;
  E->caught = outer_caught;
  if (!E->open) return;
  Val saved = emit_load_tmp(E, slot, "!llvm.ptr");
  emit_call_rt(E, "rt_error_free", "!llvm.ptr", NULL, &saved, 1);
  finally_inline(E, try_);
  if (E->open) emit_br(E, after);
}

/* An error escaping an except clause or the else body still runs finally. */
static int finally_then_unwind(Emitter *E, Node *n, int outer) {
  if (!n->b) return outer;
  int b = emit_new_block(E);
  Buf saved_body = E->body;  /* emit the landing block out of line */
  E->body = (Buf){0};
  bool was_open = E->open;
  emit_start_block(E, b);
  Val slot = save_error(E);
  E->handler = outer;
  finally_inline(E, n);
  if (E->open) restore_and_unwind(E, slot);
  Buf landing = E->body;
  E->body = saved_body;
  E->open = was_open;
  buf_puts(&E->deferred, buf_str(&landing));
  buf_free(&landing);
  return b;
}

static void try_stmt(Emitter *E, Node *n) {
  int outer = E->handler, catch_ = emit_new_block(E), after = emit_new_block(E);
  int outer_depth = E->handler_depth;
  E->handler_depth = E->depth;
  Finally fin = {n->b ? &n->b->list : NULL, outer, E->finally};
  int escape = finally_then_unwind(E, n, outer);
  if (n->b) E->finally = &fin;
  E->handler = catch_;
  stmt_list(E, &n->list);
  E->handler = escape;
  if (E->open) stmt_list(E, &n->list3);       /* else: no error in the body */
  E->handler = outer;
  if (n->b) E->finally = fin.outer;
  finally_inline(E, n);
  if (E->open) emit_br(E, after);
  emit_start_block(E, catch_);
  Val slot = save_error(E);
  if (n->b) E->finally = &fin;
  for (int i = 0; i < n->list2.len && E->open; i++) {
    Node *x = n->list2.items[i];
    int next = x->a ? emit_new_block(E) : 0;
    if (n->b) E->finally = &fin;  /* return/break/continue in the handler run finally */
    except_clause(E, x, slot, next, after, n, escape);
    if (next) emit_start_block(E, next);
  }
  if (n->b) E->finally = fin.outer;
  E->handler_depth = outer_depth;
  if (E->open) {  /* no clause matched (or there were none): run finally, re-raise */
    finally_inline(E, n);
    if (E->open) restore_and_unwind(E, slot);
  }
  emit_start_block(E, after);
}

static void show_result(Emitter *E, Node *n) {
  Val v = emit_expr(E, n->a);
  Type *t = n->a->type;
  if (t->kind == TY_PYOBJ) {  /* repr, and HTML for a DataFrame */
    emit_call_rt(E, "rt_py_show_result", "!llvm.ptr", NULL, &v, 1);
    return;
  }
  Val s = t->kind == TY_STRING ? emit_call_rt(E, "rt_str_repr", "!llvm.ptr", "!llvm.ptr", &v, 1)
          : check_method_named(t, "__repr__", 0) ? struct_text(E, v, t, "__repr__")
                               : emit_to_string(E, v, t);
  emit_call_rt(E, "rt_set_result", "!llvm.ptr", NULL, &s, 1);
}

static void stmt(Emitter *E, Node *n) {
  switch (n->kind) {
  case N_EXPR_STMT:
    if (n == E->cell->result && !E->ret) show_result(E, n);
    else if (needs_destroy(n->a->type) && !is_place(n->a)) {  /* a dropped value dies now */
      Val v = emit_expr(E, n->a), tmp = emit_alloca_tmp(E, n->a->type->mlir);
      emit_store_tmp(E, v, tmp, n->a->type->mlir);
      destroy_at(E, tmp, n->a->type);
    } else emit_expr(E, n->a);
    break;
  case N_VAR_DECL:
    if (n->b) store_var(E, n->sym, copy_value(E, n->b, n->sym->type));
    else if (n->sym->flags & SYM_GLOBAL) store_var(E, n->sym, zero_of(E, n->sym->type));
    break;
  case N_ASSIGN: assign(E, n); break;
  case N_AUG_ASSIGN: aug_assign(E, n); break;
  case N_IF: if_stmt(E, n); break;
  case N_WHILE: while_stmt(E, n); break;
  case N_FOR:
    if (n->b->kind == N_CALL && n->b->type && n->b->type->kind == TY_NONE) for_range(E, n);
    else for_string(E, n);
    break;
  case N_BREAK: jump_out_of_loop(E, true); break;
  case N_CONTINUE: jump_out_of_loop(E, false); break;
  case N_RETURN: return_stmt(E, n); break;
  case N_RAISE: raise_stmt(E, n); break;
  case N_ASSERT: assert_stmt(E, n); break;
  case N_TRY: try_stmt(E, n); break;
  case N_BLOCK: stmt_list(E, &n->list); break;
  case N_PYCLASS: {  /* run the class statement in CPython; the global holds the class */
    Val args[4] = {emit_const_string(E, n->str, n->slen), emit_const_string(E, n->name, (int64_t)strlen(n->name)),
                   emit_cell_key(E), emit_const_int(E, n->line, "i32")};
    Val cls = emit_call_rt(E, "rt_py_class", "!llvm.ptr, !llvm.ptr, !llvm.ptr, i32", "!llvm.ptr", args, 4);
    emit_check_pending_rt(E, n->line);
    store_var(E, n->sym, cls);
    break;
  }
  case N_ALIAS:  /* an alias of a struct value: its global is set here */
    if (n->flags & ALIAS_GLOBAL) store_var(E, n->sym, copy_value(E, n->b, n->sym->type));
    break;  /* an unrolled @parameter for / taken @parameter if */
  default: break;  /* pass, fn, alias, import: nothing to run */
  }
}

/* Statements after a return/break are unreachable: they are not emitted. */
static void stmt_list(Emitter *E, const NodeList *body) {
  int base = E->nlive;
  E->depth++;
  for (int i = 0; i < body->len && E->open; i++) {
    Node *n = body->items[i];
    stmt(E, n);
    if (n->kind == N_VAR_DECL && n->sym && !(n->sym->flags & SYM_GLOBAL) && needs_destroy(n->sym->type))
      push_live(E, n->sym);
    if (E->nlive > base) end_of_statement(E, body, i, base);
  }
  E->depth--;
  E->nlive = base;
}

/* ---- functions and the module ------------------------------------------ */

static void begin_function(Emitter *E, Type *ret) {
  buf_free(&E->allocas);
  buf_free(&E->body);
  E->open = true;
  E->ret = ret;
  E->loop = NULL;
  E->unwind = 0;
  E->handler = 0;
  E->finally = NULL;
  E->caught = 0;
  E->nlive = 0;
  E->depth = 0;
  E->handler_depth = 0;
  buf_free(&E->deferred);
  buf_puts(&E->allocas, "    %one = arith.constant 1 : i64\n");
}

/* ---- unreachable blocks ------------------------------------------------ */

/* MLIR's conversion to LLVM skips blocks nothing branches to, leaving their
   ops unconverted, so blocks without predecessors are removed from the
   function text before it is emitted (a try whose body always raises, code
   after a loop that never ends). Blocks start at lines "^bN:" / "^bN(". */

typedef struct TextBlock {
  const char *start;
  size_t len;
  int id;         /* N of ^bN; 0 for the entry block */
  bool live;
} TextBlock;

static int label_id(const char *line) {
  return line[0] == '^' && line[1] == 'b' ? atoi(line + 2) : -1;
}

static int split_blocks(const char *text, TextBlock **out) {
  int n = 0, cap = 16;
  TextBlock *b = malloc(sizeof *b * (size_t)cap);
  b[n++] = (TextBlock){text, 0, 0, true};
  for (const char *p = text; *p;) {
    const char *eol = p + strcspn(p, "\n");
    if (*eol) eol++;
    int id = label_id(p);
    if (id > 0) {
      if (n == cap) b = realloc(b, sizeof *b * (size_t)(cap *= 2));
      b[n++] = (TextBlock){p, 0, id, false};
    }
    b[n - 1].len = (size_t)(eol - b[n - 1].start);
    p = eol;
  }
  *out = b;
  return n;
}

/* Does a live block's text (after its label line) branch to ^b<id>? */
static bool referenced(const TextBlock *blocks, int n, int id) {
  char pat[24];
  int k = snprintf(pat, sizeof pat, "^b%d", id);
  for (int i = 0; i < n; i++) {
    if (!blocks[i].live) continue;
    const char *p = blocks[i].start, *end = p + blocks[i].len;
    if (blocks[i].id) p += strcspn(p, "\n");  /* skip its own label */
    while ((p = strstr(p, pat)) && p < end) {
      if (p[k] < '0' || p[k] > '9') return true;
      p += k;
    }
  }
  return false;
}

static void prune_unreachable(Buf *text) {
  TextBlock *blocks;
  int n = split_blocks(buf_str(text), &blocks);
  for (bool changed = true; changed;) {  /* mark live blocks to a fixed point */
    changed = false;
    for (int i = 1; i < n; i++)
      if (!blocks[i].live && referenced(blocks, n, blocks[i].id)) blocks[i].live = changed = true;
  }
  Buf kept = {0};
  for (int i = 0; i < n; i++)
    if (blocks[i].live) buf_put(&kept, blocks[i].start, blocks[i].len);
  free(blocks);
  buf_free(text);
  *text = kept;
}

static void end_function(Emitter *E, Buf *out) {
  destroy_live_above(E, -1, NULL);  /* owned parameters, on the fall-through exit */
  E->nlive = 0;
  if (E->open) {
    if (!E->ret || E->ret->kind == TY_NONE) OUT("  func.return\n");
    else OUT("  llvm.unreachable\n");
  }
  if (E->unwind) {  /* the caller looks at rt_error_pending, not at this value */
    emit_start_block(E, E->unwind);
    if (!E->ret || E->ret->kind == TY_NONE) OUT("  func.return\n");
    else {
      Val u = emit_new_val(E);
      OUT("  %%v%d = llvm.mlir.undef : %s\n  func.return %%v%d : %s\n", u, E->ret->mlir, u, E->ret->mlir);
    }
  }
  buf_puts(&E->body, buf_str(&E->deferred));
  prune_unreachable(&E->body);
  buf_puts(out, buf_str(&E->allocas));
  buf_puts(out, buf_str(&E->body));
  buf_puts(out, "  }\n");
}

/* A load or store through a null pointer is undefined behaviour to LLVM,
   which may then delete the code around it (a cell could run off its end).
   With this attribute the access is kept, faults, and the crash guard
   turns it into a SegmentationFault for the cell. */
#define NULL_IS_VALID "[\"null-pointer-is-valid\", \"true\"]"

static void function(Emitter *E, Node *def, Buf *out, bool copy) {
  Symbol *fn = def->sym;
  begin_function(E, fn->type ? fn->type : TYPE(NONE));
  E->fn = fn;
  E->key_cell = fn->line_cell ? fn->line_cell : fn->cell;
  char copy_name[512];
  if (copy) buf_printf(out, "  func.func private @\"%s\"", emit_copy_symbol(E, fn, copy_name, sizeof copy_name));
  else buf_printf(out, "  func.func @\"%s\"", fn->mangled);
  emit_fn_signature(out, fn, true);
  buf_printf(out, " attributes {%spassthrough = [%s%s]}", copy ? "llvm.linkage = #llvm.linkage<internal>, " : "",
             check_has_decorator(def, "always_inline") ? "\"alwaysinline\", " : "", NULL_IS_VALID);
  buf_puts(out, " {\n");
  int nargs = fn->nparams + check_has_self(fn);
  const Symbol *roots[16];
  E->nenvs = env_roots(fn, roots);
  E->self_env = fn->closure_root;
  for (int i = 0; i < E->nenvs; i++) {  /* give the env arguments %v names */
    E->envs_root[i] = roots[i];
    E->envs_val[i] = emit_new_val(E);
    OUT("  %%v%d = llvm.getelementptr %%a%d[0] : (!llvm.ptr) -> !llvm.ptr, i8\n", E->envs_val[i], nargs + i);
  }
  E->nsnaps = 0;
  snapshot_captures(E);
  for (int i = 0; i < nargs; i++) {
    Symbol *p = def->list.items[i]->sym;
    if (p->type->kind == TY_NONE) continue;
    Val slot = local_slot(E, p);
    char nb[24];
    if (is_index(p->type) && !(p->flags & SYM_BYREF)) {
      Val w = emit_new_val(E);
      OUT("  %%v%d = arith.index_cast %%a%d : index to i64\n", w, i);
      emit_store_tmp(E, w, slot, "i64");
    } else
      OUT("  llvm.store %%a%d, %s : %s, !llvm.ptr\n", i, emit_val_name(slot, nb),
          p->flags & SYM_BYREF ? "!llvm.ptr" : emit_mlir_type(p->type));
    /* owned parameters die with the callee; __moveinit__'s source just ends */
    if (!(p->flags & SYM_BYREF) && needs_destroy(p->type) && strcmp(fn->name, "__moveinit__"))
      push_live(E, p);
  }
  stmt_list(E, &def->list2);
  end_function(E, out);
}

/* A function of any cell, again, as this module's private copy (its local
   ids are its own cell's). */
void emit_function_copy(Emitter *E, const Symbol *fn, Buf *out) {
  memset(E->local_made, 0, sizeof(int) * (size_t)E->nlocal_made);
  function(E, fn->decl, out, true);
}

static void define_globals(Emitter *E) {
  for (int i = 0; i < E->cell->ndefs; i++) {
    Symbol *s = E->cell->defs[i];
    if (s->kind != SYM_VAR || s->type->kind == TY_NONE) continue;
    emit_declare_once(E, s->mangled);
    const char *ty = emit_storage_type(s->type);
    buf_printf(&E->globals,
               "  llvm.mlir.global external @\"%s\"() {addr_space = 0 : i32} : %s {\n"
               "    %%0 = llvm.mlir.zero : %s\n    llvm.return %%0 : %s\n  }\n",
               s->mangled, ty, ty, ty);
  }
}

/* A String global reads as "" until assigned, even when the cell that
   declares it fails before its first assignment. */
static void init_string_globals(Emitter *E) {
  for (int i = 0; i < E->cell->ndefs; i++) {
    Symbol *s = E->cell->defs[i];
    if (s->kind == SYM_VAR && (s->type->kind == TY_STRING || s->type->kind == TY_ERROR))
      store_var(E, s, zero_of(E, s->type));
  }
}

char *emit_cell(const CheckedCell *cell, const char *main_name, char **err) {
  Emitter E = {.cell = cell, .key_cell = cell->cell};
  E.nlocal_made = cell->nlocals + 1;
  E.local_made = calloc((size_t)E.nlocal_made, sizeof(int));
  define_globals(&E);
  Buf fns = {0};
  for (int i = 0; i < cell->functions.len; i++) {
    Node *def = cell->functions.items[i];
    emit_declare_once(&E, def->sym->mangled);
    function(&E, def, &fns, false);
  }
  begin_function(&E, NULL);
  E.fn = NULL;
  E.key_cell = cell->cell;
  E.nenvs = 0;
  E.self_env = NULL;
  E.nsnaps = 0;
  buf_printf(&fns, "  func.func @\"%s\"() attributes {passthrough = [%s]} {\n", main_name, NULL_IS_VALID);
  init_string_globals(&E);
  stmt_list(&E, &cell->stmts);
  end_function(&E, &fns);
  for (int i = 0; i < E.ncopies; i++)  /* copies may call for more copies */
    emit_function_copy(&E, E.copies[i], &fns);
  bool ok = !E.nkernels || emit_gpu_module(&E, &fns, err);
  Buf out = {0};
  buf_puts(&out, E.nkernels ? "module attributes {gpu.container_module} {\n" : "module {\n");
  buf_puts(&out, buf_str(&E.globals));
  buf_puts(&out, buf_str(&fns));
  buf_puts(&out, "}\n");
  buf_free(&fns);
  buf_free(&E.globals);
  buf_free(&E.allocas);
  buf_free(&E.body);
  buf_free(&E.deferred);
  for (int i = 0; i < E.ndeclared; i++) free(E.declared[i]);
  free(E.declared);
  free(E.local_made);
  free(E.copies);
  free(E.live);
  free(E.kernels);
  if (!ok) {
    buf_free(&out);
    return NULL;
  }
  return buf_take(&out);
}
