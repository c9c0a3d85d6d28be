/* token.h — the token kinds, one X-macro list. TOK(name, spelling). */
#ifndef EMBER_TOKEN_H
#define EMBER_TOKEN_H

#include <stdbool.h>
#include <stdint.h>

#define TOKEN_LIST(TOK)                                                         \
  TOK(EOF, "end of input") TOK(NEWLINE, "newline") TOK(INDENT, "indent")      \
  TOK(DEDENT, "dedent") TOK(NAME, "name") TOK(INT, "integer literal")         \
  TOK(FLOAT, "float literal") TOK(STRING, "string literal")                   \
  TOK(LPAREN, "(") TOK(RPAREN, ")") TOK(LBRACKET, "[") TOK(RBRACKET, "]")      \
  TOK(LBRACE, "{") TOK(RBRACE, "}") TOK(COLON, ":") TOK(COMMA, ",")           \
  TOK(SEMI, ";") TOK(DOT, ".") TOK(ELLIPSIS, "...") TOK(ARROW, "->") TOK(AT, "@") \
  TOK(PLUS, "+") TOK(MINUS, "-") TOK(STAR, "*") TOK(SLASH, "/")              \
  TOK(DSLASH, "//") TOK(PERCENT, "%") TOK(DSTAR, "**") TOK(AMP, "&")          \
  TOK(PIPE, "|") TOK(CARET, "^") TOK(TILDE, "~") TOK(LSHIFT, "<<")            \
  TOK(RSHIFT, ">>") TOK(EQ, "==") TOK(NE, "!=") TOK(LT, "<") TOK(LE, "<=")    \
  TOK(GT, ">") TOK(GE, ">=") TOK(ASSIGN, "=") TOK(PLUS_EQ, "+=")              \
  TOK(MINUS_EQ, "-=") TOK(STAR_EQ, "*=") TOK(SLASH_EQ, "/=")                  \
  TOK(DSLASH_EQ, "//=") TOK(PERCENT_EQ, "%=") TOK(DSTAR_EQ, "**=")            \
  TOK(AMP_EQ, "&=") TOK(PIPE_EQ, "|=") TOK(CARET_EQ, "^=")                    \
  TOK(LSHIFT_EQ, "<<=") TOK(RSHIFT_EQ, ">>=") TOK(WALRUS, ":=")               \
  TOK(KW_FN, "fn") TOK(KW_DEF, "def") TOK(KW_VAR, "var") TOK(KW_LET, "let")   \
  TOK(KW_ALIAS, "alias") TOK(KW_IF, "if") TOK(KW_ELIF, "elif")                \
  TOK(KW_ELSE, "else") TOK(KW_WHILE, "while") TOK(KW_FOR, "for")              \
  TOK(KW_IN, "in") TOK(KW_BREAK, "break") TOK(KW_CONTINUE, "continue")        \
  TOK(KW_RETURN, "return") TOK(KW_PASS, "pass") TOK(KW_AND, "and")            \
  TOK(KW_OR, "or") TOK(KW_NOT, "not") TOK(KW_IS, "is") TOK(KW_TRUE, "True")   \
  TOK(KW_FALSE, "False") TOK(KW_NONE, "None") TOK(KW_IMPORT, "import")        \
  TOK(KW_FROM, "from") TOK(KW_AS, "as") TOK(KW_STRUCT, "struct")              \
  TOK(KW_TRAIT, "trait") TOK(KW_RAISES, "raises") TOK(KW_RAISE, "raise")      \
  TOK(KW_TRY, "try") TOK(KW_EXCEPT, "except") TOK(KW_FINALLY, "finally")      \
  TOK(KW_WITH, "with") TOK(KW_LAMBDA, "lambda") TOK(KW_GLOBAL, "global")      \
  TOK(KW_DEL, "del") TOK(KW_ASSERT, "assert") TOK(KW_CLASS, "class")          \
  TOK(KW_YIELD, "yield") TOK(KW_NONLOCAL, "nonlocal") TOK(ERROR, "invalid token")

typedef enum TokenKind {
#define TOK_ENUM(name, spelling) T_##name,
  TOKEN_LIST(TOK_ENUM)
#undef TOK_ENUM
  T_COUNT
} TokenKind;

typedef struct Token {
  TokenKind kind;
  int line, col;          /* 1-based position of the first character */
  const char *start;      /* into the cell's text */
  int len;                /* bytes of source text */
  union {
    uint64_t ival;        /* T_INT: the value (fits 64 bits, else an error) */
    double fval;          /* T_FLOAT */
    struct {              /* T_STRING: decoded bytes, in the arena */
      const char *str;
      int64_t slen;
      bool fstring;       /* f"..." : {expressions} inside */
    };
  };
} Token;

extern const char *const token_spelling[T_COUNT];

#endif
