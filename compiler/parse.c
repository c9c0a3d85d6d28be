/* parse.c — recursive descent for statements, precedence climbing for
 * expressions.
 *
 * Read it top-down: parse_cell → statement → compound statements and
 * simple ones → expression. Binary operator precedence is one table,
 * `binary_rules`, indexed by token kind. On a syntax error the statement is
 * abandoned and parsing resumes at the next line (sync_line), so one cell can
 * report several errors. */
#include "compiler/parse.h"

#include "compiler/buf.h"

#include <setjmp.h>
#include <stdio.h>
#include <string.h>

typedef struct Parser {
  Token *toks;
  int pos;
  Arena *arena;
  Diags *diags;
  jmp_buf bail;       /* a syntax error abandons the current statement */
  NodeList hoisted;   /* lambdas, as top-level defs of the cell */
} Parser;

/* Lower binds looser. */
enum {
  PREC_NONE, PREC_TERNARY, PREC_OR, PREC_AND, PREC_NOT, PREC_COMPARE, PREC_BITOR,
  PREC_BITXOR, PREC_BITAND, PREC_SHIFT, PREC_SUM, PREC_PRODUCT, PREC_UNARY, PREC_POWER,
  PREC_POSTFIX
};

typedef struct BinaryRule {
  int prec;          /* 0: not a binary operator */
  NodeKind kind;     /* BINARY, LOGIC or COMPARE */
} BinaryRule;

static const BinaryRule binary_rules[T_COUNT] = {
    [T_KW_OR] = {PREC_OR, N_LOGIC},      [T_KW_AND] = {PREC_AND, N_LOGIC},
    [T_EQ] = {PREC_COMPARE, N_COMPARE},  [T_NE] = {PREC_COMPARE, N_COMPARE},
    [T_LT] = {PREC_COMPARE, N_COMPARE},  [T_LE] = {PREC_COMPARE, N_COMPARE},
    [T_GT] = {PREC_COMPARE, N_COMPARE},  [T_GE] = {PREC_COMPARE, N_COMPARE},
    [T_KW_IN] = {PREC_COMPARE, N_COMPARE}, [T_KW_IS] = {PREC_COMPARE, N_COMPARE},
    [T_KW_NOT] = {PREC_COMPARE, N_COMPARE}, /* `not in` */
    [T_PIPE] = {PREC_BITOR, N_BINARY},   [T_CARET] = {PREC_BITXOR, N_BINARY},
    [T_AMP] = {PREC_BITAND, N_BINARY},   [T_LSHIFT] = {PREC_SHIFT, N_BINARY},
    [T_RSHIFT] = {PREC_SHIFT, N_BINARY}, [T_PLUS] = {PREC_SUM, N_BINARY},
    [T_MINUS] = {PREC_SUM, N_BINARY},    [T_STAR] = {PREC_PRODUCT, N_BINARY},
    [T_SLASH] = {PREC_PRODUCT, N_BINARY}, [T_DSLASH] = {PREC_PRODUCT, N_BINARY},
    [T_PERCENT] = {PREC_PRODUCT, N_BINARY}, [T_DSTAR] = {PREC_POWER, N_BINARY},
};

static Token *peek(Parser *P) { return &P->toks[P->pos]; }
static Token *peek_at(Parser *P, int k) {
  Token *t = &P->toks[P->pos];
  for (int i = 0; i < k && t->kind != T_EOF; i++) t++;
  return t;
}
static int at(Parser *P, TokenKind k) { return peek(P)->kind == k; }
static Token *advance(Parser *P) {
  Token *t = peek(P);
  if (t->kind != T_EOF) P->pos++;
  return t;
}
static int accept(Parser *P, TokenKind k) {
  if (!at(P, k)) return 0;
  advance(P);
  return 1;
}

static _Noreturn void fail_at(Parser *P, Token *t, const char *msg) {
  if (t->kind == T_NEWLINE || t->kind == T_EOF)
    diag_error(P->diags, t->line, t->col, "%s, found end of line", msg);
  else if (t->kind == T_INDENT)
    diag_error(P->diags, t->line, t->col, "unexpected indent");
  else
    diag_error(P->diags, t->line, t->col, "%s, found '%.*s'", msg, t->len, t->start);
  longjmp(P->bail, 1);
}

static Token *expect(Parser *P, TokenKind k, const char *what) {
  if (!at(P, k)) {
    char msg[96];
    snprintf(msg, sizeof msg, "expected '%s'%s%s", token_spelling[k], what ? " " : "",
             what ? what : "");
    if (k == T_NAME) snprintf(msg, sizeof msg, "expected %s", what ? what : "a name");
    fail_at(P, peek(P), msg);
  }
  return advance(P);
}

static Node *mk(Parser *P, NodeKind k, Token *t) { return node_new(P->arena, k, t->line, t->col); }

static Node *expression(Parser *P, int min_prec);
static void block(Parser *P, NodeList *body);
static Node *python_class(Parser *P, Token *kw);
static Node *statement_list_item(Parser *P);

/* ---- expressions ------------------------------------------------------ */

static Node *comprehension(Parser *P, Token *open, Node *elem, Node *value, int kind, TokenKind close);

/* args -> (expr | NAME '=' expr) (',' ...)* [','], or one generator
   expression, f(x * x for x in xs), taken as a list comprehension */
static void call_args(Parser *P, Node *call) {
  while (!at(P, T_RPAREN)) {
    if (at(P, T_NAME) && peek_at(P, 1)->kind == T_ASSIGN) {
      Token *name = advance(P);
      advance(P);
      Node *kw = mk(P, N_KWARG, name);
      kw->name = name->str;
      kw->a = expression(P, PREC_TERNARY);
      node_push(P->arena, &call->list2, kw);
    } else {
      if (call->list2.len) fail_at(P, peek(P), "positional argument follows keyword argument");
      Token *t = peek(P);
      Node *e = expression(P, PREC_TERNARY);
      if (!call->list.len && accept(P, T_KW_FOR)) {  /* its closing ')' is the comprehension's */
        node_push(P->arena, &call->list, comprehension(P, t, e, NULL, 0, T_RPAREN));
        return;
      }
      node_push(P->arena, &call->list, e);
    }
    if (!accept(P, T_COMMA)) break;
  }
  expect(P, T_RPAREN, "to close the call");
}

