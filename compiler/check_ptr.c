/* check_ptr.c — DTypePointer[dtype], Pointer[T], UnsafePointer[T] and the
 * memory functions.
 *
 * A pointer is an address (!llvm.ptr) with an element type. The three
 * spellings share one implementation and accept both generations of Mojo's
 * methods: 2023's load(i)/store(i, v)/simd_load[n](i)/simd_store[n](i, v)
 * and today's p[i], load[width=n](i), store[width=n](i, v). Offsets count
 * elements. Nothing is checked at run time: a bad address faults, and the
 * crash guard turns the fault into an error for the cell. */
#include "compiler/check_internal.h"

#include <string.h>

bool check_is_pointer_name(const Node *n) {
  return check_is_named(n, "DTypePointer") || check_is_named(n, "Pointer") || check_is_named(n, "UnsafePointer");
}

/* A type or a DType given as a parameter: UnsafePointer[Float32] or
   DTypePointer[DType.float32] (Scalar[dt] works for both). */
static Type *type_param(Checker *C, Node *p, bool want_dtype) {
  if (want_dtype) return check_ct_dtype(C, p);
  return check_resolve_type(C, p);
}

Type *check_pointer_type_expr(Checker *C, Node *t) {
  bool dtype = check_is_named(t->a, "DTypePointer");
  if (t->list.len < 1 || t->list.len > 2 || t->list2.len) {
    ERR(t, dtype ? "DTypePointer takes a DType: DTypePointer[DType.float32]"
                 : "%s takes the element type: %s[Float32]", t->a->name, t->a->name);
    return NULL;
  }
  Type *elem = type_param(C, t->list.items[0], dtype);
  if (!elem) return NULL;
  if (elem->kind == TY_NONE) {
    ERR(t, "a pointer to None is not supported");
    return NULL;
  }
  PointerFlavor f = dtype ? PTR_DTYPE : check_is_named(t->a, "UnsafePointer") ? PTR_UNSAFE : PTR_POINTER;
  return type_pointer(elem, f);
}

/* P(): the null pointer; P(address=a): the pointer at an Int address (a
   numpy array's data, memory from a C library). */
Type *check_pointer_construct(Checker *C, Node *n, Type *t) {
  if (!check_args(C, n)) return NULL;
  if (!n->list.len && n->list2.len == 1 && !strcmp(n->list2.items[0]->name, "address")) {
    if (!check_coerce(C, n->list2.items[0]->a, TYPE(INT), "as the address")) return NULL;
    return check_intrinsic(n, IN_PTR_FROM_ADDRESS, t);
  }
  if (n->list.len || n->list2.len) {
    ERR(n, "'%s()' takes no arguments: it is the null pointer; use %s.alloc(n) for memory", t->name, t->name);
    return NULL;
  }
  return check_intrinsic(n, IN_PTR_NULL, t);
}

/* Only the keyword arguments Mojo's allocators take. */
static bool alignment_only(Checker *C, Node *n) {
  for (int i = 0; i < n->list2.len; i++) {
    Node *kw = n->list2.items[i];
    if (strcmp(kw->name, "alignment")) {
      ERR(kw, "unexpected keyword argument '%s'", kw->name);
      return false;
    }
    int64_t a;
    if (!check_ct_int(C, kw->a, &a)) return false;
  }
  return true;
}

/* Is this expression storage that has an address (a variable or field)? */
static bool addressable(const Node *n) {
  if (n->kind == N_NAME) return n->sym && n->sym->kind == SYM_VAR;
  if (n->kind == N_ATTR) return type_is_struct(n->a->type) && addressable(n->a);
  return false;
}

/* P.alloc(n), P.address_of(x), P.get_null(). */
Type *check_pointer_static(Checker *C, Node *n, Type *t) {
  const char *name = n->a->name;
  if (!check_args(C, n)) return NULL;
  if (!strcmp(name, "alloc")) {
    if (!alignment_only(C, n) || !check_arg_count(C, n, "alloc", 1, 1)) return NULL;
    if (!check_coerce(C, n->list.items[0], TYPE(INT), "as the element count")) return NULL;
    return check_intrinsic(n, IN_PTR_ALLOC, t);
  }
  if (!strcmp(name, "get_null") && check_arg_count(C, n, name, 0, 0))
    return check_intrinsic(n, IN_PTR_NULL, t);
  if (!strcmp(name, "address_of")) {
    if (!check_no_kwargs(C, n, name) || !check_arg_count(C, n, name, 1, 1)) return NULL;
    Node *x = n->list.items[0];
    if (!addressable(x)) {
      ERR(x, "address_of needs a variable or a field");
      return NULL;
    }
    if (!type_same(x->type, t->elem)) {
      ERR(x, "'%s' cannot point to a '%s' value", t->name, x->type->name);
      return NULL;
    }
    return check_intrinsic(n, IN_PTR_ADDRESS_OF, t);
  }
  ERR(n->a, "'%s' has no static method '%s'", t->name, name);
  HINT("pointers have alloc(n), address_of(x) and, for null, %s()", t->name);
  return NULL;
}

