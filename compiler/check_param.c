/* check_param.c — compile-time parameters and instantiation.
 *
 * A function with parameters in brackets is generic:
 *   fn f[T: Stringable](x: T)          a type, bounded by a trait
 *   fn g[n: Int, dt: DType](...)       values known at compile time
 *   fn h[func: fn(Int) -> None]()      a function (or closure)
 * as is an untyped `def`. A call binds each parameter from the brackets
 * at the call (positionally or by keyword), by inference from the
 * arguments' types (x: SIMD[dt, w] given a SIMD[float32, 8] binds dt and
 * w), or from its default. Each distinct binding is an instance: a copy
 * of the definition (node_clone) checked with the parameters in scope as
 * aliases, types and functions. Instances are kept on the generic symbol,
 * so later cells reuse them. */
#include "compiler/check_internal.h"

#include <string.h>

/* ---- declaration --------------------------------------------------------- */

static bool names_param(const Node *n, const void *fn_node) {
  const Node *f = fn_node;
  if (n->kind != N_NAME) return false;
  for (int i = 0; i < f->list3.len; i++)
    if (!strcmp(f->list3.items[i]->name, n->name)) return true;
  return false;
}

/* Does type expression t mention one of the function's parameters? Such a
   type is known only per instance. */
bool check_mentions_param(Node *fn_node, Node *t) {
  return t && fn_node->list3.len && node_any(t, names_param, fn_node);
}

/* What kind of parameter p is, from its declared type: a trait bound, a
   function type, or a value type. Sets p->op and p->sym/p->type. */
static bool declare_param(Checker *C, Node *p) {
  if (!p->a) {
    ERR(p, "parameter '%s' needs a type or a trait, as in [%s: Int] or [%s: AnyType]", p->name, p->name, p->name);
    return false;
  }
  if (p->a->kind == N_NAME) {  /* an alias of a function type */
    Symbol *s = check_lookup(C, p->a->name);
    if (s && s->kind == SYM_ALIAS && !s->type && s->decl && s->decl->b->kind == N_FN_DEF) p->a = s->decl->b;
  }
  if (p->a->kind == N_FN_DEF) {  /* fn(Int) capturing -> None */
    p->op = PARAM_FN;
    return true;
  }
  if (p->a->kind == N_NAME) {
    Symbol *s = check_lookup(C, p->a->name);
    if (!s || s->kind != SYM_TYPE) {  /* a trait: user-defined or built in */
      p->op = PARAM_TYPE;
      p->sym = check_lookup_trait(C, p->a);
      return p->sym != NULL;
    }
  }
  Type *t = check_resolve_type(C, p->a);
  if (!t) return false;
  if (!type_is_scalar(t) && t->kind != TY_DTYPE && t->kind != TY_STRING) {
    ERR(p->a, "a compile-time parameter must be an Int, Bool, float, DType or String value, or a type bounded by a trait");
    return false;
  }
  p->op = PARAM_VALUE;
  p->type = t;
  return true;
}

bool check_declare_params(Checker *C, Node *n, Symbol *fn) {
  bool ok = true;
  for (int i = 0; i < n->list3.len; i++) {
    Node *p = n->list3.items[i];
    for (int j = 0; j < i; j++)
      if (!strcmp(n->list3.items[j]->name, p->name)) {
        ERR(p, "duplicate parameter '%s'", p->name);
        ok = false;
      }
    ok = declare_param(C, p) && ok;
    fn->generic = true;
  }
  return ok;
}

/* ---- binding at a call --------------------------------------------------- */

typedef struct Binder {
  Node *fn_node;     /* the generic definition */
  ConstVal *vals;    /* one per parameter */
  bool *set;
} Binder;

static int param_index(Binder *b, const char *name) {
  for (int i = 0; i < b->fn_node->list3.len; i++)
    if (!strcmp(b->fn_node->list3.items[i]->name, name)) return i;
  return -1;
}

static bool bind_value(Checker *C, Binder *b, int k, ConstVal v, Node *at);