/* subscript -> expr | [expr] ':' [expr] [':' [expr]] */
static Node *subscript(Parser *P) {
  Token *t = peek(P);
  Node *start = NULL;
  if (!at(P, T_COLON)) {
    start = expression(P, PREC_TERNARY);
    if (!at(P, T_COLON)) return start;
  }
  advance(P);
  Node *sl = mk(P, N_SLICE, t);
  sl->a = start;
  if (!at(P, T_COLON) && !at(P, T_RBRACKET) && !at(P, T_COMMA)) sl->b = expression(P, PREC_TERNARY);
  if (accept(P, T_COLON) && !at(P, T_RBRACKET) && !at(P, T_COMMA)) sl->c = expression(P, PREC_TERNARY);
  return sl;
}

/* x^ : the transfer operator, when '^' is not followed by an operand */
static bool at_transfer(Parser *P) {
  if (!at(P, T_CARET)) return false;
  switch (peek_at(P, 1)->kind) {
  case T_RPAREN: case T_RBRACKET: case T_COMMA: case T_NEWLINE: case T_EOF: case T_COLON:
  case T_ASSIGN: case T_SEMI: case T_DEDENT: case T_RBRACE: return true;
  default: return false;
  }
}

/* postfix -> primary ( '(' args ')' | '.' NAME | '[' exprs ']' | '^' )* */
static Node *postfix(Parser *P, Node *e) {
  for (;;) {
    Token *t = peek(P);
    if (at_transfer(P)) {
      advance(P);
      Node *tr = mk(P, N_TRANSFER, t);
      tr->line = e->line;
      tr->col = e->col;
      tr->a = e;
      e = tr;
      continue;
    }
    if (e->kind == N_NAME && at(P, T_LBRACE) && peek_at(P, 1)->kind == T_NAME &&
        peek_at(P, 2)->kind == T_COLON) {  /* Self {value: x}: a struct literal (2023) */
      advance(P);
      Node *lit = mk(P, N_CALL, t);
      lit->line = e->line;
      lit->col = e->col;
      lit->a = e;
      lit->flags |= CALL_STRUCT_LIT;
      while (!at(P, T_RBRACE)) {
        Token *name = expect(P, T_NAME, "a field name");
        expect(P, T_COLON, "after the field name");
        Node *kw = mk(P, N_KWARG, name);
        kw->name = name->str;
        kw->a = expression(P, PREC_TERNARY);
        node_push(P->arena, &lit->list2, kw);
        if (!accept(P, T_COMMA)) break;
      }
      expect(P, T_RBRACE, "to close the struct literal");
      e = lit;
      continue;
    }
    if (accept(P, T_LPAREN)) {
      Node *call = mk(P, N_CALL, t);
      call->line = e->line;
      call->col = e->col;
      call->a = e;
      call_args(P, call);
      e = call;
    } else if (accept(P, T_DOT)) {
      Token *name = expect(P, T_NAME, "an attribute name after '.'");
      Node *attr = mk(P, N_ATTR, name);
      attr->a = e;
      attr->name = name->str;
      e = attr;
    } else if (accept(P, T_LBRACKET)) {
      Node *ix = mk(P, N_INDEX, t);
      ix->a = e;
      do {
        if (at(P, T_RBRACKET)) break;
        if (at(P, T_NAME) && peek_at(P, 1)->kind == T_ASSIGN) {  /* load[width=8] */
          Token *name = advance(P);
          advance(P);
          Node *kw = mk(P, N_KWARG, name);
          kw->name = name->str;
          kw->a = expression(P, PREC_TERNARY);
          node_push(P->arena, &ix->list2, kw);
        } else node_push(P->arena, &ix->list, subscript(P));
      } while (accept(P, T_COMMA));
      expect(P, T_RBRACKET, "to close the index");
      e = ix;
    } else return e;
  }
}

/* paren -> '(' [expr (',' expr)* [',']] ')'   — a tuple unless one bare expr */
static Node *paren(Parser *P, Token *open) {
  if (accept(P, T_RPAREN)) return mk(P, N_TUPLE, open);
  Node *first = expression(P, PREC_TERNARY);
  if (accept(P, T_RPAREN)) return first;
  Node *tup = mk(P, N_TUPLE, open);
  node_push(P->arena, &tup->list, first);
  while (accept(P, T_COMMA) && !at(P, T_RPAREN))
    node_push(P->arena, &tup->list, expression(P, PREC_TERNARY));
  expect(P, T_RPAREN, "to close the parenthesis");
  return tup;
}

/* [elem for target in iterable [if cond]] after its first expression (and
   {elem for ...}, {key: value for ...}: kind 1 and 2, with `close`) */
static Node *comprehension(Parser *P, Token *open, Node *elem, Node *value, int kind, TokenKind close) {
  Node *c = mk(P, N_LISTCOMP, open);
  c->op = kind;
  c->a = elem;
  if (value) node_push(P->arena, &c->list3, value);
  do {  /* each `for target in iterable [if cond]...` clause: a FOR node whose list holds its conditions */
    Node *clause = mk(P, N_FOR, peek(P));
    Token *t = peek(P);
    clause->a = expression(P, PREC_BITOR);
    if (at(P, T_COMMA)) {  /* for k, v in ... */
      Node *tup = mk(P, N_TUPLE, t);
      node_push(P->arena, &tup->list, clause->a);
      while (accept(P, T_COMMA)) node_push(P->arena, &tup->list, expression(P, PREC_BITOR));
      clause->a = tup;
    }
    expect(P, T_KW_IN, "after the comprehension's variable");
    clause->b = expression(P, PREC_TERNARY + 1);  /* stops before a following `if` */
    while (accept(P, T_KW_IF)) node_push(P->arena, &clause->list, expression(P, PREC_TERNARY + 1));
    node_push(P->arena, &c->list, clause);
  } while (accept(P, T_KW_FOR));
  expect(P, close, "to close the comprehension");
  return c;
}

static Node *list_display(Parser *P, Token *open) {
  Node *l = mk(P, N_LIST, open);
  if (!at(P, T_RBRACKET)) {
    Node *first = expression(P, PREC_TERNARY);
    if (accept(P, T_KW_FOR)) return comprehension(P, open, first, NULL, 0, T_RBRACKET);
    node_push(P->arena, &l->list, first);
    if (!accept(P, T_COMMA)) {
      expect(P, T_RBRACKET, "to close the list");
      return l;
    }
  }
  while (!at(P, T_RBRACKET)) {
    node_push(P->arena, &l->list, expression(P, PREC_TERNARY));
    if (!accept(P, T_COMMA)) break;
  }
  expect(P, T_RBRACKET, "to close the list");
  return l;
}

