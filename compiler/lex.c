/* lex.c — a hand-written scanner over the whole cell.
 *
 * lex_cell runs one loop over logical lines: at the start of each it measures
 * the indentation and emits INDENT/DEDENT against a stack of levels (blank and
 * comment-only lines do not count), then scans tokens until the newline.
 * Inside (), [] and {} newlines and indentation are ignored. Literals are
 * decoded here, so the parser sees values, not spellings. */
#include "compiler/lex.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const token_spelling[T_COUNT] = {
#define TOK_SPELL(name, spelling) spelling,
    TOKEN_LIST(TOK_SPELL)
#undef TOK_SPELL
};

/* Deeper nesting than this is unreadable code, not a real program. */
enum { MAX_INDENT_LEVELS = 100 };

typedef struct Lexer {
  const char *src, *p;     /* whole text; current position */
  const char *line_start;  /* start of the current physical line, for columns */
  int line;
  int depth;               /* open brackets: newlines inside are not tokens */
  int indents[MAX_INDENT_LEVELS];
  int nindent;
  Arena *arena;
  Diags *diags;
  Token *toks;
  int len, cap;
  bool open_string;        /* hit the end inside a triple-quoted string */
  bool open_backslash;     /* hit the end right after a continuation backslash */
} Lexer;

static Token *push(Lexer *L, TokenKind k, const char *start, int len) {
  if (L->len == L->cap) {  /* malloc, not the arena: tokens die after parsing */
    int cap = L->cap ? L->cap * 2 : 64;
    Token *t = realloc(L->toks, sizeof(Token) * (size_t)cap);
    if (!t) {
      fputs("ember: out of memory\n", stderr);
      abort();
    }
    L->toks = t;
    L->cap = cap;
  }
  Token *t = &L->toks[L->len++];
  memset(t, 0, sizeof *t);
  t->kind = k;
  t->start = start;
  t->len = len;
  t->line = L->line;
  t->col = (int)(start - L->line_start) + 1;
  return t;
}

static int col_of(Lexer *L, const char *at) { return (int)(at - L->line_start) + 1; }

static void newline_at(Lexer *L, const char *after) {
  L->line++;
  L->line_start = after;
}

static const struct { const char *word; TokenKind kind; } keywords[] = {
    {"fn", T_KW_FN}, {"def", T_KW_DEF}, {"var", T_KW_VAR}, {"let", T_KW_LET},
    {"alias", T_KW_ALIAS}, {"if", T_KW_IF}, {"elif", T_KW_ELIF}, {"else", T_KW_ELSE},
    {"while", T_KW_WHILE}, {"for", T_KW_FOR}, {"in", T_KW_IN}, {"break", T_KW_BREAK},
    {"continue", T_KW_CONTINUE}, {"return", T_KW_RETURN}, {"pass", T_KW_PASS},
    {"and", T_KW_AND}, {"or", T_KW_OR}, {"not", T_KW_NOT}, {"is", T_KW_IS},
    {"True", T_KW_TRUE}, {"False", T_KW_FALSE}, {"None", T_KW_NONE},
    {"import", T_KW_IMPORT}, {"from", T_KW_FROM}, {"as", T_KW_AS},
    {"struct", T_KW_STRUCT}, {"trait", T_KW_TRAIT}, {"raises", T_KW_RAISES},
    {"raise", T_KW_RAISE}, {"try", T_KW_TRY}, {"except", T_KW_EXCEPT},
    {"finally", T_KW_FINALLY}, {"with", T_KW_WITH}, {"lambda", T_KW_LAMBDA},
    {"global", T_KW_GLOBAL}, {"del", T_KW_DEL}, {"assert", T_KW_ASSERT},
    {"class", T_KW_CLASS}, {"yield", T_KW_YIELD}, {"nonlocal", T_KW_NONLOCAL},
};

