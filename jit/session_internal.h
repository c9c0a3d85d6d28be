/* session_internal.h — the Session's state, shared by session.c (running
 * cells), session_assist.c (completion, inspection, is_complete) and
 * session_magic.c. Front ends use session.h only. */
#ifndef EMBER_SESSION_INTERNAL_H
#define EMBER_SESSION_INTERNAL_H

#include "compiler/ast.h"
#include "compiler/buf.h"
#include "compiler/symbol.h"
#include "jit/engine.h"
#include "jit/session.h"

typedef struct CellRecord {
  int number;
  char *name;             /* as given by the front end */
  int first_line;
  char *source;
  Arena *arena;           /* keeps the cell's AST and symbols alive */
  NodeList stmts;
} CellRecord;

struct Session {
  SessionOptions opts;
  JitEngine *jit;
  GlobalTable *globals;
  CellRecord *cells;
  int ncells, capcells;
  int counter;            /* numbers every cell, compiled or not */
  SessionStats stats;
  char *last_mlir;
  CellRecord *running;    /* the cell being run, for crash reports */
  Buf emitted;            /* opts.emit_stage: the text of the cells so far */
  SessionObject *objects; /* opts.emit_stage "obj": every cell's object */
  int nobjects, capobjects;
  bool emit_discard;      /* %%emit: the emitted cell is shown, not kept */
};

/* Compile and run code as a cell, without magics (session_execute = magics
   + this). */
SessionStatus session_run_source(Session *s, const char *code, const char *cell_name,
                                 int first_line, const SessionCallbacks *cb);
/* A %%python cell (python/bridge.c). */
SessionStatus session_run_python(Session *s, const char *code, const char *cell_name,
                                 const SessionCallbacks *cb);
/* Report the error the last guarded call left (rt_last_error). */
SessionStatus session_report_pending(Session *s, const SessionCallbacks *cb);
/* Look up the address of a global symbol of the session (NULL if none). */
void *session_symbol_address(Session *s, const char *mangled);

#endif
