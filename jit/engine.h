/* jit/engine.h — MLIR text in, callable native code out.
 *
 * One JitEngine per session: an MLIR context that loads only the dialects
 * Ember emits, the CPU lowering (pass managers reused across modules), a
 * host TargetMachine, and one ORC LLJIT whose main JITDylib also resolves
 * symbols of this process (rt_* exported with -rdynamic, libc, libm).  Each cell's MLIR module is
 * added under its own resource tracker, so a cell can be dropped again
 * (%undo, a failed cell) and later cells link to earlier ones by name.
 *
 * Ownership: every char * this API returns or stores through `err` is
 * malloc'd and the caller frees it with free().  Strings passed in are
 * borrowed.  Not thread-safe: use one engine from one thread at a time.
 */
#ifndef EMBER_JIT_ENGINE_H
#define EMBER_JIT_ENGINE_H

#include <stddef.h>

typedef struct JitEngine JitEngine;

/* The full MLIR → LLVM-dialect pipeline (for docs and --version); a module
   runs the part of it that the dialects its text mentions need. */
extern const char *const jit_pipeline;

/* opt_level 0..3 (clamped).  NULL and *err (malloc'd) on failure. */
JitEngine *jit_create(int opt_level, char **err);
void jit_destroy(JitEngine *e);

/* Parse, lower, translate, optimize and add one module under a new
   resource tracker, then generate its machine code and link it (so a
   later jit_lookup is cheap).  Every symbol the module references but does
   not define must resolve, in an earlier module or in this process.
   Returns a handle >= 0, or -1 with *err set to the MLIR diagnostics or
   the LLVM/ORC error text; a failure leaves the JIT as it was. */
int jit_add_mlir(JitEngine *e, const char *mlir_text, char **err);

/* Remove all code and data a handle added.  Code compiled from later
   modules that still points at its symbols must not run afterwards. */
void jit_remove(JitEngine *e, int handle);

/* Address of `name` as written in MLIR (e.g. "main$c3"); the platform's
   global prefix is added here.  Searches the main JITDylib, which also
   reflects process symbols.  NULL if missing (see jit_last_error). */
void *jit_lookup(JitEngine *e, const char *name);

/* Text of one stage for the given module, without adding it: "mlir-llvm"
   (lowered LLVM-dialect MLIR), "llvm" (translated LLVM IR), "llvm-opt"
   (after the O-level pipeline), "asm" (host assembly) or "ptx" (the GPU
   kernels' PTX, "" when the module launches none).  Malloc'd; NULL
   and *err on failure. */
char *jit_emit(JitEngine *e, const char *mlir_text, const char *stage, char **err);

/* An object file (ELF) of the module, optimized and compiled for `cpu`
   (NULL, "" or "native": the host CPU and its features, as the JIT; else an
   LLVM CPU name such as "x86-64-v3" with its default features), for
   `ember build`. Malloc'd bytes and *size; NULL and *err on failure. */
void *jit_emit_object(JitEngine *e, const char *mlir_text, const char *cpu, size_t *size, char **err);

/* "<cpu> <+feature,+feature,...>" of the host, owned by the engine. */
const char *jit_host_cpu(JitEngine *e);

/* Why the last jit_lookup (or jit_remove) failed, or ""; owned by the
   engine, valid until the next call. */
const char *jit_last_error(JitEngine *e);

/* Wall time of the stages of the last jit_add_mlir, in milliseconds;
   codegen_ms is machine code generation and linking. */
typedef struct {
  double parse_ms, lower_ms, translate_ms, optimize_ms, codegen_ms;
} JitTimings;
JitTimings jit_last_timings(JitEngine *e);

#endif
