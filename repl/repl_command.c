/* repl_command.c — the REPL's own commands.
 *
 * A cell whose first character is ':' is a command for the REPL, not Ember
 * code: one table below, one row per command. `exit` and `quit` alone on a
 * line leave too, as in IPython. Magics (%time, %timeit, %reset, %%time)
 * are not here: the session runs them, so the kernel has them as well. */
#include <stdio.h>
#include <string.h>

#include "repl/repl_internal.h"

const char repl_help_hint[] = "Type :help for help, Ctrl-D to exit.";

typedef struct Command {
  const char *name;
  const char *alias;  /* a short form, or NULL */
  void (*run)(Repl *r);
  const char *help;
} Command;

static void cmd_help(Repl *r);

static void cmd_quit(Repl *r) { r->quit = true; }

static void cmd_reset(Repl *r) {
  session_reset(r->session);
  const char *msg = "Every definition is forgotten.\n";
  repl_write(r, msg, strlen(msg));
}

static void cmd_mlir(Repl *r) {
  const char *mlir = session_last_mlir(r->session);
  if (!mlir || !*mlir) mlir = "No cell has compiled yet.\n";
  repl_write(r, mlir, strlen(mlir));
  repl_finish_line(r);
}

static const Command commands[] = {
    {":help", ":h", cmd_help, "this help"},
    {":quit", ":q", cmd_quit, "leave the REPL (so do Ctrl-D, `exit` and `quit`)"},
    {":reset", NULL, cmd_reset, "forget every definition, as %reset does"},
    {":mlir", NULL, cmd_mlir, "show the MLIR of the last cell that compiled"},
};

static const char help_text[] =
    "Type Ember code and press Enter. A finished statement or expression runs at\n"
    "once and the value of an expression is shown as Out[n]. A line ending in ':'\n"
    "(fn, struct, if, for, while, ...) opens a block: it goes on over '...:' lines,\n"
    "indented for you, until an empty line. Two empty lines end any unfinished\n"
    "input.\n"
    "\n"
    "Keys:\n"
    "  Tab        complete a name, a member after '.', a keyword or a module\n"
    "             (at the start of a line: indent)\n"
    "  Up, Down   walk the history (kept in ~/.ember_history, or $EMBER_HISTORY)\n"
    "  Ctrl-R     search the history\n"
    "  Ctrl-C     stop running code (KeyboardInterrupt), or throw the line away\n"
    "  Ctrl-D     leave\n"
    "\n"
    "Magics:\n"
    "  %time STMT     run STMT and report the time it took\n"
    "  %%time         (first line of a cell) time the whole cell\n"
    "  %%python       (first line of a cell) run the cell in the embedded CPython\n"
    "  %%emit STAGE   (first line of a cell) show what the cell compiles to, without\n"
    "                 running it: mlir, mlir-llvm, llvm, llvm-unopt, asm or ptx\n"
    "  %timeit STMT   run STMT many times and report the mean and deviation\n"
    "  %reset [-f]    forget every definition\n"
    "\n"
    "Commands:\n";

static void cmd_help(Repl *r) {
  repl_write(r, help_text, strlen(help_text));
  for (size_t i = 0; i < sizeof commands / sizeof *commands; i++) {
    char line[160];
    snprintf(line, sizeof line, "  %-8s %-4s %s\n", commands[i].name,
             commands[i].alias ? commands[i].alias : "", commands[i].help);
    repl_write(r, line, strlen(line));
  }
}

static const Command *find_command(const char *word) {
  for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
    if (!strcmp(word, commands[i].name) || (commands[i].alias && !strcmp(word, commands[i].alias)))
      return &commands[i];
  return NULL;
}

/* The first word of text (without surrounding blanks) and whether that is
   all there is. */
static bool single_word(const char *text, char *word, size_t size) {
  text += strspn(text, " \t\r\n");
  size_t len = strcspn(text, " \t\r\n");
  snprintf(word, size, "%.*s", (int)len, text);
  const char *rest = text + len;
  return !rest[strspn(rest, " \t\r\n")] && len < size;
}

bool repl_command(Repl *r, const char *text) {
  char word[32];
  bool alone = single_word(text, word, sizeof word);
  if (alone && (!strcmp(word, "exit") || !strcmp(word, "quit") || !strcmp(word, "exit()") ||
                !strcmp(word, "quit()"))) {
    r->quit = true;
    return true;
  }
  if (text[strspn(text, " \t")] != ':') return false;
  const Command *c = find_command(word);
  if (c && alone) {
    c->run(r);
    return true;
  }
  char msg[128];
  if (c) snprintf(msg, sizeof msg, "%s takes no arguments.\n", c->name);
  else snprintf(msg, sizeof msg, "Unknown command '%.40s'; :help lists the commands.\n", word);
  repl_error_text(r, msg);
  if (!r->status) r->status = SESSION_COMPILE_ERROR;
  return true;
}