static TokenKind keyword(const char *s, int n) {
  for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++)
    if ((int)strlen(keywords[i].word) == n && memcmp(keywords[i].word, s, (size_t)n) == 0)
      return keywords[i].kind;
  return T_NAME;
}

static int is_ident_start(unsigned char c) { return isalpha(c) || c == '_' || c >= 0x80; }
static int is_ident_char(unsigned char c) { return isalnum(c) || c == '_' || c >= 0x80; }

static void lex_name(Lexer *L) {
  const char *s = L->p;
  while (is_ident_char((unsigned char)*L->p)) L->p++;
  int n = (int)(L->p - s);
  Token *t = push(L, keyword(s, n), s, n);
  t->str = arena_strndup(L->arena, s, (size_t)n);
  t->slen = n;
}

/* `any name` — a backtick identifier may hold any characters but newline. */
static void lex_backtick(Lexer *L) {
  const char *s = L->p++;
  while (*L->p && *L->p != '`' && *L->p != '\n') L->p++;
  if (*L->p != '`') {
    diag_error(L->diags, L->line, col_of(L, s), "unterminated backtick identifier");
    push(L, T_ERROR, s, (int)(L->p - s));
    return;
  }
  Token *t = push(L, T_NAME, s, (int)(L->p + 1 - s));
  t->str = arena_strndup(L->arena, s + 1, (size_t)(L->p - s - 1));
  t->slen = L->p - s - 1;
  L->p++;
}

/* Copy digits of s[0..n) without '_' into out; returns 0 on a misplaced '_'. */
static int strip_underscores(const char *s, int n, char *out, int cap) {
  int k = 0;
  for (int i = 0; i < n && k < cap - 1; i++) {
    if (s[i] == '_') {
      if (i == 0 || i == n - 1 || s[i + 1] == '_') return 0;
      continue;
    }
    out[k++] = s[i];
  }
  out[k] = 0;
  return 1;
}

static int digit_ok(int base, unsigned char c) {
  if (c == '_') return 1;
  if (base == 16) return isxdigit(c);
  if (base == 10) return isdigit(c);
  return c >= '0' && c < '0' + base;
}

static void lex_number(Lexer *L) {
  const char *s = L->p;
  int base = 10, is_float = 0;
  if (s[0] == '0' && strchr("xXoObB", s[1]) && s[1]) {
    base = strchr("xX", s[1]) ? 16 : strchr("oO", s[1]) ? 8 : 2;
    L->p += 2;
  }
  while (digit_ok(base, (unsigned char)*L->p)) L->p++;
  if (base == 10 && *L->p == '.' && L->p[1] != '.') {
    is_float = 1;
    L->p++;
    while (isdigit((unsigned char)*L->p) || *L->p == '_') L->p++;
  }
  if (base == 10 && (*L->p == 'e' || *L->p == 'E')) {
    const char *q = L->p + 1;
    if (*q == '+' || *q == '-') q++;
    if (isdigit((unsigned char)*q)) {
      is_float = 1;
      L->p = q;
      while (isdigit((unsigned char)*L->p) || *L->p == '_') L->p++;
    }
  }
  int n = (int)(L->p - s);
  char clean[128];
  int ok = n < (int)sizeof clean && strip_underscores(s, n, clean, sizeof clean);
  if (is_ident_char((unsigned char)*L->p)) ok = 0;
  Token *t = push(L, is_float ? T_FLOAT : T_INT, s, n);
  if (!ok) {
    while (is_ident_char((unsigned char)*L->p)) L->p++;
    t->len = (int)(L->p - s);
    diag_error(L->diags, t->line, t->col, "invalid number literal '%.*s'", t->len, s);
    return;
  }
  if (is_float) {
    t->fval = strtod(clean, NULL);
    return;
  }
  const char *digits = base == 10 ? clean : clean + 2;
  if (!*digits) {
    diag_error(L->diags, t->line, t->col, "invalid number literal '%.*s'", n, s);
    return;
  }
  int overflow = 0;
  uint64_t v = 0;
  for (const char *d = digits; *d; d++) {
    int dv = isdigit((unsigned char)*d) ? *d - '0' : (tolower((unsigned char)*d) - 'a' + 10);
    if (v > (UINT64_MAX - (uint64_t)dv) / (uint64_t)base) overflow = 1;
    v = v * (uint64_t)base + (uint64_t)dv;
  }
  if (overflow) {
    diag_error(L->diags, t->line, t->col, "integer literal '%.*s' does not fit in 64 bits", n, s);
    return;
  }
  t->ival = v;
}