/* The width of load[width=n], load[n], simd_load[n]; 1 when not given. */
static bool access_width(Checker *C, Node *n, bool simd_spelling, int64_t *width) {
  *width = 1;
  if (!n->list3.len) {
    if (simd_spelling) {
      ERR(n->a, "%s needs a width: %s[8](i)", n->a->name, n->a->name);
      return false;
    }
    return true;
  }
  Node *p = n->list3.items[0];
  if (n->list3.len > 1 || (p->kind == N_KWARG && strcmp(p->name, "width"))) {
    ERR(p, "expected one parameter, the width: %s[width=8]", n->a->name);
    return false;
  }
  if (!check_ct_int(C, p->kind == N_KWARG ? p->a : p, width)) return false;
  if (*width < 1 || *width > 1024 || (*width & (*width - 1))) {
    ERR(p, "a SIMD width must be a power of two from 1 to 1024");
    return false;
  }
  return true;
}

static bool numeric_elem(Checker *C, Node *at, Type *t, int64_t width) {
  if (width == 1 || type_is_scalar(t->elem)) return true;
  ERR(at, "vector loads and stores need numeric elements, not '%s'", t->elem->name);
  return false;
}

/* p.load(i), p.load[width=8](i), p.simd_load[8](i): offset optional. */
static Type *load(Checker *C, Node *n, Type *t, bool simd_spelling) {
  int64_t width;
  if (!access_width(C, n, simd_spelling, &width) || !numeric_elem(C, n, t, width)) return NULL;
  if (!check_no_kwargs(C, n, n->a->name) || !check_arg_count(C, n, n->a->name, 0, 1)) return NULL;
  if (n->list.len && !check_coerce(C, n->list.items[0], TYPE(INT), "as the offset")) return NULL;
  Type *r = width == 1 ? t->elem : type_simd(t->elem, (int)width);
  n->optype = r;
  return check_intrinsic(n, IN_PTR_LOAD, r);
}

/* p.store(i, v), p.store(v), p.store[width=8](i, v), p.simd_store[8](i, v).
   Without a width, a vector value stores all its lanes. */
static Type *store(Checker *C, Node *n, Type *t, bool simd_spelling) {
  int64_t width;
  if (!access_width(C, n, simd_spelling, &width)) return NULL;
  if (!check_no_kwargs(C, n, n->a->name) || !check_arg_count(C, n, n->a->name, 1, 2)) return NULL;
  Node *v = n->list.items[n->list.len - 1];
  if (n->list.len == 2 && !check_coerce(C, n->list.items[0], TYPE(INT), "as the offset")) return NULL;
  if (!n->list3.len && type_is_simd(v->type) && type_same(v->type->elem, t->elem)) width = v->type->width;
  if (!numeric_elem(C, n, t, width)) return NULL;
  Type *vt = width == 1 ? t->elem : type_simd(t->elem, (int)width);
  if (!check_coerce(C, v, vt, "as the stored value")) return NULL;
  n->optype = vt;
  return check_intrinsic(n, IN_PTR_STORE, TYPE(NONE));
}

Type *check_pointer_method(Checker *C, Node *n, Type *t) {
  const char *name = n->a->name;
  if (!check_args(C, n)) return NULL;
  if (!strcmp(name, "load") || !strcmp(name, "simd_load")) return load(C, n, t, !strncmp(name, "simd_", 5));
  if (!strcmp(name, "store") || !strcmp(name, "simd_store")) return store(C, n, t, !strncmp(name, "simd_", 5));
  if (!strcmp(name, "free")) {
    if (!check_arg_count(C, n, name, 0, 0)) return NULL;
    return check_intrinsic(n, IN_PTR_FREE, TYPE(NONE));
  }
  if (!strcmp(name, "offset")) {
    if (!check_arg_count(C, n, name, 1, 1) ||
        !check_coerce(C, n->list.items[0], TYPE(INT), "as the offset"))
      return NULL;
    return check_intrinsic(n, IN_PTR_OFFSET, t);
  }
  if (!strcmp(name, "bitcast")) {
    if (n->list3.len != 1 || n->list.len) {
      ERR(n->a, "bitcast takes the new element type: p.bitcast[Float32]()");
      return NULL;
    }
    Node *p = n->list3.items[0];
    Type *elem = t->width == PTR_DTYPE ? check_ct_dtype(C, p) : check_resolve_type(C, p);
    if (!elem) return NULL;
    return check_intrinsic(n, IN_PTR_BITCAST, type_pointer(elem, (PointerFlavor)t->width));
  }
  if (!strcmp(name, "__bool__") && check_arg_count(C, n, name, 0, 0))
    return check_intrinsic(n, IN_PTR_IS_NULL, TYPE(BOOL));
  ERR(n->a, "'%s' has no method '%s'", t->name, name);
  HINT("pointers have load, store, simd_load, simd_store, offset, bitcast, free and p[i]");
  return NULL;
}

