/* runtime.h — the C functions that JIT-compiled Ember code calls.
 *
 * Everything here has a stable C ABI because the MLIR emitter declares these
 * functions by name (mlir/emit.c) and the JIT resolves them in this process.
 * Values cross the boundary as plain scalars and pointers:
 *   Int, IntN, UIntN  -> int64_t / uintN_t (sign- or zero-extended by caller)
 *   Float16, BFloat16 -> float (the emitter extends; formatting narrows again)
 *   Bool              -> bool (i1 in MLIR, zero-extended to i8 by the ABI)
 *   String            -> const RtStr * (immutable; literals live in the module)
 *
 * Output goes through one sink that the session installs (rt_set_output), so
 * the kernel can stream it and the REPL can print it.
 */
#ifndef EMBER_RUNTIME_H
#define EMBER_RUNTIME_H

#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An immutable string. String literals are emitted as constant globals with
 * this layout ({i64, [n+1 x i8]}); runtime-made strings come from rt_str_new.
 * data is NUL-terminated for C interop; len excludes the NUL. */
typedef struct RtStr {
  int64_t len;
  char data[];
} RtStr;

/* ---- output ---------------------------------------------------------- */
typedef void (*RtOutputFn)(void *user, const char *text, size_t len);
void rt_set_output(RtOutputFn fn, void *user);
void rt_write(const char *text, size_t len);
void rt_write_str(const RtStr *s);
/* print(..., file=stderr): the session's error sink (stderr without one). */
typedef void (*RtErrorOutputFn)(void *user, const char *text, size_t len);
void rt_set_error_output(RtErrorOutputFn fn, void *user);
/* display(x, mime) and clear_output(wait): rich output for the notebook.
   Without a display hook (ember run, the REPL) display prints the text and
   clear_output does nothing. */
typedef struct RtMime {
  const char *mime;    /* "image/png" */
  const char *data;    /* text; base64 for binary formats */
} RtMime;
/* One MIME bundle: several forms of the same thing (text/plain, text/html, ...). */
typedef void (*RtDisplayFn)(void *user, const RtMime *items, int n);
typedef void (*RtClearFn)(void *user, bool wait);
void rt_set_display(RtDisplayFn display, RtClearFn clear, void *user);
void rt_display(const RtStr *mime, const RtStr *data);
void rt_display_bundle(const RtMime *items, int n);  /* items[0] is what a terminal prints */
void rt_clear_output(int32_t wait);
void rt_write_fd_str(int64_t fd, const RtStr *s);   /* fd 2: stderr, else stdout */
void rt_flush(void);

/* ---- memory ----------------------------------------------------------- */
/* The one allocation path for runtime-made values (runtime/alloc.c). Never
 * returns NULL: on exhaustion it raises MemoryError. Nothing is freed yet;
 * the memory model comes with tier 2. */
void *rt_alloc(size_t size);
/* Pointers (memory.c): alloc/free, memset, memcpy. */
void *rt_alloc_aligned(int64_t bytes, int64_t align);
void rt_free_aligned(void *p);
void *rt_null_pointer(void);  /* an opaque NULL (see emit_simd.c) */
void rt_memcpy(void *dst, const void *src, int64_t bytes);
void rt_memset(void *dst, int32_t byte, int64_t bytes);

