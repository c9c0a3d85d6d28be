/* jit/engine.c — MLIR text → native code in one ORC LLJIT session.
 *
 * A module goes through these stages, each a short static function below:
 *   parse_mlir   MLIR text → MlirModule (parses and verifies)
 *   lower        the CPU pipeline (jit_pipeline) → LLVM-dialect MLIR
 *   translate    LLVM dialect → LLVM IR in the JIT's ThreadSafeContext,
 *                with the JIT's triple and data layout
 *   optimize     LLVMRunPasses("default<On>") with the host TargetMachine,
 *                so the vectorizers see the host's vector width
 *   add_module   the module goes to the main JITDylib under a new
 *                resource tracker
 *   materialize  a lookup of one of its symbols makes ORC generate code
 *                and link it now, so that an unresolved symbol fails the
 *                add (and the tracker is removed) rather than a later call
 * jit_add_mlir runs them all; jit_emit stops after a stage and prints it.
 *
 * Errors never print: MLIR diagnostics go to on_diag, which appends them to
 * e->diag (the handler returns success, so MLIR's default printer never
 * runs); LLVM and ORC return LLVMErrorRef, turned into malloc'd text by
 * take_error; ORC's out-of-band failures go to on_orc_error.
 *
 * The file reads top-down: small helpers, the engine struct, creation,
 * the stages, then the public API.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* clock_gettime */
#endif
#include "jit/engine.h"

#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <llvm-c/Core.h>
#include <llvm-c/Error.h>
#include <llvm-c/LLJIT.h>
#include <llvm-c/Orc.h>
#include <llvm-c/Support.h>
#include <llvm-c/Target.h>
#include <llvm-c/TargetMachine.h>
#include <llvm-c/Transforms/PassBuilder.h>
#include <mlir-c/Diagnostics.h>
#include <mlir-c/BuiltinAttributes.h>
#include <mlir-c/Dialect/GPU.h>
#include <mlir-c/IR.h>
#include <mlir-c/Pass.h>
#include <mlir-c/RegisterEverything.h>
#include <mlir-c/Target/LLVMIR.h>

/* The CPU lowering, in pieces.  Order matters:
 * - expand-strided-metadata rewrites subview/expand_shape/collapse_shape
 *   into reinterpret_cast + affine.apply, so lower-affine must follow;
 * - convert-math-to-llvm takes every math op with an LLVM intrinsic (sin,
 *   exp, pow, fma, sqrt, ...) first; convert-math-to-libm then turns the
 *   rest (tanh, atan, atan2, erf, cbrt, ...) into calls to libm (tanhf,
 *   tanh), unrolling vectors into vector.extract/insert;
 * - convert-vector-to-llvm: the vector dialect has no convert-to-llvm
 *   interface in MLIR 19, and this pass also runs the vector lowerings
 *   (transfer, contract, transpose, ...);
 * - convert-to-llvm converts arith, cf, func, index, math, memref and ub
 *   in one dialect conversion whose patterns are built once per pass
 *   manager, not once per module as the per-dialect passes do;
 * - reconcile-unrealized-casts must be last.
 * The three middle pieces cost about 60% of lowering even on a module
 * that has nothing for them, so a module gets only those whose dialect
 * its text mentions (see needs()). */
#define PIPE_FIRST "convert-scf-to-cf,"
#define PIPE_STRIDED "expand-strided-metadata,lower-affine,"
#define PIPE_MATH "convert-math-to-llvm,convert-math-to-libm,"
#define PIPE_VECTOR "convert-vector-to-llvm,"
#define PIPE_LAST "convert-to-llvm,reconcile-unrealized-casts"

const char *const jit_pipeline =
    "builtin.module(" PIPE_FIRST PIPE_STRIDED PIPE_MATH PIPE_VECTOR PIPE_LAST ")";

/* A module with GPU kernels (mlir/emit_gpu.c) also lowers its gpu.module
   to NVVM first, its kernel launches to mgpu* calls, and last compiles the
   gpu.module to PTX, which stays in the module as a string constant (the
   driver JIT-compiles it when the kernel is first launched). Functions of
   libdevice (math) are linked from the CUDA toolkit where there is one. */
#define PIPE_GPU_FIRST "gpu.module(convert-vector-to-llvm,convert-gpu-to-nvvm,reconcile-unrealized-casts),"
#define PIPE_GPU_LAUNCH "gpu-to-llvm,"
#define PIPE_GPU_LAST ",gpu-module-to-binary{format=isa%s%s}"

/* Optional pieces of the pipeline; a set of them indexes e->pms. */
enum { NEED_STRIDED = 1, NEED_MATH = 2, NEED_VECTOR = 4, NEED_ALL = 7, NEED_GPU = 8, NEED_SETS = 16 };

/* ---- small helpers ---------------------------------------------------- */

/* A growable byte buffer; p is malloc'd and NUL-terminated once non-NULL. */
typedef struct {
  char *p;
  size_t len, cap;
} Buf;

static void buf_add(Buf *b, const char *s, size_t n) {
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap * 2 : 256;
    while (cap < b->len + n + 1) cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) return; /* drop text rather than fail: it is diagnostics */
    b->p = p;
    b->cap = cap;
  }
  memcpy(b->p + b->len, s, n);
  b->len += n;
  b->p[b->len] = '\0';
}