static Node *str_node(Parser *P, Token *t, const char *str, int64_t len) {
  Node *n = mk(P, N_STR, t);
  n->str = str;
  n->slen = len;
  return n;
}

/* a + b for string parts, folding adjacent literals */
static Node *concat(Parser *P, Token *t, Node *a, Node *b) {
  if (!a) return b;
  if (a->kind == N_STR && b->kind == N_STR) {
    char *s = arena_alloc(P->arena, (size_t)(a->slen + b->slen + 1));
    memcpy(s, a->str, (size_t)a->slen);
    memcpy(s + a->slen, b->str, (size_t)b->slen);
    return str_node(P, t, s, a->slen + b->slen);
  }
  Node *bin = mk(P, N_BINARY, t);
  bin->op = T_PLUS;
  bin->a = a;
  bin->b = b;
  return bin;
}

static void relocate(Node *n, int line, int col) {
  if (!n) return;
  n->line = line;
  n->col = col;
  relocate(n->a, line, col);
  relocate(n->b, line, col);
  relocate(n->c, line, col);
  for (int i = 0; i < n->list.len; i++) relocate(n->list.items[i], line, col);
  for (int i = 0; i < n->list2.len; i++) relocate(n->list2.items[i], line, col);
}

/* The expression of one {field} of an f-string, parsed with its own parser. */
static Node *fstring_field(Parser *P, Token *t, const char *text, size_t n) {
  char *src = arena_strndup(P->arena, text, n);
  Diags d;
  diag_init(&d, P->arena, src);
  TokenArray toks = lex_cell(src, P->arena, &d);
  Parser sub = {.toks = toks.items, .arena = P->arena, .diags = &d};
  Node *e = NULL;
  if (!d.count && !setjmp(sub.bail)) {
    e = expression(&sub, PREC_TERNARY);
    if (!at(&sub, T_NEWLINE) && !at(&sub, T_EOF)) fail_at(&sub, peek(&sub), "expected '}'");
  }
  lex_free(&toks);
  if (d.count || !e) {
    diag_error(P->diags, t->line, t->col, "invalid expression in f-string: %s",
               d.first ? d.first->message : "empty expression");
    longjmp(P->bail, 1);
  }
  relocate(e, t->line, t->col);  /* errors in the field point at the f-string */
  return e;
}

/* f"a{x}b{y:.2f}" -> "a" + str(x) + "b" + FORMAT(y, ".2f") */
static Node *fstring(Parser *P, Token *t) {
  Node *acc = NULL;
  const char *s = t->str, *end = t->str + t->slen, *lit = s;
  Buf text = {0};
  while (s < end) {
    if ((*s == '{' && s[1] == '{') || (*s == '}' && s[1] == '}')) {
      buf_put(&text, s, 1);
      s += 2;
      continue;
    }
    if (*s == '}') {
      buf_free(&text);
      diag_error(P->diags, t->line, t->col, "f-string: single '}' is not allowed");
      longjmp(P->bail, 1);
    }
    if (*s != '{') {
      buf_put(&text, s++, 1);
      continue;
    }
    const char *close = s + 1;
    int depth = 0;
    while (close < end && (*close != '}' || depth)) {
      depth += (*close == '(' || *close == '[') - (*close == ')' || *close == ']');
      close++;
    }
    if (close >= end) {
      buf_free(&text);
      diag_error(P->diags, t->line, t->col, "f-string: expecting '}'");
      longjmp(P->bail, 1);
    }
    if (text.len) acc = concat(P, t, acc, str_node(P, t, arena_strndup(P->arena, text.data, text.len), (int64_t)text.len));
    text.len = 0;
    const char *colon = NULL, *bang = NULL;
    depth = 0;
    for (const char *q = s + 1; q < close; q++) {
      depth += (*q == '(' || *q == '[') - (*q == ')' || *q == ']');
      if (!depth && *q == ':' && !colon) colon = q;
      if (!depth && *q == '!' && q[1] != '=' && !bang && !colon) bang = q;
    }
    const char *expr_end = bang ? bang : colon ? colon : close;
    Node *f = mk(P, N_FORMAT, t);
    f->a = fstring_field(P, t, s + 1, (size_t)(expr_end - s - 1));
    f->str = colon ? arena_strndup(P->arena, colon + 1, (size_t)(close - colon - 1)) : "";
    f->op = bang ? bang[1] : 0;
    acc = concat(P, t, acc, f);
    s = close + 1;
  }
  if (text.len || !acc) acc = concat(P, t, acc, str_node(P, t, arena_strndup(P->arena, buf_str(&text), text.len), (int64_t)text.len));
  (void)lit;
  buf_free(&text);
  return acc;
}

/* Adjacent string literals concatenate, as in Python; f-strings build an
   expression. */
static Node *string_literal(Parser *P, Token *t) {
  Node *n = t->fstring ? fstring(P, t) : str_node(P, t, t->str, t->slen);
  while (at(P, T_STRING)) {
    Token *u = advance(P);
    n = concat(P, u, n, u->fstring ? fstring(P, u) : str_node(P, u, u->str, u->slen));
  }
  return n;
}

/* primary -> literal | NAME | paren | list | unary */
static Node *lambda(Parser *P, Token *kw);

