/* repl_output.c — how the REPL shows what a cell produces.
 *
 * The session reports through callbacks (jit/session.h); this file
 * implements them. Printed text goes to stdout as it comes (flushed at once
 * on a terminal, so a long loop's prints show while it runs); the value of
 * the last expression is echoed IPython's way, `Out[3]: 42`, or as the bare
 * repr when stdin is a script; errors go to stderr with their traceback
 * text painted line by line: the header red, the caret green, hints cyan,
 * the exception name bold red. There is no colour unless stdout is a
 * terminal, NO_COLOR is unset or empty (no-color.org) and TERM is not
 * "dumb". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compiler/buf.h"
#include "repl/repl_internal.h"

#define SGR_RESET "0"
#define SGR_RED "31"
#define SGR_BOLD_RED "1;31"
#define SGR_BOLD_GREEN "1;32"
#define SGR_CYAN "36"

void repl_output_init(Repl *r) {
  const char *no_color = getenv("NO_COLOR");
  const char *term = getenv("TERM");
  r->color = isatty(STDOUT_FILENO) && !(no_color && *no_color) && !(term && !strcmp(term, "dumb"));
  r->at_bol = true;
}

const char *repl_style(const Repl *r, const char *sgr) {
  static char seq[4][16];  /* a few in one printf call */
  static int next;
  if (!r->color) return "";
  char *s = seq[next++ % 4];
  snprintf(s, sizeof seq[0], "\033[%sm", sgr);
  return s;
}

void repl_write(Repl *r, const char *text, size_t len) {
  if (!len) return;
  fwrite(text, 1, len, stdout);
  r->at_bol = text[len - 1] == '\n';
  if (r->interactive) fflush(stdout);
}

void repl_finish_line(Repl *r) {
  if (!r->at_bol) repl_write(r, "\n", 1);
  fflush(stdout);
}

void repl_error_text(Repl *r, const char *text) {
  repl_finish_line(r);
  fprintf(stderr, "%s%s%s", repl_style(r, SGR_RED), text, repl_style(r, SGR_RESET));
  fflush(stderr);
}

/* ---- callbacks ----------------------------------------------------------- */

static void on_stream(void *user, const char *text, size_t len) {
  repl_write(user, text, len);
}

static void on_stderr(void *user, const char *text, size_t len) {
  (void)user;
  fflush(stdout);
  fwrite(text, 1, len, stderr);
  fflush(stderr);
}

static void on_result(void *user, const char *repr) {
  Repl *r = user;
  repl_finish_line(r);
  if (r->interactive) {
    const char *sep = strchr(repr, '\n') ? "\n" : " ";
    printf("%sOut[%d]:%s%s", repl_style(r, SGR_RED), r->count, repl_style(r, SGR_RESET), sep);
  }
  printf("%s\n", repr);
  r->at_bol = true;
  fflush(stdout);
}

static bool is_caret_line(const char *line, size_t len) {
  size_t i = strspn(line, " \t");
  return i < len && line[i] == '^' && strspn(line + i, "^~") + i == len;
}

/* The style of one line of a traceback, or NULL to leave it plain. */
static const char *line_style(const char *line, size_t len) {
  if (memmem(line, len, ": error: ", 9) || !strncmp(line, "Traceback (", 11)) return SGR_BOLD_RED;
  if (is_caret_line(line, len)) return SGR_BOLD_GREEN;
  if (!strncmp(line, "  hint: ", 8)) return SGR_CYAN;
  return NULL;
}

static void paint_line(Repl *r, const SessionError *err, const char *line, size_t len) {
  const char *sgr = line_style(line, len);
  size_t name = strlen(err->ename);
  if (!sgr && name && len > name && !strncmp(line, err->ename, name) && line[name] == ':')
    fprintf(stderr, "%s%s%s%.*s", repl_style(r, SGR_BOLD_RED), err->ename, repl_style(r, SGR_RESET),
            (int)(len - name), line + name);
  else if (sgr)
    fprintf(stderr, "%s%.*s%s", repl_style(r, sgr), (int)len, line, repl_style(r, SGR_RESET));
  else
    fprintf(stderr, "%.*s", (int)len, line);
}

static void on_error(void *user, const SessionError *err) {
  Repl *r = user;
  if (r->interactive && !strcmp(err->ename, "KeyboardInterrupt")) r->at_bol = false;  /* "^C" */
  repl_finish_line(r);
  const char *p = err->traceback ? err->traceback : "";
  if (!*p) p = err->evalue ? err->evalue : "error";
  if (!r->color) fputs(p, stderr);
  for (; r->color && *p;) {
    size_t len = strcspn(p, "\n");
    paint_line(r, err, p, len);
    p += len;
    if (*p) fputc(*p++, stderr);
  }
  size_t n = strlen(err->traceback ? err->traceback : "");
  if (!n || err->traceback[n - 1] != '\n') fputc('\n', stderr);
  fflush(stderr);
}

/* input() in a script: the next line of stdin, after the prompt. */
static char *input_from_stdin(Repl *r, const char *prompt) {
  repl_write(r, prompt, strlen(prompt));
  fflush(stdout);
  char *line = buf_read_line(stdin);
  if (line) r->lines_read++;  /* the answer is a line of the script's stdin too */
  return line;
}

/* input(): a line from the terminal's editor, or the next line of stdin. */
static char *on_input(void *user, const char *prompt, bool password) {
  Repl *r = user;
  (void)password;
  if (!r->ed) return input_from_stdin(r, prompt);
  fflush(stdout);
  bool cancelled = false;
  char *line = repl_edit_read(r->ed, prompt, "", &cancelled);
  r->at_bol = true;
  return line;  /* NULL on Ctrl-C too: the session's interrupt flag is set */
}

SessionCallbacks repl_callbacks(Repl *r) {
  return (SessionCallbacks){.on_stream = on_stream, .on_stderr = on_stderr, .on_error = on_error,
                            .on_result = on_result, .on_input = on_input, .user = r};
}