/* Match a declared type expression against an argument's type, binding the
   parameters it names: T, SIMD[dt, w], Scalar[dt], DTypePointer[dt],
   UnsafePointer[T], List[T]. */
static bool unify(Checker *C, Binder *b, Node *decl, Type *actual, Node *at) {
  if (!decl || !actual) return true;
  if (decl->kind == N_NAME) {
    int k = param_index(b, decl->name);
    if (k < 0 || b->set[k]) return true;
    Node *p = b->fn_node->list3.items[k];
    if (p->op != PARAM_TYPE) return true;
    return bind_value(C, b, k, (ConstVal){.as_type = actual}, at);
  }
  if (decl->kind != N_INDEX || decl->a->kind != N_NAME) return true;
  const char *name = decl->a->name;
  Node **args = decl->list.items;
  int n = decl->list.len;
  bool simd = !strcmp(name, "SIMD"), scalar = !strcmp(name, "Scalar");
  if ((simd || scalar) && (type_is_simd(actual) || type_is_scalar(actual))) {
    Type *lane = (Type *)type_lane(actual);
    if (n >= 1 && args[0]->kind == N_NAME) {
      int k = param_index(b, args[0]->name);
      if (k >= 0 && !b->set[k] && !bind_value(C, b, k, (ConstVal){.type = TYPE(DTYPE), .i = lane->kind}, at))
        return false;
    }
    if (simd && n == 2 && args[1]->kind == N_NAME) {
      int k = param_index(b, args[1]->name);
      int width = type_is_simd(actual) ? actual->width : 1;
      if (k >= 0 && !b->set[k] && !bind_value(C, b, k, (ConstVal){.type = TYPE(INT), .i = width}, at))
        return false;
    }
    return true;
  }
  if (!strcmp(name, "DTypePointer") && type_is_pointer(actual) && n >= 1 && args[0]->kind == N_NAME) {
    int k = param_index(b, args[0]->name);
    if (k >= 0 && !b->set[k])
      return bind_value(C, b, k, (ConstVal){.type = TYPE(DTYPE), .i = actual->elem->kind}, at);
    return true;
  }
  if ((type_is_pointer(actual) || type_is_list(actual)) && n == 1) return unify(C, b, args[0], actual->elem, at);
  if (type_is_struct(actual) && actual->st->origin && !strcmp(actual->st->origin->decl->name, name)) {
    Node *gdecl = actual->st->origin->decl;  /* Matrix[dt] given a Matrix[DType.float32] */
    for (int i = 0; i < n && i < gdecl->list3.len; i++) {
      ConstVal *v = &actual->st->params[i];
      if (args[i]->kind == N_NAME) {
        int k = param_index(b, args[i]->name);
        if (k >= 0 && !b->set[k] && !bind_value(C, b, k, *v, at)) return false;
      } else if (v->as_type && !unify(C, b, args[i], v->as_type, at)) return false;
    }
  }
  return true;
}

/* Record parameter k's value, converting a value to the declared type. */
static bool bind_value(Checker *C, Binder *b, int k, ConstVal v, Node *at) {
  Node *p = b->fn_node->list3.items[k];
  if (p->op == PARAM_VALUE && v.type != p->type) {
    if (!v.type || !check_converts(v.type, p->type, v.is_literal)) {
      ERR(at, "parameter '%s' is '%s', not '%s'", p->name, p->type->name, v.type ? v.type->name : "a type");
      return false;
    }
    if (p->type->is_float && v.type->is_int) v.f = (double)v.i;
    v.type = p->type;
  }
  b->vals[k] = v;
  b->set[k] = true;
  return true;
}