static Node *primary(Parser *P) {
  Token *t = advance(P);
  Node *n;
  switch (t->kind) {
  case T_INT: n = mk(P, N_INT, t); n->ival = t->ival; return n;
  case T_FLOAT: n = mk(P, N_FLOAT, t); n->fval = t->fval; return n;
  case T_STRING: return string_literal(P, t);
  case T_KW_TRUE: case T_KW_FALSE:
    n = mk(P, N_BOOL, t);
    n->ival = t->kind == T_KW_TRUE;
    return n;
  case T_KW_NONE: return mk(P, N_NONE, t);
  case T_KW_LAMBDA: return lambda(P, t);
  case T_ELLIPSIS: return mk(P, N_ELLIPSIS, t);
  case T_NAME: n = mk(P, N_NAME, t); n->name = t->str; return n;
  case T_LPAREN: return paren(P, t);
  case T_LBRACKET: return list_display(P, t);
  case T_LBRACE: {  /* {k: v, ...}: a Python dict; {a, b, ...}: a Python set */
    n = mk(P, N_DICT, t);
    while (!at(P, T_RBRACE)) {
      node_push(P->arena, &n->list, expression(P, PREC_TERNARY));
      if (n->list.len == 1 && accept(P, T_KW_FOR)) return comprehension(P, t, n->list.items[0], NULL, 1, T_RBRACE);
      if (n->list.len == 1 && !at(P, T_COLON)) n->kind = N_SET;
      if (n->kind == N_DICT) {
        expect(P, T_COLON, "between a key and its value");
        node_push(P->arena, &n->list2, expression(P, PREC_TERNARY));
        if (n->list.len == 1 && accept(P, T_KW_FOR))
          return comprehension(P, t, n->list.items[0], n->list2.items[0], 2, T_RBRACE);
      }
      if (!accept(P, T_COMMA)) break;
    }
    expect(P, T_RBRACE, n->kind == N_SET ? "to close the set" : "to close the dict");
    return n;
  }
  case T_MINUS: case T_PLUS: case T_TILDE:
    n = mk(P, N_UNARY, t);
    n->op = t->kind;
    n->a = expression(P, PREC_UNARY);
    return n;
  case T_KW_NOT:
    n = mk(P, N_NOT, t);
    n->a = expression(P, PREC_NOT);
    return n;
  default:
    P->pos--;
    fail_at(P, t, "expected an expression");
  }
}

/* One comparison chain: a < b <= c. `not in` and `is not` are two tokens. */
static int compare_op(Parser *P) {
  Token *t = advance(P);
  if (t->kind == T_KW_NOT) {
    expect(P, T_KW_IN, "after 'not'");
    return -T_KW_IN;   /* negative: negated */
  }
  if (t->kind == T_KW_IS && accept(P, T_KW_NOT)) return -T_KW_IS;
  return t->kind;
}

static Node *compare_chain(Parser *P, Node *left, Token *t) {
  Node *c = mk(P, N_COMPARE, t);
  c->line = left->line;
  c->col = left->col;
  node_push(P->arena, &c->list, left);
  int ops[64], nops = 0;
  while (binary_rules[peek(P)->kind].kind == N_COMPARE &&
         (peek(P)->kind != T_KW_NOT || peek_at(P, 1)->kind == T_KW_IN)) {
    if (nops == 64) fail_at(P, peek(P), "comparison chain too long");
    ops[nops++] = compare_op(P);
    node_push(P->arena, &c->list, expression(P, PREC_COMPARE + 1));
  }
  c->ops = arena_alloc(P->arena, sizeof(int) * (size_t)nops);
  memcpy(c->ops, ops, sizeof(int) * (size_t)nops);
  return c;
}

/* expression -> precedence climbing over binary_rules; then `x if c else y` */
static Node *expression(Parser *P, int min_prec) {
  Node *left = postfix(P, primary(P));
  for (;;) {
    Token *t = peek(P);
    BinaryRule r = binary_rules[t->kind];
    if (t->kind == T_KW_IF && min_prec <= PREC_TERNARY) {
      advance(P);
      Node *tern = mk(P, N_TERNARY, t);
      tern->line = left->line;
      tern->col = left->col;
      tern->b = left;
      tern->a = expression(P, PREC_OR);
      expect(P, T_KW_ELSE, "in conditional expression");
      tern->c = expression(P, PREC_TERNARY);
      left = tern;
      continue;
    }
    if (!r.prec || r.prec < min_prec) return left;
    if (t->kind == T_KW_NOT && peek_at(P, 1)->kind != T_KW_IN) return left;
    if (r.kind == N_COMPARE) {
      left = compare_chain(P, left, t);
      continue;
    }
    advance(P);
    /* ** is right-associative and binds tighter than a unary minus on its left
       but accepts one on its right: -2**-1 */
    int next = t->kind == T_DSTAR ? PREC_UNARY : r.prec + 1;
    Node *bin = mk(P, r.kind, t);
    bin->line = left->line;
    bin->col = left->col;
    bin->op = t->kind;
    bin->a = left;
    bin->b = expression(P, next);
    left = bin;
  }
}

/* exprlist -> expr (',' expr)* [','] — a TUPLE when there is a comma */
static Node *expression_list(Parser *P) {
  Token *t = peek(P);
  Node *first = expression(P, PREC_TERNARY);
  if (!at(P, T_COMMA)) return first;
  Node *tup = mk(P, N_TUPLE, t);
  node_push(P->arena, &tup->list, first);
  while (accept(P, T_COMMA)) {
    if (at(P, T_NEWLINE) || at(P, T_ASSIGN) || at(P, T_EOF)) break;
    node_push(P->arena, &tup->list, expression(P, PREC_TERNARY));
  }
  return tup;
}

/* ---- statements ------------------------------------------------------- */

static void end_simple(Parser *P) {
  if (at(P, T_SEMI) || at(P, T_EOF) || at(P, T_DEDENT)) return;
  expect(P, T_NEWLINE, "at the end of the statement");
}

/* var_decl -> ('var'|'let') NAME [':' type] ['=' exprlist] */
static Node *var_decl(Parser *P, Token *kw) {
  Node *d = mk(P, N_VAR_DECL, kw);
  Token *name = expect(P, T_NAME, "a variable name");
  d->name = name->str;
  d->line = name->line;
  d->col = name->col;
  if (kw->kind == T_KW_LET) d->flags |= DECL_LET;
  if (at(P, T_COMMA)) fail_at(P, peek(P), "declare one variable per 'var'");
  if (accept(P, T_COLON)) d->a = expression(P, PREC_BITOR);
  if (accept(P, T_ASSIGN)) d->b = expression_list(P);
  return d;
}

/* alias -> 'alias' NAME [':' type] '=' expr */
static Node *fn_type(Parser *P);

static Node *alias_decl(Parser *P, Token *kw) {
  Node *d = mk(P, N_ALIAS, kw);
  Token *name = expect(P, T_NAME, "a name after 'alias'");
  d->name = name->str;
  if (accept(P, T_COLON)) d->a = expression(P, PREC_BITOR);
  expect(P, T_ASSIGN, "after the alias name");
  d->b = at(P, T_KW_FN) ? fn_type(P) : expression(P, PREC_TERNARY);  /* alias F = fn(Int) -> None */
  return d;
}

