/* check.c — name resolution and type checking.
 *
 * check_cell first declares every top-level function of the cell (so they
 * may call each other in any order), then checks the statements in order.
 * Scopes form a chain: blocks → function → the cell's top level → the
 * session's globals → builtins. Top-level names become globals; names
 * assigned without `var` inside a function are function-scoped, `var` is
 * block-scoped (Mojo). Untyped `def` functions are generic: each distinct
 * tuple of argument types instantiates a copy of the body (node_clone).
 *
 * The checker writes its conclusions into the tree for the emitter:
 * node->type (value type), node->optype (operand type of operators),
 * node->sym (what a name means), CALL args rebound in parameter order.
 *
 * This file has the core: scopes, conversions, expressions, calls, the
 * use of structs, statements and functions. Declaring structs and traits
 * is check_struct.c; parameters and instances check_param.c; each kind of
 * value of its own has a check_<kind>.c (simd, ptr, tuple, python, gpu,
 * mlir, stdlib), all over check_internal.h. */
#include "compiler/check_internal.h"

#include "compiler/buf.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

Type *check_expr(Checker *C, Node *n);
void check_stmt_list(Checker *C, NodeList *body);
bool check_args(Checker *C, Node *n);
static Type *struct_binary(Checker *C, Node *n, int op, Node *a, Node *b);
static Type *method_call(Checker *C, Node *n, Type *t);
static Type *constructor_call(Checker *C, Node *n, Type *t);
Type *check_as_method_call(Checker *C, Node *n, Node *recv, const char *name, NodeList args);
static NodeList args_of(Checker *C, Node *a, Node *b);
static Type *field_expr(Checker *C, Node *n);
Type *check_finish_call(Checker *C, Node *n, Symbol *fn, Node **bound);
static Symbol *resolve_method(Checker *C, Node *n, Type *t, const char *name, bool want_static, Node ***bound);
bool check_has_method(const Type *t, const char *name);
static bool mutable_place(Node *n);
static Symbol *module_member(Checker *C, const char *module, const char *name, bool *ok);
static int field_index(const Type *t, const char *name);

void check_mark_raise(Checker *C) {
  if (C->fn) C->fn->may_raise = true;
}

/* Mojo's rule: raising explicitly (raise, or calling a `raises` function)
   needs a `raises` function, a def, a try around it, or the top level. */
static bool may_raise_here(Checker *C) {
  return !C->fn || C->fn->raises || C->try_depth > 0;
}

static const char *fn_name(Checker *C) { return C->fn ? C->fn->sym->name : "<cell>"; }

bool check_literal_nonzero(const Node *n) {
  if (n->kind == N_INT) return n->ival != 0;
  if (n->kind == N_UNARY && n->op == T_MINUS) return check_literal_nonzero(n->a);
  if (n->kind == N_NAME && n->sym && n->sym->kind == SYM_ALIAS && n->sym->type &&
      n->sym->type->is_int)
    return n->sym->value.i != 0;
  return false;
}

/* ---- builtins ---------------------------------------------------------- */

static Symbol builtin_fns[BI_COUNT];
static Symbol builtin_types[TY_COUNT];

static void init_builtins(void) {
  static const char *const names[BI_COUNT] = {
#define B_NAME(id, name) name,
      BUILTIN_LIST(B_NAME)
#undef B_NAME
  };
  if (builtin_fns[0].name) return;
  for (int i = 0; i < BI_COUNT; i++)
    builtin_fns[i] = (Symbol){.kind = SYM_BUILTIN, .name = names[i], .builtin = (BuiltinId)i};
  for (int i = 0; i < TY_COUNT; i++)
    builtin_types[i] = (Symbol){.kind = SYM_TYPE, .name = type_table[i].name,
                                .type = &type_table[i]};
}

static Symbol *lookup_builtin(const char *name) {
  for (int i = 0; i < BI_COUNT; i++)
    if (strcmp(builtin_fns[i].name, name) == 0 && i < BI_NOW) return &builtin_fns[i];
  Type *t = type_by_name(name);
  if (t) return &builtin_types[t->kind];
  return NULL;
}

/* ---- scopes ------------------------------------------------------------ */

static Symbol *scope_find(Scope *s, const char *name) {
  for (Binding *b = s->names; b; b = b->next)
    if (strcmp(b->name, name) == 0) return b->sym;
  return NULL;
}

void check_scope_add(Checker *C, Scope *s, Symbol *sym) {
  Binding *b = arena_alloc(C->arena, sizeof *b);
  b->name = sym->name;
  b->sym = sym;
  b->next = s->names;
  s->names = b;
}

static Symbol self_symbol;  /* `Self` inside a struct, refreshed on each lookup */

/* A variable of an enclosing function used inside a closure (found past
   `depth` function scopes): each closure in between captures it. */
static void note_capture(Checker *C, Symbol *var, int depth) {
  FnCtx *f = C->fn;
  for (int d = 0; d < depth && f; d++, f = f->outer) {
    Symbol *root = f->sym->closure_root;
    if (!root) break;
    bool known = false;
    for (int i = 0; i < root->ncaptures && !known; i++) known = root->captures[i] == var;
    if (!known) check_push_symbol(C, &root->captures, &root->ncaptures, &root->capcaptures, var);
  }
}

/* Calling closure `root` (or passing it on) from here needs its captured
   variables here: a closure in between captures them too. */
void check_propagate_captures(Checker *C, Symbol *root) {
  if (!C->fn) return;
  for (int i = 0; i < root->ncaptures; i++) check_lookup(C, root->captures[i]->name);
}

Symbol *check_lookup(Checker *C, const char *name) {
  if (C->self_type && !strcmp(name, "Self")) {
    self_symbol = (Symbol){.kind = SYM_TYPE, .name = "Self", .type = C->self_type};
    return &self_symbol;
  }
  int fn_scopes = 0;
  for (Scope *s = C->scope; s; s = s->parent) {
    Symbol *sym = scope_find(s, name);
    if (sym) {
      if (fn_scopes && sym->kind == SYM_VAR && !(sym->flags & SYM_GLOBAL)) note_capture(C, sym, fn_scopes);
      return sym;
    }
    fn_scopes += s->is_fn;
  }
  if (C->module) {  /* inside an instance of a module's generic code */
    char full[256];
    snprintf(full, sizeof full, "%s.%s", C->module, name);
    Symbol *m = globals_get(C->globals, full);
    if (m) return m;
  }
  Symbol *g = globals_get(C->globals, name);
  return g ? g : lookup_builtin(name);
}

static Scope *fn_scope(Checker *C) {
  Scope *s = C->scope;
  while (s && !s->is_fn) s = s->parent;
  return s;
}

void check_push_scope(Checker *C, Scope *s, bool is_fn) {
  memset(s, 0, sizeof *s);
  s->parent = C->scope;
  s->is_fn = is_fn;
  C->scope = s;
}

/* A symbol name safe inside MLIR's quoted @"..." and in an object file. */
const char *check_mangle(Checker *C, const char *name, const char *suffix) {
  char buf[512];
  int k = 0;
  for (const char *p = name; *p && k < 400; p++) {
    unsigned char c = (unsigned char)*p;
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')
      buf[k++] = (char)c;
    else k += snprintf(buf + k, sizeof buf - (size_t)k, ".%02x", c);
  }
  buf[k] = 0;
  const char *base = arena_printf(C->arena, "%s$c%d%s", buf, C->cell, suffix);
  /* a second definition of a name in the same cell gets a distinct symbol */
  for (int i = 0, n = 2; i < C->out->ndefs; i++)
    if (C->out->defs[i]->mangled && strcmp(C->out->defs[i]->mangled, base) == 0) {
      base = arena_printf(C->arena, "%s$c%d%s.%d", buf, C->cell, suffix, n++);
      i = -1;
    }
  return base;
}

/* Append to an arena array of symbols that doubles as it fills. */
void check_push_symbol(Checker *C, Symbol ***items, int *len, int *cap, Symbol *s) {
  if (*len == *cap) {
    int grown = *cap ? *cap * 2 : 8;
    Symbol **a = arena_alloc(C->arena, sizeof(Symbol *) * (size_t)grown);
    if (*len) memcpy(a, *items, sizeof(Symbol *) * (size_t)*len);
    *items = a;
    *cap = grown;
  }
  (*items)[(*len)++] = s;
}

void check_add_def(Checker *C, Symbol *sym) {
  CheckedCell *o = C->out;
  check_push_symbol(C, &o->defs, &o->ndefs, &o->capdefs, sym);
  check_scope_add(C, &C->top, sym);
}

Symbol *check_new_symbol(Checker *C, SymKind kind, const char *name, Type *type) {
  Symbol *s = arena_alloc(C->arena, sizeof *s);
  s->kind = kind;
  s->name = name;
  s->type = type;
  s->cell = C->cell;
  return s;
}

/* Declare a variable where a new name lands: a global at top level, else a
 * local in the function scope (implicit) or the current block (`var`). */
Symbol *check_declare_var(Checker *C, const char *name, Type *type, bool mutable_, bool block) {
  Symbol *s = check_new_symbol(C, SYM_VAR, name, type);
  s->flags = mutable_ ? SYM_MUTABLE : 0;
  if (!C->fn) {
    s->flags |= SYM_GLOBAL;
    s->mangled = check_mangle(C, name, "");
    check_add_def(C, s);
    return s;
  }
  s->id = C->out->nlocals++;
  check_scope_add(C, block ? C->scope : fn_scope(C), s);
  return s;
}

/* ---- conversions -------------------------------------------------------- */

bool check_converts(const Type *from, const Type *to, bool literal) {
  if (type_same(from, to)) return true;
  if (type_is_simd(to) && !type_is_simd(from))  /* a scalar splats to every lane */
    return type_same(from, to->elem) || check_converts(from, to->elem, literal);
  if (type_is_simd(from)) return false;
  if (to->kind == TY_PYOBJ) return check_to_python(from);  /* Ember values become Python objects */
  if (type_is_optional(to) && !type_is_optional(from))  /* Optional from None or a T */
    return from->kind == TY_NONE || check_converts(from, to->elem, literal);
  if (from->kind == TY_INT && type_is_numeric(to)) return true;  /* Int converts implicitly */
  if (literal && from->is_int && type_is_numeric(to)) return true;
  if (literal && from->is_float && to->is_float) return true;
  return false;
}

bool check_is_literal(Node *n) { return n->flags & EXPR_LITERAL; }

/* Check that n converts to `to`; report "cannot implicitly convert". */
/* Mojo converts a value to a struct implicitly through a constructor of
   one argument (alias OurFalse: OurBool = __mlir_attr.false): n becomes
   the call To(n). */
static bool convert_by_constructor(Checker *C, Node *n, Type *to) {
  if (!type_is_struct(to) || type_is_struct(n->type)) return false;
  bool fits = false;
  for (int i = 0; i < to->st->nmethods && !fits; i++) {
    Symbol *m = to->st->methods[i];
    fits = !strcmp(m->name, "__init__") && m->nparams == 1 && m->param_types[0] &&
           check_converts(n->type, m->param_types[0], check_is_literal(n));
  }
  if (!fits) return false;
  Node *arg = node_new(C->arena, N_INT, n->line, n->col);
  *arg = *n;
  memset(n, 0, sizeof *n);
  n->kind = N_CALL;
  n->line = arg->line;
  n->col = arg->col;
  n->a = node_new(C->arena, N_NAME, arg->line, arg->col);
  n->a->name = to->name;
  n->a->type = to;  /* a synthesized type name (see check_resolve_type) */
  node_push(C->arena, &n->list, arg);
  n->type = constructor_call(C, n, to);
  return n->type != NULL;
}

bool check_coerce(Checker *C, Node *n, Type *to, const char *where) {
  if (!n->type || !to) return false;
  if (type_is_struct(to) && !type_same(n->type, to) && convert_by_constructor(C, n, to)) return true;
  if (n->kind == N_TUPLE && type_is_tuple(to) && type_is_tuple(n->type)) return check_tuple_coerce(C, n, to, where);
  if (type_is_optional(to) && n->kind == N_TUPLE && type_is_tuple(to->elem))
    return check_tuple_coerce(C, n, to->elem, where);
  if (check_converts(n->type, to, check_is_literal(n))) return true;
  ERR(n, "cannot implicitly convert '%s' value to '%s'%s%s", n->type->name, to->name,
      where ? " " : "", where ? where : "");
  if (!strcmp(n->type->name, to->name))
    HINT("'%s' was redefined; this value has the earlier definition", to->name);
  return false;
}

Type *check_as_method_call(Checker *C, Node *n, Node *recv, const char *name, NodeList args);
bool check_has_method(const Type *t, const char *name);

bool check_truthy_ok(Checker *C, Node *n) {
  Type *t = n->type;
  if (!t) return false;
  if (type_is_struct(t) && check_has_method(t, "__bool__")) {  /* if x: -> if x.__bool__(): */
    Node *recv = arena_alloc(C->arena, sizeof *recv);
    *recv = *n;
    return check_as_method_call(C, n, recv, "__bool__", (NodeList){0}) == TYPE(BOOL);
  }
  if (type_is_pointer(t) || type_is_optional(t)) return true;  /* non-null; has a value */
  if (type_is_py(t)) {
    check_mark_raise(C);  /* __bool__ may raise */
    return true;
  }
  if (t->kind == TY_BOOL || (type_is_numeric(t) && !type_is_simd(t)) || t->kind == TY_STRING) return true;
  if (type_is_list(t)) return true;  /* non-empty */
  ERR(n, "'%s' value cannot be used as a condition", t->name);
  if (type_is_simd(t)) HINT("reduce a mask to one Bool with reduce_or() or reduce_and()");
  return false;
}

/* The common type of two operands, or NULL. */
Type *check_promote(Node *a, Node *b) {
  Type *ta = a->type, *tb = b->type;
  if (!ta || !tb) return NULL;
  if (ta == tb) return ta;
  if (!type_is_numeric(ta) || !type_is_numeric(tb)) return NULL;
  if (check_converts(tb, ta, check_is_literal(b)) && !(check_is_literal(a) && !check_is_literal(b)))
    return ta;
  if (check_converts(ta, tb, check_is_literal(a))) return tb;
  if (check_converts(tb, ta, check_is_literal(b))) return ta;
  return NULL;
}

/* ---- types in source ---------------------------------------------------- */

Type *check_list_of(Checker *C, Type *elem) {
  Type *t = arena_alloc(C->arena, sizeof *t);
  t->kind = TY_LIST;
  t->name = arena_printf(C->arena, "List[%s]", elem->name);
  t->mlir = "!llvm.ptr";
  t->bits = 64;
  t->elem = elem;
  return t;
}

static bool is_list_name(const Node *n) {
  return n->kind == N_NAME && (!strcmp(n->name, "List") || !strcmp(n->name, "DynamicVector"));
}

Type *check_resolve_type(Checker *C, Node *t);

/* A name that denotes a struct with parameters (Matrix in Matrix[...]). */
static Type *generic_struct(Checker *C, Node *n) {
  if (n->kind != N_NAME) return NULL;
  Symbol *s = check_lookup(C, n->name);
  return s && s->kind == SYM_TYPE && type_is_struct(s->type) && s->type->st->generic ? s->type : NULL;
}

/* List[T] in a type position or as a constructor's callee. */
static Type *list_type_expr(Checker *C, Node *t) {
  if (t->list.len != 1 || t->list2.len) {
    ERR(t, "List takes one type parameter: List[Int]");
    return NULL;
  }
  Type *elem = check_resolve_type(C, t->list.items[0]);
  if (!elem) return NULL;
  if (elem->kind == TY_NONE) {
    ERR(t, "a List cannot hold None");
    return NULL;
  }
  return check_list_of(C, elem);
}

Type *check_resolve_type(Checker *C, Node *t) {
  if (!t) return NULL;
  if (t->kind == N_INDEX && is_list_name(t->a)) return list_type_expr(C, t);
  if (t->kind == N_INDEX && check_is_simd_name(t->a)) return check_simd_type_expr(C, t);
  if (t->kind == N_TUPLE) return check_tuple_type_expr(C, t);
  if (check_is_mlir_type(t)) return type_mlir(t->name);
  if (t->kind == N_INDEX && check_is_named(t->a, "Tuple")) return check_tuple_type_expr(C, t);
  if (t->kind == N_INDEX && check_is_named(t->a, "Optional")) return check_optional_type_expr(C, t);
  if (t->kind == N_INDEX && check_is_pointer_name(t->a)) return check_pointer_type_expr(C, t);
  Type *gt = t->kind == N_INDEX ? generic_struct(C, t->a) : NULL;
  if (gt) return check_struct_instance(C, gt, t);
  if (t->kind == N_NAME && t->type && t->sym == NULL) return t->type;  /* synthesized */
  if (t->kind == N_NONE) return TYPE(NONE);
  if (t->kind == N_NAME) {
    Symbol *s = check_lookup(C, t->name);
    if (s && s->kind == SYM_TYPE && type_is_struct(s->type) && s->type->st->generic) {
      ERR(t, "'%s' needs its parameters, as in %s[...]", t->name, t->name);
      return NULL;
    }
    if (s && s->kind == SYM_TYPE) return s->type;
    if (!s) ERR(t, "use of unknown declaration '%s'", t->name);
    else ERR(t, "'%s' is not a type", t->name);
    return NULL;
  }
  ERR(t, "this type expression is not supported yet");
  return NULL;
}

/* ---- lists --------------------------------------------------------------- */

/* ---- list comprehensions ------------------------------------------------
 * [elem for x in it if cond for y in x] is checked as the statements
 *     var acc = []                 (its type from the first elem checked)
 *     for x' in it:
 *         if cond':
 *             for y' in x': acc.append(elem')
 * with acc and the variables renamed to names users cannot write ("comp.3",
 * "x.comp.3"), so that they do not leak out (as in Python 3), and the value
 * is acc: a List[T], or a Python list when the elements are Python objects
 * ({a for ...} and {k: v for ...} make a Python set and dict). */

static void rename_names(Node *n, const char *from, const char *to) {
  if (!n) return;
  if (n->kind == N_NAME && !strcmp(n->name, from)) n->name = to;
  rename_names(n->a, from, to);
  rename_names(n->b, from, to);
  rename_names(n->c, from, to);
  const NodeList *ls[3] = {&n->list, &n->list2, &n->list3};
  for (int k = 0; k < 3; k++)
    for (int i = 0; i < ls[k]->len; i++) rename_names(ls[k]->items[i], from, to);
}

