/* check_struct.c — structs and traits: declaring a cell's structs (their
 * fields, methods and the @value methods made for them), checking that
 * methods and __init__ are well-formed, and traits with their conformance
 * checks. Using structs (fields, method calls, operators through dunder
 * methods) stays in check.c with the other expressions.
 *
 * Reading order: a struct's declaration (its name, then fields, then
 * methods, then bodies, as check_cell drives them) → traits. */
#include "compiler/check_internal.h"

#include <string.h>

/* ---- structs: declaration ----------------------------------------------- */

/* First pass over a cell's structs: the type exists (so signatures and
   other structs may name it) before fields and methods are resolved. */
void check_declare_struct(Checker *C, Node *n) {
  Type *t = arena_alloc(C->arena, sizeof *t);
  StructInfo *st = arena_alloc(C->arena, sizeof *st);
  t->kind = TY_STRUCT;
  t->name = n->name;
  t->bits = 64;
  t->st = st;
  st->decl = n;
  st->mangled = check_mangle(C, n->name, "");
  st->cell = C->cell;
  st->generic = n->list3.len > 0;
  n->type = t;
  if (C->instantiating) return;  /* an instance has no name of its own */
  Symbol *sym = check_new_symbol(C, SYM_TYPE, n->name, t);
  sym->decl = n;
  sym->mangled = st->mangled;
  check_add_def(C, sym);
  n->sym = sym;
  if (st->generic) check_declare_struct_params(C, n);
}

void check_define_fields(Checker *C, Node *n) {
  StructInfo *st = n->type->st;
  int nf = 0;
  for (int i = 0; i < n->list.len; i++) nf += n->list.items[i]->kind == N_VAR_DECL;
  st->field_names = arena_alloc(C->arena, sizeof(char *) * (size_t)(nf + 1));
  st->field_types = arena_alloc(C->arena, sizeof(Type *) * (size_t)(nf + 1));
  Buf mlir = {0};
  buf_puts(&mlir, "!llvm.struct<(");
  for (int i = 0; i < n->list.len; i++) {
    Node *f = n->list.items[i];
    if (f->kind != N_VAR_DECL) continue;
    if (!f->a) ERR(f, "field '%s' needs a type", f->name);
    if (f->b) ERR(f->b, "a field cannot have a default value; set it in __init__");
    Type *ft = check_resolve_type(C, f->a);
    if (ft == n->type) {
      ERR(f, "struct '%s' cannot contain itself", n->name);
      ft = NULL;
    }
    for (int k = 0; k < st->nfields; k++)
      if (!strcmp(st->field_names[k], f->name)) ERR(f, "duplicate field '%s'", f->name);
    if (!ft || ft->kind == TY_NONE) ft = TYPE(INT);  /* keep going; the error is reported */
    f->type = ft;
    buf_printf(&mlir, "%s%s", st->nfields ? ", " : "", ft->mlir);
    st->field_names[st->nfields] = f->name;
    st->field_types[st->nfields++] = ft;
  }
  buf_puts(&mlir, ")>");
  n->type->mlir = arena_strdup(C->arena, buf_str(&mlir));
  buf_free(&mlir);
}

static void add_method(Checker *C, StructInfo *st, Symbol *m) {
  check_push_symbol(C, &st->methods, &st->nmethods, &st->capmethods, m);
}

static Node *synth_name(Checker *C, Node *at, const char *name, Type *preset) {
  Node *n = node_new(C->arena, N_NAME, at->line, at->col);
  n->name = name;
  n->type = preset;
  return n;
}