static int is_aug_assign(TokenKind k) {
  switch (k) {
  case T_PLUS_EQ: case T_MINUS_EQ: case T_STAR_EQ: case T_SLASH_EQ: case T_DSLASH_EQ:
  case T_PERCENT_EQ: case T_DSTAR_EQ: case T_AMP_EQ: case T_PIPE_EQ: case T_CARET_EQ:
  case T_LSHIFT_EQ: case T_RSHIFT_EQ: return 1;
  default: return 0;
  }
}

static TokenKind aug_to_binary(TokenKind k) {
  switch (k) {
  case T_PLUS_EQ: return T_PLUS;
  case T_MINUS_EQ: return T_MINUS;
  case T_STAR_EQ: return T_STAR;
  case T_SLASH_EQ: return T_SLASH;
  case T_DSLASH_EQ: return T_DSLASH;
  case T_PERCENT_EQ: return T_PERCENT;
  case T_DSTAR_EQ: return T_DSTAR;
  case T_AMP_EQ: return T_AMP;
  case T_PIPE_EQ: return T_PIPE;
  case T_CARET_EQ: return T_CARET;
  case T_LSHIFT_EQ: return T_LSHIFT;
  default: return T_RSHIFT;
  }
}

/* expr_stmt -> exprlist ( ('=' exprlist)+ | augop expr | ':' type ['=' expr] )? */
static Node *expr_statement(Parser *P) {
  Token *t = peek(P);
  Node *e = expression_list(P);
  if (at(P, T_COLON) && e->kind == N_NAME) {  /* x: Int = 1 */
    advance(P);
    Node *d = mk(P, N_VAR_DECL, t);
    d->name = e->name;
    d->a = expression(P, PREC_BITOR);
    if (accept(P, T_ASSIGN)) d->b = expression_list(P);
    return d;
  }
  if (is_aug_assign(peek(P)->kind)) {
    Token *op = advance(P);
    Node *s = mk(P, N_AUG_ASSIGN, op);
    s->op = aug_to_binary(op->kind);
    s->a = e;
    s->b = expression(P, PREC_TERNARY);
    return s;
  }
  if (!at(P, T_ASSIGN)) {
    Node *s = mk(P, N_EXPR_STMT, t);
    s->a = e;
    return s;
  }
  Node *s = mk(P, N_ASSIGN, peek(P));
  node_push(P->arena, &s->list, e);
  while (accept(P, T_ASSIGN)) {
    Node *v = expression_list(P);
    if (at(P, T_ASSIGN)) node_push(P->arena, &s->list, v);
    else s->a = v;
  }
  return s;
}

static Node *import_stmt(Parser *P, Token *kw);
static Node *fn_def(Parser *P, Token *kw);
static Node *struct_def(Parser *P, Token *kw);
static Node *decorated(Parser *P);
static void sync_line(Parser *P);

/* small_stmt -> pass | break | continue | return [exprlist] | var | alias | import | expr */
static Node *small_statement(Parser *P) {
  Token *t = peek(P);
  Node *n;
  switch (t->kind) {
  case T_KW_PASS: advance(P); return mk(P, N_PASS, t);
  case T_KW_BREAK: advance(P); return mk(P, N_BREAK, t);
  case T_KW_CONTINUE: advance(P); return mk(P, N_CONTINUE, t);
  case T_KW_RETURN:
    advance(P);
    n = mk(P, N_RETURN, t);
    if (!at(P, T_NEWLINE) && !at(P, T_SEMI) && !at(P, T_EOF)) n->a = expression_list(P);
    return n;
  case T_KW_VAR: case T_KW_LET: advance(P); return var_decl(P, t);
  case T_KW_ALIAS: advance(P); return alias_decl(P, t);
  case T_KW_IMPORT: case T_KW_FROM: advance(P); return import_stmt(P, t);
  case T_KW_RAISE:
    advance(P);
    n = mk(P, N_RAISE, t);
    if (!at(P, T_NEWLINE) && !at(P, T_SEMI) && !at(P, T_EOF)) n->a = expression(P, PREC_TERNARY);
    if (accept(P, T_KW_FROM)) expression(P, PREC_TERNARY);  /* `raise X from Y`: Y is ignored */
    return n;
  case T_KW_ASSERT:
    advance(P);
    n = mk(P, N_ASSERT, t);
    n->a = expression(P, PREC_TERNARY);
    if (accept(P, T_COMMA)) n->b = expression(P, PREC_TERNARY);
    return n;
  case T_KW_DEL:
    advance(P);
    n = mk(P, N_DEL, t);
    do node_push(P->arena, &n->list, expression(P, PREC_BITOR));
    while (accept(P, T_COMMA));
    return n;
  case T_KW_GLOBAL: case T_KW_NONLOCAL: case T_KW_YIELD:
    diag_error(P->diags, t->line, t->col, "'%.*s' is not supported yet", t->len, t->start);
    longjmp(P->bail, 1);
  default: return expr_statement(P);
  }
}

/* dotted -> NAME ('.' NAME)* */
static const char *dotted_name(Parser *P) {
  Token *t = expect(P, T_NAME, "a module name");
  const char *s = t->str;
  while (accept(P, T_DOT)) {
    Token *u = expect(P, T_NAME, "a module name after '.'");
    s = arena_printf(P->arena, "%s.%s", s, u->str);
  }
  return s;
}

/* import -> 'import' dotted ['as' NAME] | 'from' dotted 'import' names */
static Node *import_stmt(Parser *P, Token *kw) {
  if (kw->kind == T_KW_IMPORT) {
    Node *n = mk(P, N_IMPORT, kw);
    n->name = dotted_name(P);
    if (accept(P, T_KW_AS)) n->str = expect(P, T_NAME, "a name after 'as'")->str;
    return n;
  }
  Node *n = mk(P, N_FROM_IMPORT, kw);
  n->name = dotted_name(P);
  expect(P, T_KW_IMPORT, "after the module name");
  int paren_open = accept(P, T_LPAREN);
  do {
    if (paren_open && at(P, T_RPAREN)) break;
    Token *name = peek(P);
    if (accept(P, T_STAR)) {
      Node *x = mk(P, N_NAME, name);
      x->name = "*";
      node_push(P->arena, &n->list, x);
      continue;
    }
    expect(P, T_NAME, "a name to import");
    Node *x = mk(P, N_NAME, name);
    x->name = name->str;
    if (accept(P, T_KW_AS)) x->str = expect(P, T_NAME, "a name after 'as'")->str;
    node_push(P->arena, &n->list, x);
  } while (accept(P, T_COMMA));
  if (paren_open) expect(P, T_RPAREN, "to close the import list");
  return n;
}

