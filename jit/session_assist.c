/* session_assist.c — what front ends ask between cells: is this input
 * complete, what could complete the word at the cursor, what is this name.
 *
 * All answers come from the real lexer, parser and the session's global
 * table, so they agree with what executing the cell would do. Cursor
 * positions cross the API in Unicode code points (Jupyter's rule) and are
 * converted to byte offsets here. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/buf.h"
#include "compiler/check.h"
#include "compiler/lex.h"
#include "compiler/parse.h"
#include "jit/session_internal.h"

/* ---- is_complete ------------------------------------------------------- */

static int indent_of(const char *line) {
  int w = 0;
  for (; *line == ' ' || *line == '\t'; line++) w = *line == '\t' ? (w / 8 + 1) * 8 : w + 1;
  return w;
}

/* The last line with code on it (comments and blanks skipped). */
static const char *last_code_line(const char *code, size_t *len) {
  const char *best = NULL;
  for (const char *p = code; *p;) {
    const char *end = p + strcspn(p, "\n");
    const char *q = p + strspn(p, " \t\r");
    if (q < end && *q != '#') {
      best = p;
      *len = (size_t)(end - p);
    }
    p = *end ? end + 1 : end;
  }
  return best;
}

static bool ends_with_colon(const char *line, size_t len) {
  /* strip a trailing comment (not inside a string: good enough here) */
  const char *hash = memchr(line, '#', len);
  if (hash) len = (size_t)(hash - line);
  while (len && isspace((unsigned char)line[len - 1])) len--;
  return len && line[len - 1] == ':';
}

static bool ends_with_blank_line(const char *code) {
  size_t n = strlen(code);
  while (n && (code[n - 1] == ' ' || code[n - 1] == '\t' || code[n - 1] == '\r')) n--;
  if (!n || code[n - 1] != '\n') return false;
  n--;
  while (n && (code[n - 1] == ' ' || code[n - 1] == '\t' || code[n - 1] == '\r')) n--;
  return n == 0 || code[n - 1] == '\n';
}

static bool starts_block_ender(const char *line) {
  line += strspn(line, " \t");
  static const char *const enders[] = {"return", "pass", "break", "continue", "raise"};
  for (size_t i = 0; i < sizeof enders / sizeof *enders; i++) {
    size_t k = strlen(enders[i]);
    if (!strncmp(line, enders[i], k) && !isalnum((unsigned char)line[k]) && line[k] != '_')
      return true;
  }
  return false;
}

static void set_indent(char *indent, size_t size, int width) {
  if (!size) return;
  if (width < 0) width = 0;
  if ((size_t)width >= size) width = (int)size - 1;
  memset(indent, ' ', (size_t)width);
  indent[width] = 0;
}

const char *session_is_complete(Session *s, const char *code, char *indent, size_t indent_size) {
  (void)s;
  set_indent(indent, indent_size, 0);
  size_t len = 0;
  const char *last = last_code_line(code, &len);
  if (!last) return "complete";
  const char *first = code + strspn(code, " \t\r\n");
  if (first[0] == '%') {  /* magics: a %%cell goes on to a blank line, a %line is whole */
    if (first[1] != '%' || ends_with_blank_line(code)) return "complete";
    const char *body = strchr(first, '\n');
    if (body && last_code_line(body + 1, &len))  /* indented as Ember (and Python) code is */
      session_is_complete(s, body + 1, indent, indent_size);
    return "incomplete";
  }
  Arena *arena = arena_new();
  Diags d;
  diag_init(&d, arena, code);
  TokenArray toks = lex_cell(code, arena, &d);
  const char *status = "complete";
  bool broken_string = false;  /* a one-line string left open: no next line can close it */
  for (Diag *e = d.first; e; e = e->next)
    broken_string |= !strcmp(e->message, "unterminated string literal") && !toks.open_string;
  bool has_block = false;
  for (int i = 0; i < toks.len; i++) has_block |= toks.items[i].kind == T_INDENT;
  if (broken_string) {
    status = "invalid";
  } else if (toks.open_string || toks.open_brackets > 0 || toks.open_backslash) {
    status = "incomplete";
    set_indent(indent, indent_size, indent_of(last));
  } else if (d.count) {
    status = "invalid";
  } else if (ends_with_colon(last, len)) {
    status = "incomplete";
    set_indent(indent, indent_size, indent_of(last) + 4);
  } else if ((has_block || indent_of(last) > 0) && !ends_with_blank_line(code)) {
    /* a block goes on until a blank line, as in IPython */
    status = "incomplete";
    set_indent(indent, indent_size, indent_of(last) - (starts_block_ender(last) ? 4 : 0));
  } else {
    parse_cell(toks, arena, &d);
    if (d.count) status = "invalid";
  }
  lex_free(&toks);
  arena_free(arena);
  return status;
}