static Node *synth(Checker *C, NodeKind kind, const Node *at) { return node_new(C->arena, kind, at->line, at->col); }

Node *check_string_node(Checker *C, const Node *at, const char *text) {
  Node *s = synth(C, N_STR, at);
  s->str = text;
  s->slen = (int64_t)strlen(text);
  return s;
}

/* recv.method() written where `at` stands (arguments go in its list). */
static Node *synth_method_call(Checker *C, const Node *at, Node *recv, const char *method) {
  Node *call = synth(C, N_CALL, at);
  call->a = synth(C, N_ATTR, at);
  call->a->a = recv;
  call->a->name = method;
  return call;
}

static Node *synth_stmt(Checker *C, Node *expr) {
  Node *s = synth(C, N_EXPR_STMT, expr);
  s->a = expr;
  return s;
}

/* The type of a target's base (d of d[k], obj of obj.attr), checked quietly
   on a copy: the target itself is checked where it is used. */
static Type *base_type_of(Checker *C, Node *target) {
  bool saved = C->quiet;
  C->quiet = true;
  Type *t = check_expr(C, node_clone(C->arena, target->a));
  C->quiet = saved;
  return t;
}

static Type *list_comprehension(Checker *C, Node *n) {
  static int counter;
  int id = ++counter;
  for (int c = 0; c < n->list.len; c++) {  /* hide each clause's names from the code after it */
    Node *clause = n->list.items[c], *targets[16];
    int ntargets = 0;
    if (clause->a->kind == N_TUPLE)
      for (int i = 0; i < clause->a->list.len && ntargets < 16; i++) targets[ntargets++] = clause->a->list.items[i];
    else targets[ntargets++] = clause->a;
    for (int i = 0; i < ntargets; i++) {
      if (targets[i]->kind != N_NAME) {
        ERR(targets[i], "a comprehension's variable must be a name");
        return NULL;
      }
      const char *name = targets[i]->name, *hidden = arena_printf(C->arena, "%s.comp.%d", name, id);
      rename_names(n->a, name, hidden);
      for (int k = 0; k < n->list3.len; k++) rename_names(n->list3.items[k], name, hidden);
      for (int k = 0; k < clause->list.len; k++) rename_names(clause->list.items[k], name, hidden);
      for (int later = c + 1; later < n->list.len; later++) rename_names(n->list.items[later], name, hidden);
      targets[i]->name = hidden;
    }
  }
  Symbol *acc = check_declare_var(C, arena_printf(C->arena, "comp.%d", id), TYPE(NONE), true, true);
  Node *decl = synth(C, N_VAR_DECL, n);
  decl->name = acc->name;
  decl->sym = acc;
  decl->b = synth(C, n->op == 1 ? N_SET : n->op == 2 ? N_DICT : N_LIST, n);  /* empty */
  Node *step = synth(C, N_COMP_APPEND, n->a);
  step->a = n->a;
  step->b = n->list3.len ? n->list3.items[0] : NULL;  /* a dict's value */
  step->op = n->op;
  step->sym = acc;
  if (n->op) acc->type = TYPE(PYOBJ);  /* a set or dict comprehension: a Python set or dict */
  Node *body = synth_stmt(C, step);
  for (int c = n->list.len - 1; c >= 0; c--) {  /* innermost first: its ifs, then its loop */
    Node *clause = n->list.items[c];
    for (int k = clause->list.len - 1; k >= 0; k--) {
      Node *when = synth(C, N_IF, clause->list.items[k]);
      when->a = clause->list.items[k];
      node_push(C->arena, &when->list, body);
      body = when;
    }
    Node *loop = synth(C, N_FOR, clause);
    loop->a = clause->a;
    loop->b = clause->b;
    node_push(C->arena, &loop->list, body);
    body = loop;
  }
  check_stmt(C, body);
  if (acc->type->kind == TY_NONE) return NULL;  /* the element did not check */
  decl->b->type = acc->type;
  n->list2 = (NodeList){0};
  node_push(C->arena, &n->list2, decl);
  node_push(C->arena, &n->list2, body);
  n->sym = acc;
  return acc->type;
}

/* acc.append(elem) in a comprehension: the first sets acc's type. */
static Type *comprehension_step(Checker *C, Node *n) {
  Symbol *acc = n->sym;
  Type *t = check_expr(C, n->a);
  if (!t) return NULL;
  if (n->op) {  /* set.add(a) / dict[a] = b, with Python objects */
    if (!check_coerce(C, n->a, TYPE(PYOBJ), n->op == 1 ? "as a set item" : "as a dict key")) return NULL;
    if (n->b && (!check_expr(C, n->b) || !check_coerce(C, n->b, TYPE(PYOBJ), "as a dict value"))) return NULL;
    check_mark_raise(C);  /* unhashable */
    return TYPE(NONE);
  }
  if (acc->type->kind == TY_NONE) {
    if (t->kind == TY_NONE) {
      ERR(n->a, "a list comprehension's elements cannot be None");
      return NULL;
    }
    acc->type = t->kind == TY_PYOBJ ? TYPE(PYOBJ) : check_list_of(C, t);
    return acc->type ? TYPE(NONE) : NULL;
  }
  return check_coerce(C, n->a, acc->type->kind == TY_PYOBJ ? TYPE(PYOBJ) : acc->type->elem, "as an element")
             ? TYPE(NONE) : NULL;
}

/* [a, b, c]: the elements' common type. */
static Type *list_literal(Checker *C, Node *n) {
  if (!n->list.len && ((C->fn && C->fn->is_def) || C->python_args))
    return TYPE(PYOBJ);  /* Python code's `out = []`, f([]) for an untyped def: a Python list */
  if (!n->list.len) {
    ERR(n, "an empty list needs its element type: write List[Int]()");
    return NULL;
  }
  Type *t = NULL;
  Node acc = {0};
  for (int i = 0; i < n->list.len; i++) {
    Node *e = n->list.items[i];
    if (!check_expr(C, e)) return NULL;
    if (!t) {
      t = e->type;
      acc = *e;
      continue;
    }
    Type *p = type_same(t, e->type) ? t : check_promote(&acc, e);  /* [[1, 2], [3]]: lists alike */
    if (!p) {
      ERR(e, "list elements must have one type: '%s' and '%s'", t->name, e->type->name);
      return NULL;
    }
    t = p;
    acc.type = p;
    acc.flags &= e->flags;
  }
  if (t->kind == TY_NONE) {
    ERR(n, "a List cannot hold None");
    return NULL;
  }
  n->optype = t;
  return check_list_of(C, t);
}

/* List[T](a, b, ...): a list of the arguments. */
static Type *list_constructor(Checker *C, Node *n) {
  Type *lt = list_type_expr(C, n->a);
  if (!lt || !check_args(C, n)) return NULL;
  if (n->list2.len) {
    ERR(n->list2.items[0], "List() takes no keyword arguments");
    return NULL;
  }
  for (int i = 0; i < n->list.len; i++)
    if (!check_coerce(C, n->list.items[i], lt->elem, "as a list element")) return NULL;
  n->optype = lt->elem;
  return lt;
}

static Type *list_method_call(Checker *C, Node *n, Type *t) {
  const char *name = n->a->name;
  if (!check_args(C, n)) return NULL;
  int argc = n->list.len;
  if (!strcmp(name, "append") && argc == 1) {
    n->op = 1;
    return check_coerce(C, n->list.items[0], t->elem, "in append") ? TYPE(NONE) : NULL;
  }
  if (!strcmp(name, "pop") && argc <= 1) {
    n->op = 2;
    check_mark_raise(C);  /* IndexError */
    if (argc && !check_coerce(C, n->list.items[0], TYPE(INT), "as the index")) return NULL;
    return t->elem;
  }
  if (!strcmp(name, "clear") && argc == 0) {
    n->op = 3;
    return TYPE(NONE);
  }
  ERR(n->a, "'%s' has no method '%s' with %d argument%s", t->name, name, argc, argc == 1 ? "" : "s");
  return NULL;
}

static void note_destructor(Checker *C, const Type *t);

/* ---- constant folding for aliases --------------------------------------- */

bool check_const_eval(Checker *C, Node *n, ConstVal *v);

static bool const_binary(Checker *C, Node *n, ConstVal *v) {
  ConstVal a, b;
  if (!check_const_eval(C, n->a, &a) || !check_const_eval(C, n->b, &b)) return false;
  if (!n->type || !type_is_numeric(n->type)) return false;
  v->type = n->type;
  v->is_literal = a.is_literal && b.is_literal;
  if (n->type->is_int) {
    int64_t x = a.i, y = b.i;
    switch (n->op) {
    case T_PLUS: v->i = (int64_t)((uint64_t)x + (uint64_t)y); return true;
    case T_MINUS: v->i = (int64_t)((uint64_t)x - (uint64_t)y); return true;
    case T_STAR: v->i = (int64_t)((uint64_t)x * (uint64_t)y); return true;
    case T_DSLASH: case T_PERCENT:
      if (y == 0) {
        ERR(n, "division by zero in a compile-time expression");
        return false;
      } else {
        int64_t q = y == -1 ? (int64_t)(0 - (uint64_t)x) : x / y;
        int64_t r = y == -1 ? 0 : x % y;
        if (r && ((r < 0) != (y < 0))) q--, r += y;
        v->i = n->op == T_DSLASH ? q : r;
        return true;
      }
    case T_LSHIFT: v->i = (int64_t)((uint64_t)x << (y & 63)); return true;
    case T_RSHIFT: v->i = x >> (y & 63); return true;
    case T_AMP: v->i = x & y; return true;
    case T_PIPE: v->i = x | y; return true;
    case T_CARET: v->i = x ^ y; return true;
    default: return false;
    }
  }
  double x = a.type->is_float ? a.f : (double)a.i, y = b.type->is_float ? b.f : (double)b.i;
  switch (n->op) {
  case T_PLUS: v->f = x + y; return true;
  case T_MINUS: v->f = x - y; return true;
  case T_STAR: v->f = x * y; return true;
  case T_SLASH: v->f = x / y; return true;
  case T_DSTAR: v->f = pow(x, y); return true;
  default: return false;
  }
}

/* Comparisons of Ints, Bools and DTypes (for @parameter if). */
static bool const_compare(Checker *C, Node *n, ConstVal *v) {
  for (int k = 0; k + 1 < n->list.len; k++) {
    ConstVal a, b;
    if (!check_const_eval(C, n->list.items[k], &a) || !check_const_eval(C, n->list.items[k + 1], &b))
      return false;
    if (a.type->is_float || b.type->is_float || a.type->kind == TY_STRING) return false;
    bool r;
    switch (n->ops[k]) {
    case T_EQ: r = a.i == b.i; break;
    case T_NE: r = a.i != b.i; break;
    case T_LT: r = a.i < b.i; break;
    case T_LE: r = a.i <= b.i; break;
    case T_GT: r = a.i > b.i; break;
    case T_GE: r = a.i >= b.i; break;
    default: return false;
    }
    if (!r) {
      *v = (ConstVal){.type = TYPE(BOOL), .i = 0};
      return true;
    }
  }
  *v = (ConstVal){.type = TYPE(BOOL), .i = 1};
  return true;
}

bool check_const_eval(Checker *C, Node *n, ConstVal *v) {
  memset(v, 0, sizeof *v);
  v->type = n->type;
  v->is_literal = true;
  switch (n->kind) {
  case N_INT: v->i = (int64_t)n->ival; return true;
  case N_FLOAT: v->f = n->fval; return true;
  case N_BOOL: v->i = (int64_t)n->ival; return true;
  case N_STR: v->s = n->str; v->slen = n->slen; return true;
  case N_NAME:
    if (n->sym && n->sym->kind == SYM_ALIAS) {
      *v = n->sym->value;
      return true;
    }
    return false;
  case N_UNARY:
    if (!check_const_eval(C, n->a, v)) return false;
    if (n->op == T_MINUS) {
      if (v->type->is_float) v->f = -v->f;
      else v->i = (int64_t)(0 - (uint64_t)v->i);
    } else if (n->op == T_TILDE) v->i = ~v->i;
    return true;
  case N_BINARY: return const_binary(C, n, v);
  case N_ATTR:
    if (n->type != TYPE(DTYPE)) return false;
    v->i = (int64_t)n->ival;
    return true;
  case N_CALL:  /* simdwidthof[dt]() is known at compile time */
    if (!(n->flags & CALL_INTRINSIC) || n->op != IN_SIMDWIDTHOF) return false;
    v->type = TYPE(INT);
    v->i = (int64_t)n->ival;
    return true;
  case N_NOT:
    if (!check_const_eval(C, n->a, v) || v->type->kind != TY_BOOL) return false;
    v->i = !v->i;
    return true;
  case N_LOGIC: {
    ConstVal b;
    if (!check_const_eval(C, n->a, v) || !check_const_eval(C, n->b, &b)) return false;
    if (v->type->kind != TY_BOOL || b.type->kind != TY_BOOL) return false;
    v->i = n->op == T_KW_AND ? (v->i && b.i) : (v->i || b.i);
    return true;
  }
  case N_COMPARE: return const_compare(C, n, v);
  default: return false;
  }
}

/* ---- expressions -------------------------------------------------------- */

static bool revived(Checker *C, Symbol *s) {
  for (int i = 0; i < C->out->nrevived; i++)
    if (C->out->revived[i] == s) return true;
  return false;
}

/* A loop body that moves a variable from outside the loop moves it again
   on the next iteration: that is a use of a moved value. */
static void check_moves_in_loop(Checker *C, Moved *before, int locals_before, int defs_before) {
  for (Moved *m = C->moved; m && m != before; m = m->next) {
    Symbol *s = m->sym;
    bool inside = (s->flags & SYM_GLOBAL) ? false : s->id >= locals_before;
    for (int i = defs_before; i < C->out->ndefs && !inside; i++) inside = C->out->defs[i] == s;
    if (inside) continue;
    Node at = {.line = m->line, .col = m->col};
    Node *where = &at;
    ERR(where, "use of moved value '%s'", s->name);
    HINT("the loop transfers it with '^' on every iteration; assign it again inside the loop");
  }
}

/* int, float, str and bool named as values are Python's types. */
static bool python_type_name(const char *name) {
  static const char *const types[] = {"int", "float", "str", "bool", NULL};
  return check_in_list(types, name);
}

/* An untyped def named as a value (apply(square, 4), a key function): the
   instance that takes and returns objects, as a Python callable. Typed fns
   are passed as compile-time parameters instead (fn apply[f: fn(Int) -> Int]). */
static bool function_value(Checker *C, Node *n, Symbol *s) {
  if (!s->decl || !(s->decl->flags & FN_IS_DEF) || s->decl->list3.len || s->owner || s->closure_root ||
      s->nparams > 6 || (!s->generic && s->nparams))
    return false;
  Symbol *inst = s;  /* lambda: 0, def f(): ... */
  if (s->generic) {
    for (int i = 0; i < s->nparams; i++)
      if (check_param_node(s, i)->a) return false;  /* only untyped parameters */
    Node **bound = arena_alloc(C->arena, sizeof(Node *) * (size_t)(s->nparams + 1));
    for (int i = 0; i < s->nparams; i++) {
      bound[i] = synth(C, N_NAME, n);
      bound[i]->type = TYPE(PYOBJ);
    }
    inst = check_instantiate(C, synth(C, N_CALL, n), s, bound);
  }
  Type *r = inst ? inst->type : NULL;  /* results the callable can give back to Python */
  if (!inst || (r && r->kind != TY_NONE && r->kind != TY_PYOBJ && r->kind != TY_BOOL && r->kind != TY_F64 &&
                r->kind != TY_INT && r->kind != TY_STRING))
    return false;
  n->sym = inst;
  return true;
}

static Type *name_expr(Checker *C, Node *n) {
  Symbol *s = check_lookup(C, n->name);
  n->sym = s;
  if (!s && check_python_global(C, n)) return TYPE(PYOBJ);
  if (!s) {
    ERR(n, "use of unknown declaration '%s'", n->name);
    return NULL;
  }
  switch (s->kind) {
  case SYM_VAR:
    if ((s->flags & SYM_MOVED) && !revived(C, s)) {
      ERR(n, "use of moved value '%s'", n->name);
      HINT("an earlier cell transferred its value with '^'; assign it again first");
      return NULL;
    }
    for (Moved *m = C->moved; m; m = m->next)
      if (m->sym == s) {
        ERR(n, "use of moved value '%s'", n->name);
        HINT("its value was transferred with '^' on line %d; assign it again before using it", m->line);
        return NULL;
      }
    return s->type;
  case SYM_ALIAS:
    if (!s->type) {
      ERR(n, "'%s' is a function type, not a value", n->name);
      return NULL;
    }
    if (s->value.is_literal) n->flags |= EXPR_LITERAL;
    return s->type;
  case SYM_FN:
    if (function_value(C, n, s)) return TYPE(PYOBJ);
    ERR(n, "'%s' is a function; call it with ()", n->name);
    return NULL;
  case SYM_BUILTIN:
    if (python_type_name(n->name) && check_python_global_as(C, n, n->name))  /* isinstance(x, int) */
      return TYPE(PYOBJ);
    ERR(n, "'%s' is a function; call it with ()", n->name);
    return NULL;
  case SYM_TYPE: ERR(n, "'%s' is a type, not a value", n->name); return NULL;
  case SYM_MODULE: ERR(n, "module '%s' is not a value", n->name); return NULL;
  case SYM_TRAIT: ERR(n, "'%s' is a trait, not a value", n->name); return NULL;
  }
  return NULL;
}

static Type *arith_type(Checker *C, Node *n, Type *t) {
  int op = n->op;
  Type *ta = n->a->type, *tb = n->b->type;
  if (ta->kind == TY_STRING || tb->kind == TY_STRING) {
    if (op == T_PLUS && ta == tb) return n->optype = ta;
    if (op == T_STAR && (ta->kind == TY_STRING) != (tb->kind == TY_STRING) &&
        (ta->is_int || tb->is_int))
      return n->optype = TYPE(STRING);
    return NULL;
  }
  if (ta->kind == TY_BOOL && tb->kind == TY_BOOL &&
      (op == T_AMP || op == T_PIPE || op == T_CARET))
    return n->optype = TYPE(BOOL);
  if (!t) return NULL;
  n->optype = t;
  switch (op) {
  case T_SLASH:
    if (t->is_int) n->optype = TYPE(F64);
    return n->optype;
  case T_AMP: case T_PIPE: case T_CARET: case T_LSHIFT: case T_RSHIFT:
    return t->is_int ? t : NULL;
  default: return t;
  }
}