/* if -> 'if' expr block ('elif' expr block)* ['else' block] */
static Node *if_statement(Parser *P, Token *kw) {
  Node *n = mk(P, N_IF, kw);
  n->a = expression(P, PREC_TERNARY);
  block(P, &n->list);
  Token *t = peek(P);
  if (accept(P, T_KW_ELIF)) node_push(P->arena, &n->list2, if_statement(P, t));
  else if (accept(P, T_KW_ELSE)) block(P, &n->list2);
  return n;
}

static Node *while_statement(Parser *P, Token *kw) {
  Node *n = mk(P, N_WHILE, kw);
  n->a = expression(P, PREC_TERNARY);
  block(P, &n->list);
  if (at(P, T_KW_ELSE)) fail_at(P, peek(P), "'else' after a loop is not supported yet");
  return n;
}

/* for -> 'for' target 'in' exprlist block */
static Node *for_statement(Parser *P, Token *kw) {
  Node *n = mk(P, N_FOR, kw);
  Token *t = peek(P);
  n->a = expression(P, PREC_BITOR);
  if (at(P, T_COMMA)) {
    Node *tup = mk(P, N_TUPLE, t);
    node_push(P->arena, &tup->list, n->a);
    while (accept(P, T_COMMA)) node_push(P->arena, &tup->list, expression(P, PREC_BITOR));
    n->a = tup;
  }
  expect(P, T_KW_IN, "after the loop variable");
  n->b = expression_list(P);
  block(P, &n->list);
  if (at(P, T_KW_ELSE)) fail_at(P, peek(P), "'else' after a loop is not supported yet");
  return n;
}

static const char *const conventions[] = {"inout", "mut", "borrowed", "read", "owned", "var", "out", "ref"};

/* param -> [convention] NAME [':' type] ['=' expr] */
static Node *fn_type(Parser *P);

static Node *param(Parser *P) {
  Token *t = peek(P);
  Node *p = mk(P, N_PARAM, t);
  if (accept(P, T_STAR)) p->flags |= PARAM_STAR;  /* *args */
  else if (accept(P, T_DSTAR)) p->flags |= PARAM_DSTAR;  /* **kwargs */
  t = peek(P);
  if (at(P, T_NAME) || at(P, T_KW_VAR)) {
    const char *w = at(P, T_KW_VAR) ? "var" : t->str;
    for (int i = 0; i < (int)(sizeof conventions / sizeof *conventions); i++)
      if (strcmp(w, conventions[i]) == 0 && peek_at(P, 1)->kind == T_NAME) {
        p->op = i + 1;
        advance(P);
        break;
      }
  }
  Token *name = expect(P, T_NAME, "a parameter name");
  p->name = name->str;
  p->line = name->line;
  p->col = name->col;
  if (accept(P, T_COLON)) p->a = at(P, T_KW_FN) ? fn_type(P) : expression(P, PREC_BITOR);
  if (accept(P, T_ASSIGN)) p->b = expression(P, PREC_TERNARY);
  return p;
}

static bool accept_effect(Parser *P, Node *f) {  /* capturing, escaping, raises */
  if (accept(P, T_KW_RAISES)) return true;
  Token *t = peek(P);
  if (t->kind == T_NAME && (!strcmp(t->str, "capturing") || !strcmp(t->str, "escaping"))) {
    if (t->str[0] == 'c') f->flags |= FN_CAPTURING;
    advance(P);
    return true;
  }
  return false;
}

/* fn_type -> 'fn' ['[' params ']'] '(' [type (',' type)*] ')' effects ['->' type] effects
   A FN_DEF node with FN_IS_TYPE: list holds PARAMs with only a type. */
static Node *fn_type(Parser *P) {
  Token *kw = advance(P);
  Node *f = mk(P, N_FN_DEF, kw);
  f->flags |= FN_IS_TYPE;
  f->name = "fn";
  if (accept(P, T_LBRACKET)) {
    while (!at(P, T_RBRACKET)) {
      node_push(P->arena, &f->list3, param(P));
      if (!accept(P, T_COMMA)) break;
    }
    expect(P, T_RBRACKET, "to close the parameter list");
  }
  expect(P, T_LPAREN, "after 'fn' in a function type");
  while (!at(P, T_RPAREN)) {
    Node *p = mk(P, N_PARAM, peek(P));
    p->a = expression(P, PREC_BITOR);
    node_push(P->arena, &f->list, p);
    if (!accept(P, T_COMMA)) break;
  }
  expect(P, T_RPAREN, "to close the function type");
  while (accept_effect(P, f)) {}
  if (accept(P, T_ARROW)) f->a = expression(P, PREC_BITOR);
  while (accept_effect(P, f)) {}
  return f;
}

/* except -> 'except' [NAME ['as' NAME]] block     (Mojo: `except e:` binds e) */
static Node *except_clause(Parser *P, Token *kw) {
  Node *x = mk(P, N_EXCEPT, kw);
  if (at(P, T_NAME)) {
    Token *first = advance(P);
    if (accept(P, T_KW_AS)) {
      Node *kind = mk(P, N_NAME, first);
      kind->name = first->str;
      x->a = kind;
      x->name = expect(P, T_NAME, "a name after 'as'")->str;
    } else if (first->str[0] >= 'A' && first->str[0] <= 'Z') {
      Node *kind = mk(P, N_NAME, first);  /* except ZeroDivisionError: */
      kind->name = first->str;
      x->a = kind;
    } else x->name = first->str;           /* except e: */
  }
  block(P, &x->list);
  return x;
}