/* ---- strings ---------------------------------------------------------- */
RtStr *rt_str_new(const char *data, int64_t len);
const RtStr *rt_str_i64(int64_t v);
const RtStr *rt_str_u64(uint64_t v);
const RtStr *rt_str_f64(double v);   /* Python repr: 0.1, 2.0, 1e+16 */
const RtStr *rt_str_f32(float v);    /* shortest repr that round-trips float */
const RtStr *rt_str_f16(float v);    /* value already rounded to half */
const RtStr *rt_str_bf16(float v);   /* value already rounded to bfloat16 */
const RtStr *rt_str_bool(bool v);    /* True / False */
const RtStr *rt_str_repr(const RtStr *s); /* Python repr: 'text' with escapes */
/* [1.0, 2.0]: kind 0 Bool (bit-packed), 1 float, 2 signed, 3 unsigned */
const RtStr *rt_simd_repr(const void *lanes, int64_t n, int32_t kind, int32_t bits);
const RtStr *rt_str_ptr(const void *p);   /* 0x7f... */
const RtStr *rt_str_dtype(int8_t kind);   /* float32 */
const RtStr *rt_str_concat(const RtStr *a, const RtStr *b);
const RtStr *rt_str_repeat(const RtStr *a, int64_t n);
int64_t rt_str_cmp(const RtStr *a, const RtStr *b); /* <0, 0, >0 like strcmp */
bool rt_str_eq(const RtStr *a, const RtStr *b);
int64_t rt_str_len(const RtStr *s);
/* s[i] with Python indexing (negative counts from the end), as a 1-byte
 * string; raises IndexError at cell:line when out of range. */
const RtStr *rt_str_getitem(const RtStr *s, int64_t i, const char *cell,
                            int32_t line);

/* ---- List[T] (list.c) ------------------------------------------------- */
typedef struct RtList {
  int64_t len, cap;
  int64_t elem_size;  /* bytes per element, as compiled code lays T out */
  char *data;
} RtList;

RtList *rt_list_new(int64_t elem_size, int64_t reserve);
void rt_list_free(RtList *l);
RtList *rt_list_concat(const RtList *a, const RtList *b);
RtList *rt_list_repeat(const RtList *l, int64_t n);
RtList *rt_list_slice(const RtList *l, int64_t start, int64_t stop, int64_t step, int32_t given,
                      const char *cell, int32_t line);
void *rt_list_append_slot(RtList *l);   /* where the new last element goes */
int64_t rt_list_len(const RtList *l);
void *rt_list_at(RtList *l, int64_t i, const char *cell, int32_t line);
void *rt_list_pop_slot(RtList *l, int64_t i, const char *cell, int32_t line);
void rt_list_clear(RtList *l);
RtList *rt_list_copy(const RtList *l);
RtList *rt_str_split(const RtStr *s, const RtStr *sep, const char *cell, int32_t line);
const RtStr *rt_str_join(const RtStr *sep, const RtList *parts);
const RtStr *rt_list_repr(const RtList *l, int32_t kind);

/* ---- String methods (strmethods.c); predicates return 0/1 ------------ */
const RtStr *rt_str_upper(const RtStr *s);
const RtStr *rt_str_lower(const RtStr *s);
const RtStr *rt_str_strip(const RtStr *s, int32_t which);  /* 1 left, 2 right, 3 both */
const RtStr *rt_str_strip_chars(const RtStr *s, int32_t which, const RtStr *chars);
int64_t rt_str_find(const RtStr *s, const RtStr *sub);
int64_t rt_str_rfind(const RtStr *s, const RtStr *sub);
int32_t rt_str_contains(const RtStr *s, const RtStr *sub);
int64_t rt_str_count(const RtStr *s, const RtStr *sub);
int32_t rt_str_startswith(const RtStr *s, const RtStr *prefix);
int32_t rt_str_endswith(const RtStr *s, const RtStr *suffix);
const RtStr *rt_str_replace(const RtStr *s, const RtStr *old, const RtStr *new_);
int32_t rt_str_isdigit(const RtStr *s);
int32_t rt_str_isalpha(const RtStr *s);
int32_t rt_str_isspace(const RtStr *s);
const RtStr *rt_str_slice(const RtStr *s, int64_t start, int64_t stop, int64_t step,
                          int32_t has_start, int32_t has_stop, const char *cell, int32_t line);
int64_t rt_str_to_i64(const RtStr *s, const char *cell, int32_t line);
double rt_str_to_f64(const RtStr *s, const char *cell, int32_t line);
/* f-string format specs: [[fill]align][sign][width][.precision][type] */
const RtStr *rt_format_f64_spec(double v, const RtStr *spec, const char *cell, int32_t line);
const RtStr *rt_format_i64_spec(int64_t v, const RtStr *spec, const char *cell, int32_t line);
const RtStr *rt_format_str_spec(const RtStr *s, const RtStr *spec, const char *cell, int32_t line);