static void buf_puts(Buf *b, const char *s) { buf_add(b, s, strlen(s)); }

/* MlirStringCallback that appends to the Buf in user_data. */
static void buf_cb(MlirStringRef s, void *user_data) { buf_add(user_data, s.data, s.length); }

/* Hands the text over (malloc'd, never NULL unless out of memory) and
   empties the buffer. */
static char *buf_take(Buf *b) {
  char *p = b->p ? b->p : calloc(1, 1);
  *b = (Buf){0};
  return p;
}

static char *xstrdup(const char *s) {
  size_t n = strlen(s) + 1;
  char *p = malloc(n);
  if (p) memcpy(p, s, n);
  return p;
}

/* printf into a malloc'd string. */
static char *fmt(const char *f, ...) {
  va_list ap, ap2;
  va_start(ap, f);
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, f, ap);
  va_end(ap);
  char *p = n >= 0 ? malloc((size_t)n + 1) : NULL;
  if (p) vsnprintf(p, (size_t)n + 1, f, ap2);
  va_end(ap2);
  return p;
}

/* Stores a malloc'd message through err, or frees it if err is NULL. */
static void set_err(char **err, char *msg) {
  if (err)
    *err = msg;
  else
    free(msg);
}

/* Consumes an LLVMErrorRef; returns its message, malloc'd. */
static char *take_error(LLVMErrorRef er) {
  char *m = LLVMGetErrorMessage(er); /* disposes er */
  char *s = xstrdup(m);
  LLVMDisposeErrorMessage(m);
  return s;
}

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* ---- the engine ------------------------------------------------------- */

struct JitEngine {
  MlirContext ctx;                   /* owns all MLIR IR; single-threaded (no pool) */
  MlirPassManager pms[NEED_SETS]; /* lowering per needs() set, made
                                        on first use, reused after */
  Buf diag;                          /* MLIR diagnostics since the last stage began */
  LLVMTargetMachineRef tm;           /* host TM for optimize (TTI) and "asm"; owned */
  LLVMPassBuilderOptionsRef pbo;     /* vectorizer switches per opt level */
  int opt;                           /* 0..3, for both LLVM pipelines */
  char passes[16];                   /* "default<O2>" */
  LLVMOrcLLJITRef jit;               /* owns compiled code, JITDylibs, the session */
  LLVMOrcJITDylibRef main_jd;        /* borrowed from jit */
  LLVMOrcThreadSafeContextRef tsc;   /* LLVMContext of every translated
                                        module; our reference, shared
                                        with the modules ORC holds */
  LLVMOrcResourceTrackerRef *rts;    /* handle → tracker; NULL if removed */
  int nrts, caprts;                  /* handles given out; room in rts */
  char *host;                        /* "cpu +feat,..." for banners; malloc'd */
  char *last_error;                  /* why the last lookup failed; malloc'd or NULL */
  char *orc_cause;                   /* what ORC's reporter said during that lookup */
  JitTimings timings;                /* of the last jit_add_mlir */
};

/* MLIR diagnostic handler: "loc: error: message" plus notes, into e->diag.
   Returning success marks it handled, so nothing reaches stderr. */
static const char *severity_name(MlirDiagnosticSeverity s) {
  static const char *const names[] = {
      [MlirDiagnosticError] = "error",
      [MlirDiagnosticWarning] = "warning",
      [MlirDiagnosticNote] = "note",
      [MlirDiagnosticRemark] = "remark",
  };
  return (unsigned)s < sizeof names / sizeof *names ? names[s] : "diagnostic";
}

/* Appends a location without MLIR's "loc(" ... ")" wrapper. */
static void print_loc(Buf *b, MlirLocation loc) {
  Buf t = {0};
  mlirLocationPrint(loc, buf_cb, &t);
  const char *s = t.p ? t.p : "";
  size_t n = t.len;
  if (n > 5 && strncmp(s, "loc(", 4) == 0 && s[n - 1] == ')') s += 4, n -= 5;
  buf_add(b, s, n);
  free(t.p);
}

static void print_diag(Buf *b, MlirDiagnostic d) {
  print_loc(b, mlirDiagnosticGetLocation(d));
  buf_puts(b, ": ");
  buf_puts(b, severity_name(mlirDiagnosticGetSeverity(d)));
  buf_puts(b, ": ");
  mlirDiagnosticPrint(d, buf_cb, b);
  buf_puts(b, "\n");
  for (intptr_t i = 0; i < mlirDiagnosticGetNumNotes(d); i++)
    print_diag(b, mlirDiagnosticGetNote(d, i));
}

static MlirLogicalResult on_diag(MlirDiagnostic d, void *user_data) {
  JitEngine *e = user_data;
  print_diag(&e->diag, d);
  return mlirLogicalResultSuccess();
}

/* The collected diagnostics as an error message (malloc'd). */
static char *diag_error(JitEngine *e, const char *stage) {
  if (e->diag.len == 0) return fmt("%s failed", stage);
  char *s = buf_take(&e->diag);
  if (s[0] && s[strlen(s) - 1] == '\n') s[strlen(s) - 1] = '\0';
  return s;
}

