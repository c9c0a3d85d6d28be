/* repl_cell.c — where a cell ends, and running it.
 *
 * Both modes (the terminal and a piped script) feed lines one at a time
 * and ask repl_cell_ready after each; the answer is the session's
 * is_complete (an open block goes on until a blank line; a finished
 * expression is ready at once; "invalid" input is ready too, so its error
 * shows), with three rules of the REPL's own on top:
 *   - a first line starting with ':' is a REPL command, ready at once;
 *   - `%magic ...` is one line; `%%magic` takes the lines up to a blank one;
 *   - at the prompt, two blank lines in a row end any unfinished input
 *     (a lost quote or bracket), so the user is never stuck.
 * A cell runs under the name In[n] (its lines numbered from 1) on the
 * terminal, and as <stdin> numbered by its lines in the script. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "repl/repl_internal.h"

static bool is_blank(const char *line, size_t len) {
  for (size_t i = 0; i < len; i++)
    if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r') return false;
  return true;
}

/* How many of text's last lines (text ends with '\n') are blank. */
static int trailing_blank_lines(const char *text) {
  size_t end = strlen(text);
  int n = 0;
  while (end && text[end - 1] == '\n') {
    size_t start = end - 1;
    while (start && text[start - 1] != '\n') start--;
    if (!is_blank(text + start, end - 1 - start) || !start) break;
    n++;
    end = start;
  }
  return n;
}

bool repl_cell_ready(Repl *r, const char *text, char *indent, size_t indent_size) {
  if (indent_size) indent[0] = 0;
  const char *p = text + strspn(text, " \t");
  if (*p == ':' || (p[0] == '%' && p[1] != '%')) return true;
  if (p[0] == '%') {  /* a %%cell: up to a blank line, indented as the session says */
    if (trailing_blank_lines(text) > 0) return true;
    session_is_complete(r->session, text, indent, indent_size);
    return false;
  }
  const char *status = session_is_complete(r->session, text, indent, indent_size);
  if (strcmp(status, "incomplete")) return true;
  return r->interactive && trailing_blank_lines(text) >= 2;
}

bool repl_cell_is_empty(const char *text) {
  for (const char *p = text; *p;) {
    size_t len = strcspn(p, "\n");
    const char *q = p + strspn(p, " \t\r");
    if (q < p + len && *q != '#') return false;
    p += len + (p[len] == '\n');
  }
  return true;
}

/* The cell without the blank lines that ended it (they are not code). */
static char *trim_blank_tail(const char *text) {
  size_t end = strlen(text);
  for (int n = trailing_blank_lines(text); n > 0; n--) {
    end--;
    while (end && text[end - 1] != '\n') end--;
  }
  return strndup(text, end);
}

static void execute(Repl *r, const char *text) {
  char name[32];
  int first_line = 1;
  if (r->interactive) snprintf(name, sizeof name, "In[%d]", r->count);
  else {
    snprintf(name, sizeof name, "<stdin>");
    first_line = r->first_line;
  }
  SessionCallbacks cb = repl_callbacks(r);
  repl_take_sigint();  /* a Ctrl-C from before the cell is not for it */
  SessionStatus st = session_execute(r->session, text, name, first_line, &cb);
  repl_take_sigint();  /* nor is one that the cell has already answered */
  repl_finish_line(r);
  if (st != SESSION_OK && !r->status) r->status = (int)st;
  r->count++;
  if (r->interactive) repl_write(r, "\n", 1);  /* IPython's air between cells */
}

void repl_run_cell(Repl *r, const char *text) {
  if (repl_command(r, text)) {
    if (r->interactive && !r->quit) repl_write(r, "\n", 1);
    return;
  }
  if (repl_cell_is_empty(text)) return;
  char *code = trim_blank_tail(text);
  execute(r, code);
  free(code);
}