/* ---- numbers ---------------------------------------------------------- */
/* Python repr of a double into buf (at least 32 bytes); returns length. */
int rt_format_f64(double v, char *buf);
int rt_format_f32(float v, char *buf);
int rt_format_f16(float v, char *buf);
int rt_format_bf16(float v, char *buf);
double rt_pow_f64(double a, double b);
/* a ** b wrapping at 64 bits; b < 0 raises ValueError at cell:line. */
int64_t rt_pow_i64(int64_t a, int64_t b, const char *cell, int32_t line);

/* ---- time ------------------------------------------------------------- */
/* CLOCK_MONOTONIC in nanoseconds, for `from time import now`. */
int64_t rt_now_ns(void);

/* ---- cell results ----------------------------------------------------- */
void rt_set_result(const RtStr *repr);   /* called by the cell's code */
const RtStr *rt_take_result(void);       /* the session takes it (NULL: none) */
/* More forms of the result (a DataFrame's text/html, an object's
   _repr_*_): copied; taken with the result, at most RT_MAX_MIMES. */
#define RT_MAX_MIMES 8
void rt_add_result_mime(const char *mime, const char *data);
int rt_take_result_mimes(RtMime *out);  /* the caller frees each mime and data */

/* ---- errors -----------------------------------------------------------
 * Errors are values. rt_raise records the error and its first frame, sets
 * rt_error_pending and RETURNS; the compiled code checks the flag after
 * every call that may raise, appends its own frame (rt_add_frame) and
 * returns to its caller, up to the cell, so the session gets a Python-style
 * traceback. Only a fault the code cannot return from (a crash, an
 * allocation failure deep in the runtime) jumps to the guard instead. */
enum { RT_MAX_FRAMES = 64 };  /* deeper tracebacks keep the innermost frames */

typedef struct RtFrame {
  char where[16];      /* the cell's key, "c12" */
  int32_t line;        /* 1-based line in that cell */
} RtFrame;

typedef struct RtError {
  char message[512];   /* "ZeroDivisionError: integer division or modulo by zero" */
  int kind;            /* RT_ERR_* below */
  RtFrame frames[RT_MAX_FRAMES];  /* innermost (the raise) first */
  int nframes;         /* frames recorded (at most RT_MAX_FRAMES) */
  int64_t depth;       /* frames passed through, recorded or not */
  char detail[4096];   /* frames past the innermost Ember one (a Python exception's), as text */
} RtError;

enum { RT_ERR_NONE, RT_ERR_RAISE, RT_ERR_CRASH, RT_ERR_INTERRUPT };

/* The active jump target, or NULL when no cell is running. */
extern sigjmp_buf *rt_guard_target;
extern RtError rt_last_error;
/* Nonzero while an error unwinds; compiled code loads it after calls. */
extern int32_t rt_error_pending;

/* Start an error at (cell, line); `cell` is the cell key or NULL. Returns. */
void rt_raise(const char *message, const char *cell, int32_t line);
void rt_raise_zero_division(const char *cell, int32_t line, int32_t is_true_div);
/* Record that the error passed through (cell, line) on its way out. */
void rt_add_frame(const char *cell, int32_t line);
/* The frames the pending error passed below Ember code (a Python traceback's
   "  File ..." lines), shown after Ember's; the innermost end is kept. */
void rt_set_error_detail(const char *text);
/* try/except: an Error value is an RtStr "Kind: text". A handler saves the
   pending error (clearing the flag), may match its kind, and either drops it
   or restores it to go on unwinding (after a finally). */
