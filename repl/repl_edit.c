/* repl_edit.c — the line editor: libedit's histedit API, with our own reader.
 *
 * libedit edits, keeps history and draws the prompt; we give it its input
 * one character at a time (EL_GETCFN) so that Ctrl-C is ours. SIGINT has a
 * handler that only sets a flag and calls session_interrupt() (which stops a
 * running cell); libedit's own signal handling (EL_SIGNAL) stays off, since
 * it re-raises the signal and then blocks in read() in cooked mode.
 *
 * The reader waits in ppoll() with SIGINT unblocked only inside the wait, so
 * a Ctrl-C can never slip in between checking the flag and sleeping. When
 * the flag is up it hands libedit a ^C character, bound to "ember-cancel":
 * that moves to the end of the line, shows "^C", and marks the line thrown
 * away; the reader then supplies a newline so that libedit finishes the line
 * its normal way (cursor below the input) and el_gets returns.
 *
 * A continuation line is pre-filled with the suggested indentation (pushed
 * as typed input), unless input is already waiting: pasted or typed-ahead
 * lines carry their own indentation. SIGWINCH and SIGCONT (back from
 * Ctrl-Z) are noted the same way as SIGINT and acted on by the reader.
 *
 * Prompts may carry colour: escape sequences sit between \1 characters
 * (EL_PROMPT_ESC) so libedit does not count them as columns. */
#include <errno.h>
#include <histedit.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "repl/repl_internal.h"

#define HISTORY_SIZE 1000  /* lines kept across runs; the file stays small */
#define CTRL_C 3

struct ReplEditor {
  Repl *repl;            /* the session that completion asks */
  EditLine *el;
  History *hist;
  char *history_path;    /* NULL: history is not kept across runs */
  char *prompt;          /* what prompt_fn shows for the line being read */
  char *pending;         /* the cell's earlier lines, for completion */
  bool cancel;           /* Ctrl-C threw the line being read away */
  bool cancel_newline;   /* the next character the reader gives is '\n' */
};

/* ---- signals ------------------------------------------------------------- */

static volatile sig_atomic_t sigint_seen;
static volatile sig_atomic_t winch_seen;
static volatile sig_atomic_t cont_seen;

static void on_sigint(int sig) {
  (void)sig;
  sigint_seen = 1;
  session_interrupt();  /* async-signal-safe; a no-op unless a cell runs */
}

static void on_terminal_signal(int sig) {
  if (sig == SIGCONT) cont_seen = 1;  /* back from Ctrl-Z: redraw the line */
  else winch_seen = 1;
}

void repl_signals_install(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sigemptyset(&sa.sa_mask);
  sa.sa_handler = on_sigint;  /* no SA_RESTART: a blocking read returns EINTR */
  sigaction(SIGINT, &sa, NULL);
  sa.sa_handler = on_terminal_signal;
  sigaction(SIGWINCH, &sa, NULL);
  sigaction(SIGCONT, &sa, NULL);
}

bool repl_take_sigint(void) {
  bool seen = sigint_seen;
  sigint_seen = 0;
  return seen;
}

/* ---- reading characters -------------------------------------------------- */

enum { READ_ERROR = -1, READ_EOF = 0, READ_BYTE = 1, READ_INTERRUPT = 2 };

/* Window resized, or back from Ctrl-Z: tell libedit. */
static void act_on_terminal_signals(EditLine *el) {
  if (winch_seen) {
    winch_seen = 0;
    el_resize(el);
  }
  if (cont_seen) {
    cont_seen = 0;
    el_set(el, EL_REFRESH);
  }
}

/* Sleep until stdin is readable (READ_BYTE) or Ctrl-C comes (READ_INTERRUPT).
   The signals are blocked except inside ppoll, so none is missed. */
static int wait_readable(EditLine *el) {
  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, SIGINT);
  sigaddset(&block, SIGWINCH);
  sigaddset(&block, SIGCONT);
  for (;;) {
    sigprocmask(SIG_BLOCK, &block, &old);
    bool interrupted = repl_take_sigint();
    struct pollfd p = {.fd = STDIN_FILENO, .events = POLLIN};
    int n = interrupted ? 0 : ppoll(&p, 1, NULL, &old);
    sigprocmask(SIG_SETMASK, &old, NULL);
    act_on_terminal_signals(el);
    if (interrupted) return READ_INTERRUPT;
    if (n > 0) return READ_BYTE;
    if (n < 0 && errno != EINTR) return READ_ERROR;
  }
}

