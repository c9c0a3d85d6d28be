/* repl_internal.h — what the files of the REPL share.
 *
 * The REPL is a thin front end over jit/session.h: it reads text, decides
 * where a cell ends, hands the cell to session_execute and shows what comes
 * back. Its files, in the order a cell travels through them:
 *
 *   repl.c          repl_main: the banner, the interactive loop
 *   repl_script.c   the same loop over a stdin that is not a terminal
 *   repl_cell.c     where a cell ends; running it; the In[n] counter
 *   repl_command.c  :help, :quit, :reset, :mlir
 *   repl_output.c   the session's callbacks: streams, Out[n], coloured errors
 *   repl_edit.c     libedit: prompts, the SIGINT-aware reader, Ctrl-C
 *   repl_complete.c Tab completion from session_complete
 *   repl_history.c  the history file
 */
#ifndef EMBER_REPL_INTERNAL_H
#define EMBER_REPL_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "jit/session.h"

typedef struct ReplEditor ReplEditor;

typedef struct Repl {
  Session *session;   /* created after the banner is on the screen */
  ReplEditor *ed;     /* line editor; NULL when stdin is not a terminal */
  bool interactive;   /* prompts, Out[n], Ctrl-C interrupts the cell */
  bool color;         /* ANSI colours (a terminal, and NO_COLOR unset) */
  bool quit;          /* :quit was given: leave after this cell */
  bool at_bol;        /* the last byte sent to stdout ended a line */
  int count;          /* the number of the next cell: In [count] */
  int status;         /* piped mode: the first failure's exit status */
  int lines_read;     /* piped mode: lines taken from stdin so far */
  int first_line;     /* piped mode: the line of stdin the cell starts on */
} Repl;

/* ---- repl_script.c ------------------------------------------------------- */

/* Read stdin as a script, cell by cell; returns the exit status. */
int repl_script(Repl *r);

/* ---- repl_cell.c --------------------------------------------------------- */

/* Is the text typed so far a whole cell? When not, *indent (room for
   indent_size bytes) gets the indentation the next line should start with. */
bool repl_cell_ready(Repl *r, const char *text, char *indent, size_t indent_size);
/* True when text holds nothing to run: blank lines and comments only. */
bool repl_cell_is_empty(const char *text);
/* Run one cell: a REPL command, or Ember code for session_execute. */
void repl_run_cell(Repl *r, const char *text);

/* ---- repl_command.c ------------------------------------------------------ */

/* Run text as a REPL command (":help", "exit", ...); false if it is not one. */
bool repl_command(Repl *r, const char *text);
/* The line the banner and :help use to say how to get help. */
extern const char repl_help_hint[];

/* ---- repl_output.c ------------------------------------------------------- */

/* Decide r->color from NO_COLOR, TERM and whether stdout is a terminal. */
void repl_output_init(Repl *r);
/* Callbacks for session_execute that print to stdout/stderr for r. */
SessionCallbacks repl_callbacks(Repl *r);
/* Write text to stdout, tracking r->at_bol. */
void repl_write(Repl *r, const char *text, size_t len);
/* Print a message in the error colour (to stderr). */
void repl_error_text(Repl *r, const char *text);
/* End the current stdout line if something is left on it. */
void repl_finish_line(Repl *r);
/* The ANSI sequence for a style ("" without colour). */
const char *repl_style(const Repl *r, const char *sgr);

/* ---- repl_edit.c --------------------------------------------------------- */

/* Start the editor on the terminal (history loaded from history_path when
   not NULL). NULL when libedit cannot start. */
ReplEditor *repl_edit_new(Repl *r, const char *history_path);
void repl_edit_free(ReplEditor *ed);
/* Read one line (malloc'd, without its newline) after prompt, pre-filled
   with prefill. NULL at end of input (Ctrl-D); *cancelled is set (and NULL
   returned) when Ctrl-C threw the line away. */
char *repl_edit_read(ReplEditor *ed, const char *prompt, const char *prefill, bool *cancelled);
/* Keep a line in the history (blank lines are not kept). */
void repl_edit_remember(ReplEditor *ed, const char *line);
/* The cell typed before the line being edited (for completion). */
void repl_edit_set_pending(ReplEditor *ed, const char *text);
/* Install the SIGINT handler: Ctrl-C interrupts the cell or the line. */
void repl_signals_install(void);
/* True (once) if Ctrl-C came since the last call. */
bool repl_take_sigint(void);

/* ---- repl_complete.c ----------------------------------------------------- */

/* Tab: complete the word at the cursor from r's session, or indent when
   only blanks precede the cursor. pending is the text of the cell typed
   before the current line. Returns a libedit CC_* code. */
typedef struct editline EditLine;
unsigned char repl_complete(EditLine *el, Repl *r, const char *pending);

/* ---- repl_history.c ------------------------------------------------------ */

typedef struct history History;
/* Where history is kept: $EMBER_HISTORY, else ~/.ember_history. NULL when
   EMBER_HISTORY is empty or no home is known. malloc'd. */
char *repl_history_path(void);
void repl_history_load(History *h, const char *path);
/* Write the history to path (replacing it whole, atomically). */
void repl_history_save(History *h, const char *path);

#endif