RtError *rt_error_save(void);
void rt_error_restore(RtError *saved);       /* frees saved */
void rt_error_free(RtError *saved);
const RtStr *rt_error_value(const RtError *saved);
int32_t rt_error_matches(const RtError *saved, const char *kind);
const RtStr *rt_error_new(const RtStr *message);   /* Error("text") */
const RtStr *rt_error_text(const RtStr *error);    /* str(e): without "Kind: " */
void rt_raise_value(const RtStr *error, const char *cell, int32_t line);

/* Set from another thread or a signal handler to stop the running cell;
   compiled loops read it (volatile) at the top of every iteration. */
extern volatile int32_t rt_interrupt_requested;
/* Raise KeyboardInterrupt at (cell, line) and clear the request. */
void rt_raise_interrupt(const char *cell, int32_t line);
/* input(prompt): the session installs the hook; NULL means stdin is not
   available (input() raises). The hook returns a malloc'd line or NULL at EOF. */
typedef char *(*RtInputFn)(void *user, const char *prompt);
void rt_set_input(RtInputFn fn, void *user);
const RtStr *rt_input(const RtStr *prompt, const char *cell, int32_t line);
/* Forget any error (the session calls it before each cell). */
void rt_clear_error(void);
/* Raise and jump straight to the guard: for faults deep in the runtime that
   have no sensible value to return. */
_Noreturn void rt_raise_jump(const char *message);

/* ---- parallelize: the thread pool (pool.c) ------------------------------
 * rt_parallelize runs body(i, env) for every i in [0, n) and returns when
 * all calls are done. workers <= 0 means one per core (rt_num_cores); the
 * calling thread is one of the workers; indices are handed out one at a
 * time from an atomic counter. The helper threads are made on first use and
 * kept, asleep between calls. n == 1 (or workers == 1) runs inline.
 *   Interrupts: once rt_interrupt_requested (or rt_error_pending) is set, no
 *     new index starts; running bodies finish and the call returns, leaving
 *     the flag for the compiled code after it to check.
 *   Errors: bodies must not raise; errors are not collected across threads.
 *   Faults: a crash in any body stops the job; once every thread has
 *     stopped, it is reported through the cell's guard (RT_ERR_CRASH), as a
 *     crash on the cell's thread is.
 *   Nesting: a call from inside a body runs serially on that thread.
 *   Threads: meant for one caller at a time (the session's cell thread); a
 *     second thread that finds the pool busy runs its loop serially. */
void rt_parallelize(void (*body)(int64_t i, void *env), void *env, int64_t n,
                    int64_t workers);
int64_t rt_num_cores(void);           /* physical cores if sysfs tells, else logical */
int64_t rt_num_logical_cores(void);   /* CPUs this process may run on */
/* For jit/guard.c's fault handler: true while this thread runs a share of a
 * job; rt_pool_fault then records the fault and unwinds the share. */
bool rt_pool_in_body(void);
_Noreturn void rt_pool_fault(const char *message);
/* For tests: helper threads made so far (they are never destroyed). */
int64_t rt_pool_helpers(void);

/* ---- random numbers (random.c), for stdlib/random.ember ---------------
 * One xoshiro256** generator per process, seeded by splitmix64; before any
 * seed it is in the state rt_random_seed(0) gives. Integer ranges are
 * inclusive [lo, hi] and unbiased; float ranges are [lo, hi). Safe to call
 * from several threads (a spin lock guards the state). */
void rt_random_seed(int64_t a);
void rt_random_seed_time(void);                  /* from the wall clock */
uint64_t rt_random_u64(void);                    /* 64 random bits */
double rt_random_float64(double lo, double hi);
int64_t rt_random_si64(int64_t lo, int64_t hi);
uint64_t rt_random_ui64(uint64_t lo, uint64_t hi);
double rt_random_normal(double mean, double stddev);
void rt_random_fill_float64(double *p, int64_t n, double lo, double hi);
void rt_random_fill_float32(float *p, int64_t n, double lo, double hi);
void rt_random_fill_normal64(double *p, int64_t n, double mean, double stddev);
void rt_random_fill_normal32(float *p, int64_t n, double mean, double stddev);