/* p[i] (and p[] for p[0]): one element. */
Type *check_pointer_index(Checker *C, Node *n, Type *t) {
  if (n->list.len > 1 || n->list2.len || (n->list.len && n->list.items[0]->kind == N_SLICE)) {
    ERR(n, "a pointer takes one Int offset");
    return NULL;
  }
  if (n->list.len && (!check_expr(C, n->list.items[0]) ||
                      !check_coerce(C, n->list.items[0], TYPE(INT), "as the offset")))
    return NULL;
  return t->elem;
}

/* p + i, p - i: an offset pointer. */
Type *check_pointer_binary(Checker *C, Node *n) {
  Type *ta = n->a->type, *tb = n->b->type;
  if (type_is_pointer(ta) && (n->op == T_PLUS || n->op == T_MINUS) && tb->is_int && !type_is_simd(tb)) {
    n->optype = ta;
    return ta;
  }
  if (type_is_pointer(tb) && n->op == T_PLUS && ta->is_int && !type_is_simd(ta)) {
    Node *t = n->a;  /* i + p: put the pointer first */
    n->a = n->b;
    n->b = t;
    n->optype = tb;
    return tb;
  }
  ERR(n, "invalid operands for '%s': '%s' and '%s'", token_spelling[n->op], ta->name, tb->name);
  HINT("a pointer moves by an Int offset: p + i, p - i");
  return NULL;
}

/* p == q, p != q: the same address. */
Type *check_pointer_compare(Checker *C, Node *n) {
  Node *a = n->list.items[0], *b = n->list.items[1];
  int op = n->ops[0];
  if (n->list.len == 2 && (op == T_EQ || op == T_NE || op == T_LT || op == T_LE || op == T_GT || op == T_GE) &&
      type_same(a->type, b->type)) {
    n->optype = a->type;
    return TYPE(BOOL);
  }
  ERR(n, "pointers compare only with pointers of the same type: '%s' and '%s'", a->type->name, b->type->name);
  return NULL;
}

/* ---- the memory module --------------------------------------------------- */

static bool pointer_arg(Checker *C, Node *a, const char *fn) {
  if (type_is_pointer(a->type)) return true;
  ERR(a, "%s() needs a pointer, not '%s'", fn, a->type->name);
  return false;
}

/* memset_zero(p, n), memset(p, byte, n), memcpy(dest, src, n),
   stack_allocation[n, T or dtype]() */
Type *check_memory_call(Checker *C, Node *n, const char *name) {
  if (!check_args(C, n)) return NULL;
  if (!strcmp(name, "stack_allocation")) {
    int64_t space = 0;  /* address_space=AddressSpace.SHARED: a GPU block's shared memory */
    for (int i = n->list3.len - 1; i >= 0 && n->list3.items[i]->kind == N_KWARG; i--) {
      Node *kw = n->list3.items[i];
      int64_t v;
      if (strcmp(kw->name, "address_space") && strcmp(kw->name, "alignment")) {
        ERR(kw, "stack_allocation has no parameter '%s' (alignment, address_space)", kw->name);
        return NULL;
      }
      if (!check_ct_int(C, kw->a, &v)) return NULL;
      if (!strcmp(kw->name, "address_space")) space = v;
      n->list3.len = i;
    }
    if (space != 0 && space != 3) {
      ERR(n, "stack_allocation puts values on the stack or in GPU shared memory (AddressSpace.SHARED), not in address space %lld",
          (long long)space);
      return NULL;
    }
    n->str = space == 3 ? "shared" : NULL;
    if (n->list.len || n->list3.len < 2 || n->list3.len > 3) {
      ERR(n, "stack_allocation takes a count and a type: stack_allocation[16, DType.float32]()");
      return NULL;
    }
    int64_t count;
    if (!check_ct_int(C, n->list3.items[0], &count)) return NULL;
    if (count < 1 || count > (1 << 20)) {
      ERR(n->list3.items[0], "stack_allocation needs a count from 1 to 1048576");
      return NULL;
    }
    Node *p = n->list3.items[1];
    Symbol *s = p->kind == N_NAME ? check_lookup(C, p->name) : NULL;
    bool dtype = !(p->kind == N_INDEX || (s && s->kind == SYM_TYPE));
    Type *elem = dtype ? check_ct_dtype(C, p) : check_resolve_type(C, p);
    if (!elem) return NULL;
    n->ival = (uint64_t)count;
    return check_intrinsic(n, IN_PTR_STACK, type_pointer(elem, dtype ? PTR_DTYPE : PTR_UNSAFE));
  }
  if (!check_no_kwargs(C, n, name)) return NULL;
  bool is_zero = !strcmp(name, "memset_zero"), is_set = !strcmp(name, "memset");
  int argc = is_zero ? 2 : 3;
  if (!check_arg_count(C, n, name, argc, argc) || !pointer_arg(C, n->list.items[0], name)) return NULL;
  if (!is_zero && !is_set && !pointer_arg(C, n->list.items[1], name)) return NULL;
  if (is_set && !check_coerce(C, n->list.items[1], TYPE(U8), "as the byte value")) return NULL;
  if (!check_coerce(C, n->list.items[argc - 1], TYPE(INT), "as the element count")) return NULL;
  return check_intrinsic(n, is_zero ? IN_MEMSET_ZERO : is_set ? IN_MEMSET : IN_MEMCPY, TYPE(NONE));
}
