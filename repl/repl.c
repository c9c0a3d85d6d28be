/* repl.c — placeholder until the REPL lands. */
#include "repl/repl.h"

#include <stdio.h>

int repl_main(int argc, char **argv) {
  (void)argc;
  (void)argv;
  fputs("ember: the interactive REPL is not built yet; use 'ember run FILE'\n", stderr);
  return 64;
}