/* ---- completion -------------------------------------------------------- */

static size_t byte_offset(const char *s, int code_points) {
  size_t i = 0;
  for (int k = 0; s[i] && k < code_points; k++) {
    i++;
    while ((s[i] & 0xC0) == 0x80) i++;
  }
  return i;
}

static int code_points(const char *s, size_t bytes) {
  int n = 0;
  for (size_t i = 0; i < bytes && s[i]; i++)
    if ((s[i] & 0xC0) != 0x80) n++;
  return n;
}

static bool ident_char(char c) { return isalnum((unsigned char)c) || c == '_' || (c & 0x80); }

typedef struct Matches {
  SessionCompletions *out;
  const char *prefix;
  size_t plen;
  int cap;
} Matches;

static void add_match(Matches *m, const char *name) {
  if (strncmp(name, m->prefix, m->plen) || !strncmp(name, "__", 2)) return;
  SessionCompletions *o = m->out;
  for (int i = 0; i < o->count; i++)
    if (!strcmp(o->matches[i], name)) return;
  if (o->count == m->cap) {
    m->cap = m->cap ? m->cap * 2 : 32;
    o->matches = realloc(o->matches, sizeof(char *) * (size_t)m->cap);
  }
  o->matches[o->count++] = strdup(name);
}

static void add_global(void *ud, const char *name, Symbol *sym) {
  (void)sym;
  add_match(ud, name);
}

static const char *const keywords[] = {
    "fn", "def", "var", "let", "alias", "if", "elif", "else", "while", "for", "in", "break",
    "continue", "return", "pass", "and", "or", "not", "True", "False", "None", "import",
    "from", "as", "struct", "trait", "raises", "raise", "try", "except", "finally", "with",
};
static const char *const builtins[] = {
    "print", "len", "range", "abs", "min", "max", "str", "int", "float", "bool", "input",
    "Int", "UInt", "Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16", "UInt32", "UInt64",
    "Float16", "BFloat16", "Float32", "Float64", "Bool", "String", "StringLiteral", "NoneType",
};
/* Modules that `import` knows, and their members. */
static const char *const modules[] = {"time"};
static const char *const time_members[] = {"now"};