static Type *binary_expr(Checker *C, Node *n) {
  Type *ta = check_expr(C, n->a), *tb = check_expr(C, n->b);
  if (!ta || !tb) return NULL;
  if (type_is_struct(ta) || type_is_struct(tb)) return struct_binary(C, n, n->op, n->a, n->b);
  if (type_is_py(ta) || type_is_py(tb)) return check_python_binary(C, n);
  if (ta->kind == TY_STRING && n->op == T_PERCENT && check_to_python(tb))
    return check_python_binary(C, n);  /* "%d items" % n: Python's formatting */
  if ((type_is_list(ta) && n->op == T_PLUS && type_same(ta, tb)) ||  /* [1] + [2]: a new list */
      (n->op == T_STAR && ((type_is_list(ta) && tb->is_int) || (ta->is_int && type_is_list(tb)))))  /* [0] * n */
    return n->optype = type_is_list(ta) ? ta : tb;
  if (type_is_simd(ta) || type_is_simd(tb)) return check_simd_binary(C, n);
  if (type_is_pointer(ta) || type_is_pointer(tb)) return check_pointer_binary(C, n);
  Type *r = arith_type(C, n, check_promote(n->a, n->b));
  if (!r) {
    ERR(n, "invalid operands for '%s': '%s' and '%s'", token_spelling[n->op], ta->name,
        tb->name);
    return NULL;
  }
  if (check_is_literal(n->a) && check_is_literal(n->b) && type_is_numeric(r)) n->flags |= EXPR_LITERAL;
  bool int_operands = ta->is_int && tb->is_int;
  if (((n->op == T_DSLASH || n->op == T_PERCENT) && n->optype->is_int) ||
      (n->op == T_SLASH && int_operands))
    if (!check_literal_nonzero(n->b)) check_mark_raise(C);
  if (n->op == T_DSTAR && n->optype->is_int) check_mark_raise(C);
  return r;
}

static Type *unary_expr(Checker *C, Node *n) {
  Type *t = check_expr(C, n->a);
  if (!t) return NULL;
  if (type_is_struct(t)) {
    const char *name = n->op == T_MINUS ? "__neg__" : n->op == T_PLUS ? "__pos__" : "__invert__";
    if (!check_has_method(t, name)) {
      ERR(n, "'%s' does not support unary '%s': it has no %s method", t->name, token_spelling[n->op], name);
      return NULL;
    }
    return check_as_method_call(C, n, n->a, name, (NodeList){0});
  }
  if (type_is_py(t) && n->op == T_MINUS) {  /* -obj: Python's negation */
    check_mark_raise(C);
    return t;
  }
  bool ok = n->op == T_TILDE ? t->is_int || (type_is_simd(t) && t->elem->kind == TY_BOOL)
                             : type_is_numeric(t) || (type_is_py(t) && n->op == T_PLUS);
  if (!ok) {
    ERR(n, "invalid operand for unary '%s': '%s'", token_spelling[n->op], t->name);
    return NULL;
  }
  if (check_is_literal(n->a)) n->flags |= EXPR_LITERAL;
  return t;
}

static Type *compare_expr(Checker *C, Node *n) {
  bool ok = true;
  for (int i = 0; i < n->list.len; i++) ok &= check_expr(C, n->list.items[i]) != NULL;
  if (!ok) return NULL;
  Node *a0 = n->list.items[0], *b0 = n->list.items[1];
  if (type_is_struct(a0->type) || type_is_struct(b0->type)) {
    if (n->list.len > 2) {
      ERR(n, "comparisons of structs cannot be chained");
      return NULL;
    }
    return struct_binary(C, n, n->ops[0], a0, b0);
  }
  if (type_is_py(a0->type) || type_is_py(b0->type)) return check_python_compare(C, n);
  if (type_is_simd(a0->type) || type_is_simd(b0->type)) return check_simd_compare(C, n);
  if (type_is_optional(a0->type) && (n->ops[0] == T_KW_IS || n->ops[0] == -T_KW_IS))
    return check_optional_is_none(C, n);
  if (type_is_pointer(a0->type) || type_is_pointer(b0->type)) return check_pointer_compare(C, n);
  /* one operand type for the whole chain: the operands' common type */
  Node *acc = n->list.items[0];
  Type *t = acc->type;
  for (int i = 0; i < n->list.len - 1; i++) {
    Node *a = n->list.items[i], *b = n->list.items[i + 1];
    int op = n->ops[i];
    if ((op == T_KW_IN || op == -T_KW_IN) && a->type->kind == TY_STRING &&
        b->type->kind == TY_STRING) {
      if (n->list.len > 2) {
        ERR(a, "'in' cannot be chained with other comparisons");
        return NULL;
      }
      n->optype = TYPE(STRING);
      return TYPE(BOOL);
    }
    if ((op == T_KW_IN || op == -T_KW_IN) && type_is_list(b->type) && n->list.len == 2 &&
        (type_is_numeric(b->type->elem) || b->type->elem->kind == TY_STRING || b->type->elem->kind == TY_BOOL) &&
        !type_is_simd(b->type->elem)) {  /* x in lst: an element equal to x */
      if (!check_coerce(C, a, b->type->elem, "as the value looked for")) return NULL;
      n->optype = b->type;
      return TYPE(BOOL);
    }
    if (op == T_KW_IN || op == -T_KW_IN || op == T_KW_IS || op == -T_KW_IS) {
      ERR(a, "'%s' is not supported between '%s' and '%s' yet",
          op == T_KW_IS || op == -T_KW_IS ? "is" : "in", a->type->name, b->type->name);
      return NULL;
    }
    Type *p = check_promote(a, b);
    if (p && t != p) p = check_promote(&(Node){.type = t}, &(Node){.type = p});
    bool ordered = op != T_EQ && op != T_NE;
    if (!p || (ordered && p->kind == TY_BOOL && false) ||
        (p->kind == TY_NONE)) {
      ERR(a, "invalid operands for '%s': '%s' and '%s'", token_spelling[op], a->type->name,
          b->type->name);
      return NULL;
    }
    t = p;
  }
  n->optype = t;
  return TYPE(BOOL);
}

static Type *logic_expr(Checker *C, Node *n) {
  Type *ta = check_expr(C, n->a), *tb = check_expr(C, n->b);
  if (!ta || !tb || !check_truthy_ok(C, n->a) || !check_truthy_ok(C, n->b)) return NULL;
  Type *p = check_promote(n->a, n->b);
  n->optype = p ? p : TYPE(BOOL);
  if (p && check_is_literal(n->a) && check_is_literal(n->b)) n->flags |= EXPR_LITERAL;
  return n->optype;
}

static Type *ternary_expr(Checker *C, Node *n) {
  Type *tc = check_expr(C, n->a), *tb = check_expr(C, n->b), *te = check_expr(C, n->c);
  if (!tc || !tb || !te || !check_truthy_ok(C, n->a)) return NULL;
  Type *p = check_promote(n->b, n->c);
  if (!p) {
    ERR(n, "the two results of a conditional expression differ: '%s' and '%s'", tb->name,
        te->name);
    return NULL;
  }
  if (check_is_literal(n->b) && check_is_literal(n->c)) n->flags |= EXPR_LITERAL;
  return n->optype = p;
}

/* ---- calls -------------------------------------------------------------- */

const StringMethod check_string_methods[] = {
    {"upper", "rt_str_upper", 0, TY_STRING, 0, false},
    {"lower", "rt_str_lower", 0, TY_STRING, 0, false},
    {"strip", "rt_str_strip_chars", 1, TY_STRING, 3, true},
    {"lstrip", "rt_str_strip_chars", 1, TY_STRING, 1, true},
    {"rstrip", "rt_str_strip_chars", 1, TY_STRING, 2, true},
    {"find", "rt_str_find", 1, TY_INT, 0, false},
    {"rfind", "rt_str_rfind", 1, TY_INT, 0, false},
    {"count", "rt_str_count", 1, TY_INT, 0, false},
    {"startswith", "rt_str_startswith", 1, TY_BOOL, 0, false},
    {"endswith", "rt_str_endswith", 1, TY_BOOL, 0, false},
    {"replace", "rt_str_replace", 2, TY_STRING, 0, false},
    {"isdigit", "rt_str_isdigit", 0, TY_BOOL, 0, false},
    {"isalpha", "rt_str_isalpha", 0, TY_BOOL, 0, false},
    {"isspace", "rt_str_isspace", 0, TY_BOOL, 0, false},
    {NULL, NULL, 0, TY_NONE, 0, false},
};

Type *check_list_of(Checker *C, Type *elem);

enum { STR_SPLIT = 100, STR_JOIN = 101 };  /* String methods that involve lists */

static Type *split_or_join(Checker *C, Node *n, bool split) {
  if (!check_args(C, n)) return NULL;
  if (n->list.len == 1 && type_is_py(n->list.items[0]->type))  /* ", ".join(python_list): Python's */
    return check_python_method(C, n);
  int argc = n->list.len + n->list2.len;
  if (n->list2.len || (split ? argc > 1 : argc != 1)) {
    ERR(n, split ? "String.split() takes at most 1 argument" : "String.join() takes 1 argument");
    return NULL;
  }
  if (split) {
    if (argc && !check_coerce(C, n->list.items[0], TYPE(STRING), "as the separator")) return NULL;
    check_mark_raise(C);  /* ValueError: empty separator */
    n->op = STR_SPLIT;
    return check_list_of(C, TYPE(STRING));
  }
  Type *t = n->list.items[0]->type;
  if (!type_is_list(t) || t->elem->kind != TY_STRING) {
    ERR(n->list.items[0], "String.join() takes a List[String], not '%s'", t->name);
    return NULL;
  }
  n->op = STR_JOIN;
  return TYPE(STRING);
}

/* Python's str methods that Ember's String has none of its own for: called
   through CPython (the result is a Python object). */
static bool python_str_method(const char *name) {
  static const char *const names[] = {
      "format", "format_map", "center", "ljust", "rjust", "zfill", "title", "capitalize", "swapcase",
      "casefold", "partition", "rpartition", "splitlines", "rsplit", "expandtabs", "isalpha", "isdigit",
      "isalnum", "isspace", "isupper", "islower", "istitle", "isnumeric", "isdecimal", "isidentifier",
      "isprintable", "encode", "translate", "index", "rindex", "removeprefix", "removesuffix", NULL};
  return check_in_list(names, name);
}

static Type *string_method_call(Checker *C, Node *n) {
  const char *name = n->a->name;
  if (!strcmp(name, "split") || !strcmp(name, "join")) return split_or_join(C, n, name[0] == 's');
  int i = 0;
  while (check_string_methods[i].name && strcmp(check_string_methods[i].name, name)) i++;
  const StringMethod *m = &check_string_methods[i];
  if (!m->name && python_str_method(name)) return check_python_method(C, n);  /* "{}".format(x): Python's */
  if (!m->name) {
    ERR(n->a, "'String' value has no attribute '%s'", name);
    return NULL;
  }
  bool ok = true;
  for (int k = 0; k < n->list.len; k++) ok &= check_expr(C, n->list.items[k]) != NULL;
  if (!ok) return NULL;
  int given = n->list.len + n->list2.len;
  if (n->list2.len || (given != m->nargs && !(m->last_optional && given == m->nargs - 1))) {
    if (m->last_optional)
      ERR(n, "String.%s() takes at most %d argument%s (%d given)", name, m->nargs, m->nargs == 1 ? "" : "s", given);
    else
      ERR(n, "String.%s() takes %d argument%s (%d given)", name, m->nargs, m->nargs == 1 ? "" : "s", given);
    return NULL;
  }
  for (int k = 0; k < n->list.len; k++)
    if (!check_coerce(C, n->list.items[k], TYPE(STRING), "as a String argument")) return NULL;
  n->op = i + 1;
  return &type_table[m->result];
}

static Type *builtin_call(Checker *C, Node *n, Symbol *s);
static Type *conversion_call(Checker *C, Node *n, Type *to);
Symbol *check_instantiate(Checker *C, Node *n, Symbol *g, Node **bound);

/* A method's `self` is its first PARAM node but not one of its nparams. */
int check_self_offset(const Symbol *fn) { return fn->owner && !fn->is_static ? 1 : 0; }

bool check_param_byref(const Symbol *fn, int i) {
  ArgConvention conv = fn->conventions ? fn->conventions[i] : ARG_BORROWED;
  bool is_def = fn->decl && (fn->decl->flags & FN_IS_DEF);
  return conv == ARG_INOUT || (type_is_struct(fn->param_types[i]) && conv == ARG_BORROWED && !is_def);
}

Node *check_param_node(Symbol *fn, int i) { return fn->decl->list.items[i + check_self_offset(fn)]; }
const char *check_param_name(Symbol *fn, int i) { return check_param_node(fn, i)->name; }

/* Put a call's arguments in parameter order; missing ones take defaults. */
/* A Python tuple or dict of already-checked arguments, made by calling a
   Python lambda with them: what *args and **kwargs receive. */
static Node *pack_python(Checker *C, Node *at, const char *maker, Node **args, int nargs, Node **kws, int nkws) {
  Node *fn = node_new(C->arena, N_NAME, at->line, at->col);
  check_python_global_as(C, fn, maker);
  Node *call = node_new(C->arena, N_CALL, at->line, at->col);
  call->a = fn;
  for (int i = 0; i < nargs; i++) node_push(C->arena, &call->list, args[i]);
  for (int i = 0; i < nkws; i++) node_push(C->arena, &call->list2, kws[i]);
  for (int i = 0; i < nargs + nkws; i++) {
    Node *v = i < nargs ? args[i] : kws[i - nargs]->a;
    if (!v->type || !check_to_python(v->type)) {
      if (v->type) ERR(v, "'%s' cannot be passed in *args or **kwargs (they are Python objects)", v->type->name);
      return NULL;
    }
  }
  call->type = check_intrinsic(call, IN_PY_CALL, TYPE(PYOBJ));
  return call;
}

/* The arguments bound to a def with *args (the positional ones past the
   named parameters) and **kwargs (the keywords no parameter names). */
static Node **bind_variadic(Checker *C, Node *n, Symbol *fn, int star, int dstar) {
  int np = fn->nparams;
  Node **bound = arena_alloc(C->arena, sizeof(Node *) * (size_t)(np + 1));
  Node **extra_kw = arena_alloc(C->arena, sizeof(Node *) * (size_t)(n->list2.len + 1));
  int npos = star >= 0 ? star : np, nextra_kw = 0;
  if (star < 0 && n->list.len > npos) {
    ERR(n, "invalid call to '%s': expected at most %d positional arguments, got %d", fn->name, npos, n->list.len);
    return NULL;
  }
  for (int i = 0; i < n->list.len && i < npos; i++) bound[i] = n->list.items[i];
  if (star >= 0)
    bound[star] = pack_python(C, n, "lambda *a: a", n->list.items + npos,
                              n->list.len > npos ? n->list.len - npos : 0, NULL, 0);
  if (star >= 0 && !bound[star]) return NULL;
  for (int k = 0; k < n->list2.len; k++) {
    Node *kw = n->list2.items[k];
    int i = 0;
    while (i < np && (i == star || i == dstar || strcmp(check_param_name(fn, i), kw->name))) i++;
    if (i < np && !bound[i]) bound[i] = kw->a;
    else if (i == np && dstar >= 0) extra_kw[nextra_kw++] = kw;
    else {
      ERR(kw, "invalid call to '%s': %s keyword argument '%s'", fn->name, i == np ? "unexpected" : "repeated",
          kw->name);
      return NULL;
    }
  }
  if (dstar >= 0 && !(bound[dstar] = pack_python(C, n, "lambda **k: k", NULL, 0, extra_kw, nextra_kw))) return NULL;
  for (int i = 0; i < np; i++) {
    if (bound[i]) continue;
    Node *def = check_param_node(fn, i)->b;
    if (!def) {
      ERR(n, "invalid call to '%s': missing required argument '%s'", fn->name, check_param_name(fn, i));
      return NULL;
    }
    bound[i] = def;
  }
  return bound;
}

static Node **bind_args(Checker *C, Node *n, Symbol *fn) {
  int np = fn->nparams, star = -1, dstar = -1;
  for (int i = 0; i < np && fn->decl; i++) {
    int flags = check_param_node(fn, i)->flags;
    if (flags & PARAM_STAR) star = i;
    if (flags & PARAM_DSTAR) dstar = i;
  }
  if (star >= 0 || dstar >= 0) return bind_variadic(C, n, fn, star, dstar);
  Node **bound = arena_alloc(C->arena, sizeof(Node *) * (size_t)(np + 1));
  if (n->list.len > np) {
    ERR(n, "invalid call to '%s': expected at most %d positional argument%s, got %d",
        fn->name, np, np == 1 ? "" : "s", n->list.len);
    return NULL;
  }
  for (int i = 0; i < n->list.len; i++) bound[i] = n->list.items[i];
  for (int k = 0; k < n->list2.len; k++) {
    Node *kw = n->list2.items[k];
    int i = 0;
    while (i < np && strcmp(check_param_name(fn, i), kw->name) != 0) i++;
    if (i == np) {
      ERR(kw, "invalid call to '%s': unexpected keyword argument '%s'", fn->name, kw->name);
      return NULL;
    }
    if (bound[i]) {
      ERR(kw, "invalid call to '%s': got multiple values for argument '%s'", fn->name, kw->name);
      return NULL;
    }
    bound[i] = kw->a;
  }
  for (int i = 0; i < np; i++) {
    if (bound[i]) continue;
    Node *def = check_param_node(fn, i)->b;
    if (!def) {
      ERR(n, "invalid call to '%s': missing required argument '%s'", fn->name,
          check_param_name(fn, i));
      return NULL;
    }
    bound[i] = def;
  }
  return bound;
}

static int overload_cost(Checker *C, Node *n, Symbol *fn, Node ***bound_out);

/* The overload of fn (and the earlier functions of its name in its cell)
   that takes these arguments with the fewest conversions. */