/* @value: `fn __init__(out self, f1: T1, ...): self.f1 = f1 ...` */
static Node *synth_value_init(Checker *C, Node *n) {
  StructInfo *st = n->type->st;
  Node *f = node_new(C->arena, N_FN_DEF, n->line, n->col);
  f->name = "__init__";
  Node *self = node_new(C->arena, N_PARAM, n->line, n->col);
  self->name = "self";
  self->op = 7;  /* out */
  node_push(C->arena, &f->list, self);
  for (int i = 0; i < st->nfields; i++) {
    Node *p = node_new(C->arena, N_PARAM, n->line, n->col);
    p->name = st->field_names[i];
    p->op = 5;  /* owned: the fields are taken, not copied */
    p->a = synth_name(C, n, st->field_types[i]->name, st->field_types[i]);
    node_push(C->arena, &f->list, p);
    Node *target = node_new(C->arena, N_ATTR, n->line, n->col);
    target->a = synth_name(C, n, "self", NULL);
    target->name = st->field_names[i];
    Node *assign = node_new(C->arena, N_ASSIGN, n->line, n->col);
    node_push(C->arena, &assign->list, target);
    Node *moved = node_new(C->arena, N_TRANSFER, n->line, n->col);  /* self.f = f^ */
    moved->a = synth_name(C, n, st->field_names[i], NULL);
    assign->a = moved;
    node_push(C->arena, &f->list2, assign);
  }
  if (!st->nfields) node_push(C->arena, &f->list2, node_new(C->arena, N_PASS, n->line, n->col));
  return f;
}

static void check_struct_decorators(Checker *C, Node *n) {
  for (int i = 0; i < n->decorators.len; i++) {
    Node *d = n->decorators.items[i]->a;
    const char *name = d->kind == N_CALL ? d->a->name : d->name;
    if (name && !strcmp(name, "value")) n->type->st->is_value = true;
    else if (!name || strcmp(name, "register_passable")) ERR(d, "unknown struct decorator");
  }
}

static void check_method_decorators(Checker *C, Node *m) {
  static const char *const known[] = {"staticmethod", "always_inline", "noncapturing", "parameter"};
  for (int i = 0; i < m->decorators.len; i++) {
    Node *d = m->decorators.items[i]->a;
    const char *name = d->kind == N_CALL ? d->a->name : d->name;
    bool ok = false;
    for (size_t k = 0; name && k < sizeof known / sizeof *known; k++) ok |= !strcmp(name, known[k]);
    if (!ok) ERR(d, "unknown decorator");
  }
}

/* Dunders the language calls itself must return what it expects. */
static void check_dunder_result(Checker *C, Symbol *m) {
  static const struct { const char *name; TypeKind result; } rules[] = {
      {"__len__", TY_INT}, {"__str__", TY_STRING}, {"__repr__", TY_STRING}, {"__bool__", TY_BOOL},
      {"__int__", TY_INT}, {"__float__", TY_F64}, {"__init__", TY_NONE}, {"__del__", TY_NONE},
  };
  for (size_t i = 0; i < sizeof rules / sizeof *rules; i++) {
    if (strcmp(m->name, rules[i].name) || !m->type) continue;
    if (m->type != &type_table[rules[i].result]) {
      ERR(m->decl, "%s must return '%s', not '%s'", m->name, type_table[rules[i].result].name, m->type->name);
      m->bad_signature = true;
    }
  }
}

static bool is_self(const Node *n) { return n->kind == N_NAME && !strcmp(n->name, "self"); }

/* Does this one node set self.<field> (or all of self)? */
static bool sets_field(const Node *n, const void *field) {
  if (n->kind == N_ASSIGN)
    for (int i = 0; i < n->list.len; i++) {
      const Node *t = n->list.items[i];
      if (is_self(t)) return true;  /* self = Other(...) sets every field */
      if (t->kind == N_ATTR && is_self(t->a) && !strcmp(t->name, field)) return true;
    }
  if (n->kind == N_AUG_ASSIGN && n->a->kind == N_ATTR && is_self(n->a->a) && !strcmp(n->a->name, field))
    return true;
  /* self.method(...) may set it: trust it */
  return n->kind == N_CALL && n->a && n->a->kind == N_ATTR && is_self(n->a->a);
}