/* After `x.`: a struct's fields and methods, a String's or a List's methods. */
static void add_members(Matches *m, const Type *t) {
  if (!t) return;
  if (type_is_struct(t)) {
    for (int i = 0; i < t->st->nfields; i++) add_match(m, t->st->field_names[i]);
    for (int i = 0; i < t->st->nmethods; i++) add_match(m, t->st->methods[i]->name);
  } else if (t->kind == TY_STRING) {
    for (int i = 0; check_string_methods[i].name; i++) add_match(m, check_string_methods[i].name);
    add_match(m, "split");
    add_match(m, "join");
  } else if (type_is_list(t)) {
    static const char *const list_methods[] = {"append", "pop", "clear"};
    for (size_t i = 0; i < sizeof list_methods / sizeof *list_methods; i++) add_match(m, list_methods[i]);
  }
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Names declared in the text being edited count too (a fn typed above). */
static void add_names_in_text(Matches *m, const char *code, size_t skip_at) {
  Arena *arena = arena_new();
  Diags d;
  diag_init(&d, arena, code);
  TokenArray toks = lex_cell(code, arena, &d);
  for (int i = 0; i < toks.len; i++) {
    Token *t = &toks.items[i];
    if (t->kind == T_NAME && (size_t)(t->start - code) + (size_t)t->len != skip_at)
      add_match(m, t->str);
  }
  lex_free(&toks);
  arena_free(arena);
}

/* `from time import n|`: complete the module's members. */
static bool in_from_import(const char *code, size_t at, const char *module) {
  size_t ls = at;
  while (ls && code[ls - 1] != '\n') ls--;
  const char *p = code + ls + strspn(code + ls, " \t");
  char pattern[64];
  snprintf(pattern, sizeof pattern, "from %s import ", module);
  return !strncmp(p, pattern, strlen(pattern)) && (size_t)(p - code) + strlen(pattern) <= at;
}

static bool line_starts_with_import(const char *code, size_t at) {
  size_t ls = at;
  while (ls && code[ls - 1] != '\n') ls--;
  const char *p = code + ls + strspn(code + ls, " \t");
  return !strncmp(p, "import ", 7) || (!strncmp(p, "from ", 5) && !strstr(p, " import "));
}

void session_complete(Session *s, const char *code, int cursor, SessionCompletions *out) {
  memset(out, 0, sizeof *out);
  size_t end = byte_offset(code, cursor), start = end;
  while (start && ident_char(code[start - 1])) start--;
  char *prefix = strndup(code + start, end - start);
  Matches m = {out, prefix, end - start, 0};
  if (start && code[start - 1] == '.') {
    size_t ostart = start - 1;
    while (ostart && ident_char(code[ostart - 1])) ostart--;
    char *object = strndup(code + ostart, start - 1 - ostart);
    Symbol *sym = globals_get(s->globals, object);
    if (!strcmp(object, "time") || (sym && sym->kind == SYM_MODULE))
      for (size_t i = 0; i < sizeof time_members / sizeof *time_members; i++) add_match(&m, time_members[i]);
    else if (sym && (sym->kind == SYM_VAR || sym->kind == SYM_TYPE)) add_members(&m, sym->type);
    free(object);
  } else if (in_from_import(code, start, "time")) {
    for (size_t i = 0; i < sizeof time_members / sizeof *time_members; i++) add_match(&m, time_members[i]);
  } else if (line_starts_with_import(code, start)) {
    for (size_t i = 0; i < sizeof modules / sizeof *modules; i++) add_match(&m, modules[i]);
  } else {
    globals_each(s->globals, add_global, &m);
    for (size_t i = 0; i < sizeof keywords / sizeof *keywords; i++) add_match(&m, keywords[i]);
    for (size_t i = 0; i < sizeof builtins / sizeof *builtins; i++) add_match(&m, builtins[i]);
    add_names_in_text(&m, code, end);
  }
  if (out->count) qsort(out->matches, (size_t)out->count, sizeof(char *), cmp_str);
  out->cursor_start = code_points(code, start);
  out->cursor_end = cursor;
  free(prefix);
}

void session_completions_free(SessionCompletions *c) {
  for (int i = 0; i < c->count; i++) free(c->matches[i]);
  free(c->matches);
  memset(c, 0, sizeof *c);
}

/* ---- inspection -------------------------------------------------------- */

static void literal_text(Buf *b, const Node *n) {
  switch (n->kind) {
  case N_INT: buf_printf(b, "%llu", (unsigned long long)n->ival); break;
  case N_FLOAT: buf_printf(b, "%.17g", n->fval); break;
  case N_BOOL: buf_puts(b, n->ival ? "True" : "False"); break;
  case N_NONE: buf_puts(b, "None"); break;
  case N_STR: buf_printf(b, "\"%.*s\"", (int)n->slen, n->str); break;
  case N_NAME: buf_puts(b, n->name); break;
  case N_UNARY:
    buf_puts(b, n->op == T_MINUS ? "-" : n->op == T_TILDE ? "~" : "+");
    literal_text(b, n->a);
    break;
  default: buf_puts(b, "..."); break;
  }
}

static const char *docstring(const Node *def) {
  if (!def->list2.len) return NULL;
  const Node *first = def->list2.items[0];
  if (first->kind == N_EXPR_STMT && first->a->kind == N_STR) return first->a->str;
  return NULL;
}

static void signature(Buf *b, const Symbol *fn) {
  const Node *def = fn->decl;
  buf_printf(b, "%s %s(", def->flags & FN_IS_DEF ? "def" : "fn", fn->name);
  for (int i = 0; i < def->list.len; i++) {
    const Node *p = def->list.items[i];
    buf_printf(b, "%s%s", i ? ", " : "", p->name);
    if (fn->param_types[i]) buf_printf(b, ": %s", fn->param_types[i]->name);
    if (p->b) {
      buf_puts(b, " = ");
      literal_text(b, p->b);
    }
  }
  buf_puts(b, ")");
  if (fn->type && fn->type->kind != TY_NONE) buf_printf(b, " -> %s", fn->type->name);
}

static void describe(Buf *b, Session *s, const Symbol *sym) {
  switch (sym->kind) {
  case SYM_FN: {
    signature(b, sym);
    buf_puts(b, "\n");
    const char *doc = docstring(sym->decl);
    if (doc) buf_printf(b, "\n%s\n", doc);
    if (sym->generic) buf_puts(b, "\n(generic: compiled for each distinct tuple of argument types)\n");
    break;
  }
  case SYM_VAR: {
    buf_printf(b, "%s: %s", sym->name, sym->type->name);
    char *err = NULL;
    char *value = session_eval(s, sym->name, &err);
    if (value) buf_printf(b, " = %s", value);
    free(value);
    free(err);
    buf_puts(b, "\n");
    break;
  }
  case SYM_ALIAS: {
    buf_printf(b, "alias %s: %s = ", sym->name, sym->type->name);
    Node tmp = {.kind = sym->value.type->is_float ? N_FLOAT : sym->value.type->kind == TY_STRING ? N_STR : N_INT};
    if (tmp.kind == N_FLOAT) tmp.fval = sym->value.f;
    else if (tmp.kind == N_STR) tmp.str = sym->value.s, tmp.slen = sym->value.slen;
    else tmp.ival = (uint64_t)sym->value.i;
    literal_text(b, &tmp);
    buf_puts(b, "\n");
    break;
  }
  case SYM_TYPE: buf_printf(b, "%s: a type\n", sym->name); break;
  case SYM_MODULE: buf_printf(b, "module %s\n", sym->name); break;
  default: buf_printf(b, "%s: a builtin\n", sym->name); break;
  }
}

static const char *const builtin_docs[][2] = {
    {"print", "print(*values, sep=\" \", end=\"\\n\", flush=False)\n\nWrite the values to the output, separated by sep and followed by end."},
    {"len", "len(s: String) -> Int\n\nThe length of a string in bytes."},
    {"range", "range(stop) / range(start, stop[, step])\n\nThe integers of a 'for' loop."},
    {"abs", "abs(x) -> same type\n\nThe absolute value."},
    {"min", "min(a, b, ...) -> common type\n\nThe smallest argument."},
    {"max", "max(a, b, ...) -> common type\n\nThe largest argument."},
    {"input", "input(prompt: String = \"\") -> String\n\nRead a line from the user."},
    {"now", "now() -> Int\n\nA monotonic clock in nanoseconds (from time import now)."},
};

char *session_inspect(Session *s, const char *code, int cursor, int detail_level) {
  (void)detail_level;
  size_t at = byte_offset(code, cursor), start = at, end = at;
  while (start && ident_char(code[start - 1])) start--;
  while (code[end] && ident_char(code[end])) end++;
  if (start == end && start && code[start - 1] == '(') {  /* f(| : inspect f */
    end = start - 1;
    start = end;
    while (start && ident_char(code[start - 1])) start--;
  }
  if (start == end) return NULL;
  char *name = strndup(code + start, end - start);
  Symbol *sym = globals_get(s->globals, name);
  Buf b = {0};
  if (sym) describe(&b, s, sym);
  else
    for (size_t i = 0; i < sizeof builtin_docs / sizeof *builtin_docs; i++)
      if (!strcmp(builtin_docs[i][0], name)) buf_printf(&b, "%s\n", builtin_docs[i][1]);
  if (!b.len) {
    const Type *t = type_by_name(name);
    if (t) buf_printf(&b, "%s: a built-in type (%d bits)\n", t->name, t->bits);
  }
  free(name);
  if (!b.len) return NULL;
  return buf_take(&b);
}