static Symbol *pick_overload(Checker *C, Node *n, Symbol *fn) {
  Symbol *best = NULL;
  int best_cost = -1, candidates = 0;
  for (Symbol *f = fn; f; f = f->overloads) {
    candidates++;
    Node **b = NULL;
    int cost = overload_cost(C, n, f, &b);
    if (cost >= 0 && (best_cost < 0 || cost < best_cost)) best = f, best_cost = cost;
  }
  if (!best) ERR(n, "no overload of '%s' takes these arguments (%d candidates)", fn->name, candidates);
  return best;
}

static Type *fn_call(Checker *C, Node *n, Symbol *fn) {
  bool saved = C->python_args;  /* an untyped def's `[]` argument is a Python list, as in its body */
  C->python_args = fn->generic && fn->decl && (fn->decl->flags & FN_IS_DEF);
  for (int i = 0; i < n->list.len; i++) check_expr(C, n->list.items[i]);
  for (int i = 0; i < n->list2.len; i++) check_expr(C, n->list2.items[i]->a);
  C->python_args = saved;
  if (fn->overloads) {
    fn = pick_overload(C, n, fn);
    if (!fn) return NULL;
    n->a->sym = fn;
  }
  if (fn->bad_signature) return NULL;  /* already reported at the definition */
  if (n->list3.len && !fn->generic) {
    ERR(n->list3.items[0], "'%s' takes no compile-time parameters", fn->name);
    return NULL;
  }
  Node **bound = bind_args(C, n, fn);
  if (!bound) return NULL;
  for (int i = 0; i < fn->nparams; i++)
    if (!bound[i]->type) return NULL;
  if (fn->generic) {
    fn = check_instantiate(C, n, fn, bound);
    if (!fn) return NULL;
  }
  bool ok = true;
  for (int i = 0; i < fn->nparams; i++) {
    Node *a = bound[i];
    if (check_converts(a->type, fn->param_types[i], check_is_literal(a))) continue;
    ERR(a, "invalid call to '%s': cannot implicitly convert '%s' value to '%s' for argument '%s'",
        fn->name, a->type->name, fn->param_types[i]->name, check_param_name(fn, i));
    if (!strcmp(a->type->name, fn->param_types[i]->name))
      HINT("'%s' was redefined; this value has the earlier definition", a->type->name);
    ok = false;
  }
  if (!ok) return NULL;
  Type *r = check_finish_call(C, n, fn, bound);
  if (fn->closure_root) check_propagate_captures(C, fn->closure_root);
  for (int i = 0; i < fn->nenv_params; i++) check_propagate_captures(C, fn->env_params[i]);
  if (r && !fn->type) {
    ERR(n, "cannot infer the result type of recursive '%s'", fn->name);
    HINT("declare it, as in 'def %s(...) -> Int:'", fn->name);
    return NULL;
  }
  return r;
}

static Symbol *callee_symbol(Checker *C, Node *callee) {
  if (callee->kind == N_NAME) {
    Symbol *s = check_lookup(C, callee->name);
    if (!s && check_python_global(C, callee)) return NULL;  /* a %%python function */
    if (!s) ERR(callee, "use of unknown declaration '%s'", callee->name);
    return s;
  }
  if (callee->kind == N_ATTR && callee->a->kind == N_NAME) {
    Symbol *m = check_lookup(C, callee->a->name);
    if (m && m->kind == SYM_MODULE) {
      bool ok;
      Symbol *s = module_member(C, m->value.s, callee->name, &ok);
      if (!s) ERR(callee, "module '%s' has no function '%s'", m->value.s, callee->name);
      return s;
    }
  }
  Type *t = check_expr(C, callee);
  if (t && !type_is_py(t)) ERR(callee, "'%s' value is not callable", t->name);
  return NULL;
}

static bool is_module_attr(Checker *C, Node *callee) {
  if (callee->kind != N_ATTR || callee->a->kind != N_NAME) return false;
  Symbol *m = check_lookup(C, callee->a->name);
  return m && m->kind == SYM_MODULE;
}

static Type *static_method_call(Checker *C, Node *n, Type *t) {
  Node **bound = NULL;
  if (!check_args(C, n)) return NULL;
  Symbol *m = resolve_method(C, n, t, n->a->name, true, &bound);
  if (m && n->list3.len && !m->generic) {
    ERR(n->list3.items[0], "'%s' takes no compile-time parameters", m->name);
    return NULL;
  }
  if (m && m->generic) m = check_instantiate(C, n, m, bound);
  return m ? check_finish_call(C, n, m, bound) : NULL;
}

/* SIMD[...] and the pointer types, which take parameters in brackets. */
static bool is_param_type_name(const Node *n) {
  return check_is_simd_name(n) || check_is_pointer_name(n);
}

static Type *typed_call(Checker *C, Node *n, Type *t) {
  if (type_is_simd(t)) return check_simd_construct(C, n, t);
  if (type_is_pointer(t)) return check_pointer_construct(C, n, t);
  if (t->kind < TY_COUNT) n->a->sym = &builtin_types[t->kind];  /* the emitter's conversion */
  return conversion_call(C, n, t);  /* Scalar[DType.float32](x) */
}

static bool is_simd_method_name(const char *name) {
  return !strcmp(name, "cast") || !strcmp(name, "fma") || !strcmp(name, "select") ||
         !strncmp(name, "reduce_", 7);
}

/* 2023's `fn __init__(x: Int) -> Self:` with no self: a constructor that
   returns the value it builds (usually with a struct literal). */
bool check_is_value_init(const Node *f) {
  return !strcmp(f->name, "__init__") && f->a && (!f->list.len || strcmp(f->list.items[0]->name, "self"));
}

/* Self {field: value, ...}: a value with every field given (2023). */
static Type *struct_literal(Checker *C, Node *n) {
  Type *t = check_resolve_type(C, n->a);
  if (!t) return NULL;
  if (!type_is_struct(t)) {
    ERR(n->a, "'%s' is not a struct: {field: value} builds structs", t->name);
    return NULL;
  }
  StructInfo *st = t->st;
  if (n->list2.len != st->nfields) {
    ERR(n, "'%s' has %d field%s; a struct literal gives each one", t->name, st->nfields, st->nfields == 1 ? "" : "s");
    return NULL;
  }
  for (int i = 0; i < n->list2.len; i++) {
    Node *kw = n->list2.items[i];
    int k = field_index(t, kw->name);
    if (k < 0) {
      ERR(kw, "'%s' has no field '%s'", t->name, kw->name);
      return NULL;
    }
    for (int j = 0; j < i; j++)
      if (!strcmp(n->list2.items[j]->name, kw->name)) {
        ERR(kw, "field '%s' is given twice", kw->name);
        return NULL;
      }
    kw->ival = (uint64_t)k;
    if (!check_expr(C, kw->a) || !check_coerce(C, kw->a, st->field_types[k], "for the field")) return NULL;
  }
  return t;
}

static Type *call_expr(Checker *C, Node *n) {
  if (n->flags & CALL_STRUCT_LIT) return struct_literal(C, n);
  if (n->a->kind == N_INDEX && is_list_name(n->a->a)) return list_constructor(C, n);
  if (n->a->kind == N_INDEX && is_param_type_name(n->a->a)) {
    Type *t = check_resolve_type(C, n->a);
    return t ? typed_call(C, n, t) : NULL;
  }
  if (n->a->kind == N_INDEX && check_is_named(n->a->a, "Optional")) {
    Type *t = check_resolve_type(C, n->a);
    return t ? check_optional_construct(C, n, t) : NULL;
  }
  if (n->a->kind == N_INDEX && generic_struct(C, n->a->a)) {  /* Matrix[DType.float32](...) */
    Type *t = check_resolve_type(C, n->a);
    return t ? constructor_call(C, n, t) : NULL;
  }
  if (n->a->kind == N_ATTR && n->a->a->kind == N_INDEX && generic_struct(C, n->a->a->a)) {
    Type *t = check_resolve_type(C, n->a->a);  /* Matrix[DType.float32].zeros(...) */
    if (!t) return NULL;
    n->a->a->type = t;
    return static_method_call(C, n, t);
  }
  if (n->a->kind == N_INDEX) {  /* f[params](args): compile-time parameters */
    Node *ix = n->a;
    n->list3 = ix->list;
    for (int i = 0; i < ix->list2.len; i++) node_push(C->arena, &n->list3, ix->list2.items[i]);
    n->a = ix->a;
  }
  if (check_is_mlir_op(n->a)) return check_mlir_op(C, n);
  if (n->a->kind == N_ATTR && n->a->a->kind == N_INDEX && is_param_type_name(n->a->a->a)) {
    Type *t = check_resolve_type(C, n->a->a);  /* SIMD[dt, w].splat(x), DTypePointer[dt].alloc(n) */
    if (!t) return NULL;
    n->a->a->type = t;
    return type_is_pointer(t) ? check_pointer_static(C, n, t) : check_simd_static(C, n, t);
  }
  if (n->a->kind == N_ATTR && !is_module_attr(C, n->a)) {
    Node *base = n->a->a;
    if (base->kind == N_NAME) {  /* Type.method(...): a static method */
      Symbol *ts = check_lookup(C, base->name);
      if (ts && ts->kind == SYM_TYPE && type_is_struct(ts->type)) {
        base->sym = ts;
        return static_method_call(C, n, ts->type);
      }
      if (ts && ts->kind == SYM_TYPE && (type_is_pointer(ts->type) || type_is_simd(ts->type))) {
        base->sym = ts;
        base->type = ts->type;
        return type_is_pointer(ts->type) ? check_pointer_static(C, n, ts->type)
                                         : check_simd_static(C, n, ts->type);
      }
    }
    Type *t = check_expr(C, base);
    if (!t) return NULL;
    if (t->kind == TY_STRING) return string_method_call(C, n);
    if (check_gpu_is_launch(t, n->a->name)) return check_gpu_launch(C, n);
    if (type_is_struct(t)) return method_call(C, n, t);
    if (type_is_list(t)) return list_method_call(C, n, t);
    if (type_is_simd(t) || (type_is_scalar(t) && is_simd_method_name(n->a->name)))
      return check_simd_method(C, n, t);
    if (type_is_pointer(t)) return check_pointer_method(C, n, t);
    if (type_is_optional(t)) return check_optional_method(C, n, t);
    if (type_is_py(t)) return check_python_method(C, n);
    ERR(n->a, "'%s' value has no attribute '%s'", t->name, n->a->name);
    return NULL;
  }
  Symbol *s = callee_symbol(C, n->a);
  if (!s && n->a->type && type_is_py(n->a->type)) return check_python_callee(C, n);  /* np.array(...)(...) */
  if (!s) {
    for (int i = 0; i < n->list.len; i++) check_expr(C, n->list.items[i]);
    return NULL;
  }
  n->a->sym = s;
  if (s->kind == SYM_VAR && type_is_py(s->type)) {  /* f(...) where f holds a Python callable */
    if (!check_expr(C, n->a)) return NULL;
    return check_python_callee(C, n);
  }
  switch (s->kind) {
  case SYM_FN: return fn_call(C, n, s);
  case SYM_BUILTIN: return builtin_call(C, n, s);
  case SYM_TYPE:
    if (type_is_struct(s->type)) return constructor_call(C, n, s->type);
    return typed_call(C, n, s->type);
  default:
    ERR(n->a, "'%s' is not callable", s->name);
    return NULL;
  }
}

bool check_no_kwargs(Checker *C, Node *n, const char *name) {
  if (!n->list2.len) return true;
  ERR(n->list2.items[0], "%s() takes no keyword arguments", name);
  return false;
}

bool check_arg_count(Checker *C, Node *n, const char *name, int lo, int hi) {
  int k = n->list.len;
  if (k >= lo && k <= hi) return true;
  if (lo == hi) ERR(n, "%s() takes exactly %d argument%s (%d given)", name, lo, lo == 1 ? "" : "s", k);
  else ERR(n, "%s() takes %d to %d arguments (%d given)", name, lo, hi, k);
  return false;
}

bool check_args(Checker *C, Node *n) {
  bool ok = true;
  for (int i = 0; i < n->list.len; i++) ok &= check_expr(C, n->list.items[i]) != NULL;
  for (int i = 0; i < n->list2.len; i++) ok &= check_expr(C, n->list2.items[i]->a) != NULL;
  return ok;
}

static bool list_printable(const Type *t) {
  const Type *e = t->elem;
  return e->kind == TY_INT || e->kind == TY_UINT || e->kind == TY_I64 || e->kind == TY_U64 ||
         e->kind == TY_F64 || e->kind == TY_F32 || e->kind == TY_BOOL || e->kind == TY_STRING;
}

static Type *print_call(Checker *C, Node *n) {
  for (int i = 0; i < n->list.len; i++) {
    Type *t = n->list.items[i]->type;
    if (type_is_list(t) && !list_printable(t)) {
      ERR(n->list.items[i], "'%s' cannot be printed yet (only lists of numbers, Bools and Strings)", t->name);
      return NULL;
    }
    if (type_is_struct(t) && !check_has_method(t, "__str__")) {
      ERR(n->list.items[i], "'%s' cannot be printed: it has no __str__ method", t->name);
      return NULL;
    }
  }
  for (int i = 0; i < n->list2.len; i++) {
    Node *kw = n->list2.items[i];
    if (strcmp(kw->name, "sep") && strcmp(kw->name, "end") && strcmp(kw->name, "flush") &&
        strcmp(kw->name, "file")) {
      ERR(kw, "print() got an unexpected keyword argument '%s'", kw->name);
      return NULL;
    }
    if (strcmp(kw->name, "flush") == 0) check_coerce(C, kw->a, TYPE(BOOL), "for 'flush'");
    else if (strcmp(kw->name, "file") == 0) check_coerce(C, kw->a, TYPE(INT), "for 'file' (stdout or stderr from sys)");
    else check_coerce(C, kw->a, TYPE(STRING), "for 'sep' or 'end'");
  }
  return TYPE(NONE);
}

/* The shared type of min/max/abs arguments. */
static Type *common_type(Checker *C, Node *n, const char *name) {
  Node *acc = n->list.items[0];
  Type *t = acc->type;
  bool lit = check_is_literal(acc);
  for (int i = 1; i < n->list.len; i++) {
    Node tmp = {.type = t, .flags = lit ? EXPR_LITERAL : 0};
    Type *p = check_promote(&tmp, n->list.items[i]);
    if (!p) {
      ERR(n->list.items[i], "%s() arguments must have a common type: '%s' and '%s'", name,
          t->name, n->list.items[i]->type->name);
      return NULL;
    }
    lit = lit && check_is_literal(n->list.items[i]);
    t = p;
  }
  if (!type_is_numeric(t) && t->kind != TY_STRING) {
    ERR(n, "%s() needs numbers, got '%s'", name, t->name);
    return NULL;
  }
  n->optype = t;
  return t;
}

static Type *builtin_call(Checker *C, Node *n, Symbol *s) {
  if (s->builtin == BI_CLEAR_OUTPUT && n->list2.len == 1 && !strcmp(n->list2.items[0]->name, "wait") &&
      !n->list.len) {  /* clear_output(wait=True) */
    node_push(C->arena, &n->list, n->list2.items[0]->a);
    n->list2.len = 0;
  }
  bool ok = check_args(C, n);
  if (s->builtin == BI_PRINT) return ok ? print_call(C, n) : NULL;
  if (!ok || !check_no_kwargs(C, n, s->name)) return NULL;
  switch (s->builtin) {
  case BI_LEN:
    if (!check_arg_count(C, n, "len", 1, 1)) return NULL;
    if (type_is_py(n->list.items[0]->type)) {
      check_mark_raise(C);
      return check_intrinsic(n, IN_PY_LEN, TYPE(INT));
    }
    if (type_is_tuple(n->list.items[0]->type)) {
      return check_intrinsic(n, IN_TUPLE_LEN, TYPE(INT));
    }
    if (type_is_simd(n->list.items[0]->type) || type_is_scalar(n->list.items[0]->type)) {
      return check_intrinsic(n, IN_SIMD_LEN, TYPE(INT));  /* a vector's width; a scalar is one lane */
    }
    if (type_is_list(n->list.items[0]->type)) return TYPE(INT);
    if (check_has_method(n->list.items[0]->type, "__len__"))
      return check_as_method_call(C, n, n->list.items[0], "__len__", (NodeList){0});
    if (n->list.items[0]->type->kind != TY_STRING) {
      ERR(n->list.items[0], "object of type '%s' has no len()", n->list.items[0]->type->name);
      return NULL;
    }
    return TYPE(INT);
  case BI_MATH: return check_math_call(C, n, s->value.s);
  case BI_MEMORY: return check_memory_call(C, n, s->value.s);
  case BI_PARALLELIZE: return check_parallelize(C, n);
  case BI_EXTERNAL_CALL: return check_external_call(C, n);
  case BI_PYTHON: return check_python_call(C, n, s->value.s);
  case BI_SYSINFO: return check_sysinfo_call(C, n, s->value.s);
  case BI_GPU: return check_gpu_call(C, n, s->value.s);
  case BI_ABS:
    if (!check_arg_count(C, n, "abs", 1, 1)) return NULL;
    if (check_has_method(n->list.items[0]->type, "__abs__"))
      return check_as_method_call(C, n, n->list.items[0], "__abs__", (NodeList){0});
    if (type_is_simd(n->list.items[0]->type)) return check_simd_minmax_abs(C, n, "abs");
    if (!type_is_numeric(n->list.items[0]->type)) {
      ERR(n->list.items[0], "bad operand type for abs(): '%s'", n->list.items[0]->type->name);
      return NULL;
    }
    if (check_is_literal(n->list.items[0])) n->flags |= EXPR_LITERAL;
    return n->list.items[0]->type;
  case BI_MIN: case BI_MAX:
    if (n->list.len == 1 && !n->list2.len &&
        (type_is_list(n->list.items[0]->type) || type_is_py(n->list.items[0]->type))) {
      return check_python_builtin_call(C, n, s->builtin == BI_MIN ? "min" : "max");  /* max(xs): Python's */
    }
    if (!check_arg_count(C, n, s->name, 2, 64)) return NULL;
    if (check_any_simd_arg(n)) return check_simd_minmax_abs(C, n, s->builtin == BI_MIN ? "min" : "max");
    return common_type(C, n, s->name);
  case BI_STR: return conversion_call(C, n, TYPE(STRING));
  case BI_INT: return conversion_call(C, n, TYPE(INT));
  case BI_FLOAT: return conversion_call(C, n, TYPE(F64));
  case BI_BOOL: return conversion_call(C, n, TYPE(BOOL));
  case BI_NOW: return check_arg_count(C, n, "now", 0, 0) ? TYPE(INT) : NULL;
  case BI_DISPLAY:  /* display(x) as text/plain, display(text, "text/html") */
    if (!check_arg_count(C, n, "display", 1, 2)) return NULL;
    if (type_is_struct(n->list.items[0]->type) && !check_has_method(n->list.items[0]->type, "__str__")) {
      ERR(n->list.items[0], "'%s' cannot be displayed: it has no __str__ method", n->list.items[0]->type->name);
      return NULL;
    }
    if (n->list.len == 2 && !check_coerce(C, n->list.items[1], TYPE(STRING), "as the MIME type")) return NULL;
    if (type_is_struct(n->list.items[0]->type)) {  /* display(p) shows str(p) */
      Node *recv = n->list.items[0];
      Node *text = node_new(C->arena, N_CALL, recv->line, recv->col);
      check_as_method_call(C, text, recv, "__str__", (NodeList){0});
      n->list.items[0] = text;
    }
    return TYPE(NONE);
  case BI_CLEAR_OUTPUT:
    if (!check_arg_count(C, n, "clear_output", 0, 1)) return NULL;
    if (n->list.len && !check_coerce(C, n->list.items[0], TYPE(BOOL), "for 'wait'")) return NULL;
    return TYPE(NONE);
  case BI_INPUT:
    if (!check_arg_count(C, n, "input", 0, 1)) return NULL;
    if (n->list.len && !check_coerce(C, n->list.items[0], TYPE(STRING), "as the prompt")) return NULL;
    check_mark_raise(C);
    return TYPE(STRING);
  case BI_RANGE:
    ERR(n, "range() can only be used in a 'for' loop for now");
    return NULL;
  default: return NULL;
  }
}