/* Does function f fit parameter p's function type (fn(Int) capturing -> T)? */
static bool fn_fits(Checker *C, Binder *b, Symbol *f, Node *p, Node *arg) {
  Node *ft = p->a;
  int want = ft->list.len;
  if (ft->list3.len && !f->generic) {
    ERR(arg, "parameter '%s' needs a function with compile-time parameters (fn[...](...)); '%s' has none", p->name, f->name);
    return false;
  }
  if (f->generic) return true;  /* checked where it is instantiated */
  if (f->nparams != want) {
    ERR(arg, "'%s' takes %d argument%s; parameter '%s' needs a function of %d", f->name, f->nparams,
        f->nparams == 1 ? "" : "s", p->name, want);
    return false;
  }
  if (f->closure_root && f->closure_root->ncaptures && !(ft->flags & FN_CAPTURING)) {
    ERR(arg, "'%s' captures variables, and parameter '%s' takes only functions that do not", f->name, p->name);
    HINT("declare the parameter's type 'capturing', as in fn(Int) capturing -> None");
    return false;
  }
  for (int i = 0; i < want; i++) {
    Node *tn = ft->list.items[i]->a;
    if (!tn || check_mentions_param(b->fn_node, tn)) continue;
    Type *t = check_resolve_type(C, node_clone(C->arena, tn));
    if (t && f->param_types[i] && !type_same(t, f->param_types[i])) {
      ERR(arg, "'%s' takes '%s' as argument %d; parameter '%s' needs '%s'", f->name, f->param_types[i]->name,
          i + 1, p->name, t->name);
      return false;
    }
  }
  if (ft->a && check_mentions_param(b->fn_node, ft->a)) return true;
  Type *want_ret = ft->a ? check_resolve_type(C, node_clone(C->arena, ft->a)) : TYPE(NONE);
  if (want_ret && f->type && !type_same(want_ret, f->type)) {
    ERR(arg, "'%s' returns '%s'; parameter '%s' needs a function returning '%s'", f->name, f->type->name,
        p->name, want_ret->name);
    return false;
  }
  return true;
}

/* A parameter given at the call: a value, a type or a function. */
static bool explicit_param(Checker *C, Binder *b, int k, Node *arg) {
  Node *p = b->fn_node->list3.items[k];
  if (p->op == PARAM_TYPE) {
    Type *t = check_resolve_type(C, arg);
    return t && bind_value(C, b, k, (ConstVal){.as_type = t}, arg);
  }
  if (p->op == PARAM_FN) {
    Symbol *f = arg->kind == N_NAME ? check_lookup(C, arg->name) : NULL;
    if (!f || f->kind != SYM_FN) {
      ERR(arg, "parameter '%s' takes a function", p->name);
      return false;
    }
    if (!fn_fits(C, b, f, p, arg)) return false;
    arg->sym = f;
    return bind_value(C, b, k, (ConstVal){.fn = f}, arg);
  }
  ConstVal v;
  if (!check_expr(C, arg)) return false;
  if (!check_const_eval(C, arg, &v)) {
    ERR(arg, "parameter '%s' needs a value known at compile time", p->name);
    return false;
  }
  return bind_value(C, b, k, v, arg);
}

static bool names_function(Checker *C, Node *a) {
  if (a->kind != N_NAME) return false;
  Symbol *s = check_lookup(C, a->name);
  return s && s->kind == SYM_FN;
}

/* Mojo changed the order of some parameters (vectorize[simd_width, func]
   in 2023, vectorize[func, simd_width] now). Where a function is given in
   the place of a value and a value in the place of a function, the two
   swap, so both spellings bind. */
static void reorder_by_kind(Checker *C, Binder *b, NodeList *ps) {
  int n = b->fn_node->list3.len;
  for (int k = 0; k < ps->len && k < n; k++) {
    if (ps->items[k]->kind == N_KWARG || b->fn_node->list3.items[k]->op != PARAM_FN) continue;
    if (names_function(C, ps->items[k])) continue;
    for (int j = k + 1; j < ps->len && j < n; j++)
      if (ps->items[j]->kind != N_KWARG && b->fn_node->list3.items[j]->op != PARAM_FN &&
          names_function(C, ps->items[j])) {
        Node *t = ps->items[k];
        ps->items[k] = ps->items[j];
        ps->items[j] = t;
        break;
      }
  }
}

