/* lex.h — turns a cell's text into an array of tokens, Python-style:
 * INDENT/DEDENT from leading whitespace, NEWLINE at the end of each logical
 * line, implicit joining inside brackets and after a backslash. */
#ifndef EMBER_LEX_H
#define EMBER_LEX_H

#include "compiler/diag.h"
#include "compiler/token.h"

#include <stdbool.h>

typedef struct TokenArray {
  Token *items;   /* malloc'd (lex_free); the last one is T_EOF. Names and
                     string values they point to live in the arena. */
  int len;
  /* How the text ended, for is_complete: more lines would continue it. */
  int open_brackets;        /* (, [ or { still open at the end */
  bool open_string;         /* inside an unterminated triple-quoted string */
  bool open_backslash;      /* the last line ends with a continuation '\\' */
} TokenArray;

/* Lex all of src. Errors go to diags; the array is always usable. */
TokenArray lex_cell(const char *src, Arena *arena, Diags *diags);
void lex_free(TokenArray *toks);

#endif