/* try -> 'try' block except* ['else' block] ['finally' block] */
static Node *try_statement(Parser *P, Token *kw) {
  Node *n = mk(P, N_TRY, kw);
  block(P, &n->list);
  Token *t;
  while ((t = peek(P))->kind == T_KW_EXCEPT) {
    advance(P);
    node_push(P->arena, &n->list2, except_clause(P, t));
  }
  if (n->list2.len && accept(P, T_KW_ELSE)) block(P, &n->list3);
  t = peek(P);
  if (accept(P, T_KW_FINALLY)) {
    n->b = mk(P, N_BLOCK, t);
    block(P, &n->b->list);
  }
  if (!n->list2.len && !n->b) fail_at(P, peek(P), "expected 'except' or 'finally' after the 'try' block");
  return n;
}

/* fn -> ('fn'|'def') NAME '(' params ')' ['raises'] ['->' type] ['raises'] block */
static Node *fn_def(Parser *P, Token *kw) {
  Node *f = mk(P, N_FN_DEF, kw);
  Token *name = expect(P, T_NAME, "a function name");
  f->name = name->str;
  if (kw->kind == T_KW_DEF) f->flags |= FN_IS_DEF | FN_RAISES;
  if (accept(P, T_LBRACKET)) {  /* [T: Trait, N: Int] compile-time parameters */
    while (!at(P, T_RBRACKET)) {
      node_push(P->arena, &f->list3, param(P));
      if (!accept(P, T_COMMA)) break;
    }
    expect(P, T_RBRACKET, "to close the parameter list");
  }
  expect(P, T_LPAREN, "after the function name");
  while (!at(P, T_RPAREN)) {
    node_push(P->arena, &f->list, param(P));
    if (!accept(P, T_COMMA)) break;
  }
  expect(P, T_RPAREN, "to close the parameter list");
  if (accept(P, T_KW_RAISES)) f->flags |= FN_RAISES;
  if (accept(P, T_ARROW)) f->a = expression(P, PREC_BITOR);
  if (accept(P, T_KW_RAISES)) f->flags |= FN_RAISES;
  block(P, &f->list2);
  return f;
}

/* member -> var_decl | fn | decorated fn | alias | docstring | pass */
static void struct_member(Parser *P, Node *st) {
  Token *t = peek(P);
  Node *m = NULL;
  if (accept(P, T_KW_VAR) || accept(P, T_KW_LET)) m = var_decl(P, t);
  else if (accept(P, T_KW_ALIAS)) m = alias_decl(P, t);
  else if (accept(P, T_KW_FN) || accept(P, T_KW_DEF)) m = fn_def(P, t);
  else if (at(P, T_AT)) m = decorated(P);
  else if (accept(P, T_KW_PASS) || accept(P, T_STRING)) {
    while (at(P, T_STRING)) advance(P);
    end_simple(P);
    return;
  } else fail_at(P, t, "expected a field ('var'), a method ('fn') or an alias in the struct");
  if (m->kind == N_VAR_DECL || m->kind == N_ALIAS) end_simple(P);
  node_push(P->arena, &st->list, m);
}

/* struct -> 'struct' NAME ['(' NAME (',' NAME)* ')'] ':' NEWLINE INDENT member+ DEDENT */
static Node *struct_def(Parser *P, Token *kw) {
  Node *st = mk(P, N_STRUCT, kw);
  Token *name = expect(P, T_NAME, "a struct name");
  st->name = name->str;
  if (accept(P, T_LBRACKET)) {  /* struct Matrix[dtype: DType]: compile-time parameters */
    while (!at(P, T_RBRACKET)) {
      node_push(P->arena, &st->list3, param(P));
      if (!accept(P, T_COMMA)) break;
    }
    expect(P, T_RBRACKET, "to close the parameter list");
  }
  if (accept(P, T_LPAREN)) {
    while (!at(P, T_RPAREN)) {
      Token *tr = expect(P, T_NAME, "a trait name");
      Node *n = mk(P, N_NAME, tr);
      n->name = tr->str;
      node_push(P->arena, &st->list2, n);
      if (!accept(P, T_COMMA)) break;
    }
    expect(P, T_RPAREN, "to close the trait list");
  }
  expect(P, T_COLON, "to start the struct body");
  expect(P, T_NEWLINE, "after 'struct ...:'");
  if (!at(P, T_INDENT)) fail_at(P, peek(P), "expected an indented struct body");
  advance(P);
  while (!at(P, T_DEDENT) && !at(P, T_EOF)) {
    jmp_buf saved;
    memcpy(saved, P->bail, sizeof saved);
    if (setjmp(P->bail)) sync_line(P);
    else struct_member(P, st);
    memcpy(P->bail, saved, sizeof saved);
  }
  accept(P, T_DEDENT);
  return st;
}

/* trait -> 'trait' NAME ['(' NAME, ... ')'] ':' NEWLINE INDENT (fn ... | docstring | pass)+ DEDENT */
static Node *trait_def(Parser *P, Token *kw) {
  Node *tr = struct_def(P, kw);  /* same shape: a name, parents, a body of members */
  tr->kind = N_TRAIT;
  for (int i = 0; i < tr->list.len; i++)
    if (tr->list.items[i]->kind != N_FN_DEF) {
      Node *m = tr->list.items[i];
      diag_error(P->diags, m->line, m->col, "a trait holds only method signatures");
    }
  return tr;
}

/* decorated -> ('@' expr NEWLINE)+ (fn | def | struct) */
static Node *decorated(Parser *P) {
  NodeList decos = {0};
  while (at(P, T_AT)) {
    Token *t = advance(P);
    Node *d = mk(P, N_DECORATOR, t);
    d->a = expression(P, PREC_TERNARY);
    node_push(P->arena, &decos, d);
    expect(P, T_NEWLINE, "after the decorator");
  }
  Token *kw = peek(P);
  Node *f;
  if (accept(P, T_KW_STRUCT)) f = struct_def(P, kw);
  else if (accept(P, T_KW_FN) || accept(P, T_KW_DEF)) f = fn_def(P, kw);
  else if (accept(P, T_KW_IF)) f = if_statement(P, kw);     /* @parameter if */
  else if (accept(P, T_KW_FOR)) f = for_statement(P, kw);   /* @parameter for, @unroll */
  else fail_at(P, kw, "expected 'fn', 'def', 'struct', 'if' or 'for' after a decorator");
  f->decorators = decos;
  return f;
}