/* Explicit conversions: Int(x), Float32(x), String(x), Bool(x). */
static Type *conversion_call(Checker *C, Node *n, Type *to) {
  if (!check_args(C, n) || !check_no_kwargs(C, n, to->name)) return NULL;
  if (to->kind == TY_NONE) {
    ERR(n, "cannot call NoneType");
    return NULL;
  }
  if (n->list.len == 0) return to;  /* Int() == 0, String() == "" */
  if (!check_arg_count(C, n, to->name, 1, 1)) return NULL;
  Node *a = n->list.items[0];
  Type *from = a->type;
  if (type_is_struct(from)) {
    const char *name = to->kind == TY_STRING ? "__str__" : to->kind == TY_BOOL ? "__bool__"
                       : to->is_int ? "__int__" : to->is_float ? "__float__" : NULL;
    if (!name || !check_has_method(from, name)) {
      ERR(a, "cannot convert '%s' value to '%s'%s%s", from->name, to->name,
          name ? ": it has no " : "", name ? name : "");
      return NULL;
    }
    return check_as_method_call(C, n, a, name, (NodeList){0});
  }
  if (type_is_list(from) && to->kind == TY_STRING && !list_printable(from)) {
    ERR(a, "'%s' cannot be converted to String yet", from->name);
    return NULL;
  }
  if (type_is_pointer(from) && (to->kind == TY_INT || to->kind == TY_UINT)) return to;  /* the address */
  if (from->kind == TY_PYOBJ || to->kind == TY_PYOBJ) {  /* Int(obj), Float64(obj), PythonObject(5) */
    bool fine = to->kind == TY_PYOBJ ? check_to_python(from)
                                     : (to->kind == TY_STRING || to->kind == TY_BOOL || (type_is_numeric(to) && !type_is_simd(to)));
    if (!fine) {
      ERR(a, "cannot convert '%s' value to '%s'", from->name, to->name);
      return NULL;
    }
    check_mark_raise(C);
    return to;
  }
  bool ok = from == to || to->kind == TY_STRING ||
            ((from->kind == TY_MLIR || to->kind == TY_MLIR) && !strcmp(from->mlir, to->mlir)) ||
            (to->kind == TY_BOOL && from->kind != TY_ERROR) ||
            (to->kind == TY_ERROR && from->kind == TY_STRING) ||
            (type_is_numeric(to) && from->kind == TY_STRING) ||
            (type_is_numeric(to) && (type_is_numeric(from) || from->kind == TY_BOOL));
  if (!ok) {
    ERR(a, "cannot convert '%s' value to '%s'", from->name, to->name);
    return NULL;
  }
  if (from->kind == TY_NONE && to->kind != TY_STRING) {
    ERR(a, "cannot convert 'NoneType' value to '%s'", to->name);
    return NULL;
  }
  if (check_is_literal(a) && type_is_numeric(to)) n->flags |= EXPR_LITERAL;
  if (from->kind == TY_STRING && type_is_numeric(to)) check_mark_raise(C);  /* ValueError */
  return to;
}

static Type *slice_expr(Checker *C, Node *sl) {
  Node *parts[3] = {sl->a, sl->b, sl->c};
  for (int i = 0; i < 3; i++)
    if (parts[i] && (!check_expr(C, parts[i]) || !check_coerce(C, parts[i], TYPE(INT), "as a slice bound")))
      return NULL;
  check_mark_raise(C);  /* a zero step raises ValueError */
  return sl->type = TYPE(STRING);
}

static Type *index_expr(Checker *C, Node *n) {
  Type *t = check_expr(C, n->a);
  if (type_is_simd(t)) return check_simd_index(C, n, t);
  if (type_is_scalar(t) && t->kind != TY_BOOL && n->list.len == 1 && !n->list2.len &&
      n->list.items[0]->kind != N_SLICE) {  /* a width-1 SIMD value: its one lane */
    if (!check_expr(C, n->list.items[0]) || !check_coerce(C, n->list.items[0], TYPE(INT), "as a lane index"))
      return NULL;
    return t;
  }
  if (type_is_tuple(t)) return check_tuple_index(C, n, t);
  if (type_is_py(t)) return check_python_index(C, n);
  if (type_is_pointer(t)) return check_pointer_index(C, n, t);
  if (type_is_list(t)) {
    if (n->list.len == 1 && !n->list2.len && n->list.items[0]->kind == N_SLICE) {  /* xs[a:b:c]: a new list */
      Node *sl = n->list.items[0], *parts[3] = {sl->a, sl->b, sl->c};
      for (int i = 0; i < 3; i++)
        if (parts[i] && (!check_expr(C, parts[i]) || !check_coerce(C, parts[i], TYPE(INT), "as a slice bound")))
          return NULL;
      if (sl->c) check_mark_raise(C);  /* ValueError: slice step cannot be zero */
      return t;
    }
    if (n->list.len != 1 || n->list2.len) {
      ERR(n, "a List takes one Int index");
      return NULL;
    }
    if (!check_expr(C, n->list.items[0]) || !check_coerce(C, n->list.items[0], TYPE(INT), "as a list index"))
      return NULL;
    check_mark_raise(C);  /* IndexError */
    return t->elem;
  }
  if (type_is_struct(t)) {
    if (!check_has_method(t, "__getitem__")) {
      ERR(n, "'%s' is not subscriptable: it has no __getitem__ method", t->name);
      return NULL;
    }
    return check_as_method_call(C, n, n->a, "__getitem__", n->list);
  }
  if (t && t->kind == TY_STRING && n->list.len == 1 && n->list.items[0]->kind == N_SLICE)
    return slice_expr(C, n->list.items[0]);
  bool ok = check_args(C, n);
  if (!t || !ok) return NULL;
  if (t->kind == TY_STRING && n->list.len == 1 && !n->list2.len) {
    check_mark_raise(C);
    if (check_coerce(C, n->list.items[0], TYPE(INT), "as a string index")) return TYPE(STRING);
    return NULL;
  }
  ERR(n, "'%s' value is not subscriptable", t->name);
  return NULL;
}

static Type *expr_kind(Checker *C, Node *n) {
  switch (n->kind) {
  case N_INT:
    n->flags |= EXPR_LITERAL;
    /* too big for Int: a UInt64 literal, which converts to UInt64/UInt only */
    return n->ival > INT64_MAX ? TYPE(U64) : TYPE(INT);
  case N_FLOAT: n->flags |= EXPR_LITERAL; return TYPE(F64);
  case N_BOOL: return TYPE(BOOL);
  case N_STR: return TYPE(STRING);
  case N_NONE: return TYPE(NONE);
  case N_NAME: return name_expr(C, n);
  case N_BINARY: return binary_expr(C, n);
  case N_UNARY: return unary_expr(C, n);
  case N_NOT:
    if (!check_expr(C, n->a) || !check_truthy_ok(C, n->a)) return NULL;
    return TYPE(BOOL);
  case N_LOGIC: return logic_expr(C, n);
  case N_COMPARE: return compare_expr(C, n);
  case N_TERNARY: return ternary_expr(C, n);
  case N_CALL: return call_expr(C, n);
  case N_INDEX: return index_expr(C, n);
  case N_ATTR: return field_expr(C, n);
  case N_ELLIPSIS: return TYPE(NONE);
  case N_TRANSFER: {
    Type *t = check_expr(C, n->a);
    if (!t) return NULL;
    if (n->a->kind != N_NAME || n->a->sym->kind != SYM_VAR) {
      ERR(n, "only a variable can be transferred with '^'");
      return NULL;
    }
    Moved *m = arena_alloc(C->arena, sizeof *m);
    *m = (Moved){n->a->sym, n->line, n->col, C->moved};
    C->moved = m;
    return t;
  }
  case N_FORMAT: {
    Type *t = check_expr(C, n->a);
    if (!t) return NULL;
    bool spec = n->str && *n->str;
    if (type_is_struct(t) && n->op != 'r' && !check_has_method(t, "__str__")) {
      ERR(n->a, "'%s' cannot be formatted: it has no __str__ method", t->name);
      return NULL;
    }
    if (spec && !type_is_numeric(t) && t->kind != TY_STRING && n->op != 'r') {
      ERR(n->a, "a format spec applies to numbers and strings, not '%s'", t->name);
      return NULL;
    }
    if (spec) check_mark_raise(C);  /* an invalid spec raises ValueError */
    return TYPE(STRING);
  }
  case N_SLICE: ERR(n, "a slice can only be used to index a String for now"); return NULL;
  case N_TUPLE: return check_tuple_literal(C, n);
  case N_DICT: return check_python_dict(C, n);
  case N_SET: return check_python_set(C, n);
  case N_LIST: return list_literal(C, n);
  case N_LISTCOMP: return list_comprehension(C, n);
  case N_COMP_APPEND: return comprehension_step(C, n);
  case N_KWARG: ERR(n, "unexpected keyword argument"); return NULL;
  default: ERR(n, "expected an expression"); return NULL;
  }
}

Type *check_expr(Checker *C, Node *n) {
  if (n->type) return n->type;  /* checked already (a rewritten operator) */
  /* The -9223372036854775808 literal: negate before the range check. */
  if (n->kind == N_UNARY && n->op == T_MINUS && n->a->kind == N_INT &&
      n->a->ival == (uint64_t)INT64_MAX + 1) {
    n->kind = N_INT;
    n->ival = (uint64_t)INT64_MIN;
    n->flags |= EXPR_LITERAL;
    return n->type = TYPE(INT);
  }
  return n->type = expr_kind(C, n);
}


/* ---- structs: use --------------------------------------------------------- */

static int field_index(const Type *t, const char *name) {
  for (int i = 0; i < t->st->nfields; i++)
    if (!strcmp(t->st->field_names[i], name)) return i;
  return -1;
}

bool check_has_method(const Type *t, const char *name) {
  for (int i = 0; type_is_struct(t) && i < t->st->nmethods; i++)
    if (!strcmp(t->st->methods[i]->name, name)) return true;
  return false;
}

/* Can this expression be written through (assignment, inout, mutating method)? */
static bool mutable_place(Node *n) {
  if (n->kind == N_NAME) return n->sym && n->sym->kind == SYM_VAR && (n->sym->flags & SYM_MUTABLE);
  if (n->kind == N_ATTR) return type_is_struct(n->a->type) && mutable_place(n->a);
  return false;
}

static Type *field_expr(Checker *C, Node *n) {
  if (check_is_mlir_attr(n)) return check_mlir_attr_value(C, n);
  bool gpu;
  Type *gt = check_gpu_attr(C, n, &gpu);
  if (gpu) return gt;
  if (n->a->kind == N_NAME) {
    Symbol *ts = check_lookup(C, n->a->name);
    if (ts && ts->kind == SYM_TYPE && ts->type->kind == TY_DTYPE) {
      n->a->sym = ts;
      n->a->type = TYPE(DTYPE);
      return check_dtype_attr(C, n);
    }
  }
  Type *t = check_expr(C, n->a);
  if (!t) return NULL;
  if (type_is_py(t)) {  /* obj.attr */
    check_mark_raise(C);
    return TYPE(PYOBJ);
  }
  if (!type_is_struct(t)) {
    ERR(n, "'%s' value has no attribute '%s'", t->name, n->name);
    return NULL;
  }
  int i = field_index(t, n->name);
  if (i < 0) {
    if (check_has_method(t, n->name)) ERR(n, "method '%s' of '%s' must be called", n->name, t->name);
    else ERR(n, "'%s' has no field or method '%s'", t->name, n->name);
    return NULL;
  }
  n->ival = (uint64_t)i;
  return t->st->field_types[i];
}

/* How well `fn` takes these arguments: -1 not at all, else the number of
   implicit conversions needed (fewer is better). Quiet. */
static int overload_cost(Checker *C, Node *n, Symbol *fn, Node ***bound_out) {
  if (fn->bad_signature) return -1;
  bool saved = C->quiet;
  C->quiet = true;
  Node **bound = bind_args(C, n, fn);
  C->quiet = saved;
  if (!bound) return -1;
  int cost = 0;
  for (int i = 0; i < fn->nparams; i++) {
    Type *pt = fn->param_types[i], *at = bound[i]->type;
    if (!at) return -1;
    if (!pt) continue;  /* a [T] parameter: takes the argument's type */
    if (!check_converts(at, pt, check_is_literal(bound[i]))) return -1;
    cost += at != pt;
  }
  *bound_out = bound;
  return cost;
}

/* Pick the method `name` of t that takes the call's arguments best. */
static Symbol *resolve_method(Checker *C, Node *n, Type *t, const char *name, bool want_static,
                              Node ***bound) {
  Symbol *best = NULL;
  int best_cost = -1, candidates = 0, overloads = 0;
  for (int i = 0; i < t->st->nmethods; i++) overloads += !strcmp(t->st->methods[i]->name, name);
  for (int i = 0; i < t->st->nmethods; i++) {
    Symbol *m = t->st->methods[i];
    if (strcmp(m->name, name) != 0) continue;
    candidates++;
    if (want_static && !m->is_static) continue;
    Node **b = NULL;
    int cost = overload_cost(C, n, m, &b);
    if (cost >= 0 && m->generic && overloads > 1 && !check_instance_fits(C, n, m, b))
      cost = -1;  /* one of several generic overloads, which these arguments do not fit */
    if (cost >= 0 && (best_cost < 0 || cost < best_cost)) {
      best = m;
      best_cost = cost;
      *bound = b;
    }
  }
  if (best) return best;
  if (!candidates) ERR(n, "'%s' has no method '%s'", t->name, name);
  else if (candidates == 1) {  /* say exactly what is wrong with the one candidate */
    for (int i = 0; i < t->st->nmethods; i++)
      if (!strcmp(t->st->methods[i]->name, name) && bind_args(C, n, t->st->methods[i]))
        ERR(n, "invalid call to '%s.%s': the argument types do not match (%d argument%s)",
            t->name, name, n->list.len, n->list.len == 1 ? "" : "s");
  } else ERR(n, "no matching method in call to '%s.%s' (%d candidates)", t->name, name, candidates);
  return NULL;
}

static bool check_inout_args(Checker *C, Symbol *fn, Node **bound) {
  for (int i = 0; fn->conventions && i < fn->nparams; i++) {
    if (fn->conventions[i] != ARG_INOUT || mutable_place(bound[i])) continue;
    ERR(bound[i], "argument '%s' of '%s' is inout: pass a mutable variable", check_param_name(fn, i), fn->name);
    return false;
  }
  return true;
}

/* Common end of every call to a user function or method. */
static void note_destructor(Checker *C, const Type *t);

Type *check_finish_call(Checker *C, Node *n, Symbol *fn, Node **bound) {
  note_destructor(C, fn->type);
  for (int i = 0; i < fn->nparams; i++) note_destructor(C, bound[i]->type);
  if ((fn->decl->flags & FN_RAISES) && !may_raise_here(C)) {
    ERR(n, "cannot call '%s', which may raise, from '%s', which is not declared 'raises'",
        fn->name, fn_name(C));
    HINT("declare it 'fn %s(...) raises', or call '%s' inside try/except", fn_name(C), fn->name);
    return NULL;
  }
  if (!check_inout_args(C, fn, bound)) return NULL;
  n->list = (NodeList){bound, fn->nparams, fn->nparams};
  n->list2 = (NodeList){0};
  n->sym = fn;
  if (fn->may_raise || (!fn->checked && (!C->fn || C->fn->sym != fn))) check_mark_raise(C);
  return fn->type ? fn->type : TYPE(NONE);
}

static Type *method_call(Checker *C, Node *n, Type *t) {
  Node *recv = n->a->a;
  Node **bound = NULL;
  if (!check_args(C, n)) return NULL;
  Symbol *m = resolve_method(C, n, t, n->a->name, false, &bound);
  if (m && n->list3.len && !m->generic) {
    ERR(n->list3.items[0], "'%s' takes no compile-time parameters", m->name);
    return NULL;
  }
  if (m && m->generic) m = check_instantiate(C, n, m, bound);
  if (!m) return NULL;
  if (!m->is_static && (m->self_conv == ARG_INOUT || m->self_conv == ARG_OWNED) && !mutable_place(recv)) {
    ERR(recv, "cannot call '%s', which changes self, on a value that is not a mutable variable", m->name);
    return NULL;
  }
  n->flags |= CALL_METHOD;
  if (m->is_static) n->flags &= ~CALL_METHOD;
  return check_finish_call(C, n, m, bound);
}