static bool bind_explicit(Checker *C, Binder *b, NodeList *ps, const char *gname) {
  reorder_by_kind(C, b, ps);
  int npos = 0;
  for (int i = 0; i < ps->len; i++) {
    Node *a = ps->items[i];
    int k;
    if (a->kind == N_KWARG) {
      k = param_index(b, a->name);
      if (k < 0) {
        ERR(a, "'%s' has no parameter '%s'", gname, a->name);
        return false;
      }
      a = a->a;
    } else k = npos++;
    if (k >= b->fn_node->list3.len) {
      ERR(a, "'%s' takes %d parameter%s", gname, b->fn_node->list3.len, b->fn_node->list3.len == 1 ? "" : "s");
      return false;
    }
    if (b->set[k]) {
      ERR(a, "parameter '%s' is given twice", b->fn_node->list3.items[k]->name);
      return false;
    }
    if (!explicit_param(C, b, k, a)) return false;
  }
  return true;
}

/* The scope in which an instance is checked: each parameter by name. */
static void bind_scope(Checker *C, Binder *b, Scope *out) {
  for (int k = 0; k < b->fn_node->list3.len; k++) {
    Node *p = b->fn_node->list3.items[k];
    Symbol *s;
    if (p->op == PARAM_TYPE) s = check_new_symbol(C, SYM_TYPE, p->name, b->vals[k].as_type);
    else if (p->op == PARAM_FN) {
      s = check_new_symbol(C, SYM_FN, p->name, NULL);
      *s = *b->vals[k].fn;  /* the function, under the parameter's name */
      s->name = p->name;
    } else {
      s = check_new_symbol(C, SYM_ALIAS, p->name, p->type);
      s->value = b->vals[k];
      s->value.is_literal = false;
    }
    check_scope_add(C, out, s);
  }
}

/* ---- instances ----------------------------------------------------------- */

static bool const_same(const ConstVal *a, const ConstVal *b) {
  if (a->as_type || b->as_type) return type_same(a->as_type, b->as_type);
  if (a->fn || b->fn) return a->fn == b->fn;
  if (a->type != b->type) return false;
  if (a->type->kind == TY_STRING) return a->slen == b->slen && !memcmp(a->s, b->s, (size_t)a->slen);
  if (a->type->is_float) return a->f == b->f;
  return a->i == b->i;
}

static bool instance_matches(const Instance *in, Symbol *g, Type **types, ConstVal *vals, int nvals) {
  for (int i = 0; i < g->nparams; i++)
    if (!type_same(in->arg_types[i], types[i])) return false;
  for (int k = 0; k < nvals; k++)
    if (!const_same(&in->params[k], &vals[k])) return false;
  return true;
}

static Instance *find_instance(Checker *C, Symbol *g, Type **types, ConstVal *vals, int nvals) {
  for (Instance *in = g->instances; in; in = in->next)
    if (instance_matches(in, g, types, vals, nvals)) return in;
  for (int i = 0; i < C->out->ninsts; i++)
    if (C->out->insts[i].generic == g && instance_matches(C->out->insts[i].inst, g, types, vals, nvals))
      return C->out->insts[i].inst;
  return NULL;
}

static void add_pending(Checker *C, Symbol *g, Instance *in) {
  CheckedCell *o = C->out;
  if (o->ninsts == o->capinsts) {
    int cap = o->capinsts ? o->capinsts * 2 : 8;
    PendingInstance *p = arena_alloc(C->arena, sizeof *p * (size_t)cap);
    if (o->ninsts) memcpy(p, o->insts, sizeof *p * (size_t)o->ninsts);
    o->insts = p;
    o->capinsts = cap;
  }
  o->insts[o->ninsts++] = (PendingInstance){g, in};
}

/* The argument types of the instance: declared types resolved with the
   parameters bound, or the argument's own type for untyped def params. */
static bool instance_types(Checker *C, Node *n, Symbol *g, Node **bound, Type **types) {
  for (int i = 0; i < g->nparams; i++) {
    Node *pt = check_param_node(g, i)->a;
    types[i] = g->param_types[i];
    if (!types[i] && pt) types[i] = check_resolve_type(C, node_clone(C->arena, pt));  /* fresh: checking marks nodes */
    if (!types[i] && !pt) types[i] = bound[i]->type;
    if (!types[i]) return false;
    if (types[i]->kind == TY_NONE) {
      ERR(bound[i], "cannot pass None as an argument");
      return false;
    }
  }
  (void)n;
  return true;
}