/* One byte from the terminal, or READ_INTERRUPT when Ctrl-C comes first. */
static int read_byte(EditLine *el, unsigned char *b) {
  for (;;) {
    int w = wait_readable(el);
    if (w != READ_BYTE) return w;
    ssize_t k = read(STDIN_FILENO, b, 1);
    if (k == 1) return READ_BYTE;
    if (k == 0) return READ_EOF;
    if (errno != EINTR && errno != EAGAIN) return READ_ERROR;
  }
}

/* The length of a UTF-8 sequence from its first byte (1 when invalid). */
static int utf8_length(unsigned char b) {
  return b >= 0xF0 && b < 0xF8 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
}

/* The rest of a UTF-8 sequence that began with byte b. */
static wchar_t read_utf8(EditLine *el, unsigned char b) {
  int len = utf8_length(b);
  if (len == 1) return b < 0x80 ? b : 0xFFFD;
  wchar_t c = b & (0x7F >> len);
  for (int i = 1; i < len; i++) {
    if (read_byte(el, &b) != READ_BYTE || (b & 0xC0) != 0x80)
      return 0xFFFD;  /* a broken sequence shows as the replacement character */
    c = (c << 6) | (b & 0x3F);
  }
  return c;
}

/* EL_GETCFN: the next character for libedit (1), end of input (0) or an
   error (-1). */
static int getc_fn(EditLine *el, wchar_t *wc) {
  ReplEditor *ed = NULL;
  el_get(el, EL_CLIENTDATA, &ed);
  if (ed->cancel_newline) {
    ed->cancel_newline = false;
    *wc = '\n';
    return 1;
  }
  unsigned char b;
  int k = read_byte(el, &b);
  if (k == READ_INTERRUPT) *wc = CTRL_C;
  else if (k == READ_BYTE) *wc = read_utf8(el, b);
  else return k;
  return 1;
}

/* ---- key functions ------------------------------------------------------- */

static ReplEditor *editor_of(EditLine *el) {
  ReplEditor *ed = NULL;
  el_get(el, EL_CLIENTDATA, &ed);
  return ed;
}

/* ember-cancel (Ctrl-C): throw the line away; the reader ends it. */
static unsigned char cancel_key(EditLine *el, int ch) {
  (void)ch;
  ReplEditor *ed = editor_of(el);
  const LineInfo *li = el_line(el);
  el_cursor(el, (int)(li->lastchar - li->cursor));
  el_insertstr(el, "^C");
  ed->cancel = true;
  ed->cancel_newline = true;
  return CC_REFRESH;
}

/* ember-eof (Ctrl-D): leave on a line of blanks (a continuation line is
   pre-filled with indentation); elsewhere delete the character under the
   cursor, as Emacs does. */
static unsigned char eof_key(EditLine *el, int ch) {
  (void)ch;
  const LineInfo *li = el_line(el);
  const char *p = li->buffer;
  while (p < li->lastchar && (*p == ' ' || *p == '\t')) p++;
  if (p == li->lastchar) return CC_EOF;
  if (li->cursor == li->lastchar) return CC_ERROR;
  el_cursor(el, 1);
  el_deletestr(el, 1);
  return CC_REFRESH;
}

/* ember-complete (Tab). */
static unsigned char complete_key(EditLine *el, int ch) {
  (void)ch;
  ReplEditor *ed = editor_of(el);
  return repl_complete(el, ed->repl, ed->pending ? ed->pending : "");
}

static char *prompt_fn(EditLine *el) {
  ReplEditor *ed = editor_of(el);
  return ed->prompt ? ed->prompt : "";
}

/* ---- the editor ---------------------------------------------------------- */

static void setup_keys(EditLine *el) {
  el_set(el, EL_ADDFN, "ember-complete", "Complete the word at the cursor", complete_key);
  el_set(el, EL_ADDFN, "ember-cancel", "Throw the line away", cancel_key);
  el_set(el, EL_ADDFN, "ember-eof", "Leave on an empty line, else delete a character", eof_key);
  el_set(el, EL_BIND, "^I", "ember-complete", NULL);
  el_set(el, EL_BIND, "^C", "ember-cancel", NULL);
  el_set(el, EL_BIND, "^D", "ember-eof", NULL);
}