/* ORC reports failures that have no caller to return to (e.g. a lazy
   materialization that fails) here instead of printing them. */
static void on_orc_error(void *ctx, LLVMErrorRef er) {
  JitEngine *e = ctx;
  free(e->orc_cause);
  e->orc_cause = take_error(er);
}

/* ---- creation --------------------------------------------------------- */

/* Pass registration is process-wide.  MLIR's C API has no registration
   call for expand-strided-metadata (a memref transform) or lower-affine
   alone, so all passes are registered: about 1 ms, once per process. */
static void register_passes_once(void) {
  static bool done;
  if (done) return;
  mlirRegisterAllPasses();
  done = true;
}

/* The dialects Ember emits, loaded up front: their first-use cost is paid
   here, and convert-to-llvm collects its patterns from the dialects
   loaded when the pass manager first runs.  affine and ub come from the
   lowering itself. */
static const char *const ember_dialects[] = {
    "builtin", "func",   "arith", "math",  "scf",    "cf",
    "memref",  "vector", "llvm",  "index", "affine", "ub",
};

/* The C API has a registration handle for neither the index dialect nor
   the ConvertToLLVM interfaces that convert-to-llvm needs, so every
   dialect and extension is registered; registering builds a table of
   constructors (about 0.3 ms), only the dialects above are loaded. */
static bool load_dialects(MlirContext ctx, char **err) {
  MlirDialectRegistry r = mlirDialectRegistryCreate();
  mlirRegisterAllDialects(r);
  mlirContextAppendDialectRegistry(ctx, r);
  mlirDialectRegistryDestroy(r);
  for (size_t i = 0; i < sizeof ember_dialects / sizeof *ember_dialects; i++) {
    MlirStringRef name = mlirStringRefCreateFromCString(ember_dialects[i]);
    if (mlirDialectIsNull(mlirContextGetOrLoadDialect(ctx, name))) {
      *err = fmt("MLIR dialect '%s' is not available", ember_dialects[i]);
      return false;
    }
  }
  return true;
}

/* Which optional pipeline pieces a module's text may need.  Errs on the
   side of running a piece: a mention in a symbol name costs time, never
   correctness. */
static unsigned needs(const char *text) {
  unsigned n = 0;
  if (strstr(text, "memref") || strstr(text, "affine")) n |= NEED_STRIDED;
  if (strstr(text, "math.")) n |= NEED_MATH;
  if (strstr(text, "vector")) n |= NEED_VECTOR;
  if (strstr(text, "gpu.module")) n |= NEED_GPU;
  return n;
}

/* NVPTX fuses every multiply and add into an fma by default, which the CPU
   does only where the code allows contraction; level 1 makes the GPU fuse
   the same ones, so a kernel computes what the same fn computes on the CPU. */
static void fuse_like_the_cpu(void) {
  static bool done;
  if (done) return;
  done = true;
  const char *args[] = {"ember", "-nvptx-fma-level=1"};
  LLVMParseCommandLineOptions(2, args, NULL);
}

/* The CUDA toolkit, for libdevice: $CUDA_HOME, $CUDA_PATH, or
   /usr/local/cuda; NULL when there is none. */
static const char *cuda_toolkit(void) {
  const char *vars[] = {"CUDA_HOME", "CUDA_PATH", "CUDA_ROOT"};
  for (int i = 0; i < 3; i++) {
    const char *v = getenv(vars[i]);
    if (v && *v && access(v, R_OK) == 0) return v;
  }
  return access("/usr/local/cuda/nvvm/libdevice", R_OK) == 0 ? "/usr/local/cuda" : NULL;
}

/* The pass manager for a needs() set, parsed on first use. */
static MlirPassManager pass_manager(JitEngine *e, unsigned need, char **err) {
  if (!mlirPassManagerIsNull(e->pms[need])) return e->pms[need];
  char text[1024], last[512] = "";
  const char *toolkit = need & NEED_GPU ? cuda_toolkit() : NULL;
  if (need & NEED_GPU) snprintf(last, sizeof last, PIPE_GPU_LAST, toolkit ? " toolkit=" : "", toolkit ? toolkit : "");
  snprintf(text, sizeof text, "builtin.module(%s%s%s%s%s%s%s%s)", need & NEED_GPU ? PIPE_GPU_FIRST : "", PIPE_FIRST,
           need & NEED_STRIDED ? PIPE_STRIDED : "", need & NEED_MATH ? PIPE_MATH : "",
           need & NEED_VECTOR ? PIPE_VECTOR : "", need & NEED_GPU ? PIPE_GPU_LAUNCH : "", PIPE_LAST, last);
  if (need & NEED_GPU) fuse_like_the_cpu();
  MlirPassManager pm = mlirPassManagerCreate(e->ctx);
  e->diag.len = 0;
  MlirLogicalResult r =
      mlirParsePassPipeline(mlirPassManagerGetAsOpPassManager(pm),
                            mlirStringRefCreateFromCString(text), buf_cb, &e->diag);
  if (mlirLogicalResultIsSuccess(r)) return e->pms[need] = pm;
  char *why = buf_take(&e->diag);
  *err = fmt("bad lowering pipeline %s: %s", text, why);
  free(why);
  mlirPassManagerDestroy(pm);
  return (MlirPassManager){NULL};
}