static bool bind_types(Checker *C, Node *n, Symbol *g, Node **bound, Binder *b, Scope *bindings,
                       Scope *owner_params, Type **types);

/* Bind g's parameters from the call (brackets, then the arguments) and
   resolve the instance's argument types in *bindings (which *owner_params
   may parent). False, having said why, when they cannot be inferred. */
static bool bind_instance(Checker *C, Node *n, Symbol *g, Node **bound, Binder *b, Scope *bindings,
                          Scope *owner_params, Type **types) {
  const char *saved_module = C->module;  /* a module's generic sees the module's names */
  C->module = g->module ? g->module : g->owner && g->owner->st->module ? g->owner->st->module : C->module;
  bool ok = bind_types(C, n, g, bound, b, bindings, owner_params, types);
  C->module = saved_module;
  return ok;
}

static bool bind_types(Checker *C, Node *n, Symbol *g, Node **bound, Binder *b, Scope *bindings,
                       Scope *owner_params, Type **types) {
  Node *decl = g->decl;
  int nct = decl->list3.len;
  *b = (Binder){.fn_node = decl, .vals = arena_alloc(C->arena, sizeof(ConstVal) * (size_t)(nct + 1)),
                .set = arena_alloc(C->arena, sizeof(bool) * (size_t)(nct + 1))};
  if (!bind_explicit(C, b, &n->list3, g->name)) return false;
  for (int i = 0; i < g->nparams; i++)
    if (!unify(C, b, check_param_node(g, i)->a, bound[i]->type, bound[i])) return false;
  for (int k = 0; k < nct; k++) {
    Node *p = decl->list3.items[k];
    if (b->set[k]) continue;
    if (p->b && p->op == PARAM_VALUE && explicit_param(C, b, k, p->b)) continue;
    ERR(n, "cannot infer parameter '%s' of '%s' from the arguments", p->name, g->name);
    HINT("give it in brackets: %s[%s=...](...)", g->name, p->name);
    return false;
  }
  for (int k = 0; k < nct; k++) {
    Node *p = decl->list3.items[k];
    if (p->op == PARAM_TYPE && !check_satisfies(C, b->vals[k].as_type, p->sym, n)) return false;
  }
  /* a closure's instance sees the scope it was defined in; a method of a
     struct instance sees the struct's parameters */
  *bindings = (Scope){.parent = g->closure_root ? g->closure_root->def_scope : &C->top};
  *owner_params = (Scope){.parent = &C->top};
  if (!g->closure_root && g->owner && g->owner->st->param_names) {
    owner_params->names = g->owner->st->param_names;
    bindings->parent = owner_params;
  }
  bind_scope(C, b, bindings);
  Scope *saved_scope = C->scope;
  Type *saved_self = C->self_type;
  C->scope = bindings;
  C->self_type = g->owner;
  bool typed = instance_types(C, n, g, bound, types);
  C->scope = saved_scope;
  C->self_type = saved_self;
  return typed;
}

/* Whether the call could use generic g: its parameters can be inferred and
   the arguments then convert to the instance's types. Quiet; for choosing
   among overloads (enqueue_copy of a device and a host buffer either way). */
bool check_instance_fits(Checker *C, Node *n, Symbol *g, Node **bound) {
  bool saved = C->quiet;
  C->quiet = true;
  Binder b;
  Scope bindings, owner_params;
  Type **types = arena_alloc(C->arena, sizeof(Type *) * (size_t)(g->nparams + 1));
  bool fits = bind_instance(C, n, g, bound, &b, &bindings, &owner_params, types);
  for (int i = 0; fits && i < g->nparams; i++)
    fits = check_converts(bound[i]->type, types[i], check_is_literal(bound[i]));
  C->quiet = saved;
  return fits;
}

