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

/* One form of a rich output: its MIME type and its text (base64 for binary
   formats such as image/png). */
typedef struct SessionMime {
  const char *mime;
  const char *data;
} SessionMime;

typedef struct SessionCallbacks {
  /* Text the cell printed; called as it runs (unbuffered from the runtime). */
  void (*on_stream)(void *user, const char *text, size_t len);
  /* Text printed with print(..., file=stderr); NULL: it goes to on_stream. */
  void (*on_stderr)(void *user, const char *text, size_t len);
  /* The one error of a failed cell. */
  void (*on_error)(void *user, const SessionError *err);
  /* The value of the cell's last expression, as text/plain. */
  void (*on_result)(void *user, const char *repr);
  /* The same value with its other forms too (a DataFrame's text/html, a
     Python object's _repr_svg_ ...: n of them); NULL: on_result gets the
     text alone. */
  void (*on_result_bundle)(void *user, const char *repr, const SessionMime *forms, int n);
  /* input(prompt): return a malloc'd line without its newline, or NULL when
     the user gave none (EOF). When on_input itself is NULL, input() raises
     StdinNotImplementedError at once (the kernel's allow_stdin=False). */
  char *(*on_input)(void *user, const char *prompt, bool password);
  /* display(x[, mime]): one MIME bundle of n forms (the first is what a
     terminal would print); clear_output(wait). NULL: display prints its
     text, clear_output does nothing (terminals). */
  void (*on_display)(void *user, const SessionMime *forms, int n);
  void (*on_clear_output)(void *user, bool wait);
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
  /* Compile only (ember build --emit): each cell is checked and emitted but
     not run, and the text of this stage ("mlir", or a jit_emit stage:
     mlir-llvm, llvm, llvm-opt, asm, ptx) is collected for session_emitted.
     Standard library modules still load as usual. */
  const char *emit_stage;
  /* emit_stage "obj" (ember build): every cell, standard library modules
     included, becomes an object file for this CPU (NULL: the host's), kept
     in order for session_objects. */
  const char *target_cpu;
} SessionOptions;

/* One compiled cell of `ember build`: its object file and entry point. */
typedef struct SessionObject {
  char *entry;            /* the function that runs the cell's top level, "__cell$c3" */
  char *name;             /* the file or module it came from, for tracebacks */
  char *source;           /* its text, for quoting lines */
  char *functions;        /* line by line, the function each line is in ("<cell>"), '\n'-separated */
  int first_line;         /* the file line of its line 1 */
  void *bytes;
  size_t size;
} SessionObject;

Session *session_create(const SessionOptions *opts, char **err);  /* err: malloc'd */
void session_destroy(Session *s);
/* Forget every definition; the next cell starts from nothing. */
void session_reset(Session *s);
/* Run one cell. cell_name names it in errors; first_line is the line number
   of its first line in a file (1 for a notebook cell). */
SessionStatus session_execute(Session *s, const char *code, const char *cell_name,
                              int first_line, const SessionCallbacks *cb);
SessionStats session_last_stats(const Session *s);
/* The jit_emit stage a user's stage name means (`%%emit llvm`, ember
   build --emit llvm: the optimized IR), or NULL when there is none. */
const char *session_emit_stage(const char *name);
/* With SessionOptions.emit_stage: the text collected so far. */
const char *session_emitted(const Session *s);
/* With emit_stage "obj": the objects so far, in the order the cells ran
   (a module before the cell that imports it); *n of them, owned by s. */
const SessionObject *session_objects(const Session *s, int *n);

/* Stop the running cell at its next loop iteration with KeyboardInterrupt.
   Safe to call from any thread and from a signal handler; does nothing
   harmful when no cell runs (the flag is cleared when a cell starts). */
void session_interrupt(void);

/* Is `code` a whole cell yet? status is "complete", "incomplete" (more lines
   would continue it; *indent gets the indentation the next line should
   have) or "invalid" (no continuation can fix it). indent has room for
   indent_size bytes. Answers from the lexer and parser, as the kernel's
   is_complete_request and the REPL's Enter key need. */
const char *session_is_complete(Session *s, const char *code, char *indent, size_t indent_size);

/* Completions at cursor (an offset in Unicode code points). Matches are
   names the session knows (variables, functions, aliases), keywords,
   builtins and types; members after '.'; module names after 'import'.
   cursor_start/cursor_end (code points) is the text the match replaces. */
typedef struct SessionCompletions {
  char **matches;         /* malloc'd strings, sorted, no duplicates */
  int count;
  int cursor_start, cursor_end;
} SessionCompletions;
void session_complete(Session *s, const char *code, int cursor, SessionCompletions *out);
void session_completions_free(SessionCompletions *c);

/* What the name at cursor is: its signature and docstring for a function,
   its type for a variable, its value for an alias. malloc'd text/plain, or
   NULL when there is no name there that the session knows. */
char *session_inspect(Session *s, const char *code, int cursor, int detail_level);

/* Evaluate one expression against the session (user_expressions): returns
   its repr (malloc'd), or NULL with *err (malloc'd) describing the error.
   Defines nothing. */
char *session_eval(Session *s, const char *expr, char **err);

/* Magics handled by session_execute itself, so both front ends have them:
     %time STMT     run STMT, then print "Wall time: ..." to the stream
     %%time         (first line of a cell) time the whole cell
     %timeit STMT   run STMT repeatedly (auto-ranged like IPython) and print
                    "X ns ± Y ns per loop (mean ± std. dev. of R runs, N loops each)"
     %reset [-f]    forget every definition (session_reset) */
/* The MLIR text of the last cell that compiled (for inspection and tests). */
const char *session_last_mlir(const Session *s);

#endif