/* ---- GPU (gpu.c) -------------------------------------------------------
 * The CUDA driver, opened with dlopen on first use (nothing links CUDA);
 * one context per process, device 0's primary one. Failures return 0/NULL
 * and record a message (the first is kept until taken); rt_gpu_check
 * raises it as an Error at cell:line. After a kernel fault the context is
 * reset and the message says that earlier device buffers are gone, or,
 * where the driver cannot recover in-process, that the session must be
 * restarted to use the GPU again. Device pointers travel as int64_t. Safe
 * to call from several threads. */
int64_t rt_gpu_context(void);          /* 1 once the context is ready, else 0 */
const RtStr *rt_gpu_error(void);       /* the recorded message ("" if none); clears it */
int64_t rt_gpu_failed(void);           /* 1 while a message is recorded */
void rt_gpu_check(const char *cell, int32_t line);  /* raise the message, if any */
/* For the compiler: "sm_90" for device 0, or NULL without a driver and GPU
   (records nothing). Asked once; the string lives for the process. */
const char *rt_gpu_arch(void);
const RtStr *rt_gpu_name(void);        /* "" without a GPU */
int64_t rt_gpu_compute_capability(void);  /* 90 for 9.0; 0 without a GPU */
int64_t rt_gpu_alloc(int64_t bytes);   /* device memory; 0 bytes gives 1 */
void rt_gpu_free(int64_t ptr);         /* 0 and pointers from before a reset: no-op */
int64_t rt_gpu_host_alloc(int64_t bytes);  /* pinned if it can be, else aligned heap */
void rt_gpu_host_free(int64_t ptr);
/* Copy between any device or host pointers (unified addressing); 1 ok, 0 failed. */
int64_t rt_gpu_copy(int64_t dst, int64_t src, int64_t bytes);
/* Set count elements of elem_size bytes (1, 2, 4 or 8) to value_bits; 1/0. */
int64_t rt_gpu_fill(int64_t dst, int64_t value_bits, int64_t count, int64_t elem_size);
int64_t rt_gpu_synchronize(void);      /* wait for all GPU work; 1/0 */

/* MLIR's GPU launch ABI (the signatures of its CudaRuntimeWrappers.cpp),
   called by code that gpu-to-llvm lowered. Modules are cached by the
   address of their image, so Unload does nothing, and there is one stream,
   so StreamDestroy does nothing. While a message is recorded they do
   nothing and return NULL. */
void *mgpuModuleLoad(void *data, size_t gpuBlobSize);   /* cubin or fatbin */
void *mgpuModuleLoadJIT(void *data, int optLevel);      /* NUL-terminated PTX */
void mgpuModuleUnload(void *module);
void *mgpuModuleGetFunction(void *module, const char *name);
void mgpuLaunchKernel(void *function, intptr_t gridX, intptr_t gridY, intptr_t gridZ,
                      intptr_t blockX, intptr_t blockY, intptr_t blockZ, int32_t smem,
                      void *stream, void **params, void **extra, size_t paramsCount);
void *mgpuStreamCreate(void);
void mgpuStreamDestroy(void *stream);
void mgpuStreamSynchronize(void *stream);
void *mgpuEventCreate(void);
void mgpuEventDestroy(void *event);
void mgpuEventSynchronize(void *event);
void mgpuEventRecord(void *event, void *stream);
void mgpuStreamWaitEvent(void *stream, void *event);

/* ---- executables (ember build; runtime/aot.c) ----------------------- */
typedef struct RtAotCell {
  void (*run)(void);      /* the cell's top level */
  int number;             /* its number in the build ("c3" in frames) */
  const char *name;       /* file or module, as tracebacks name it */
  int first_line;
  const char *source;
  const char *functions;  /* line by line, the function each line is in */
} RtAotCell;
/* Runs the cells in order; on an uncaught error prints the traceback and
   returns 2, else 0. */
int rt_aot_main(const RtAotCell *cells, int n);

#endif