Symbol *check_instantiate(Checker *C, Node *n, Symbol *g, Node **bound) {
  Node *decl = g->decl;
  int nct = decl->list3.len;
  Binder b;
  Scope bindings, owner_params;
  Type **types = arena_alloc(C->arena, sizeof(Type *) * (size_t)(g->nparams + 1));
  if (!bind_instance(C, n, g, bound, &b, &bindings, &owner_params, types)) return NULL;
  Scope *saved_scope = C->scope;
  Type *saved_self = C->self_type;
  Instance *in = find_instance(C, g, types, b.vals, nct);
  if (in) return in->fn;
  in = arena_alloc(C->arena, sizeof *in);
  in->arg_types = types;
  in->params = b.vals;
  Node *def = node_clone(C->arena, decl);
  def->list3 = (NodeList){0};  /* the copy is concrete */
  Symbol *fn = check_new_symbol(C, SYM_FN, g->name, g->type);
  fn->line_cell = g->line_cell ? g->line_cell : g->cell;  /* its lines are the generic's */
  fn->decl = def;
  fn->nparams = g->nparams;
  fn->param_types = types;
  fn->owner = g->owner;  /* a generic method stays a method */
  fn->self_conv = g->self_conv;
  fn->is_static = g->is_static;
  fn->conventions = g->conventions;
  fn->closure_root = g->closure_root;
  fn->mangled = g->closure_root ? arena_printf(C->arena, "%s.g%d", g->closure_root->mangled, C->out->ninsts)
                                : arena_printf(C->arena, "%s.g%d", check_mangle(C, g->name, ""), C->out->ninsts);
  for (int k = 0; k < nct; k++)  /* closures passed in: each brings its environment */
    if (decl->list3.items[k]->op == PARAM_FN && b.vals[k].fn->closure_root)
      check_push_symbol(C, &fn->env_params, &fn->nenv_params, &fn->capenv_params, b.vals[k].fn->closure_root);
  def->sym = fn;
  in->fn = fn;
  add_pending(C, g, in);
  /* Check the copy at top level, as if it were written where it was defined,
     with each parameter bound. */
  FnCtx *saved_fn = C->fn;
  int saved_loops = C->loop_depth;
  const char *saved_module = C->module;
  C->scope = &bindings;
  C->self_type = g->owner;
  C->module = g->module ? g->module : g->owner && g->owner->st->module ? g->owner->st->module : C->module;
  if (def->a && check_mentions_param(decl, def->a)) fn->type = check_resolve_type(C, def->a);
  C->fn = NULL;
  C->loop_depth = 0;
  int errors = C->diags->count;
  if (!def->a || fn->type) check_fn_body(C, def, fn);
  C->self_type = saved_self;
  C->scope = saved_scope;
  C->fn = saved_fn;
  C->loop_depth = saved_loops;
  C->module = saved_module;
  if (C->diags->count > errors) {
    diag_error(C->diags, n->line, n->col, "in the call to '%s' instantiated here", g->name);
    return NULL;
  }
  node_push(C->arena, &C->out->functions, def);
  return fn;
}

/* ---- @parameter if and @parameter for ----------------------------------- */

/* @parameter if: the condition is known at compile time; only the branch
   taken is checked and compiled (the other may not even type-check for
   this instance). The node becomes a BLOCK of that branch. */
void check_parameter_if(Checker *C, Node *n) {
  ConstVal v;
  if (!check_expr(C, n->a)) return;
  if (!check_const_eval(C, n->a, &v) || (v.type->kind != TY_BOOL && !v.type->is_int)) {
    ERR(n->a, "the condition of @parameter if must be known at compile time");
    HINT("use parameters, aliases and literals, as in @parameter if width == 8:");
    return;
  }
  NodeList taken = v.i ? n->list : n->list2;
  if (!v.i && taken.len == 1 && taken.items[0]->kind == N_IF && taken.items[0]->line != n->line &&
      !taken.items[0]->decorators.len)
    taken.items[0]->decorators = n->decorators;  /* elif: compile-time too */
  n->kind = N_BLOCK;
  n->list = taken;
  n->list2 = (NodeList){0};
  n->decorators = (NodeList){0};
  check_stmt(C, n);
}

