/* repl_script.c — `ember < FILE`: standard input that is not a terminal.
 *
 * The same input semantics as the terminal, without the terminal: lines
 * are read one at a time and each complete input (repl_cell_ready) is one
 * cell, so a transcript typed at the prompt can be piped in and gives the
 * same cells. Results are echoed as bare reprs; there is no banner, prompt
 * or colour. Errors go to stderr, and reading goes on after them, as at the
 * prompt. The exit status is `ember run`'s: 0, or the first failure's (1 a
 * compile error, 2 a runtime error). input() in a cell reads the next line
 * of the same stream. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/buf.h"
#include "repl/repl_internal.h"

static bool blank(const char *line) { return !line[strspn(line, " \t\r\n")]; }

static void run(Repl *r, Buf *cell) {
  repl_run_cell(r, buf_str(cell));
  buf_free(cell);
}

int repl_script(Repl *r) {
  Buf cell = {0};
  char *line = NULL, indent[128];
  size_t cap = 0;
  ssize_t n;
  while (!r->quit && (n = getline(&line, &cap, stdin)) >= 0) {
    r->lines_read++;
    if (!cell.len && blank(line)) continue;  /* blank lines between cells */
    if (!cell.len) r->first_line = r->lines_read;
    buf_put(&cell, line, (size_t)n);
    if (!n || line[n - 1] != '\n') buf_puts(&cell, "\n");
    if (repl_cell_ready(r, buf_str(&cell), indent, sizeof indent)) run(r, &cell);
  }
  if (cell.len && !r->quit) run(r, &cell);  /* the end of input ends the cell */
  buf_free(&cell);
  free(line);
  fflush(stdout);
  return r->status;
}