static Type *constructor_call(Checker *C, Node *n, Type *t) {
  Node **bound = NULL;
  if (!check_args(C, n)) return NULL;
  if (!check_has_method(t, "__init__")) {
    ERR(n, "'%s' has no __init__ to construct it", t->name);
    HINT("define 'fn __init__(out self, ...)' or decorate the struct with @value");
    return NULL;
  }
  Symbol *init = resolve_method(C, n, t, "__init__", false, &bound);
  if (!init) return NULL;
  if (init->is_static) return check_finish_call(C, n, init, bound);  /* fn __init__(...) -> Self */
  n->flags |= CALL_CTOR;
  check_finish_call(C, n, init, bound);
  return t;
}

/* Rewrite n in place into recv.name(args...) and check it as a method call. */
Type *check_as_method_call(Checker *C, Node *n, Node *recv, const char *name, NodeList args) {
  Node *callee = node_new(C->arena, N_ATTR, n->line, n->col);
  callee->a = recv;
  callee->name = name;
  n->kind = N_CALL;
  n->op = 0;
  n->flags &= ~(CALL_CTOR | CALL_METHOD | EXPR_LITERAL);
  n->sym = NULL;
  n->a = callee;
  n->list = args;
  n->list2 = (NodeList){0};
  n->type = NULL;
  return n->type = method_call(C, n, recv->type);
}

static NodeList args_of(Checker *C, Node *a, Node *b) {
  NodeList l = {0};
  if (a) node_push(C->arena, &l, a);
  if (b) node_push(C->arena, &l, b);
  return l;
}

static const char *binary_dunder(int op) {
  switch (op) {
  case T_PLUS: return "__add__";
  case T_MINUS: return "__sub__";
  case T_STAR: return "__mul__";
  case T_SLASH: return "__truediv__";
  case T_DSLASH: return "__floordiv__";
  case T_PERCENT: return "__mod__";
  case T_DSTAR: return "__pow__";
  case T_AMP: return "__and__";
  case T_PIPE: return "__or__";
  case T_CARET: return "__xor__";
  case T_LSHIFT: return "__lshift__";
  case T_RSHIFT: return "__rshift__";
  case T_EQ: return "__eq__";
  case T_NE: return "__ne__";
  case T_LT: return "__lt__";
  case T_LE: return "__le__";
  case T_GT: return "__gt__";
  case T_GE: return "__ge__";
  default: return NULL;
  }
}

static Type *struct_binary(Checker *C, Node *n, int op, Node *a, Node *b) {
  const char *name = binary_dunder(op);
  if (!type_is_struct(a->type) || !name) {
    ERR(n, "invalid operands for '%s': '%s' and '%s'", token_spelling[op], a->type->name, b->type->name);
    return NULL;
  }
  if (op == T_NE && !check_has_method(a->type, "__ne__") && check_has_method(a->type, "__eq__")) {
    Node *eq = node_new(C->arena, N_CALL, n->line, n->col);
    if (!check_as_method_call(C, eq, a, "__eq__", args_of(C, b, NULL))) return NULL;
    n->kind = N_NOT;
    n->a = eq;
    return TYPE(BOOL);
  }
  if (!check_has_method(a->type, name)) {
    ERR(n, "'%s' does not support '%s': it has no %s method", a->type->name, token_spelling[op], name);
    return NULL;
  }
  return check_as_method_call(C, n, a, name, args_of(C, b, NULL));
}

/* ---- generic instantiation ---------------------------------------------- */

/* ---- statements --------------------------------------------------------- */

static bool is_discard(Node *t) { return t->kind == N_NAME && strcmp(t->name, "_") == 0; }

/* ---- dynamic variables of untyped code ----------------------------------
 * Python code gives a variable values of different types (x = 0, then
 * x = 0.5; a result that is "big" or a number). In a def, a variable made
 * by assignment whose new value cannot convert to its type becomes an
 * `object` (a PythonObject): the def's body is checked again from its
 * source with that name declared as object (check_fn_body). */

static bool is_dynamic(Checker *C, const char *name) {
  for (int i = 0; C->fn && i < C->fn->ndynamic; i++)
    if (!strcmp(C->fn->dynamic[i], name)) return true;
  return false;
}

/* s = a value of type t, which it cannot hold: true when s becomes dynamic
   (the body will be checked again), false when that is an error. */
static bool changes_type(Checker *C, Symbol *s, Type *t, bool literal) {
  FnCtx *f = C->fn;
  if (!f || !f->is_def || !(s->flags & SYM_IMPLICIT) || check_converts(t, s->type, literal)) return false;
  if (!check_to_python(t) || !check_to_python(s->type) || is_dynamic(C, s->name)) return false;
  if (f->ndynamic == f->capdynamic) {
    f->capdynamic = f->capdynamic ? f->capdynamic * 2 : 4;
    const char **grown = arena_alloc(C->arena, sizeof(char *) * (size_t)f->capdynamic);
    if (f->ndynamic) memcpy(grown, f->dynamic, sizeof(char *) * (size_t)f->ndynamic);
    f->dynamic = grown;
  }
  f->dynamic[f->ndynamic++] = s->name;
  f->retry = true;
  return true;
}

static void assign_field(Checker *C, Node *target, Node *value) {
  Type *ft = target->type = field_expr(C, target);
  if (!ft) return;
  if (type_is_py(target->a->type)) {  /* obj.attr = v: Python's setattr */
    if (value->type) check_coerce(C, value, TYPE(PYOBJ), NULL);
    return;
  }
  if (!mutable_place(target->a)) {
    ERR(target, "expression must be mutable in assignment");
    HINT("a field can be set through a 'var', or 'self' in a method with 'inout self'/'out self'");
    return;
  }
  if (value->type) check_coerce(C, value, ft, NULL);
}

static void assign_to(Checker *C, Node *target, Node *value) {
  if (is_discard(target)) return;
  if (target->kind == N_ATTR) {
    assign_field(C, target, value);
    return;
  }
  if (target->kind == N_INDEX && check_expr(C, target->a) && type_is_list(target->a->type)) {
    if (!check_expr(C, target) || !mutable_place(target->a)) {
      if (target->type) ERR(target, "expression must be mutable in assignment");
      return;
    }
    if (value->type) check_coerce(C, value, target->type, "as a list element");
    return;
  }
  if (target->kind == N_INDEX && type_is_py(target->a->type)) {  /* obj[k] = v */
    if (check_expr(C, target) && value->type) check_coerce(C, value, TYPE(PYOBJ), NULL);
    return;
  }
  if (target->kind == N_INDEX && (type_is_pointer(target->a->type) || type_is_simd(target->a->type))) {
    if (!check_expr(C, target)) return;  /* p[i] = v stores; v[i] = x sets a lane */
    if (type_is_simd(target->a->type) && !mutable_place(target->a)) {
      ERR(target, "expression must be mutable in assignment");
      return;
    }
    if (value->type) check_coerce(C, value, target->type, NULL);
    return;
  }
  if (target->kind != N_NAME) {
    if (target->kind == N_INDEX) check_expr(C, target);
    ERR(target, "cannot assign to this expression");
    return;
  }
  Symbol *s = check_lookup(C, target->name);
  /* Inside a function, assigning a name makes a local (Python's rule): a
     global of the same name is shadowed, not overwritten. */
  bool shadows_global = C->fn && s && s->kind == SYM_VAR && (s->flags & SYM_GLOBAL);
  if (!s || shadows_global || (s->kind != SYM_VAR && s->kind != SYM_ALIAS && C->fn) ||
      (s->kind == SYM_FN || s->kind == SYM_BUILTIN || s->kind == SYM_TYPE || s->kind == SYM_MODULE)) {
    if (!value->type) return;
    Type *t = value->type;
    if (is_dynamic(C, target->name) && check_coerce(C, value, TYPE(PYOBJ), NULL)) t = TYPE(PYOBJ);
    target->sym = check_declare_var(C, target->name, t, true, false);
    if (C->fn && C->fn->is_def) target->sym->flags |= SYM_IMPLICIT;
    target->type = t;
    target->flags |= NAME_DECLARES;
    return;
  }
  target->sym = s;
  target->type = s->type;
  for (Moved **m = &C->moved; *m; m = &(*m)->next)
    if ((*m)->sym == s) {  /* assigned again: usable again */
      *m = (*m)->next;
      break;
    }
  if (s->flags & SYM_MOVED) check_push_symbol(C, &C->out->revived, &C->out->nrevived, &C->out->caprevived, s);
  if (s->kind == SYM_ALIAS) {
    ERR(target, "cannot assign to alias '%s'", s->name);
    return;
  }
  if (!(s->flags & SYM_MUTABLE)) {
    ERR(target, "expression must be mutable in assignment");
    if (s->flags & SYM_PARAM) HINT("'fn' arguments are immutable; copy it into a 'var' first");
    else HINT("'%s' was declared with 'let'", s->name);
    return;
  }
  if (value->type && !changes_type(C, s, value->type, check_is_literal(value))) check_coerce(C, value, s->type, NULL);
}

/* x[i, j] = v on a struct: x.__setitem__(i, j, v) */
static bool setitem_stmt(Checker *C, Node *n) {
  Node *t = n->list.items[0];
  if (n->list.len != 1 || t->kind != N_INDEX) return false;
  Type *bt = check_expr(C, t->a);
  if (!type_is_struct(bt)) return false;
  if (!check_has_method(bt, "__setitem__")) {
    ERR(t, "'%s' does not support item assignment: it has no __setitem__ method", bt->name);
    return true;
  }
  NodeList args = {0};
  for (int i = 0; i < t->list.len; i++) node_push(C->arena, &args, t->list.items[i]);
  node_push(C->arena, &args, n->a);
  Node *call = node_new(C->arena, N_CALL, n->line, n->col);
  check_as_method_call(C, call, t->a, "__setitem__", args);
  n->kind = N_EXPR_STMT;
  n->a = call;
  n->type = call->type;
  return true;
}

static void assign_stmt(Checker *C, Node *n) {
  if (setitem_stmt(C, n)) return;
  Node *v = n->a;
  int first = n->list.items[0]->kind;
  if (first == N_TUPLE && v->kind != N_TUPLE && n->list.len == 1) {  /* a, b = f() */
    Node *t = n->list.items[0];
    if (!check_expr(C, v)) return;
    if (!type_is_tuple(v->type) || v->type->width != t->list.len) {
      ERR(n, "cannot unpack '%s' into %d names", v->type->name, t->list.len);
      return;
    }
    for (int i = 0; i < t->list.len; i++) {
      Node tmp = {.kind = N_INT, .type = v->type->elems[i], .line = v->line, .col = v->col};
      assign_to(C, t->list.items[i], &tmp);
    }
    return;
  }
  if (v->kind == N_TUPLE || first == N_TUPLE) {
    Node *t = n->list.items[0];
    if (n->list.len != 1 || v->kind != N_TUPLE || t->kind != N_TUPLE ||
        t->list.len != v->list.len) {
      ERR(n, "tuple unpacking needs the same number of names and values");
      return;
    }
    for (int i = 0; i < v->list.len; i++) check_expr(C, v->list.items[i]);
    for (int i = 0; i < t->list.len; i++) assign_to(C, t->list.items[i], v->list.items[i]);
    return;
  }
  if (!check_expr(C, v)) return;
  for (int i = 0; i < n->list.len; i++) assign_to(C, n->list.items[i], v);
}

static const char *inplace_dunder(int op) {
  switch (op) {
  case T_PLUS: return "__iadd__";
  case T_MINUS: return "__isub__";
  case T_STAR: return "__imul__";
  case T_SLASH: return "__itruediv__";
  default: return NULL;
  }
}

static bool setitem_stmt(Checker *C, Node *n);
static void assign_to(Checker *C, Node *target, Node *value);

/* x[i] += v on a struct: x.__setitem__(i, x.__getitem__(i) + v) */
static bool index_aug_assign(Checker *C, Node *n) {
  Node *t = n->a;
  if (t->kind != N_INDEX) return false;
  Type *bt = check_expr(C, t->a);
  if (type_is_list(bt) || type_is_pointer(bt) || type_is_simd(bt)) {
    Node *bin = node_new(C->arena, N_BINARY, n->line, n->col);
    bin->op = n->op;
    bin->a = node_clone(C->arena, t);
    bin->a->a = t->a;
    bin->b = n->b;
    n->kind = N_ASSIGN;
    n->list = (NodeList){0};
    node_push(C->arena, &n->list, t);
    n->a = bin;
    if (check_expr(C, bin)) assign_to(C, t, bin);
    return true;
  }
  if (!type_is_struct(bt)) return false;
  Node *bin = node_new(C->arena, N_BINARY, n->line, n->col);
  bin->op = n->op;
  bin->a = node_clone(C->arena, t);
  bin->a->a = t->a;  /* the same, already checked, object */
  bin->b = n->b;
  n->kind = N_ASSIGN;
  n->list = (NodeList){0};
  node_push(C->arena, &n->list, t);
  n->a = bin;
  return setitem_stmt(C, n);
}

/* s.f += v, or x += v on a struct: via __iadd__ or x = x + v */
static bool struct_aug_assign(Checker *C, Node *n) {
  if (index_aug_assign(C, n)) return true;
  Node *t = n->a;
  Type *tt = check_expr(C, t);
  if (!tt || (t->kind != N_ATTR && !type_is_struct(tt))) return false;
  const char *in = inplace_dunder(n->op);
  if (type_is_struct(tt) && in && check_has_method(tt, in)) {
    Node *call = node_new(C->arena, N_CALL, n->line, n->col);
    check_as_method_call(C, call, t, in, args_of(C, n->b, NULL));
    n->kind = N_EXPR_STMT;
    n->a = call;
    return true;
  }
  Node *bin = node_new(C->arena, N_BINARY, n->line, n->col);
  bin->op = n->op;
  bin->a = t;
  bin->b = n->b;
  Node *value = bin;
  if (!check_expr(C, value)) return true;
  n->kind = N_ASSIGN;
  n->list = args_of(C, t, NULL);
  n->a = value;
  t->type = NULL;
  assign_to(C, t, value);
  return true;
}

static void assign_stmt(Checker *C, Node *n);

static void aug_assign_stmt(Checker *C, Node *n) {
  Node *t = n->a;
  if (t->kind == N_INDEX || t->kind == N_ATTR) {  /* d[k] += 1 on a Python object */
    Node *read = node_clone(C->arena, t);
    Type *base = base_type_of(C, t);
    if (base && type_is_py(base)) {  /* as d[k] = d[k] + 1 (d and k are evaluated twice) */
      Node *bin = node_new(C->arena, N_BINARY, n->line, n->col);
      bin->op = n->op;
      bin->a = read;
      bin->b = n->b;
      n->kind = N_ASSIGN;
      n->a = bin;
      n->list = (NodeList){0};
      node_push(C->arena, &n->list, t);
      assign_stmt(C, n);
      return;
    }
  }
  if (struct_aug_assign(C, n)) return;
  if (t->kind != N_NAME) {
    ERR(t, "cannot assign to this expression");
    return;
  }
  /* check `t op= v` as `t = t op v` on the same nodes */
  Node bin = {.kind = N_BINARY, .op = n->op, .a = t, .b = n->b, .line = n->line, .col = n->col};
  Type *r = check_expr(C, &bin);
  n->type = r;
  n->optype = bin.optype;
  if (!r || !t->sym) return;
  Symbol *s = t->sym;
  if (s->kind != SYM_VAR || !(s->flags & SYM_MUTABLE)) {
    ERR(t, s->kind == SYM_ALIAS ? "cannot assign to alias '%s'" : "expression must be mutable in assignment", s->name);
    return;
  }
  if (!check_converts(r, s->type, false) && !changes_type(C, s, r, false))
    ERR(n, "cannot implicitly convert '%s' value to '%s'", r->name, s->type->name);
}

Symbol *check_method_named(const Type *t, const char *name, int nparams) {
  if (!type_is_struct(t)) return NULL;
  for (int i = 0; i < t->st->nmethods; i++)
    if (!strcmp(t->st->methods[i]->name, name) && t->st->methods[i]->nparams == nparams)
      return t->st->methods[i];
  return NULL;
}

bool check_type_needs(const Type *t, const char *name, int nparams) {
  if (t && t->kind == TY_PYOBJ)  /* a reference: copying increfs it, dying decrefs it */
    return !strcmp(name, "__del__") || !strcmp(name, "__copyinit__");
  if (type_is_list(t))  /* a List owns its buffer; one of plain elements is freed when it dies */
    return !check_type_needs(t->elem, "__del__", 0) && !check_type_needs(t->elem, "__copyinit__", 1) &&
           (!strcmp(name, "__del__") || !strcmp(name, "__copyinit__"));
  if (!type_is_struct(t)) return false;
  if (check_method_named(t, name, nparams)) return true;
  for (int i = 0; i < t->st->nfields; i++)
    if (check_type_needs(t->st->field_types[i], name, nparams)) return true;
  return false;
}

/* A value with a destructor makes its function call __del__, which may
   raise: callers must look for a pending error. */
static void note_destructor(Checker *C, const Type *t) {
  if (check_type_needs(t, "__del__", 0)) check_mark_raise(C);
}

static void var_decl_stmt(Checker *C, Node *n) {
  Type *t = check_resolve_type(C, n->a);
  if (n->a && !t) return;
  if (n->b) {
    if (!check_expr(C, n->b)) return;
    if (t) {
      if (!check_coerce(C, n->b, t, NULL)) return;
    } else t = n->b->type;
  }
  if (!t) {
    ERR(n, "variable '%s' needs a type or a value", n->name);
    return;
  }
  n->type = t;
  note_destructor(C, t);
  n->sym = check_declare_var(C, n->name, t, !(n->flags & DECL_LET), true);
  n->sym->decl = n;
  n->sym->flags |= SYM_DECLARED;
}

