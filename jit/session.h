/* session.h — the one engine both front ends drive.
 *
 * A Session holds everything a user has defined so far: the global names,
 * the JIT with every compiled cell, and the source of each cell (for
 * tracebacks). session_execute compiles and runs one cell; what it produces
 * arrives through callbacks while it runs. A cell that fails to compile
 * changes nothing; a cell that fails at run time keeps the definitions it
 * compiled (as Python keeps a function defined before a later line raised). */
#ifndef EMBER_SESSION_H
#define EMBER_SESSION_H

#include <stdbool.h>
#include <stddef.h>

typedef struct Session Session;

typedef enum SessionStatus {
  SESSION_OK = 0,
  SESSION_COMPILE_ERROR = 1,
  SESSION_RUNTIME_ERROR = 2,
} SessionStatus;

typedef struct SessionError {
  SessionStatus status;
  const char *ename;      /* "CompileError", "ZeroDivisionError", "Crash", ... */
  const char *evalue;     /* the message without the name */
  const char *traceback;  /* the full report as the user should see it */
} SessionError;

typedef struct SessionCallbacks {
  /* Text the cell printed; called as it runs (unbuffered from the runtime). */
  void (*on_stream)(void *user, const char *text, size_t len);
  /* The one error of a failed cell. */
  void (*on_error)(void *user, const SessionError *err);
  /* The value of the cell's last expression, as text/plain. */
  void (*on_result)(void *user, const char *repr);
  void *user;
} SessionCallbacks;

typedef struct SessionStats {
  double front_ms;        /* lex, parse, check, emit */
  double mlir_ms;         /* MLIR parse + lowering + translation to LLVM IR */
  double optimize_ms;     /* LLVM optimization */
  double codegen_ms;      /* machine code (at lookup) */
  double run_ms;
} SessionStats;

typedef struct SessionOptions {
  int opt_level;          /* 0..3; default 3 */
} SessionOptions;

Session *session_create(const SessionOptions *opts, char **err);  /* err: malloc'd */
void session_destroy(Session *s);
/* Forget every definition; the next cell starts from nothing. */
void session_reset(Session *s);
/* Run one cell. cell_name names it in errors; first_line is the line number
   of its first line in a file (1 for a notebook cell). */
SessionStatus session_execute(Session *s, const char *code, const char *cell_name,
                              int first_line, const SessionCallbacks *cb);
SessionStats session_last_stats(const Session *s);
/* The MLIR text of the last cell that compiled (for inspection and tests). */
const char *session_last_mlir(const Session *s);

#endif