/* Every field must be set by an __init__ (any assignment to self.f in it). */
static bool assigns_field(const Node *n, const char *field) { return node_any(n, sets_field, field); }

static void check_init_sets_fields(Checker *C, Node *init, StructInfo *st) {
  for (int i = 0; i < st->nfields; i++) {
    bool set = false;
    for (int k = 0; k < init->list2.len && !set; k++) set = assigns_field(init->list2.items[k], st->field_names[i]);
    if (!set) ERR(init, "field 'self.%s' is uninitialized at the end of __init__", st->field_names[i]);
  }
}

void check_declare_methods(Checker *C, Node *n) {
  StructInfo *st = n->type->st;
  C->self_type = n->type;
  check_struct_decorators(C, n);
  for (int i = 0; i < n->list.len; i++)
    if (n->list.items[i]->kind == N_FN_DEF) check_method_decorators(C, n->list.items[i]);
  bool has_memberwise = false;
  for (int i = 0; i < n->list.len; i++) {
    Node *m = n->list.items[i];
    if (m->kind == N_FN_DEF && !strcmp(m->name, "__init__") && m->list.len == st->nfields + 1)
      has_memberwise = true;
  }
  if (st->is_value && !has_memberwise) node_push(C->arena, &n->list, synth_value_init(C, n));
  for (int i = 0; i < n->list.len; i++) {
    Node *m = n->list.items[i];
    if (m->kind != N_FN_DEF) continue;
    Symbol *fn = check_declare_fn(C, m, n->type);
    int overload = 0;
    for (int k = 0; k < st->nmethods; k++) overload += !strcmp(st->methods[k]->name, m->name);
    fn->mangled = overload ? arena_printf(C->arena, "%s.%s.%d", st->mangled, m->name, overload)
                           : arena_printf(C->arena, "%s.%s", st->mangled, m->name);
    m->sym = fn;
    add_method(C, st, fn);
    if (!fn->is_static) check_dunder_result(C, fn);
    if (!strcmp(m->name, "__init__") && !fn->is_static) check_init_sets_fields(C, m, st);
  }
  C->self_type = NULL;
}

void check_struct_traits(Checker *C, Node *n);
static void declare_trait(Checker *C, Node *n);

static bool is_concrete_struct(const Node *n) { return n->kind == N_STRUCT && !n->list3.len; }


static bool is_call(const Node *n, const void *unused) {
  (void)unused;
  return n->kind == N_CALL;
}

/* alias X: SomeStruct = ...: left for after the methods are known */
static bool declares_struct_type(Checker *C, Node *alias) {
  if (!alias->a || alias->a->kind != N_NAME) return false;
  Symbol *s = check_lookup(C, alias->a->name);
  return s && s->kind == SYM_TYPE && type_is_struct(s->type);
}

void check_declare_structs(Checker *C, NodeList *stmts) {
  for (int i = 0; i < stmts->len; i++)
    if (stmts->items[i]->kind == N_TRAIT) declare_trait(C, stmts->items[i]);
  for (int i = 0; i < stmts->len; i++)
    if (stmts->items[i]->kind == N_STRUCT) check_declare_struct(C, stmts->items[i]);
  /* top-level aliases next: field types and signatures may use them */
  for (int i = 0; i < stmts->len; i++)
    if (stmts->items[i]->kind == N_ALIAS && !node_any(stmts->items[i]->b, is_call, NULL) &&
        !declares_struct_type(C, stmts->items[i])) {
      check_alias_stmt(C, stmts->items[i]);
      stmts->items[i]->flags |= ALIAS_EARLY;
    }
  for (int i = 0; i < stmts->len; i++)
    if (is_concrete_struct(stmts->items[i])) check_define_fields(C, stmts->items[i]);
  for (int i = 0; i < stmts->len; i++)
    if (is_concrete_struct(stmts->items[i])) check_declare_methods(C, stmts->items[i]);
  for (int i = 0; i < stmts->len; i++)
    if (is_concrete_struct(stmts->items[i])) check_struct_traits(C, stmts->items[i]);
}