void check_alias_stmt(Checker *C, Node *n) {
  Node *v = n->b;
  if (v->kind == N_FN_DEF) {  /* alias Func = fn(Int) capturing -> None: a function type */
    Symbol *s = check_new_symbol(C, SYM_ALIAS, n->name, NULL);
    s->decl = n;
    n->sym = s;
    if (C->fn) check_scope_add(C, C->scope, s);
    else check_add_def(C, s);
    return;
  }
  if (v->kind == N_NAME || v->kind == N_NONE || v->kind == N_INDEX) {
    Symbol *s = v->kind == N_NAME ? check_lookup(C, v->name) : NULL;
    bool type_expr = v->kind == N_INDEX && (is_list_name(v->a) || is_param_type_name(v->a) || generic_struct(C, v->a) ||
                                            check_is_named(v->a, "Tuple") || check_is_named(v->a, "Optional"));
    if (v->kind == N_NONE || (s && s->kind == SYM_TYPE) || type_expr) {
      Symbol *ts = check_new_symbol(C, SYM_TYPE, n->name, check_resolve_type(C, v));
      ts->decl = n;
      if (C->fn) check_scope_add(C, C->scope, ts);
      else check_add_def(C, ts);
      return;
    }
  }
  Type *declared = check_resolve_type(C, n->a);
  if (!check_expr(C, v)) return;
  Symbol *s = check_new_symbol(C, SYM_ALIAS, n->name, declared ? declared : v->type);
  s->decl = n;
  if (declared && !check_coerce(C, v, declared, NULL)) return;
  if (!check_const_eval(C, v, &s->value)) {
    ERR(v, "alias value must be a compile-time constant expression");
    return;
  }
  ConstVal *cv = &s->value;
  if (declared && declared != cv->type) {  /* convert the folded value */
    if (declared->is_float && cv->type->is_int) cv->f = (double)cv->i;
    cv->type = declared;
  }
  cv->is_literal = !declared && cv->is_literal;
  n->sym = s;
  if (C->fn) check_scope_add(C, C->scope, s);
  else check_add_def(C, s);
}

static void for_stmt(Checker *C, Node *n) {
  Node *it = n->b;
  check_mark_raise(C);  /* every loop can be interrupted (KeyboardInterrupt) */
  Type *elem = NULL;
  if (it->kind == N_CALL && it->a->kind == N_NAME) {
    Symbol *s = check_lookup(C, it->a->name);
    if (s && s->kind == SYM_BUILTIN && s->builtin == BI_RANGE) {
      it->a->sym = s;
      if (!check_args(C, it) || !check_no_kwargs(C, it, "range") || !check_arg_count(C, it, "range", 1, 3))
        return;
      for (int i = 0; i < it->list.len; i++)
        if (!check_coerce(C, it->list.items[i], TYPE(INT), "in range()")) return;
      if (it->list.len == 3 && !check_literal_nonzero(it->list.items[2])) check_mark_raise(C);
      it->type = TYPE(NONE);
      elem = TYPE(INT);
    }
  }
  if (!elem) {
    Type *t = check_expr(C, it);
    if (!t) return;
    if (t->kind != TY_STRING && !type_is_list(t) && !type_is_py(t)) {
      ERR(it, "'%s' value is not iterable", t->name);
      return;
    }
    elem = type_is_list(t) ? t->elem : type_is_py(t) ? TYPE(PYOBJ) : TYPE(STRING);
  }
  bool unpack = n->a->kind == N_TUPLE && elem->kind == TY_PYOBJ;  /* for k, v in d.items() */
  for (int i = 0; unpack && i < n->a->list.len; i++) unpack = n->a->list.items[i]->kind == N_NAME;
  if (n->a->kind != N_NAME && !unpack) {
    ERR(n->a, n->a->kind == N_TUPLE ? "only a Python object's items unpack into several loop variables"
                                    : "the loop variable must be a name");
    return;
  }
  Node tmp = {.kind = N_INT, .type = elem, .line = n->line, .col = n->col};
  if (unpack) {
    for (int i = 0; i < n->a->list.len; i++) assign_to(C, n->a->list.items[i], &tmp);
    check_mark_raise(C);  /* ValueError: too many values to unpack */
  } else assign_to(C, n->a, &tmp);
  Moved *before = C->moved;
  int locals = C->out->nlocals, defs = C->out->ndefs;
  C->loop_depth++;
  Scope body;
  check_push_scope(C, &body, false);
  check_stmt_list(C, &n->list);
  C->scope = body.parent;
  C->loop_depth--;
  check_moves_in_loop(C, before, locals, defs);
}

static void block_stmts(Checker *C, NodeList *body);

/* del xs[i] (xs.pop(i)), del obj[k] (obj.__delitem__(k)), del obj.attr
   (obj.__delattr__("attr")): the statement becomes those calls. */
static void del_stmt(Checker *C, Node *n) {
  NodeList stmts = {0};
  for (int i = 0; i < n->list.len; i++) {
    Node *t = n->list.items[i];
    Type *base = t->kind == N_INDEX || t->kind == N_ATTR ? base_type_of(C, t) : NULL;
    bool list_item = base && t->kind == N_INDEX && type_is_list(base) && t->list.len == 1;
    if (!base || (!type_is_py(base) && !list_item)) {
      ERR(t, "del removes a List's item, or a Python object's item or attribute");
      return;
    }
    Node *call;
    if (t->kind == N_ATTR) {
      call = synth_method_call(C, t, t->a, "__delattr__");
      node_push(C->arena, &call->list, check_string_node(C, t, t->name));
    } else {
      call = synth_method_call(C, t, t->a, list_item ? "pop" : "__delitem__");
      for (int k = 0; k < t->list.len; k++) node_push(C->arena, &call->list, t->list.items[k]);
    }
    node_push(C->arena, &stmts, synth_stmt(C, call));
  }
  n->kind = N_BLOCK;
  n->list = stmts;
  block_stmts(C, &n->list);
}

/* with X as x: body  →  var x = X.__enter__() (or X itself); body;
   x.__exit__() when it has one (after the body; an error leaves without
   it, as with other cleanups for now). */
static void with_stmt(Checker *C, Node *n) {
  Node *value = n->a;
  NodeList stmts = {0};
  Node *decl = node_new(C->arena, N_VAR_DECL, n->line, n->col);
  decl->name = n->name ? n->name : arena_printf(C->arena, "with.%d.%d", n->line, n->col);
  Type *t = check_expr(C, value);
  if (!t) return;
  decl->b = check_has_method(t, "__enter__") ? synth_method_call(C, n, value, "__enter__") : value;
  node_push(C->arena, &stmts, decl);
  for (int i = 0; i < n->list.len; i++) node_push(C->arena, &stmts, n->list.items[i]);
  if (check_has_method(t, "__exit__")) {
    Node *var = synth(C, N_NAME, n);
    var->name = decl->name;
    node_push(C->arena, &stmts, synth_stmt(C, synth_method_call(C, n, var, "__exit__")));
  }
  n->kind = N_BLOCK;
  n->list = stmts;
  block_stmts(C, &n->list);
}

static void block_stmts(Checker *C, NodeList *body) {
  Scope s;
  check_push_scope(C, &s, false);
  check_stmt_list(C, body);
  C->scope = s.parent;
}

static void return_stmt(Checker *C, Node *n) {
  if (!C->fn) {
    ERR(n, "'return' outside function");
    return;
  }
  FnCtx *f = C->fn;
  Type *t = n->a ? check_expr(C, n->a) : TYPE(NONE);
  if (!t) return;
  if (f->infer) {
    if (f->dynamic_result) {  /* returns of several types: the result is an object */
      if (n->a) check_coerce(C, n->a, TYPE(PYOBJ), "in return value");
      f->inferred = TYPE(PYOBJ);
    } else if (!f->inferred) f->inferred = t;
    else if (f->inferred != t) {
      Node prev = {.type = f->inferred};
      Type *p = check_promote(&prev, n->a ? n->a : &prev);
      if (!p && f->is_def && check_to_python(t) && check_to_python(f->inferred)) f->retry = f->dynamic_result = true;
      else if (!p) ERR(n, "'%s' returns both '%s' and '%s'", f->sym->name, f->inferred->name, t->name);
      else f->inferred = p;
    }
    if (!f->sym->type) f->sym->type = f->inferred;
    return;
  }
  if (f->ret->kind == TY_NONE && n->a && t->kind != TY_NONE) {
    ERR(n->a, "cannot implicitly convert '%s' value to 'None' in return value", t->name);
    return;
  }
  if (f->ret->kind != TY_NONE && !n->a) {
    ERR(n, "missing return value: '%s' returns '%s'", f->sym->name, f->ret->name);
    return;
  }
  if (n->a) check_coerce(C, n->a, f->ret, "in return value");
}

static void bind_import(Checker *C, Symbol *s) {
  if (C->fn) check_scope_add(C, C->scope, s);
  else check_add_def(C, s);
}

/* The modules Ember knows and what they hold. Pointer types are known
   everywhere; importing them from memory is accepted for Mojo's sake. */
static const char *const memory_modules[] = {"memory", "memory.unsafe", "memory.memory",
                                             "memory.unsafe_pointer", NULL};
static const char *const pointer_names[] = {"DTypePointer", "Pointer", "UnsafePointer", NULL};
static const char *const memory_fns[] = {"memset_zero", "memset", "memcpy", "stack_allocation", NULL};

static bool loaded_module(Checker *C, const char *name) {
  char mark[256];
  snprintf(mark, sizeof mark, CHECK_MODULE_MARK "%s", name);
  return globals_get(C->globals, mark) != NULL;
}

static bool known_module(Checker *C, const char *name) {
  return !strcmp(name, "time") || !strcmp(name, "sys") || !strcmp(name, "math") || !strcmp(name, "python") ||
         !strcmp(name, "sys.info") || !strcmp(name, "runtime.llcl") ||
         check_in_list(memory_modules, name) || check_gpu_is_module(name) || loaded_module(C, name);
}

/* The symbol for module.name, or NULL (nothing to bind: a pointer type)
   with *ok false when the module has no such member. */
static Symbol *module_member(Checker *C, const char *module, const char *name, bool *ok) {
  *ok = true;
  if (!strcmp(module, "time") && !strcmp(name, "now")) return &builtin_fns[BI_NOW];
  if (!strcmp(module, "sys") && (!strcmp(name, "stdout") || !strcmp(name, "stderr"))) {
    Symbol *s = check_new_symbol(C, SYM_ALIAS, name, TYPE(INT));
    s->value = (ConstVal){.type = TYPE(INT), .i = !strcmp(name, "stdout") ? 1 : 2};
    return s;
  }
  if (!strcmp(module, "math")) {
    if (!strcmp(name, "min")) return &builtin_fns[BI_MIN];
    if (!strcmp(name, "max")) return &builtin_fns[BI_MAX];
    if (!strcmp(name, "abs")) return &builtin_fns[BI_ABS];
    if (check_is_math_fn(name)) {
      Symbol *s = check_new_symbol(C, SYM_BUILTIN, name, NULL);
      s->builtin = BI_MATH;
      s->value.s = name;
      return s;
    }
  }
  if (!strcmp(module, "algorithm") && !strcmp(name, "parallelize")) return &builtin_fns[BI_PARALLELIZE];
  if (!strcmp(module, "python") && !strcmp(name, "PythonObject")) return NULL;  /* known everywhere */
  if (!strcmp(module, "python") && !strcmp(name, "Python")) {
    Symbol *s = check_new_symbol(C, SYM_MODULE, name, NULL);
    s->value.s = "Python";
    return s;
  }
  if (!strcmp(module, "Python")) {  /* Python.import_module(...) */
    Symbol *s = check_new_symbol(C, SYM_BUILTIN, name, NULL);
    s->builtin = BI_PYTHON;
    s->value.s = name;
    return s;
  }
  if (!strcmp(module, "sys") && !strcmp(name, "external_call")) return &builtin_fns[BI_EXTERNAL_CALL];
  if (check_gpu_is_module(module)) return check_gpu_member(C, module, name, ok);
  if ((!strcmp(module, "sys.info") || !strcmp(module, "sys") || !strcmp(module, "runtime.llcl")) &&
      (!strcmp(name, "simdwidthof") || !strcmp(name, "num_physical_cores") || !strcmp(name, "num_cores") ||
       !strcmp(name, "num_logical_cores") || !strcmp(name, "num_performance_cores"))) {
    Symbol *s = check_new_symbol(C, SYM_BUILTIN, name, NULL);
    s->builtin = BI_SYSINFO;
    s->value.s = name;
    return s;
  }
  if (loaded_module(C, module)) {  /* a standard library module written in Ember */
    char full[256];
    snprintf(full, sizeof full, "%s.%s", module, name);
    Symbol *s = globals_get(C->globals, full);
    if (s) return s;
  }
  if (check_in_list(memory_modules, module)) {
    if (check_in_list(pointer_names, name)) return NULL;
    if (check_in_list(memory_fns, name)) {
      Symbol *s = check_new_symbol(C, SYM_BUILTIN, name, NULL);
      s->builtin = BI_MEMORY;
      s->value.s = name;
      return s;
    }
  }
  *ok = false;
  return NULL;
}

static void bind_as(Checker *C, Symbol *s, const char *name) {
  if (strcmp(s->name, name)) {
    Symbol *copy = check_new_symbol(C, s->kind, name, s->type);
    *copy = *s;
    copy->name = name;
    s = copy;
  }
  bind_import(C, s);
}

static void import_stmt(Checker *C, Node *n) {
  if (!known_module(C, n->name)) {
    ERR(n, "unknown module '%s'", n->name);
    HINT("built in: time, sys, sys.info, math, memory, python, gpu; in stdlib/: algorithm, benchmark, complex, gpu.host, random, tensor, testing, utils.index, runtime.llcl");
    return;
  }
  if (n->kind == N_IMPORT) {
    const char *as = n->str ? n->str : n->name;
    Symbol *m = check_new_symbol(C, SYM_MODULE, as, NULL);
    m->value.s = n->name;
    bind_import(C, m);
    return;
  }
  for (int i = 0; i < n->list.len; i++) {
    Node *x = n->list.items[i];
    bool ok;
    Symbol *s = module_member(C, n->name, x->name, &ok);
    if (!ok) {
      ERR(x, "cannot import '%s' from module '%s'", x->name, n->name);
      continue;
    }
    if (s) bind_as(C, s, x->str ? x->str : x->name);
  }
}

static void fn_def_stmt(Checker *C, Node *n);

static void raise_stmt(Checker *C, Node *n) {
  check_mark_raise(C);
  if (!may_raise_here(C)) {
    ERR(n, "'raise' in '%s', which is not declared 'raises'", fn_name(C));
    HINT("declare it 'fn %s(...) raises', or use def", fn_name(C));
  }
  if (!n->a) {
    if (!C->handler_depth) ERR(n, "a bare 'raise' re-raises the error being handled, and there is none here");
    return;
  }
  Type *t = check_expr(C, n->a);
  if (t && t->kind != TY_ERROR && t->kind != TY_STRING)
    ERR(n->a, "can only raise an Error (or a String message), not '%s'", t->name);
}

static void except_clause(Checker *C, Node *x) {
  Scope s;
  check_push_scope(C, &s, false);
  if (x->name) {
    Symbol *e = check_new_symbol(C, SYM_VAR, x->name, TYPE(ERROR));
    e->flags = SYM_MUTABLE;
    if (!C->fn) {  /* at top level the binding is a global, like Python's */
      e->flags |= SYM_GLOBAL;
      e->mangled = check_mangle(C, x->name, "");
      check_add_def(C, e);
    } else {
      e->id = C->out->nlocals++;
      check_scope_add(C, &s, e);
    }
    x->sym = e;
  }
  C->handler_depth++;
  check_stmt_list(C, &x->list);
  C->handler_depth--;
  C->scope = s.parent;
}

static void try_stmt(Checker *C, Node *n) {
  Scope body;
  check_push_scope(C, &body, false);
  C->try_depth += n->list2.len > 0;  /* a finally alone catches nothing */
  check_stmt_list(C, &n->list);
  C->try_depth -= n->list2.len > 0;
  C->scope = body.parent;
  for (int i = 0; i < n->list2.len; i++) except_clause(C, n->list2.items[i]);
  block_stmts(C, &n->list3);
  if (n->b) block_stmts(C, &n->b->list);
}

void check_stmt(Checker *C, Node *n) {
  switch (n->kind) {
  case N_EXPR_STMT: check_expr(C, n->a); n->type = n->a->type; break;
  case N_VAR_DECL: var_decl_stmt(C, n); break;
  case N_ASSIGN: assign_stmt(C, n); break;
  case N_AUG_ASSIGN: aug_assign_stmt(C, n); break;
  case N_ALIAS:
    if (!(n->flags & ALIAS_EARLY)) check_alias_stmt(C, n);
    break;
  case N_IF:
    if (check_has_decorator(n, "parameter")) {
      check_parameter_if(C, n);
      break;
    }
    if (n->decorators.len) ERR(n->decorators.items[0], "unknown decorator on 'if'; did you mean @parameter?");
    if (check_expr(C, n->a)) check_truthy_ok(C, n->a);
    block_stmts(C, &n->list);
    block_stmts(C, &n->list2);
    break;
  case N_WHILE: {
    check_mark_raise(C);  /* every loop can be interrupted (KeyboardInterrupt) */
    if (check_expr(C, n->a)) check_truthy_ok(C, n->a);
    Moved *before = C->moved;
    int locals = C->out->nlocals, defs = C->out->ndefs;
    C->loop_depth++;
    block_stmts(C, &n->list);
    C->loop_depth--;
    check_moves_in_loop(C, before, locals, defs);
    break;
  }
  case N_FOR:
    if (check_has_decorator(n, "parameter")) {
      check_parameter_for(C, n);
      break;
    }
    for (int i = 0; i < n->decorators.len; i++)
      if (!check_has_decorator(n, "unroll"))  /* @unroll: LLVM decides; accepted */
        ERR(n->decorators.items[i], "unknown decorator on 'for'; did you mean @parameter or @unroll?");
    for_stmt(C, n);
    break;
  case N_BLOCK: block_stmts(C, &n->list); break;
  case N_WITH: with_stmt(C, n); break;
  case N_BREAK: case N_CONTINUE:
    if (!C->loop_depth) ERR(n, "'%s' outside loop", n->kind == N_BREAK ? "break" : "continue");
    break;
  case N_RETURN: return_stmt(C, n); break;
  case N_PASS: break;
  case N_FN_DEF: fn_def_stmt(C, n); break;
  case N_IMPORT: case N_FROM_IMPORT:
    if (!(n->flags & ALIAS_EARLY)) import_stmt(C, n);
    break;
  case N_RAISE: raise_stmt(C, n); break;
  case N_TRY: try_stmt(C, n); break;
  case N_STRUCT: check_struct_stmt(C, n); break;
  case N_ASSERT:
    check_mark_raise(C);
    if (check_expr(C, n->a)) check_truthy_ok(C, n->a);
    if (n->b && check_expr(C, n->b) && n->b->type->kind != TY_STRING && !check_to_python(n->b->type))
      ERR(n->b, "an assert's message is text: '%s' cannot be shown", n->b->type->name);
    break;
  case N_DEL: del_stmt(C, n); break;
  case N_PYCLASS:  /* class C: ... -- a Python class, and a global PythonObject C that names it */
    if (C->fn) {
      ERR(n, "a class is defined at the top level of a cell (its body is Python; it runs in CPython)");
      break;
    }
    n->sym = check_declare_var(C, n->name, TYPE(PYOBJ), true, false);
    check_mark_raise(C);
    break;
  case N_TRAIT:  /* declared in the first pass, at the top level only */
    if (C->fn) ERR(n, "traits must be defined at the top level of a cell");
    break;
  default: ERR(n, "unexpected statement"); break;
  }
}

