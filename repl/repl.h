/* repl.h — the terminal REPL front end (ember with no arguments). */
#ifndef EMBER_REPL_H
#define EMBER_REPL_H

/* Interactive on a terminal; a script reader when stdin is not a terminal. */
int repl_main(int argc, char **argv);

#endif