/* The struct statement itself: check each method's body. */
void check_struct_stmt(Checker *C, Node *n) {
  if (n->type && n->type->st->generic) return;  /* checked per instance */
  check_struct_bodies(C, n);
}

/* Check each method's body (a struct, or an instance of one). */
void check_struct_bodies(Checker *C, Node *n) {
  if (C->fn || !n->type) {
    ERR(n, "structs must be defined at the top level of a cell");
    return;
  }
  C->self_type = n->type;
  for (int i = 0; i < n->list.len; i++) {
    Node *m = n->list.items[i];
    if (m->kind == N_ALIAS) ERR(m, "aliases inside a struct are not supported yet");
    if (m->kind != N_FN_DEF || !m->sym || m->sym->bad_signature) continue;
    check_defaults(C, m, m->sym);
    if (m->sym->generic) continue;  /* [T] methods are compiled per call */
    check_fn_body(C, m, m->sym);
    node_push(C->arena, &C->out->functions, m);
  }
  C->self_type = NULL;
}

/* ---- traits ------------------------------------------------------------------ */

/* Mojo's built-in traits and the methods a struct needs for them. */
static const struct { const char *name; const char *methods[3]; } builtin_traits[] = {
    {"AnyType", {0}}, {"Copyable", {0}}, {"Movable", {0}}, {"CollectionElement", {0}},
    {"ImplicitlyCopyable", {0}}, {"Defaultable", {"__init__"}}, {"Stringable", {"__str__"}},
    {"Representable", {"__repr__"}}, {"Sized", {"__len__"}}, {"Intable", {"__int__"}},
    {"Boolable", {"__bool__"}}, {"EqualityComparable", {"__eq__"}},
    {"Comparable", {"__lt__", "__eq__"}}, {"Hashable", {"__hash__"}},
    {"KeyElement", {"__hash__", "__eq__"}}, {"Absable", {"__abs__"}},
};
static Symbol builtin_trait_syms[sizeof builtin_traits / sizeof *builtin_traits];

Symbol *check_lookup_trait(Checker *C, Node *name_node) {
  Symbol *s = check_lookup(C, name_node->name);
  if (s && s->kind == SYM_TRAIT) return s;
  for (size_t i = 0; i < sizeof builtin_traits / sizeof *builtin_traits; i++)
    if (!strcmp(builtin_traits[i].name, name_node->name)) {
      builtin_trait_syms[i] = (Symbol){.kind = SYM_TRAIT, .name = builtin_traits[i].name,
                                        .builtin = (BuiltinId)i};
      return &builtin_trait_syms[i];
    }
  ERR(name_node, s ? "'%s' is not a trait" : "use of unknown trait '%s'", name_node->name);
  return NULL;
}

static bool is_builtin_trait(const Symbol *tr) {
  return tr >= builtin_trait_syms && tr < builtin_trait_syms + sizeof builtin_trait_syms / sizeof *builtin_trait_syms;
}

/* Does method m of struct t have the signature a trait method asks for? */
static bool matches_requirement(Checker *C, Type *t, Symbol *m, Node *req) {
  int nreq = req->list.len - 1;  /* minus self */
  if (m->nparams != nreq) return false;
  Type *saved = C->self_type;
  C->self_type = t;
  bool ok = true, quiet = C->quiet;
  C->quiet = true;
  for (int i = 0; i < nreq && ok; i++) ok = check_resolve_type(C, req->list.items[i + 1]->a) == m->param_types[i];
  Type *ret = req->a ? check_resolve_type(C, req->a) : TYPE(NONE);
  C->quiet = quiet;
  C->self_type = saved;
  return ok && ret == (m->type ? m->type : TYPE(NONE));
}