/* @parameter for i in range(...): the loop is unrolled at compile time;
   each copy of the body sees i as an alias of its value. The node becomes
   a BLOCK of one BLOCK per iteration. */
void check_parameter_for(Checker *C, Node *n) {
  Node *it = n->b;
  bool is_range = it->kind == N_CALL && it->a->kind == N_NAME && !strcmp(it->a->name, "range") &&
                  it->list.len >= 1 && it->list.len <= 3 && !it->list2.len;
  if (!is_range || n->a->kind != N_NAME) {
    ERR(n, "@parameter for needs 'for name in range(...)' with bounds known at compile time");
    return;
  }
  int64_t b[3] = {0, 0, 1};
  int k = it->list.len;
  for (int i = 0; i < k; i++)
    if (!check_ct_int(C, it->list.items[i], &b[k == 1 ? 1 : i])) return;
  if (b[2] == 0) {
    ERR(it, "range() step must not be zero");
    return;
  }
  int64_t count = b[2] > 0 ? (b[1] - b[0] + b[2] - 1) / b[2] : (b[0] - b[1] - b[2] - 1) / -b[2];
  if (count > 4096) {
    ERR(it, "@parameter for would unroll %lld iterations (at most 4096)", (long long)count);
    return;
  }
  NodeList copies = {0};
  for (int64_t i = 0; i < count; i++) {
    Node *blk = node_new(C->arena, N_BLOCK, n->line, n->col);
    Node *al = node_new(C->arena, N_ALIAS, n->a->line, n->a->col);
    al->name = n->a->name;
    al->b = node_new(C->arena, N_INT, n->a->line, n->a->col);
    al->b->ival = (uint64_t)(b[0] + i * b[2]);
    node_push(C->arena, &blk->list, al);
    for (int s = 0; s < n->list.len; s++) node_push(C->arena, &blk->list, node_clone(C->arena, n->list.items[s]));
    node_push(C->arena, &copies, blk);
  }
  n->kind = N_BLOCK;
  n->list = copies;
  n->decorators = (NodeList){0};
  check_stmt(C, n);
}

/* ---- structs with parameters --------------------------------------------- */

void check_declare_struct_params(Checker *C, Node *n) {
  for (int i = 0; i < n->list3.len; i++) {
    Node *p = n->list3.items[i];
    for (int j = 0; j < i; j++)
      if (!strcmp(n->list3.items[j]->name, p->name)) ERR(p, "duplicate parameter '%s'", p->name);
    declare_param(C, p);
  }
}

static void param_text(Buf *b, Node *p, const ConstVal *v) {
  if (p->op == PARAM_TYPE) buf_puts(b, v->as_type->name);
  else if (p->op == PARAM_FN) buf_puts(b, v->fn->name);
  else if (v->type->kind == TY_DTYPE) buf_printf(b, "DType.%s", type_dtype_name(&type_table[v->i]));
  else if (v->type->kind == TY_BOOL) buf_puts(b, v->i ? "True" : "False");
  else if (v->type->is_float) buf_printf(b, "%g", v->f);
  else if (v->type->kind == TY_STRING) buf_printf(b, "\"%.*s\"", (int)v->slen, v->s);
  else buf_printf(b, "%lld", (long long)v->i);
}

static StructInstance *find_struct_instance(Checker *C, StructInfo *g, ConstVal *vals, int n) {
  for (StructInstance *si = g->instances; si; si = si->next) {
    int k = 0;
    while (k < n && const_same(&si->params[k], &vals[k])) k++;
    if (k == n) return si;
  }
  for (int i = 0; i < C->out->nstructs; i++) {
    PendingStruct *p = &C->out->structs[i];
    int k = 0;
    while (p->generic == g && k < n && const_same(&p->inst->params[k], &vals[k])) k++;
    if (p->generic == g && k == n) return p->inst;
  }
  return NULL;
}