void check_stmt_list(Checker *C, NodeList *body) {
  for (int i = 0; i < body->len; i++) check_stmt(C, body->items[i]);
}

/* ---- functions ---------------------------------------------------------- */

static bool loop_has_break(const NodeList *body) {
  for (int i = 0; i < body->len; i++) {
    Node *s = body->items[i];
    if (s->kind == N_BREAK) return true;
    if (s->kind == N_IF && (loop_has_break(&s->list) || loop_has_break(&s->list2))) return true;
  }
  return false;
}

bool check_always_returns(const NodeList *body) {
  for (int i = 0; i < body->len; i++) {
    Node *s = body->items[i];
    if (s->kind == N_RETURN) return true;
    if (s->kind == N_BLOCK && check_always_returns(&s->list)) return true;
    if (s->kind == N_IF && s->list2.len && check_always_returns(&s->list) &&
        check_always_returns(&s->list2))
      return true;
    if (s->kind == N_WHILE && s->a->kind == N_BOOL && s->a->ival && !loop_has_break(&s->list))
      return true;
    if (s->kind == N_RAISE) return true;
    if (s->kind == N_TRY) {
      if (s->b && check_always_returns(&s->b->list)) return true;
      if (!s->list2.len && check_always_returns(&s->list)) return true;
      bool all = check_always_returns(s->list3.len ? &s->list3 : &s->list);
      for (int k = 0; k < s->list2.len; k++) all = all && check_always_returns(&s->list2.items[k]->list);
      if (all && s->list2.len) return true;
    }
  }
  return false;
}

/* Resolve a function's signature; generic when a def has untyped params. */
static ArgConvention convention_of(int op) {
  /* the parser's order: inout mut borrowed read owned var out ref */
  static const ArgConvention map[] = {ARG_BORROWED, ARG_INOUT, ARG_INOUT, ARG_BORROWED,
                                      ARG_BORROWED, ARG_OWNED, ARG_OWNED, ARG_OUT, ARG_INOUT};
  return op >= 0 && op <= 8 ? map[op] : ARG_BORROWED;
}

bool check_has_decorator(Node *n, const char *name) {
  for (int i = 0; i < n->decorators.len; i++) {
    Node *d = n->decorators.items[i]->a;
    if (d->kind == N_CALL) d = d->a;
    if (d->kind == N_NAME && !strcmp(d->name, name)) return true;
  }
  return false;
}

/* A method's `self`: first parameter, untyped, with its convention. */
static bool declare_self(Checker *C, Node *n, Symbol *fn) {
  Node *self = n->list.len ? n->list.items[0] : NULL;
  if (!self || strcmp(self->name, "self") != 0) {
    ERR(n, "method '%s' needs 'self' as its first argument", n->name);
    HINT("or mark it @staticmethod");
    return false;
  }
  fn->self_conv = convention_of(self->op);
  if (self->a) ERR(self->a, "'self' has the struct's type; leave it unannotated");
  return true;
}

/* Resolve a function's signature; generic when a def has untyped params. */
Symbol *check_declare_fn(Checker *C, Node *n, Type *owner) {
  Symbol *fn = check_new_symbol(C, SYM_FN, n->name, NULL);
  fn->decl = n;
  fn->owner = owner;
  if (owner && owner->st->origin && owner->st->origin->cell != C->cell)  /* a method of an instance */
    fn->line_cell = owner->st->origin->cell;
  fn->is_static = owner && (check_has_decorator(n, "staticmethod") || check_is_value_init(n));
  int off = check_self_offset(fn);
  if (off && !declare_self(C, n, fn)) {
    fn->bad_signature = true;
    off = 0;
    fn->is_static = true;
  }
  fn->nparams = n->list.len - off;
  fn->param_types = arena_alloc(C->arena, sizeof(Type *) * (size_t)(fn->nparams + 1));
  fn->conventions = arena_alloc(C->arena, sizeof(ArgConvention) * (size_t)(fn->nparams + 1));
  if (!check_declare_params(C, n, fn)) fn->bad_signature = true;
  for (int i = 0; i < fn->nparams; i++) {
    Node *p = n->list.items[i + off];
    for (int j = 0; j < i + off; j++)
      if (strcmp(n->list.items[j]->name, p->name) == 0)
        ERR(p, "duplicate argument '%s' in function definition", p->name);
    fn->conventions[i] = convention_of(p->op);
    if (fn->conventions[i] == ARG_OUT) ERR(p, "only 'self' of an __init__ can be 'out'");
    if ((p->flags & (PARAM_STAR | PARAM_DSTAR)) && (p->a || !(n->flags & FN_IS_DEF) || owner)) {
      ERR(p, "'%s%s' takes Python objects: leave it untyped, in a def (typed variadics come later)",
          p->flags & PARAM_STAR ? "*" : "**", p->name);
      fn->bad_signature = true;
    }
    if (check_mentions_param(n, p->a)) {  /* x: T, SIMD[dt, w] — known per instance */
      fn->generic = true;
      continue;
    }
    if (!p->a) {
      if (!(n->flags & FN_IS_DEF) || owner) ERR(p, "argument '%s' needs a type", p->name);
      if (owner) fn->bad_signature = true;
      fn->generic = !owner;
      continue;
    }
    fn->param_types[i] = check_resolve_type(C, p->a);
    if (!fn->param_types[i]) fn->bad_signature = true;
  }
  /* a def without '-> T' infers its result from its returns; a result of
     a generic parameter's type is known per instance */
  if (check_mentions_param(n, n->a)) return fn;
  fn->type = n->a ? check_resolve_type(C, n->a) : ((n->flags & FN_IS_DEF) && !owner) ? NULL : TYPE(NONE);
  if (n->a && !fn->type) fn->bad_signature = true;
  return fn;
}

void check_defaults(Checker *C, Node *n, Symbol *fn) {
  for (int i = 0; i < fn->nparams; i++) {
    Node *d = check_param_node(fn, i)->b;
    if (!d || !check_expr(C, d)) continue;
    if (fn->param_types[i]) check_coerce(C, d, fn->param_types[i], "for a default value");
  }
}

static void check_fn_body_once(Checker *C, Node *def, Symbol *fn, FnCtx *carry);

/* Drop the diagnostics reported after `count` of them (`last`). */
static void drop_diags_after(Diags *d, int count, Diag *last) {
  d->count = count;
  d->last = last;
  if (last) last->next = NULL;
  else d->first = NULL;
}

/* A def whose variables turn out to change type is checked again from its
   source, with those names as `object` (see changes_type). */
void check_fn_body(Checker *C, Node *def, Symbol *fn) {
  if (!(def->flags & FN_IS_DEF)) {
    check_fn_body_once(C, def, fn, NULL);
    return;
  }
  Node *source = node_clone(C->arena, def);
  Type *type = fn->type;
  int nfunctions = C->out->functions.len, ndiags = C->diags->count;
  Diag *last_diag = C->diags->last;
  FnCtx carry = {0};
  for (int attempt = 0; attempt < 16; attempt++) {
    carry.retry = false;
    check_fn_body_once(C, def, fn, &carry);
    if (!carry.retry) return;
    fn->type = type;
    def->list2 = node_clone(C->arena, source)->list2;
    C->out->functions.len = nfunctions;  /* closures declared by the attempt */
    drop_diags_after(C->diags, ndiags, last_diag);
  }
}

static void check_fn_body_once(Checker *C, Node *def, Symbol *fn, FnCtx *carry) {
  FnCtx ctx = {.sym = fn, .ret = fn->type, .is_def = def->flags & FN_IS_DEF,
               .raises = def->flags & FN_RAISES,
               .outer = fn->closure_root ? fn->closure_root->def_fn : NULL};
  if (carry) {  /* what earlier attempts found to be dynamic */
    ctx.dynamic = carry->dynamic;
    ctx.ndynamic = carry->ndynamic;
    ctx.capdynamic = carry->capdynamic;
    ctx.dynamic_result = carry->dynamic_result;
  }
  int saved_try = C->try_depth, saved_handler = C->handler_depth;
  Moved *saved_moved = C->moved;
  C->moved = NULL;
  C->try_depth = C->handler_depth = 0;
  ctx.infer = !def->a && ctx.is_def;
  Scope scope;
  check_push_scope(C, &scope, true);
  FnCtx *saved = C->fn;
  C->fn = &ctx;
  int off = check_self_offset(fn);
  if (off) {  /* self: always the caller's storage, by pointer */
    Symbol *s = check_declare_var(C, "self", fn->owner, fn->self_conv != ARG_BORROWED, false);
    s->flags |= SYM_PARAM | SYM_BYREF;
    def->list.items[0]->sym = s;
    def->list.items[0]->type = fn->owner;
  }
  for (int i = 0; i < fn->nparams; i++) {
    Node *p = def->list.items[i + off];
    if (!fn->param_types[i]) continue;
    ArgConvention conv = fn->conventions ? fn->conventions[i] : ARG_BORROWED;
    bool mutable_ = ctx.is_def || conv == ARG_INOUT || conv == ARG_OWNED;
    Symbol *s = check_declare_var(C, p->name, fn->param_types[i], mutable_, false);
    s->flags |= SYM_PARAM;
    if (check_param_byref(fn, i)) s->flags |= SYM_BYREF;  /* the caller's storage */
    p->sym = s;
    p->type = s->type;
  }
  check_stmt_list(C, &def->list2);
  if (ctx.infer) {
    fn->type = ctx.inferred ? ctx.inferred : TYPE(NONE);
    if (ctx.inferred && ctx.inferred->kind != TY_NONE && !check_always_returns(&def->list2))
      ERR(def, "missing return at the end of '%s', which returns '%s'", fn->name, fn->type->name);
  } else if (fn->type && fn->type->kind != TY_NONE && !check_always_returns(&def->list2)) {
    ERR(def, "missing return at the end of '%s', which returns '%s'", fn->name, fn->type->name);
    HINT("every path through the function must 'return' a value");
  }
  fn->may_raise = ctx.may_raise;
  fn->checked = true;
  if (carry) {
    carry->dynamic = ctx.dynamic;
    carry->ndynamic = ctx.ndynamic;
    carry->capdynamic = ctx.capdynamic;
    carry->dynamic_result = ctx.dynamic_result;
    carry->retry = ctx.retry;
  }
  C->try_depth = saved_try;
  C->handler_depth = saved_handler;
  C->moved = saved_moved;
  C->fn = saved;
  C->scope = scope.parent;
}

/* A function defined inside another: a closure over the enclosing
   function's variables (Mojo's nested fn and @parameter fn). Visible from
   its definition on, in the enclosing block. */
static void closure_def(Checker *C, Node *n) {
  static int counter;
  Symbol *fn = check_declare_fn(C, n, NULL);
  fn->closure_root = fn;
  fn->def_scope = C->scope;
  fn->def_fn = C->fn;
  fn->mangled = arena_printf(C->arena, "%s.%s.%d", C->fn->sym->mangled, n->name, ++counter);
  n->sym = fn;
  check_scope_add(C, C->scope, fn);
  check_defaults(C, n, fn);
  if (fn->generic || fn->bad_signature) return;  /* instantiated where it is called */
  check_fn_body(C, n, fn);
  node_push(C->arena, &C->out->functions, n);
}

static void fn_def_stmt(Checker *C, Node *n) {
  for (int i = 0; i < n->decorators.len; i++) {
    Node *d = n->decorators.items[i]->a;
    if (d->kind == N_CALL) d = d->a;
    if (d->kind == N_NAME && (!strcmp(d->name, "always_inline") || !strcmp(d->name, "noncapturing") ||
                              !strcmp(d->name, "parameter") || !strcmp(d->name, "staticmethod")))
      continue;
    ERR(d, "unknown decorator");
  }
  if (C->fn) {
    closure_def(C, n);
    return;
  }
  Symbol *fn = n->sym;  /* declared in the first pass */
  if (!fn) {  /* a function inside a top-level block (if, with): declared where it stands */
    fn = check_declare_fn(C, n, NULL);
    fn->mangled = check_mangle(C, n->name, "");
    n->sym = fn;
    check_add_def(C, fn);
  }
  check_defaults(C, n, fn);
  if (fn->generic) return;  /* instantiated at each call */
  for (int i = 0; i < fn->nparams; i++)
    if (!fn->param_types[i]) return;
  if (n->a && !fn->type) return;
  for (int i = 0; i < n->decorators.len; i++) n->decorators.items[i]->type = TYPE(NONE);
  check_fn_body(C, n, fn);
  node_push(C->arena, &C->out->functions, n);
}

/* First pass: every top-level function is known before any body is checked. */
/* Top-level aliases left after the first pass (they call something):
   known before any function body is checked, in any order, as Mojo's
   aliases are. A constant folds as usual; a struct value (alias OurTrue =
   OurBool(...)) becomes an immutable global set where the alias stands. */
static void declare_value_aliases(Checker *C, NodeList *stmts) {
  for (int i = 0; i < stmts->len; i++) {
    Node *n = stmts->items[i];
    if (n->kind != N_ALIAS || (n->flags & ALIAS_EARLY)) continue;
    n->flags |= ALIAS_EARLY;
    Type *declared = n->a ? check_resolve_type(C, n->a) : NULL;
    if (n->a && !declared) continue;
    bool saved = C->quiet;
    C->quiet = true;  /* try it as a struct value; otherwise the alias rules report */
    Type *t = check_expr(C, n->b);
    C->quiet = saved;
    Type *target = declared ? declared : t;
    if (!t || !type_is_struct(target)) {
      n->b->type = NULL;
      check_alias_stmt(C, n);
      continue;
    }
    if (declared && !check_coerce(C, n->b, declared, NULL)) continue;
    Symbol *s = check_declare_var(C, n->name, target, false, false);
    s->decl = n;
    n->sym = s;
    n->flags |= ALIAS_GLOBAL;
  }
}

static void declare_functions(Checker *C, NodeList *stmts) {
  for (int i = 0; i < stmts->len; i++) {
    Node *n = stmts->items[i];
    if (n->kind != N_FN_DEF) continue;
    Symbol *fn = check_declare_fn(C, n, NULL);
    fn->mangled = check_mangle(C, n->name, "");
    n->sym = fn;
    /* functions of one name in one cell are overloads (a later cell's
       definition replaces them all) */
    for (Binding *b = C->top.names; b; b = b->next)
      if (!strcmp(b->name, n->name)) {
        if (b->sym->kind == SYM_FN) fn->overloads = b->sym;
        break;
      }
    check_add_def(C, fn);
  }
}

bool check_cell(NodeList stmts, int cell, GlobalTable *globals, Arena *arena, Diags *diags,
                CheckedCell *out) {
  init_builtins();
  memset(out, 0, sizeof *out);
  out->cell = cell;
  out->stmts = stmts;
  Checker C = {.arena = arena, .diags = diags, .globals = globals, .out = out, .cell = cell};
  C.scope = &C.top;
  int errors = diags->count;
  for (int i = 0; i < stmts.len; i++)  /* imports first: aliases and signatures use them */
    if (stmts.items[i]->kind == N_IMPORT || stmts.items[i]->kind == N_FROM_IMPORT) {
      import_stmt(&C, stmts.items[i]);
      stmts.items[i]->flags |= ALIAS_EARLY;
    }
  check_declare_structs(&C, &stmts);
  declare_functions(&C, &stmts);
  declare_value_aliases(&C, &stmts);
  check_stmt_list(&C, &stmts);
  for (Moved *m = C.moved; m; m = m->next)
    if (m->sym->flags & SYM_GLOBAL) check_push_symbol(&C, &out->moved, &out->nmoved, &out->capmoved, m->sym);
  if (stmts.len) {
    Node *last = stmts.items[stmts.len - 1];
    if (last->kind == N_EXPR_STMT && last->type && last->type->kind != TY_NONE) out->result = last;
  }
  return diags->count == errors;
}

void check_commit(CheckedCell *cell, GlobalTable *globals) {
  for (int i = 0; i < cell->nrevived; i++) cell->revived[i]->flags &= ~SYM_MOVED;
  for (int i = 0; i < cell->nmoved; i++) cell->moved[i]->flags |= SYM_MOVED;
  for (int i = 0; i < cell->ndefs; i++) {
    if (!cell->module) {
      globals_set(globals, cell->defs[i]->name, cell->defs[i]);
      continue;
    }
    char name[256];  /* a module's names do not enter the user's namespace */
    snprintf(name, sizeof name, "%s.%s", cell->module, cell->defs[i]->name);
    globals_set(globals, name, cell->defs[i]);
  }
  if (cell->module) {
    const char *module = strdup(cell->module);  /* outlives the importing cell */
    for (int i = 0; i < cell->ndefs; i++) {
      Symbol *d = cell->defs[i];
      d->module = module;
      if (d->kind == SYM_TYPE && type_is_struct(d->type)) d->type->st->module = module;
    }
    char mark[256];
    snprintf(mark, sizeof mark, CHECK_MODULE_MARK "%s", cell->module);
    static Symbol module_symbol = {.kind = SYM_MODULE, .name = "module"};
    globals_set(globals, mark, &module_symbol);
  }
  for (int i = 0; i < cell->nstructs; i++) {
    PendingStruct *p = &cell->structs[i];
    p->inst->next = p->generic->instances;
    p->generic->instances = p->inst;
  }
  for (int i = 0; i < cell->ninsts; i++) {
    PendingInstance *p = &cell->insts[i];
    p->inst->next = p->generic->instances;
    p->generic->instances = p->inst;
  }
}