static int hexval(int c) {
  if (isdigit(c)) return c - '0';
  if (isxdigit(c)) return tolower(c) - 'a' + 10;
  return -1;
}

static void put_utf8(char **o, uint32_t cp) {
  char *q = *o;
  if (cp < 0x80) *q++ = (char)cp;
  else if (cp < 0x800) {
    *q++ = (char)(0xC0 | (cp >> 6));
    *q++ = (char)(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    *q++ = (char)(0xE0 | (cp >> 12));
    *q++ = (char)(0x80 | ((cp >> 6) & 0x3F));
    *q++ = (char)(0x80 | (cp & 0x3F));
  } else {
    *q++ = (char)(0xF0 | (cp >> 18));
    *q++ = (char)(0x80 | ((cp >> 12) & 0x3F));
    *q++ = (char)(0x80 | ((cp >> 6) & 0x3F));
    *q++ = (char)(0x80 | (cp & 0x3F));
  }
  *o = q;
}

/* Decode one escape after the backslash at *pp; writes bytes to *o. */
static void decode_escape(Lexer *L, const char **pp, char **o) {
  const char *p = *pp;
  char c = *p++;
  switch (c) {
  case 'n': *(*o)++ = '\n'; break;
  case 't': *(*o)++ = '\t'; break;
  case 'r': *(*o)++ = '\r'; break;
  case '0': *(*o)++ = '\0'; break;
  case 'a': *(*o)++ = '\a'; break;
  case 'b': *(*o)++ = '\b'; break;
  case 'f': *(*o)++ = '\f'; break;
  case 'v': *(*o)++ = '\v'; break;
  case '\\': case '\'': case '"': *(*o)++ = c; break;
  case '\n': newline_at(L, p); break;  /* line continuation inside a string */
  case 'x': case 'u': case 'U': {
    int n = c == 'x' ? 2 : c == 'u' ? 4 : 8;
    uint32_t v = 0;
    for (int i = 0; i < n; i++) {
      int h = hexval((unsigned char)p[i]);
      if (h < 0) {
        diag_error(L->diags, L->line, col_of(L, p - 2), "invalid \\%c escape in string", c);
        *pp = p;
        return;
      }
      v = v * 16 + (uint32_t)h;
    }
    p += n;
    if (c == 'x') *(*o)++ = (char)v;
    else put_utf8(o, v);
    break;
  }
  default:  /* Python keeps unknown escapes as written */
    *(*o)++ = '\\';
    *(*o)++ = c;
  }
  *pp = p;
}

static void lex_string(Lexer *L) {
  const char *s = L->p;
  int start_line = L->line, start_col = col_of(L, s);
  char q = *L->p;
  int triple = L->p[1] == q && L->p[2] == q;
  L->p += triple ? 3 : 1;
  /* Decoded text is never longer than the raw text up to the closing quote. */
  const char *scan = L->p;
  while (*scan && !(*scan == q && (!triple || (scan[1] == q && scan[2] == q)))) {
    if (*scan == '\\' && scan[1]) scan++;
    scan++;
  }
  char *out = arena_alloc(L->arena, (size_t)(scan - L->p) + 8), *o = out;
  for (;;) {
    char c = *L->p;
    if (!c || (c == '\n' && !triple)) {
      if (!c && triple) L->open_string = true;
      diag_error(L->diags, start_line, start_col, "unterminated string literal");
      break;
    }
    if (c == q && (!triple || (L->p[1] == q && L->p[2] == q))) {
      L->p += triple ? 3 : 1;
      break;
    }
    L->p++;
    if (c == '\\') decode_escape(L, &L->p, &o);
    else {
      *o++ = c;
      if (c == '\n') newline_at(L, L->p);
    }
  }
  Token *t = push(L, T_STRING, s, (int)(L->p - s));
  t->line = start_line;
  t->col = start_col;
  t->str = out;
  t->slen = o - out;
}

/* Operators, longest first so that "**=" wins over "**" and "*". */
static const struct { const char *op; TokenKind kind; } operators[] = {
    {"...", T_ELLIPSIS}, {"**=", T_DSTAR_EQ}, {"//=", T_DSLASH_EQ}, {"<<=", T_LSHIFT_EQ}, {">>=", T_RSHIFT_EQ},
    {"->", T_ARROW}, {"**", T_DSTAR}, {"//", T_DSLASH}, {"<<", T_LSHIFT}, {">>", T_RSHIFT},
    {"==", T_EQ}, {"!=", T_NE}, {"<=", T_LE}, {">=", T_GE}, {"+=", T_PLUS_EQ},
    {"-=", T_MINUS_EQ}, {"*=", T_STAR_EQ}, {"/=", T_SLASH_EQ}, {"%=", T_PERCENT_EQ},
    {"&=", T_AMP_EQ}, {"|=", T_PIPE_EQ}, {"^=", T_CARET_EQ}, {":=", T_WALRUS},
    {"(", T_LPAREN}, {")", T_RPAREN}, {"[", T_LBRACKET}, {"]", T_RBRACKET},
    {"{", T_LBRACE}, {"}", T_RBRACE}, {":", T_COLON}, {",", T_COMMA}, {";", T_SEMI},
    {".", T_DOT}, {"@", T_AT}, {"+", T_PLUS}, {"-", T_MINUS}, {"*", T_STAR},
    {"/", T_SLASH}, {"%", T_PERCENT}, {"&", T_AMP}, {"|", T_PIPE}, {"^", T_CARET},
    {"~", T_TILDE}, {"<", T_LT}, {">", T_GT}, {"=", T_ASSIGN},
};

static void lex_operator(Lexer *L) {
  for (size_t i = 0; i < sizeof operators / sizeof operators[0]; i++) {
    size_t n = strlen(operators[i].op);
    if (strncmp(L->p, operators[i].op, n) == 0) {
      TokenKind k = operators[i].kind;
      if (k == T_LPAREN || k == T_LBRACKET || k == T_LBRACE) L->depth++;
      if ((k == T_RPAREN || k == T_RBRACKET || k == T_RBRACE) && L->depth > 0) L->depth--;
      push(L, k, L->p, (int)n);
      L->p += n;
      return;
    }
  }
  diag_error(L->diags, L->line, col_of(L, L->p), "invalid character '%c' in source", *L->p);
  push(L, T_ERROR, L->p, 1);
  L->p++;
}

/* Measure leading whitespace; returns -1 for a blank or comment-only line. */
static int measure_indent(Lexer *L) {
  int w = 0;
  const char *p = L->p;
  for (;; p++) {
    if (*p == ' ') w++;
    else if (*p == '\t') w = (w / 8 + 1) * 8;
    else if (*p == '\f') w = 0;
    else break;
  }
  L->p = p;
  if (*p == '#' || *p == '\n' || (*p == '\r' && p[1] == '\n') || *p == 0) return -1;
  return w;
}

static void indent_to(Lexer *L, int w) {
  int top = L->indents[L->nindent - 1];
  if (w > top) {
    if (L->nindent == MAX_INDENT_LEVELS) {
      diag_error(L->diags, L->line, 1, "too many levels of indentation");
      return;
    }
    L->indents[L->nindent++] = w;
    push(L, T_INDENT, L->p, 0);
    return;
  }
  while (w < L->indents[L->nindent - 1]) {
    L->nindent--;
    push(L, T_DEDENT, L->p, 0);
  }
  if (w != L->indents[L->nindent - 1]) {
    diag_error(L->diags, L->line, col_of(L, L->p),
               "unindent does not match any outer indentation level");
    L->indents[L->nindent++] = w;  /* carry on as if it were a level */
  }
}

static void skip_comment(Lexer *L) {
  while (*L->p && *L->p != '\n') L->p++;
}

/* At the end of the text, on an empty last line: put the position back at
   the end of the line before, so "found end of input" points at code. */
static void back_to_last_line(Lexer *L) {
  if (L->p != L->line_start || L->line <= 1 || L->p == L->src) return;
  const char *prev = L->p - 1;
  while (prev > L->src && prev[-1] != '\n') prev--;
  L->line--;
  L->line_start = prev;
  if (L->p[-1] == '\n') L->p--;
}

/* Scan the tokens of one logical line, up to and including its newline. */
static void lex_line(Lexer *L) {
  for (;;) {
    char c = *L->p;
    if (c == ' ' || c == '\t' || c == '\r' || c == '\f') L->p++;
    else if (c == '#') skip_comment(L);
    else if (c == '\\' && (L->p[1] == '\n' || (L->p[1] == '\r' && L->p[2] == '\n'))) {
      L->p += L->p[1] == '\n' ? 2 : 3;
      newline_at(L, L->p);
      if (!*L->p) L->open_backslash = true;
    } else if (c == '\\' && !L->p[1]) {
      L->p++;
      L->open_backslash = true;
    } else if (c == '\n' || c == 0) {
      if (c == 0) back_to_last_line(L);
      if (c == '\n' && L->depth > 0) {
        L->p++;
        newline_at(L, L->p);
        continue;
      }
      if (L->len && L->toks[L->len - 1].kind != T_NEWLINE) push(L, T_NEWLINE, L->p, 0);
      if (c == '\n') {
        L->p++;
        newline_at(L, L->p);
      }
      return;
    } else if (is_ident_start((unsigned char)c)) {
      if ((c == 'r' || c == 'R' || c == 'f' || c == 'F' || c == 'b' || c == 'B') &&
          (L->p[1] == '"' || L->p[1] == '\'')) {
        L->p++;  /* r and b prefixes are accepted and read as plain strings */
        lex_string(L);
        L->toks[L->len - 1].fstring = c == 'f' || c == 'F';
      } else lex_name(L);
    } else if (isdigit((unsigned char)c) || (c == '.' && isdigit((unsigned char)L->p[1])))
      lex_number(L);
    else if (c == '"' || c == '\'') lex_string(L);
    else if (c == '`') lex_backtick(L);
    else lex_operator(L);
  }
}

TokenArray lex_cell(const char *src, Arena *arena, Diags *diags) {
  Lexer L = {.src = src, .p = src, .line_start = src, .line = 1, .nindent = 1,
             .arena = arena, .diags = diags};
  while (*L.p) {
    int w = measure_indent(&L);
    if (w < 0) {  /* blank line: skip it whole */
      skip_comment(&L);
      if (*L.p == '\r') L.p++;
      if (*L.p == '\n') {
        L.p++;
        newline_at(&L, L.p);
      }
      continue;
    }
    indent_to(&L, w);
    lex_line(&L);
  }
  back_to_last_line(&L);
  if (L.len && L.toks[L.len - 1].kind != T_NEWLINE) push(&L, T_NEWLINE, L.p, 0);
  while (L.nindent > 1) {
    L.nindent--;
    push(&L, T_DEDENT, L.p, 0);
  }
  push(&L, T_EOF, L.p, 0);
  return (TokenArray){L.toks, L.len, L.depth, L.open_string, L.open_backslash};
}

void lex_free(TokenArray *toks) {
  free(toks->items);
  toks->items = NULL;
  toks->len = 0;
}