/* Explain why t does not conform to tr; false when it does not. */
static bool conforms(Checker *C, Type *t, Symbol *tr, Node *at) {
  if (is_builtin_trait(tr)) {
    if (!type_is_struct(t)) return true;  /* built-in types have the basics */
    for (int k = 0; k < 3 && builtin_traits[tr->builtin].methods[k]; k++)
      if (!check_has_method(t, builtin_traits[tr->builtin].methods[k])) {
        ERR(at, "'%s' does not conform to trait '%s': it has no method '%s'", t->name, tr->name,
            builtin_traits[tr->builtin].methods[k]);
        return false;
      }
    return true;
  }
  if (!type_is_struct(t)) {
    ERR(at, "'%s' does not conform to trait '%s'", t->name, tr->name);
    return false;
  }
  for (int i = 0; i < tr->decl->list.len; i++) {
    Node *req = tr->decl->list.items[i];
    bool found = false, named = false;
    for (int k = 0; k < t->st->nmethods && !found; k++) {
      Symbol *m = t->st->methods[k];
      if (strcmp(m->name, req->name)) continue;
      named = true;
      found = matches_requirement(C, t, m, req);
    }
    if (!found) {
      ERR(at, "'%s' does not conform to trait '%s': %s '%s'", t->name, tr->name,
          named ? "wrong signature for method" : "it has no method", req->name);
      return false;
    }
  }
  for (int i = 0; i < tr->decl->list2.len; i++) {  /* parent traits */
    Symbol *parent = check_lookup_trait(C, tr->decl->list2.items[i]);
    if (parent && !conforms(C, t, parent, at)) return false;
  }
  return true;
}

/* A struct's declared traits: each must be satisfied by its methods. */
void check_struct_traits(Checker *C, Node *n) {
  StructInfo *st = n->type->st;
  st->traits = arena_alloc(C->arena, sizeof(Symbol *) * (size_t)(n->list2.len + 1));
  for (int i = 0; i < n->list2.len; i++) {
    Symbol *tr = check_lookup_trait(C, n->list2.items[i]);
    if (!tr) continue;
    if (conforms(C, n->type, tr, n->list2.items[i])) st->traits[st->ntraits++] = tr;
  }
}

/* Does t satisfy the bound of a generic parameter? Nominal for user
   traits (the struct must declare it), structural for the built-in ones. */
bool check_satisfies(Checker *C, Type *t, Symbol *tr, Node *at) {
  if (is_builtin_trait(tr)) return conforms(C, t, tr, at);
  if (type_is_struct(t))
    for (int i = 0; i < t->st->ntraits; i++)
      if (t->st->traits[i] == tr) return true;
  ERR(at, "'%s' does not conform to trait '%s'", t->name, tr->name);
  if (type_is_struct(t)) HINT("declare it: struct %s(%s)", t->name, tr->name);
  return false;
}

static void declare_trait(Checker *C, Node *n) {
  Symbol *tr = check_new_symbol(C, SYM_TRAIT, n->name, NULL);
  tr->decl = n;
  n->sym = tr;
  for (int i = 0; i < n->list.len; i++) {
    Node *m = n->list.items[i];
    if (m->kind != N_FN_DEF) continue;
    if (!m->list.len || strcmp(m->list.items[0]->name, "self"))
      ERR(m, "trait method '%s' needs 'self' as its first argument", m->name);
    bool only_ellipsis = m->list2.len == 1 && m->list2.items[0]->kind == N_EXPR_STMT &&
                         m->list2.items[0]->a->kind == N_ELLIPSIS;
    if (!only_ellipsis && !(m->list2.len == 1 && m->list2.items[0]->kind == N_PASS))
      ERR(m, "a trait method has no body: write '...'");
  }
  if (C->fn) ERR(n, "traits must be defined at the top level of a cell");
  else check_add_def(C, tr);
}

