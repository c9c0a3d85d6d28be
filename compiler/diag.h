/* diag.h — compile errors collected per cell, rendered as
 *   cell:line:col: error: message
 *       source line
 *       ^
 *     hint: short advice
 * Errors are collected, never fatal: the parser and checker keep going to
 * report several per cell. */
#ifndef EMBER_DIAG_H
#define EMBER_DIAG_H

#include "compiler/arena.h"
#include "compiler/buf.h"

typedef struct Diag {
  int line, col;        /* 1-based, relative to the cell's text */
  const char *message;
  const char *hint;     /* NULL when there is nothing useful to add */
  struct Diag *next;
} Diag;

typedef struct Diags {
  Arena *arena;         /* the cell's arena; messages live there */
  const char *src;      /* the cell's text, for quoting the line */
  Diag *first, *last;
  int count;
} Diags;

/* More than this many errors in one cell are cascades, not news. */
enum { DIAG_MAX_PER_CELL = 20 };

void diag_init(Diags *d, Arena *arena, const char *src);
void diag_error(Diags *d, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void diag_hint(Diags *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* first_line: the file line of the cell's line 1 (1 for a notebook cell). */
void diag_render(const Diags *d, const char *cell_name, int first_line, Buf *out);
/* Where `src`'s line `line` (1-based) starts; its end past the last line. */
const char *diag_line_start(const char *src, int line);
/* Append `src`'s line `line` (1-based) and a caret under `col` to out. */
void diag_quote_line(const char *src, int line, int col, Buf *out);

#endif