/* The full pipeline is parsed here, so a missing pass fails creation. */
static bool init_mlir(JitEngine *e, char **err) {
  register_passes_once();
  e->ctx = mlirContextCreateWithThreading(false);
  mlirContextAttachDiagnosticHandler(e->ctx, on_diag, e, NULL);
  if (!load_dialects(e->ctx, err)) return false;
  mlirRegisterAllLLVMTranslations(e->ctx); /* registry entries only */
  return !mlirPassManagerIsNull(pass_manager(e, NEED_ALL, err));
}

static LLVMCodeGenOptLevel codegen_level(int opt) {
  static const LLVMCodeGenOptLevel lv[] = {LLVMCodeGenLevelNone, LLVMCodeGenLevelLess,
                                           LLVMCodeGenLevelDefault, LLVMCodeGenLevelAggressive};
  return lv[opt];
}

/* A TargetMachine for the host CPU and its features (AVX-512 where
   present).  PIC + small code model is what ORC's JITLink expects.
   The caller owns the result. */
static LLVMTargetMachineRef host_tm(int opt, char **err) {
  char *triple = LLVMGetDefaultTargetTriple();
  char *cpu = LLVMGetHostCPUName(), *feat = LLVMGetHostCPUFeatures();
  LLVMTargetRef t = NULL;
  LLVMTargetMachineRef tm = NULL;
  char *msg = NULL;
  if (LLVMGetTargetFromTriple(triple, &t, &msg)) {
    *err = fmt("no LLVM target for %s: %s", triple, msg);
    LLVMDisposeMessage(msg);
  } else {
    tm = LLVMCreateTargetMachine(t, triple, cpu, feat, codegen_level(opt), LLVMRelocPIC,
                                 LLVMCodeModelSmall);
    if (!tm) *err = fmt("cannot create a TargetMachine for %s", cpu);
  }
  LLVMDisposeMessage(triple);
  LLVMDisposeMessage(cpu);
  LLVMDisposeMessage(feat);
  return tm;
}

/* "<cpu> <enabled features>" (LLVM lists disabled ones too, as -feat). */
static char *host_string(void) {
  char *cpu = LLVMGetHostCPUName(), *feat = LLVMGetHostCPUFeatures();
  Buf b = {0};
  buf_puts(&b, cpu);
  buf_puts(&b, " ");
  int n = 0;
  for (char *f = strtok(feat, ","); f; f = strtok(NULL, ","))
    if (f[0] == '+') {
      if (n++) buf_puts(&b, ",");
      buf_puts(&b, f);
    }
  LLVMDisposeMessage(cpu);
  LLVMDisposeMessage(feat);
  return buf_take(&b);
}

static bool init_target(JitEngine *e, char **err) {
  if (LLVMInitializeNativeTarget() || LLVMInitializeNativeAsmPrinter()) {
    *err = xstrdup("LLVM has no native target for this host");
    return false;
  }
  e->tm = host_tm(e->opt, err);
  if (!e->tm) return false;
  /* The C API leaves SLP vectorization off; clang turns it and the loop
     vectorizer on from -O2. */
  e->pbo = LLVMCreatePassBuilderOptions();
  LLVMPassBuilderOptionsSetLoopVectorization(e->pbo, e->opt >= 2);
  LLVMPassBuilderOptionsSetSLPVectorization(e->pbo, e->opt >= 2);
  LLVMPassBuilderOptionsSetLoopUnrolling(e->pbo, e->opt >= 1);
  e->host = host_string();
  return true;
}

/* ---- libcalls the host may lack ---------------------------------------- */

/* Without AVX512-BF16, LLVM lowers fptrunc to bfloat into calls to
   __truncsfbf2 / __truncdfbf2, which libgcc has only from GCC 13 (Debian 12
   ships GCC 12).  These stand in when the process lacks them.  Both round
   to nearest even and keep NaNs quiet.  On x86-64 a bfloat travels in the
   low 16 bits of xmm0, as a float does in its low 32: the float returned
   carries the bfloat's bits there and is never computed with. */
static float bits_as_float(uint32_t u) {
  float f;
  memcpy(&f, &u, sizeof f);
  return f;
}