static void add_pending_struct(Checker *C, StructInfo *g, StructInstance *si) {
  CheckedCell *o = C->out;
  if (o->nstructs == o->capstructs) {
    int cap = o->capstructs ? o->capstructs * 2 : 4;
    PendingStruct *p = arena_alloc(C->arena, sizeof *p * (size_t)cap);
    if (o->nstructs) memcpy(p, o->structs, sizeof *p * (size_t)o->nstructs);
    o->structs = p;
    o->capstructs = cap;
  }
  o->structs[o->nstructs++] = (PendingStruct){g, si};
}

/* Matrix[DType.float32]: the instance of a struct with parameters, made on
   first use. Its fields and methods are checked here, with the parameters
   in scope; its methods are compiled with this cell. */
Type *check_struct_instance(Checker *C, Type *gt, Node *ix) {
  StructInfo *g = gt->st;
  Node *decl = g->decl;
  int nct = decl->list3.len;
  Binder b = {.fn_node = decl, .vals = arena_alloc(C->arena, sizeof(ConstVal) * (size_t)(nct + 1)),
              .set = arena_alloc(C->arena, sizeof(bool) * (size_t)(nct + 1))};
  NodeList given = {0};
  for (int i = 0; i < ix->list.len; i++) node_push(C->arena, &given, ix->list.items[i]);
  for (int i = 0; i < ix->list2.len; i++) node_push(C->arena, &given, ix->list2.items[i]);
  if (!bind_explicit(C, &b, &given, decl->name)) return NULL;
  for (int k = 0; k < nct; k++) {
    Node *p = decl->list3.items[k];
    if (b.set[k]) continue;
    if (p->b && p->op == PARAM_VALUE && explicit_param(C, &b, k, p->b)) continue;
    ERR(ix, "'%s' needs its parameter '%s'", decl->name, p->name);
    return NULL;
  }
  for (int k = 0; k < nct; k++) {
    Node *p = decl->list3.items[k];
    if (p->op == PARAM_TYPE && !check_satisfies(C, b.vals[k].as_type, p->sym, ix)) return NULL;
  }
  StructInstance *si = find_struct_instance(C, g, b.vals, nct);
  if (si) return si->type;
  si = arena_alloc(C->arena, sizeof *si);
  si->params = b.vals;
  Buf name = {0};
  buf_printf(&name, "%s[", decl->name);
  for (int k = 0; k < nct; k++) {
    if (k) buf_puts(&name, ", ");
    param_text(&name, decl->list3.items[k], &b.vals[k]);
  }
  buf_puts(&name, "]");
  Node *d = node_clone(C->arena, decl);
  d->list3 = (NodeList){0};
  d->name = arena_strdup(C->arena, buf_str(&name));
  buf_free(&name);
  /* check it at top level with the parameters bound, wherever the use is */
  Scope *saved_scope = C->scope;
  FnCtx *saved_fn = C->fn;
  Type *saved_self = C->self_type;
  int saved_loops = C->loop_depth, errors = C->diags->count;
  Scope *bindings = arena_alloc(C->arena, sizeof *bindings);
  bindings->parent = &C->top;
  bind_scope(C, &b, bindings);
  C->scope = bindings;
  C->fn = NULL;
  C->loop_depth = 0;
  const char *saved_module = C->module;
  if (g->module) C->module = g->module;
  C->instantiating = true;
  check_declare_struct(C, d);
  C->instantiating = false;
  si->type = d->type;
  d->type->st->param_names = bindings->names;
  d->type->st->origin = g;
  d->type->st->module = g->module;
  d->type->st->params = b.vals;
  add_pending_struct(C, g, si);
  check_define_fields(C, d);
  check_declare_methods(C, d);
  check_struct_traits(C, d);
  check_struct_bodies(C, d);
  C->scope = saved_scope;
  C->fn = saved_fn;
  C->self_type = saved_self;
  C->loop_depth = saved_loops;
  C->module = saved_module;
  if (C->diags->count > errors) {
    diag_error(C->diags, ix->line, ix->col, "in '%s', instantiated here", d->name);
    return NULL;
  }
  return si->type;
}
