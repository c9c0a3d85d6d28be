/* repl_complete.c — Tab.
 *
 * The session knows the answers (session_complete: names, members after
 * '.', keywords, module names after `import`); this file only edits the
 * line. The cell typed so far (earlier lines plus the current one) goes to
 * the session with the cursor in code points. One match replaces the word;
 * several extend it to their longest common prefix, and when that adds
 * nothing they are listed in columns under the line, as a shell does. Tab
 * with only blanks before the cursor indents to the next multiple of four,
 * which is what a continuation line wants. */
#include <histedit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "compiler/buf.h"
#include "repl/repl_internal.h"

#define INDENT_STEP 4
#define MAX_LISTED 200  /* a longer list is cut: the user should type more */

static int code_points(const char *s, size_t bytes) {
  int n = 0;
  for (size_t i = 0; i < bytes && s[i]; i++) n += (s[i] & 0xC0) != 0x80;
  return n;
}

static size_t byte_offset(const char *s, size_t len, int points) {
  size_t i = 0;
  for (int k = 0; i < len && k < points; k++)
    for (i++; i < len && (s[i] & 0xC0) == 0x80; i++) {}
  return i;
}

static unsigned char indent(EditLine *el, size_t column) {
  char spaces[INDENT_STEP + 1] = "    ";
  spaces[INDENT_STEP - column % INDENT_STEP] = 0;
  el_insertstr(el, spaces);
  return CC_REFRESH;
}

/* The longest prefix all matches share, cut at a character boundary. */
static size_t common_prefix(char **m, int count) {
  size_t n = strlen(m[0]);
  for (int i = 1; i < count; i++) {
    size_t k = 0;
    while (k < n && m[i][k] == m[0][k]) k++;
    n = k;
  }
  while (n && (m[0][n] & 0xC0) == 0x80) n--;
  return n;
}

static int terminal_width(void) {
  struct winsize w;
  if (!ioctl(STDOUT_FILENO, TIOCGWINSZ, &w) && w.ws_col) return w.ws_col;
  if (!ioctl(STDERR_FILENO, TIOCGWINSZ, &w) && w.ws_col) return w.ws_col;
  return 80;
}

/* Matches in columns, filled down then across (as ls does). */
static void list_matches(EditLine *el, const SessionCompletions *c) {
  FILE *out = stdout;
  el_get(el, EL_GETFP, 1, &out);
  int shown = c->count < MAX_LISTED ? c->count : MAX_LISTED;
  size_t widest = 1;
  for (int i = 0; i < shown; i++)
    if (strlen(c->matches[i]) > widest) widest = strlen(c->matches[i]);
  int cols = terminal_width() / (int)(widest + 2);
  if (cols < 1) cols = 1;
  int rows = (shown + cols - 1) / cols;
  fputc('\n', out);
  for (int row = 0; row < rows; row++) {
    for (int col = 0; col < cols && col * rows + row < shown; col++) {
      int i = col * rows + row;
      bool last = col == cols - 1 || (col + 1) * rows + row >= shown;
      if (last) fputs(c->matches[i], out);
      else fprintf(out, "%-*s", (int)(widest + 2), c->matches[i]);
    }
    fputc('\n', out);
  }
  if (shown < c->count) fprintf(out, "... and %d more\n", c->count - shown);
  fflush(out);
}

static void replace_word(EditLine *el, const char *typed, size_t typed_len, const char *with,
                         size_t with_len) {
  el_deletestr(el, code_points(typed, typed_len));
  char *text = strndup(with, with_len);
  el_insertstr(el, text);
  free(text);
}

/* Apply the matches to the word that starts at code point start of line. */
static unsigned char apply(EditLine *el, const SessionCompletions *c, const char *line,
                           size_t cursor, int start) {
  if (!c->count || start < 0) return CC_REFRESH_BEEP;
  size_t from = byte_offset(line, cursor, start);
  const char *typed = line + from;
  size_t typed_len = cursor - from;
  if (c->count == 1) {
    if (strlen(c->matches[0]) != typed_len || strncmp(c->matches[0], typed, typed_len))
      replace_word(el, typed, typed_len, c->matches[0], strlen(c->matches[0]));
    return CC_REFRESH;
  }
  size_t common = common_prefix(c->matches, c->count);
  if (common > typed_len && !strncmp(c->matches[0], typed, typed_len)) {
    replace_word(el, typed, typed_len, c->matches[0], common);
    return CC_REFRESH;
  }
  list_matches(el, c);
  return CC_REDISPLAY;
}

unsigned char repl_complete(EditLine *el, Repl *r, const char *pending) {
  const LineInfo *li = el_line(el);
  size_t cursor = (size_t)(li->cursor - li->buffer);
  size_t len = (size_t)(li->lastchar - li->buffer);
  size_t blanks = 0;
  while (blanks < cursor && (li->buffer[blanks] == ' ' || li->buffer[blanks] == '\t')) blanks++;
  if (blanks == cursor) return indent(el, cursor);
  if (!r->session) return CC_REFRESH_BEEP;
  Buf code = {0};
  buf_puts(&code, pending);
  buf_put(&code, li->buffer, len);
  char *line = strndup(li->buffer, len);  /* li changes as we edit */
  int before = code_points(pending, strlen(pending));
  SessionCompletions c;
  session_complete(r->session, buf_str(&code), before + code_points(line, cursor), &c);
  unsigned char rv = apply(el, &c, line, cursor, c.cursor_start - before);
  session_completions_free(&c);
  free(line);
  buf_free(&code);
  return rv;
}