static History *history_new(const char *path) {
  History *h = history_init();
  if (!h) return NULL;
  HistEvent ev;
  history(h, &ev, H_SETSIZE, HISTORY_SIZE);
  history(h, &ev, H_SETUNIQUE, 1);
  if (path) repl_history_load(h, path);
  return h;
}

ReplEditor *repl_edit_new(Repl *r, const char *history_path) {
  ReplEditor *ed = calloc(1, sizeof *ed);
  /* editing output goes where the user looks: stdout, or stderr when
     stdout is redirected */
  FILE *out = isatty(STDOUT_FILENO) || !isatty(STDERR_FILENO) ? stdout : stderr;
  ed->el = el_init("ember", stdin, out, stderr);
  if (!ed->el) {
    free(ed);
    return NULL;
  }
  ed->repl = r;
  ed->history_path = history_path ? strdup(history_path) : NULL;
  ed->hist = history_new(history_path);
  el_set(ed->el, EL_CLIENTDATA, ed);
  el_set(ed->el, EL_EDITOR, "emacs");
  el_set(ed->el, EL_SIGNAL, 0);
  el_set(ed->el, EL_PROMPT_ESC, prompt_fn, '\1');
  el_set(ed->el, EL_GETCFN, getc_fn);
  if (ed->hist) el_set(ed->el, EL_HIST, history, ed->hist);
  setup_keys(ed->el);
  el_source(ed->el, NULL);  /* the user's ~/.editrc (e.g. "bind -v") */
  return ed;
}

void repl_edit_free(ReplEditor *ed) {
  if (!ed) return;
  el_end(ed->el);
  if (ed->hist) history_end(ed->hist);
  free(ed->history_path);
  free(ed->prompt);
  free(ed->pending);
  free(ed);
}

/* libedit draws the prompt first and puts the terminal in raw mode only
   when it reads; a key pressed in between would meet the canonical-mode
   line discipline, where Ctrl-D is the terminal's end-of-file and reaches
   libedit as a NUL. So leave canonical mode before the prompt shows;
   libedit restores the cooked settings after the line as usual. */
static void leave_canonical_mode(void) {
  struct termios t;
  if (tcgetattr(STDIN_FILENO, &t) != 0 || !(t.c_lflag & ICANON)) return;
  t.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
  t.c_cc[VMIN] = 1;
  t.c_cc[VTIME] = 0;
  tcsetattr(STDIN_FILENO, TCSANOW, &t);
}

/* Is there input the user typed (or pasted) before seeing the prompt? */
static bool input_waiting(void) {
  struct pollfd p = {.fd = STDIN_FILENO, .events = POLLIN};
  return poll(&p, 1, 0) > 0;
}

char *repl_edit_read(ReplEditor *ed, const char *prompt, const char *prefill, bool *cancelled) {
  free(ed->prompt);
  ed->prompt = strdup(prompt);
  ed->cancel = ed->cancel_newline = false;
  *cancelled = false;
  /* Pre-fill the indentation only for a user who will see it: pasted or
     typed-ahead lines bring their own, and would get it twice. */
  leave_canonical_mode();
  if (prefill && *prefill && !input_waiting()) el_push(ed->el, prefill);
  int count = 0;
  const char *line = el_gets(ed->el, &count);
  if (ed->cancel) {
    *cancelled = true;
    return NULL;
  }
  if (!line || count <= 0) return NULL;
  size_t n = strlen(line);
  if (n && line[n - 1] == '\n') n--;
  return strndup(line, n);
}

void repl_edit_remember(ReplEditor *ed, const char *line) {
  if (!ed->hist || !line[strspn(line, " \t\r")]) return;
  HistEvent ev;
  history(ed->hist, &ev, H_ENTER, line);
  if (ed->history_path) repl_history_save(ed->hist, ed->history_path);
}

void repl_edit_set_pending(ReplEditor *ed, const char *text) {
  free(ed->pending);
  ed->pending = text ? strdup(text) : NULL;
}
