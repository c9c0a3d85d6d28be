/* repl.c — `ember` with no arguments: the REPL.
 *
 * On a terminal: print the banner first (before anything slow: creating
 * the session costs ~10 ms, and CPython and the like load lazily, on first
 * use), then create the session and the line editor, then loop: read a
 * cell (a first line at `In [n]: `, more lines at `...: ` while the input
 * is unfinished, each pre-filled with the indentation the session
 * suggests), run it, repeat until Ctrl-D or :quit. When stdin is not a
 * terminal, repl_script.c reads it as a script instead. The look follows
 * IPython's terminal: In [n] / Out[n], and a blank line after each cell. */
#include "repl/repl.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compiler/buf.h"
#include "repl/repl_internal.h"

static void banner(Repl *r) {
  printf("%sEmber %s%s (LLVM/MLIR %d): a Mojo-like language, compiled as you type.\n%s\n\n",
         repl_style(r, "1"), EMBER_VERSION, repl_style(r, "0"), EMBER_LLVM_VERSION,
         repl_help_hint);
  fflush(stdout);
}

/* `In [3]: ` for a cell's first line, `   ...: ` (as wide) for the rest.
   Colour codes sit between \1 marks, which libedit does not count; each
   must have a visible character after it (libedit drops a last one), so
   the reset comes before the final space. */
static void make_prompt(const Repl *r, bool first, char *out, size_t size) {
  int width = snprintf(NULL, 0, "In [%d]: ", r->count);
  if (first && r->color)
    snprintf(out, size, "\1\033[32m\1In [\1\033[1;32m\1%d\1\033[0;32m\1]:\1\033[0m\1 ", r->count);
  else if (first)
    snprintf(out, size, "In [%d]: ", r->count);
  else if (r->color)
    snprintf(out, size, "%*s\1\033[32m\1...:\1\033[0m\1 ", width - 5, "");
  else
    snprintf(out, size, "%*s...: ", width - 5, "");
}

/* One cell from the terminal; NULL at Ctrl-D. Ctrl-C starts it over. */
static char *read_cell(Repl *r) {
  Buf text = {0};
  char indent[128] = "", prompt[96];
  for (;;) {
    make_prompt(r, text.len == 0, prompt, sizeof prompt);
    repl_edit_set_pending(r->ed, buf_str(&text));
    bool cancelled = false;
    char *line = repl_edit_read(r->ed, prompt, indent, &cancelled);
    if (cancelled) {
      buf_free(&text);
      indent[0] = 0;
      continue;
    }
    if (!line) {
      buf_free(&text);
      return NULL;
    }
    repl_edit_remember(r->ed, line);
    buf_printf(&text, "%s\n", line);
    free(line);
    if (repl_cell_ready(r, buf_str(&text), indent, sizeof indent)) return buf_take(&text);
  }
}

/* libedit needs a multibyte locale to edit UTF-8; the rest of ember does
   not look at the locale. */
static void use_utf8(void) {
  if (!setlocale(LC_CTYPE, "") || MB_CUR_MAX == 1) setlocale(LC_CTYPE, "C.UTF-8");
}

static int interactive(Repl *r) {
  use_utf8();
  char *history = repl_history_path();
  r->ed = repl_edit_new(r, history);
  free(history);
  if (!r->ed) {
    fputs("ember: cannot start the line editor; reading input as a script\n", stderr);
    r->interactive = false;
    return repl_script(r);
  }
  repl_signals_install();
  char *cell;
  while (!r->quit && (cell = read_cell(r))) {
    repl_run_cell(r, cell);
    free(cell);
  }
  if (!r->quit) repl_write(r, "\n", 1);  /* Ctrl-D leaves the cursor on the prompt */
  repl_edit_free(r->ed);
  r->ed = NULL;
  return 0;
}

int repl_main(int argc, char **argv) {
  (void)argc;
  (void)argv;
  Repl r = {.count = 1};
  r.interactive = isatty(STDIN_FILENO);
  repl_output_init(&r);
  if (!r.interactive) r.color = false;
  if (r.interactive) banner(&r);
  char *err = NULL;
  r.session = session_create(&(SessionOptions){.opt_level = 3}, &err);
  if (!r.session) {
    fprintf(stderr, "ember: cannot start the compiler: %s\n", err ? err : "unknown error");
    free(err);
    return 3;
  }
  int status = r.interactive ? interactive(&r) : repl_script(&r);
  session_destroy(r.session);
  return status;
}