static void sync_line(Parser *P) {
  int depth = 0;
  while (!at(P, T_EOF)) {
    Token *t = advance(P);
    if (t->kind == T_INDENT) depth++;
    if (t->kind == T_DEDENT && --depth <= 0) {
      if (depth < 0) P->pos--;  /* that dedent closes an enclosing block */
      if (depth <= 0) return;
    }
    if (t->kind == T_NEWLINE && depth == 0) {
      if (at(P, T_INDENT)) continue;  /* skip the body of a broken header */
      return;
    }
  }
}

/* statement -> compound | small (';' small)* NEWLINE; adds to out */
static void statement(Parser *P, NodeList *out) {
  jmp_buf saved;
  memcpy(saved, P->bail, sizeof saved);
  if (setjmp(P->bail)) {
    sync_line(P);
    memcpy(P->bail, saved, sizeof saved);
    return;
  }
  Node *n = statement_list_item(P);
  if (n) node_push(P->arena, out, n);
  else {
    do {
      if (at(P, T_NEWLINE) || at(P, T_EOF)) break;
      node_push(P->arena, out, small_statement(P));
    } while (accept(P, T_SEMI));
    end_simple(P);
  }
  memcpy(P->bail, saved, sizeof saved);
}

/* Compound statements; NULL when the next statement is a simple one. */
static Node *statement_list_item(Parser *P) {
  Token *t = peek(P);
  switch (t->kind) {
  case T_KW_IF: advance(P); return if_statement(P, t);
  case T_KW_WHILE: advance(P); return while_statement(P, t);
  case T_KW_FOR: advance(P); return for_statement(P, t);
  case T_KW_WITH: {  /* with EXPR [as NAME]: block */
    advance(P);
    Node *w = mk(P, N_WITH, t);
    w->a = expression(P, PREC_TERNARY);
    if (accept(P, T_KW_AS)) w->name = expect(P, T_NAME, "a name after 'as'")->str;
    block(P, &w->list);
    return w;
  }
  case T_KW_FN: case T_KW_DEF: advance(P); return fn_def(P, t);
  case T_AT: return decorated(P);
  case T_INDENT: fail_at(P, t, "unexpected indent");
  case T_KW_TRY: advance(P); return try_statement(P, t);
  case T_KW_EXCEPT: case T_KW_FINALLY: fail_at(P, t, "invalid syntax: no 'try' for this");
  case T_KW_STRUCT: advance(P); return struct_def(P, t);
  case T_KW_TRAIT: advance(P); return trait_def(P, t);
  case T_KW_CLASS: advance(P); return python_class(P, t);
  case T_KW_ELSE: case T_KW_ELIF:
    fail_at(P, t, "invalid syntax: no 'if' for this");
  default: return NULL;
  }
}

/* class NAME[(bases)]: body -- a Python class: its lines, as written, run
   in the embedded CPython (the body is Python; see the checker). The
   tokens are skipped to the end of the block. */
static Node *python_class(Parser *P, Token *kw) {
  Node *c = mk(P, N_PYCLASS, kw);
  c->name = expect(P, T_NAME, "a class name")->str;
  int depth = 0, last = kw->line;
  while (!at(P, T_EOF)) {
    Token *t = advance(P);
    if (t->kind == T_INDENT) depth++;
    else if (t->kind == T_DEDENT && --depth <= 0) break;
    else if (t->kind == T_NEWLINE && depth == 0 && !at(P, T_INDENT)) break;  /* class C: pass */
    if (t->kind != T_NEWLINE && t->kind != T_DEDENT) last = t->line;
  }
  /* the cell's text, lines kw->line .. last */
  const char *p = diag_line_start(P->diags->src, kw->line);
  const char *end = diag_line_start(p, last - kw->line + 2);
  c->str = arena_printf(P->arena, "%.*s", (int)(end - p), p);
  c->slen = (int64_t)(end - p);
  return c;
}

/* block -> ':' NEWLINE INDENT statement+ DEDENT | ':' small_stmts NEWLINE */
static void block(Parser *P, NodeList *body) {
  expect(P, T_COLON, "to start the block");
  if (!accept(P, T_NEWLINE)) {
    do {
      if (at(P, T_NEWLINE)) break;
      node_push(P->arena, body, small_statement(P));
    } while (accept(P, T_SEMI));
    end_simple(P);
    return;
  }
  if (!at(P, T_INDENT)) fail_at(P, peek(P), "expected an indented block");
  advance(P);
  while (!at(P, T_DEDENT) && !at(P, T_EOF)) statement(P, body);
  accept(P, T_DEDENT);
}

/* lambda a, b: expr -> a def of the cell, `def lambda.L.C(a, b): return
   expr`, named where the lambda stands: an untyped def named as a value,
   which is a Python callable (it sees globals, not a function's locals). */
static Node *lambda(Parser *P, Token *kw) {
  Node *f = mk(P, N_FN_DEF, kw);
  f->name = arena_printf(P->arena, "lambda.%d.%d", kw->line, kw->col);
  f->flags |= FN_IS_DEF | FN_RAISES;
  while (!at(P, T_COLON)) {
    Token *name = expect(P, T_NAME, "a parameter name");
    Node *p = mk(P, N_PARAM, name);
    p->name = name->str;
    node_push(P->arena, &f->list, p);
    if (!accept(P, T_COMMA)) break;
  }
  expect(P, T_COLON, "after the lambda's parameters");
  Node *ret = mk(P, N_RETURN, kw);
  ret->a = expression(P, PREC_TERNARY);
  node_push(P->arena, &f->list2, ret);
  node_push(P->arena, &P->hoisted, f);
  Node *ref = mk(P, N_NAME, kw);
  ref->name = f->name;
  return ref;
}

NodeList parse_cell(TokenArray toks, Arena *arena, Diags *diags) {
  Parser P = {.toks = toks.items, .arena = arena, .diags = diags};
  NodeList out = {0};
  if (setjmp(P.bail)) return out;  /* not reached: statement() catches */
  while (!at(&P, T_EOF)) {
    if (accept(&P, T_NEWLINE)) continue;
    if (at(&P, T_DEDENT)) {  /* a stray dedent after an error */
      advance(&P);
      continue;
    }
    statement(&P, &out);
  }
  for (int i = 0; i < P.hoisted.len; i++) node_push(arena, &out, P.hoisted.items[i]);
  return out;
}