static float trunc_sf_bf(float f) {
  uint32_t u;
  memcpy(&u, &f, sizeof u);
  if ((u & 0x7fffffffu) > 0x7f800000u) /* NaN: keep sign and top bits */
    return bits_as_float((u >> 16) | 0x40u);
  return bits_as_float((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
}

/* Through float rounded to odd, which makes the second rounding exact. */
static float trunc_df_bf(double d) {
  float f = (float)d;
  if (d == d && (double)f != d) {
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    if (fabs((double)f) > fabs(d)) u -= 1; /* toward zero */
    f = bits_as_float(u | 1u);
  }
  return trunc_sf_bf(f);
}

static const struct {
  const char *name;
  void (*fn)(void);
} fallbacks[] = {
    {"__truncsfbf2", (void (*)(void))trunc_sf_bf},
    {"__truncdfbf2", (void (*)(void))trunc_df_bf},
};

/* Defines in main each fallback the process does not export. */
static void define_fallbacks(JitEngine *e) {
#if defined(__x86_64__)
  for (size_t i = 0; i < sizeof fallbacks / sizeof *fallbacks; i++) {
    LLVMOrcExecutorAddress a;
    LLVMErrorRef er = LLVMOrcLLJITLookup(e->jit, &a, fallbacks[i].name);
    if (!er) continue;
    LLVMConsumeError(er);
    LLVMOrcCSymbolMapPair p = {
        LLVMOrcLLJITMangleAndIntern(e->jit, fallbacks[i].name),
        {(LLVMOrcExecutorAddress)(uintptr_t)fallbacks[i].fn,
         {LLVMJITSymbolGenericFlagsExported | LLVMJITSymbolGenericFlagsCallable, 0}}};
    /* AbsoluteSymbols takes p's name; Define takes the unit. */
    er = LLVMOrcJITDylibDefine(e->main_jd, LLVMOrcAbsoluteSymbols(&p, 1));
    if (er) LLVMConsumeError(er);
  }
#else
  (void)e;
#endif
}

/* The LLJIT: code generation for the host TM at the same opt level; by
   default (x86-64 ELF, LLVM 19) it links with JITLink and already puts a
   "<Process Symbols>" JITDylib behind main, so JIT'd code would resolve
   rt_*, libc and libm without help.  A process generator on main itself
   makes a lookup in main (jit_lookup) see them too, as dlsym would. */
static bool init_jit(JitEngine *e, char **err) {
  LLVMTargetMachineRef tm = host_tm(e->opt, err);
  if (!tm) return false;
  /* Each call takes its argument: tm → jtmb → builder → the LLJIT. */
  LLVMOrcJITTargetMachineBuilderRef jtmb =
      LLVMOrcJITTargetMachineBuilderCreateFromTargetMachine(tm);
  LLVMOrcLLJITBuilderRef b = LLVMOrcCreateLLJITBuilder();
  LLVMOrcLLJITBuilderSetJITTargetMachineBuilder(b, jtmb);
  LLVMErrorRef er = LLVMOrcCreateLLJIT(&e->jit, b);
  if (er) {
    *err = take_error(er);
    e->jit = NULL;
    return false;
  }
  e->main_jd = LLVMOrcLLJITGetMainJITDylib(e->jit);
  LLVMOrcExecutionSessionSetErrorReporter(LLVMOrcLLJITGetExecutionSession(e->jit), on_orc_error, e);
  LLVMOrcDefinitionGeneratorRef g;
  er = LLVMOrcCreateDynamicLibrarySearchGeneratorForProcess(&g, LLVMOrcLLJITGetGlobalPrefix(e->jit),
                                                            NULL, NULL);
  if (er) {
    *err = take_error(er);
    return false;
  }
  LLVMOrcJITDylibAddGenerator(e->main_jd, g); /* takes g */
  define_fallbacks(e);
  e->tsc = LLVMOrcCreateNewThreadSafeContext();
  return true;
}

JitEngine *jit_create(int opt_level, char **err) {
  JitEngine *e = calloc(1, sizeof *e);
  if (!e) {
    set_err(err, xstrdup("out of memory"));
    return NULL;
  }
  e->opt = opt_level < 0 ? 0 : opt_level > 3 ? 3 : opt_level;
  snprintf(e->passes, sizeof e->passes, "default<O%d>", e->opt);
  char *msg = NULL;
  if (!init_mlir(e, &msg) || !init_target(e, &msg) || !init_jit(e, &msg)) {
    jit_destroy(e);
    set_err(err, msg);
    return NULL;
  }
  return e;
}

/* Tears down in reverse: trackers, the JIT (frees all code), the LLVM
   context (after the modules ORC held), then MLIR. */
void jit_destroy(JitEngine *e) {
  if (!e) return;
  for (int i = 0; i < e->nrts; i++)
    if (e->rts[i]) LLVMOrcReleaseResourceTracker(e->rts[i]);
  free(e->rts);
  if (e->jit) {
    LLVMErrorRef er = LLVMOrcDisposeLLJIT(e->jit);
    if (er) LLVMConsumeError(er);
  }
  if (e->tsc) LLVMOrcDisposeThreadSafeContext(e->tsc);
  if (e->tm) LLVMDisposeTargetMachine(e->tm);
  if (e->pbo) LLVMDisposePassBuilderOptions(e->pbo);
  for (int i = 0; i < NEED_SETS; i++)
    if (!mlirPassManagerIsNull(e->pms[i])) mlirPassManagerDestroy(e->pms[i]);
  if (!mlirContextIsNull(e->ctx)) mlirContextDestroy(e->ctx);
  free(e->diag.p);
  free(e->host);
  free(e->last_error);
  free(e->orc_cause);
  free(e);
}

/* ---- the stages ------------------------------------------------------- */

/* Text → verified module (caller destroys), or null with *err. */
static MlirModule parse_mlir(JitEngine *e, const char *text, char **err) {
  e->diag.len = 0;
  MlirModule m = mlirModuleCreateParse(e->ctx, mlirStringRefCreateFromCString(text));
  if (mlirModuleIsNull(m)) *err = diag_error(e, "parsing MLIR");
  return m;
}

/* Runs the pipeline text needs on m, in place; false with *err. */
static bool lower(JitEngine *e, MlirModule m, const char *text, char **err) {
  MlirPassManager pm = pass_manager(e, needs(text), err);
  if (mlirPassManagerIsNull(pm)) return false;
  e->diag.len = 0;
  MlirLogicalResult r = mlirPassManagerRunOnOp(pm, mlirModuleGetOperation(m));
  if (mlirLogicalResultIsSuccess(r)) return true;
  *err = diag_error(e, "lowering MLIR to the LLVM dialect");
  return false;
}

/* LLVM dialect → LLVM IR in the shared context, with the JIT's triple and
   data layout (MLIR leaves an empty layout).  Caller owns the module. */
static LLVMModuleRef translate(JitEngine *e, MlirModule m, char **err) {
  e->diag.len = 0;
  /* A fresh LLVMContext per module: ORC frees it with the module's IR once
     the code is generated, so types and constants do not pile up over a
     long session (1,000 cells would otherwise keep ~25 MB). */
  if (e->tsc) LLVMOrcDisposeThreadSafeContext(e->tsc);
  e->tsc = LLVMOrcCreateNewThreadSafeContext();
  LLVMContextRef lc = LLVMOrcThreadSafeContextGetContext(e->tsc);
  LLVMModuleRef lm = mlirTranslateModuleToLLVMIR(mlirModuleGetOperation(m), lc);
  if (!lm) {
    *err = diag_error(e, "translating to LLVM IR");
    return NULL;
  }
  LLVMSetTarget(lm, LLVMOrcLLJITGetTripleString(e->jit));
  LLVMSetDataLayout(lm, LLVMOrcLLJITGetDataLayoutStr(e->jit));
  return lm;
}

static bool optimize_for(JitEngine *e, LLVMModuleRef m, LLVMTargetMachineRef tm, char **err) {
  LLVMErrorRef er = LLVMRunPasses(m, e->passes, tm, e->pbo);
  if (!er) return true;
  *err = take_error(er);
  return false;
}

static bool optimize(JitEngine *e, LLVMModuleRef m, char **err) {
  LLVMErrorRef er = LLVMRunPasses(m, e->passes, e->tm, e->pbo);
  if (!er) return true;
  *err = take_error(er);
  return false;
}

/* Text → optimized LLVM IR (caller owns), timing each stage into t. */
static LLVMModuleRef compile(JitEngine *e, const char *text, JitTimings *t, char **err) {
  *t = (JitTimings){0};
  double t0 = now_ms();
  MlirModule mm = parse_mlir(e, text, err);
  if (mlirModuleIsNull(mm)) return NULL;
  double t1 = now_ms();
  bool ok = lower(e, mm, text, err);
  double t2 = now_ms();
  LLVMModuleRef lm = ok ? translate(e, mm, err) : NULL;
  mlirModuleDestroy(mm);
  double t3 = now_ms();
  if (lm && !optimize(e, lm, err)) {
    LLVMDisposeModule(lm);
    lm = NULL;
  }
  *t = (JitTimings){t1 - t0, t2 - t1, t3 - t2, now_ms() - t3, 0};
  return lm;
}

static bool exported_definition(LLVMValueRef v) {
  LLVMLinkage l = LLVMGetLinkage(v);
  return !LLVMIsDeclaration(v) && l != LLVMInternalLinkage && l != LLVMPrivateLinkage;
}

/* The name of one symbol m defines and exports (malloc'd), or NULL if it
   defines none.  Looking it up compiles and links all of m: LLJIT makes
   one materialization unit per module. */
static char *probe_symbol(LLVMModuleRef m) {
  LLVMValueRef v = LLVMGetFirstFunction(m);
  while (v && !exported_definition(v)) v = LLVMGetNextFunction(v);
  if (!v) v = LLVMGetFirstGlobal(m);
  while (v && !exported_definition(v)) v = LLVMGetNextGlobal(v);
  size_t n;
  return v ? xstrdup(LLVMGetValueName2(v, &n)) : NULL;
}

/* Remembers rt under a new handle; -1 if out of memory. */
static int push_tracker(JitEngine *e, LLVMOrcResourceTrackerRef rt) {
  if (e->nrts == e->caprts) {
    int cap = e->caprts ? e->caprts * 2 : 16;
    void *p = realloc(e->rts, (size_t)cap * sizeof *e->rts);
    if (!p) return -1;
    e->rts = p;
    e->caprts = cap;
  }
  e->rts[e->nrts] = rt;
  return e->nrts++;
}

/* Hands m to ORC under a fresh tracker (m is consumed either way).
   ORC defines all of a module's symbols at once or none: a duplicate
   definition fails here and adds nothing. */
static int add_module(JitEngine *e, LLVMModuleRef m, char **err) {
  LLVMOrcResourceTrackerRef rt = LLVMOrcJITDylibCreateResourceTracker(e->main_jd);
  LLVMOrcThreadSafeModuleRef tsm = LLVMOrcCreateNewThreadSafeModule(m, e->tsc);
  LLVMOrcDisposeThreadSafeContext(e->tsc); /* the module holds its own reference */
  e->tsc = NULL;
  LLVMErrorRef er = LLVMOrcLLJITAddLLVMIRModuleWithRT(e->jit, rt, tsm); /* takes tsm */
  int h = er ? -1 : push_tracker(e, rt);
  if (h >= 0) return h;
  *err = er ? take_error(er) : xstrdup("out of memory");
  er = LLVMOrcResourceTrackerRemove(rt);
  if (er) LLVMConsumeError(er);
  LLVMOrcReleaseResourceTracker(rt);
  return -1;
}

/* ---- public API ------------------------------------------------------- */

/* Generates machine code for handle h now, by looking up `probe`, so that
   an unresolved symbol (a misspelt extern, a libcall the process lacks)
   fails this add instead of a later lookup.  On failure h is removed. */
static bool materialize(JitEngine *e, int h, const char *probe, char **err) {
  if (!probe || jit_lookup(e, probe)) return true;
  *err = fmt("linking failed: %s", e->orc_cause ? e->orc_cause : e->last_error);
  jit_remove(e, h);
  return false;
}

int jit_add_mlir(JitEngine *e, const char *mlir_text, char **err) {
  char *msg = NULL, *probe = NULL;
  LLVMModuleRef m = compile(e, mlir_text, &e->timings, &msg);
  if (m) probe = probe_symbol(m);
  int h = m ? add_module(e, m, &msg) : -1; /* consumes m */
  double t0 = now_ms();
  if (h >= 0 && !materialize(e, h, probe, &msg)) h = -1;
  e->timings.codegen_ms = h >= 0 ? now_ms() - t0 : 0;
  free(probe);
  if (h < 0) set_err(err, msg ? msg : xstrdup("jit_add_mlir failed"));
  return h;
}

void jit_remove(JitEngine *e, int handle) {
  if (handle < 0 || handle >= e->nrts || !e->rts[handle]) return;
  LLVMErrorRef er = LLVMOrcResourceTrackerRemove(e->rts[handle]);
  if (er) {
    free(e->last_error);
    e->last_error = take_error(er);
  }
  LLVMOrcReleaseResourceTracker(e->rts[handle]);
  e->rts[handle] = NULL;
}

/* On failure, last_error holds what ORC's reporter said during the lookup
   (the cause, e.g. "Symbols not found: [ __truncsfbf2 ]") before the
   lookup's own error (the effect, "Failed to materialize symbols"). */
void *jit_lookup(JitEngine *e, const char *name) {
  free(e->orc_cause), e->orc_cause = NULL;
  free(e->last_error), e->last_error = NULL;
  LLVMOrcExecutorAddress a = 0;
  LLVMErrorRef er = LLVMOrcLLJITLookup(e->jit, &a, name); /* mangles */
  if (!er) return (void *)(uintptr_t)a;
  char *what = take_error(er);
  e->last_error = e->orc_cause ? fmt("%s; %s", e->orc_cause, what) : xstrdup(what);
  free(what);
  return NULL;
}

/* Stages of jit_emit, in pipeline order. */
enum { EMIT_MLIR_LLVM, EMIT_LLVM, EMIT_LLVM_OPT, EMIT_ASM, EMIT_PTX, EMIT_N };
static const char *const emit_names[EMIT_N] = {"mlir-llvm", "llvm", "llvm-opt", "asm", "ptx"};

static int emit_stage(const char *s) {
  for (int i = 0; i < EMIT_N; i++)
    if (strcmp(s, emit_names[i]) == 0) return i;
  return -1;
}

static char *print_mlir(MlirModule m) {
  Buf b = {0};
  mlirOperationPrint(mlirModuleGetOperation(m), buf_cb, &b);
  return buf_take(&b);
}

static char *print_llvm(LLVMModuleRef m) {
  char *s = LLVMPrintModuleToString(m);
  char *r = xstrdup(s);
  LLVMDisposeMessage(s);
  return r;
}

static char *print_asm(JitEngine *e, LLVMModuleRef m, char **err) {
  LLVMMemoryBufferRef mb;
  char *msg = NULL;
  if (LLVMTargetMachineEmitToMemoryBuffer(e->tm, m, LLVMAssemblyFile, &msg, &mb)) {
    *err = fmt("code generation failed: %s", msg ? msg : "");
    LLVMDisposeMessage(msg);
    return NULL;
  }
  size_t n = LLVMGetBufferSize(mb);
  char *r = malloc(n + 1);
  if (r) memcpy(r, LLVMGetBufferStart(mb), n), r[n] = '\0';
  LLVMDisposeMemoryBuffer(mb);
  return r;
}

/* The PTX of every gpu.binary in a lowered module (one per cell that
   launches kernels), one after another; "" when there is none. */
static char *print_ptx(MlirModule m) {
  Buf b = {0};
  MlirBlock body = mlirModuleGetBody(m);
  for (MlirOperation op = mlirBlockGetFirstOperation(body); !mlirOperationIsNull(op);
       op = mlirOperationGetNextInBlock(op)) {
    MlirIdentifier name = mlirOperationGetName(op);
    MlirStringRef s = mlirIdentifierStr(name);
    if (s.length != 10 || strncmp(s.data, "gpu.binary", 10)) continue;
    MlirAttribute objects = mlirOperationGetAttributeByName(op, mlirStringRefCreateFromCString("objects"));
    for (intptr_t i = 0; !mlirAttributeIsNull(objects) && i < mlirArrayAttrGetNumElements(objects); i++) {
      MlirAttribute obj = mlirArrayAttrGetElement(objects, i);
      if (!mlirAttributeIsAGPUObjectAttr(obj)) continue;
      MlirStringRef text = mlirGPUObjectAttrGetObject(obj);
      size_t n = text.length;
      while (n && text.data[n - 1] == '\0') n--;  /* the assembly ends in a NUL */
      buf_add(&b, text.data, n);
    }
  }
  return buf_take(&b);
}

/* The LLVM stages of jit_emit; consumes mm. */
static char *emit_llvm(JitEngine *e, MlirModule mm, int stage, char **err) {
  LLVMModuleRef m = translate(e, mm, err);
  mlirModuleDestroy(mm);
  if (!m) return NULL;
  char *out = NULL;
  if (stage == EMIT_LLVM || optimize(e, m, err))
    out = stage == EMIT_ASM ? print_asm(e, m, err) : print_llvm(m);
  LLVMDisposeModule(m);
  LLVMOrcDisposeThreadSafeContext(e->tsc);
  e->tsc = NULL;
  return out;
}

/* A TargetMachine for `cpu` with its default features (for portable
   executables); the caller owns it. */
static LLVMTargetMachineRef cpu_tm(JitEngine *e, const char *cpu, char **err) {
  char *triple = LLVMGetDefaultTargetTriple(), *msg = NULL;
  LLVMTargetRef t = NULL;
  LLVMTargetMachineRef tm = NULL;
  if (LLVMGetTargetFromTriple(triple, &t, &msg)) {
    *err = fmt("no LLVM target for %s: %s", triple, msg);
    LLVMDisposeMessage(msg);
  } else {
    tm = LLVMCreateTargetMachine(t, triple, cpu, "", codegen_level(e->opt), LLVMRelocPIC, LLVMCodeModelSmall);
    if (!tm) *err = fmt("cannot create a TargetMachine for the CPU '%s'", cpu);
  }
  LLVMDisposeMessage(triple);
  return tm;
}

void *jit_emit_object(JitEngine *e, const char *mlir_text, const char *cpu, size_t *size, char **err) {
  char *msg = NULL;
  bool host = !cpu || !*cpu || !strcmp(cpu, "native");
  LLVMTargetMachineRef tm = host ? e->tm : cpu_tm(e, cpu, &msg);
  MlirModule mm = tm ? parse_mlir(e, mlir_text, &msg) : (MlirModule){NULL};
  LLVMModuleRef m = NULL;
  if (!mlirModuleIsNull(mm) && lower(e, mm, mlir_text, &msg)) m = translate(e, mm, &msg);
  if (!mlirModuleIsNull(mm)) mlirModuleDestroy(mm);
  void *out = NULL;
  LLVMMemoryBufferRef mb = NULL;
  char *why = NULL;
  if (m && optimize_for(e, m, tm, &msg)) {
    if (LLVMTargetMachineEmitToMemoryBuffer(tm, m, LLVMObjectFile, &why, &mb)) {
      msg = fmt("code generation failed: %s", why ? why : "");
      LLVMDisposeMessage(why);
    } else {
      *size = LLVMGetBufferSize(mb);
      out = malloc(*size ? *size : 1);
      if (out) memcpy(out, LLVMGetBufferStart(mb), *size);
      LLVMDisposeMemoryBuffer(mb);
    }
  }
  if (m) LLVMDisposeModule(m);
  if (e->tsc) LLVMOrcDisposeThreadSafeContext(e->tsc);
  e->tsc = NULL;
  if (!host && tm) LLVMDisposeTargetMachine(tm);
  if (!out) set_err(err, msg ? msg : xstrdup("jit_emit_object failed"));
  else free(msg);
  return out;
}

char *jit_emit(JitEngine *e, const char *mlir_text, const char *stage, char **err) {
  int st = emit_stage(stage);
  char *msg = NULL;
  if (st < 0) {
    set_err(err, fmt("unknown stage '%s' (mlir-llvm, llvm, llvm-opt, asm, ptx)", stage));
    return NULL;
  }
  MlirModule mm = parse_mlir(e, mlir_text, &msg);
  if (!mlirModuleIsNull(mm) && !lower(e, mm, mlir_text, &msg)) {
    mlirModuleDestroy(mm);
    mm = (MlirModule){NULL};
  }
  char *out = NULL;
  if (!mlirModuleIsNull(mm) && (st == EMIT_MLIR_LLVM || st == EMIT_PTX)) {
    out = st == EMIT_PTX ? print_ptx(mm) : print_mlir(mm);
    mlirModuleDestroy(mm);
  } else if (!mlirModuleIsNull(mm)) {
    out = emit_llvm(e, mm, st, &msg);
  }
  if (!out) set_err(err, msg ? msg : xstrdup("jit_emit failed"));
  return out;
}

const char *jit_host_cpu(JitEngine *e) { return e->host ? e->host : ""; }

const char *jit_last_error(JitEngine *e) { return e->last_error ? e->last_error : ""; }

JitTimings jit_last_timings(JitEngine *e) { return e->timings; }
