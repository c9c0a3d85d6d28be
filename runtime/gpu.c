/* gpu.c — the GPU runtime: device memory, kernel modules and launches over
 * the CUDA driver API.
 *
 * Ember compiles a GPU kernel through MLIR (gpu dialect -> NVVM -> PTX). The
 * gpu-to-llvm lowering turns each gpu.launch_func into calls to the mgpu*
 * functions at the end of this file (the C ABI of MLIR's
 * CudaRuntimeWrappers.cpp), and the standard library's DeviceContext calls
 * the rt_gpu_* functions before them.
 *
 * The driver is opened at run time with dlopen("libcuda.so.1"): nothing
 * links against CUDA or includes cuda.h, so Ember builds and runs on any
 * machine, and on one without an NVIDIA GPU the first GPU call records
 * "no CUDA driver found", which compiled code raises as an Error
 * (rt_gpu_check). The few CUDA types and constants used are declared below.
 *
 * One context per process: device 0's primary context, retained on first
 * use and made current at the start of every entry point, since cells and
 * parallelize workers run on different threads. One mutex guards all state.
 *
 * Errors are recorded, not raised. An entry point that fails returns 0 or
 * NULL and records a message; the first one is kept until rt_gpu_error or
 * rt_gpu_check takes it. While one is recorded the mgpu* functions do
 * nothing, so a kernel that fails to load is not then launched, and one
 * failure reads as one message.
 *
 * The module cache. MLIR's lowering loads the kernel's module before every
 * launch and unloads it after, and loading PTX JIT-compiles it in the
 * driver (milliseconds). The PTX is a constant of the compiled cell, so the
 * loaders cache the module by the constant's address and unload does
 * nothing. An entry keeps a copy of the bytes it was loaded from and is
 * reused only while they match, so a new cell whose constant lands where a
 * freed cell's was gets its own module.
 *
 * Sticky errors. After a kernel fault (an illegal address, a trap) the CUDA
 * context is unusable: every later call fails with the same error. The
 * primary context is then reset, which frees its memory and modules, and
 * the caches are emptied. Where the driver recovers, the message says the
 * buffers are gone and the session goes on using the GPU; device and pinned
 * blocks are kept in a table so that freeing one made before the reset does
 * nothing, rather than freeing whatever the driver has since handed out at
 * that address. Recent drivers do not recover: on an H100 with driver 580
 * even a fresh context fails with the fault's error until the process
 * exits. Then the GPU is marked lost, the message says to restart the
 * session, and every later GPU call fails at once with that advice.
 *
 * The file reads: CUDA declarations and the driver table, errors, the
 * context, the block table, the module cache, the rt_gpu_* functions, then
 * the mgpu* ABI.
 */
#include "runtime/runtime.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the CUDA driver API, declared by hand ------------------------------ */

typedef int CUresult;  /* 0 is CUDA_SUCCESS */
typedef int CUdevice;
typedef unsigned long long CUdeviceptr;
typedef struct CUctx_st *CUcontext;
typedef struct CUmod_st *CUmodule;
typedef struct CUfunc_st *CUfunction;
typedef struct CUstream_st *CUstream;
typedef struct CUevent_st *CUevent;

enum {
  CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75,
  CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76,
  CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES = 8,
  CU_EVENT_DISABLE_TIMING = 2,
};

typedef enum CUjit_option {
  CU_JIT_INFO_LOG_BUFFER = 3,
  CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES = 4,
  CU_JIT_ERROR_LOG_BUFFER = 5,
  CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES = 6,
  CU_JIT_OPTIMIZATION_LEVEL = 7,
} CUjit_option;

/* The errors after which the context is unusable (see "Sticky errors"). */
static const CUresult sticky_errors[] = {
    700,  /* CUDA_ERROR_ILLEGAL_ADDRESS */
    702,  /* CUDA_ERROR_LAUNCH_TIMEOUT */
    710,  /* CUDA_ERROR_ASSERT */
    714,  /* CUDA_ERROR_HARDWARE_STACK_ERROR */
    715,  /* CUDA_ERROR_ILLEGAL_INSTRUCTION */
    716,  /* CUDA_ERROR_MISALIGNED_ADDRESS */
    718,  /* CUDA_ERROR_INVALID_PC */
    719,  /* CUDA_ERROR_LAUNCH_FAILED */
};

/* Kernels may take this much dynamic shared memory without asking. */
enum { DEFAULT_SHARED_LIMIT = 48 * 1024 };

/* Every driver function used: field, exported symbol, parameters. The _v2
 * symbols are the ones cuda.h maps the plain names to. */
#define CU_FUNCTIONS(X)                                                           \
  X(Init, "cuInit", (unsigned flags))                                             \
  X(DeviceGet, "cuDeviceGet", (CUdevice *dev, int ordinal))                       \
  X(DeviceGetCount, "cuDeviceGetCount", (int *count))                             \
  X(DeviceGetAttribute, "cuDeviceGetAttribute", (int *value, int attr, CUdevice dev)) \
  X(DeviceGetName, "cuDeviceGetName", (char *name, int len, CUdevice dev))       \
  X(GetErrorName, "cuGetErrorName", (CUresult r, const char **text))              \
  X(GetErrorString, "cuGetErrorString", (CUresult r, const char **text))          \
  X(PrimaryCtxRetain, "cuDevicePrimaryCtxRetain", (CUcontext *ctx, CUdevice dev)) \
  X(PrimaryCtxRelease, "cuDevicePrimaryCtxRelease_v2", (CUdevice dev))            \
  X(PrimaryCtxReset, "cuDevicePrimaryCtxReset_v2", (CUdevice dev))                \
  X(CtxSetCurrent, "cuCtxSetCurrent", (CUcontext ctx))                            \
  X(CtxSynchronize, "cuCtxSynchronize", (void))                                   \
  X(MemAlloc, "cuMemAlloc_v2", (CUdeviceptr *p, size_t bytes))                    \
  X(MemFree, "cuMemFree_v2", (CUdeviceptr p))                                     \
  X(MemAllocHost, "cuMemAllocHost_v2", (void **p, size_t bytes))                  \
  X(MemFreeHost, "cuMemFreeHost", (void *p))                                      \
  X(Memcpy, "cuMemcpy", (CUdeviceptr dst, CUdeviceptr src, size_t bytes))         \
  X(MemsetD8, "cuMemsetD8_v2", (CUdeviceptr dst, unsigned char v, size_t n))      \
  X(MemsetD16, "cuMemsetD16_v2", (CUdeviceptr dst, unsigned short v, size_t n))   \
  X(MemsetD32, "cuMemsetD32_v2", (CUdeviceptr dst, unsigned v, size_t n))         \
  X(ModuleLoadDataEx, "cuModuleLoadDataEx",                                       \
    (CUmodule *m, const void *image, unsigned n, CUjit_option *opts, void **values)) \
  X(ModuleUnload, "cuModuleUnload", (CUmodule m))                                 \
  X(ModuleGetFunction, "cuModuleGetFunction", (CUfunction *f, CUmodule m, const char *name)) \
  X(FuncSetAttribute, "cuFuncSetAttribute", (CUfunction f, int attr, int value))  \
  X(LaunchKernel, "cuLaunchKernel",                                               \
    (CUfunction f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, \
     unsigned bz, unsigned smem, CUstream s, void **params, void **extra))        \
  X(StreamCreate, "cuStreamCreate", (CUstream *s, unsigned flags))                \
  X(StreamSynchronize, "cuStreamSynchronize", (CUstream s))                       \
  X(StreamWaitEvent, "cuStreamWaitEvent", (CUstream s, CUevent e, unsigned flags)) \
  X(EventCreate, "cuEventCreate", (CUevent *e, unsigned flags))                   \
  X(EventDestroy, "cuEventDestroy_v2", (CUevent e))                               \
  X(EventRecord, "cuEventRecord", (CUevent e, CUstream s))                        \
  X(EventSynchronize, "cuEventSynchronize", (CUevent e))

#define CU_FIELD(field, symbol, params) CUresult (*field) params;
static struct { CU_FUNCTIONS(CU_FIELD) } cu;  /* filled by load_driver */
#undef CU_FIELD

/* ---- state -------------------------------------------------------------- */

static pthread_mutex_t gpu_lock = PTHREAD_MUTEX_INITIALIZER;  /* guards all below */

static int driver_state;        /* 0 not tried, 1 loaded with a GPU, -1 failed */
static char driver_failure[256];/* why it failed, recorded again on each use */
static CUdevice device;         /* device 0, once the driver is loaded */
static CUcontext context;       /* its primary context; NULL until retained */
static CUstream shared_stream;  /* mgpuStreamCreate's one stream; NULL until made */
static CUresult lost_error;     /* the fault no reset recovered from, or 0 */

static bool error_set;          /* a message is recorded and not yet taken */
static char error_text[2048];   /* the first message since it was last taken */

/* ---- errors ------------------------------------------------------------- */

/* Records a message unless one is already waiting to be taken. */
static void fail(const char *fmt, ...) {
  if (error_set) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(error_text, sizeof error_text, fmt, ap);
  va_end(ap);
  error_set = true;
}

static bool is_sticky(CUresult r) {
  for (size_t i = 0; i < sizeof sticky_errors / sizeof *sticky_errors; i++)
    if (sticky_errors[i] == r) return true;
  return false;
}

static const char *error_name(CUresult r) {
  const char *name = NULL;
  if (cu.GetErrorName) cu.GetErrorName(r, &name);
  return name ? name : "CUDA_ERROR_UNKNOWN";
}

static const char *error_string(CUresult r) {
  const char *text = NULL;
  if (cu.GetErrorString) cu.GetErrorString(r, &text);
  return text ? text : "unknown error";
}

static bool reset_context(CUresult fault);

/* Records "<what>: CUDA_ERROR_X: <text><detail>", where text is the
 * driver's description of r unless the caller has a better one (a JIT
 * log). A sticky error also resets the context and says how that went. */
static void cu_fail(CUresult r, const char *what, const char *text, const char *detail) {
  const char *after = "";
  if (is_sticky(r))
    after = reset_context(r)
                ? " (the GPU context was reset: device buffers made before this error are gone)"
                : " (the CUDA driver cannot recover from this in the same process: restart "
                  "the session to use the GPU again)";
  fail("%s: %s: %s%s%s", what, error_name(r), text ? text : error_string(r), detail, after);
}

/* ---- the driver and the context ------------------------------------------ */

/* Fills `cu` from the library; the name of the first missing symbol, or NULL. */
static const char *resolve_driver(void *lib) {
#define CU_RESOLVE(field, symbol, params)                       \
  if (!(cu.field = (CUresult(*) params)dlsym(lib, symbol))) return symbol;
  CU_FUNCTIONS(CU_RESOLVE)
#undef CU_RESOLVE
  return NULL;
}

/* Initialises the driver and finds device 0 (no context yet). */
static bool start_driver(void) {
  void *lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    snprintf(driver_failure, sizeof driver_failure,
             "no CUDA driver found (libcuda.so.1 could not be loaded): "
             "DeviceContext needs an NVIDIA GPU and its driver");
    return false;
  }
  const char *missing = resolve_driver(lib);
  if (missing) {
    memset(&cu, 0, sizeof cu);
    snprintf(driver_failure, sizeof driver_failure,
             "the CUDA driver is too old: libcuda.so.1 has no %s", missing);
    return false;
  }
  CUresult r = cu.Init(0);
  if (r) {
    snprintf(driver_failure, sizeof driver_failure, "no CUDA GPU found: cuInit failed with %s (%s)",
             error_name(r), error_string(r));
    return false;
  }
  int count = 0;
  if (cu.DeviceGetCount(&count) || count < 1 || cu.DeviceGet(&device, 0)) {
    snprintf(driver_failure, sizeof driver_failure,
             "no CUDA GPU found: the CUDA driver sees no device");
    return false;
  }
  return true;
}

/* Loads the driver on the first call; true while a GPU is there. */
static bool load_driver(void) {
  if (!driver_state) driver_state = start_driver() ? 1 : -1;
  return driver_state > 0;
}

static bool retain_context(bool record) {
  CUresult r = cu.PrimaryCtxRetain(&context, device);
  if (r) {
    context = NULL;
    if (record) cu_fail(r, "could not create the GPU context", NULL, "");
  }
  return context != NULL;
}

/* The start of every entry point that uses the driver: loads it, makes the
 * context and makes it current on this thread. Records why not, when
 * `record` says to. */
static bool ensure_context(bool record) {
  if (!load_driver()) {
    if (record) fail("%s", driver_failure);
    return false;
  }
  if (lost_error) {
    if (record)
      fail("the GPU cannot be used after the kernel fault (%s) earlier in this session: "
           "restart the session to use it again", error_name(lost_error));
    return false;
  }
  if (!context && !retain_context(record)) return false;
  CUresult r = cu.CtxSetCurrent(context);
  if (r && record) cu_fail(r, "could not make the GPU context current", NULL, "");
  return r == 0;
}

static void blocks_forget_gpu(void);
static void modules_forget(void);

/* After a sticky error: everything made in the old context is gone. The
 * reset keeps our retain, so it is released and taken again for the fresh
 * context. True when that context works; else the GPU is lost. */
static bool reset_context(CUresult fault) {
  modules_forget();
  blocks_forget_gpu();
  shared_stream = NULL;
  cu.PrimaryCtxReset(device);
  cu.PrimaryCtxRelease(device);
  context = NULL;
  if (cu.PrimaryCtxRetain(&context, device) || cu.CtxSetCurrent(context)) {
    context = NULL;
    lost_error = fault;
    return false;
  }
  return true;
}

/* ---- the block table ------------------------------------------------------
 * Every live device block and host block, by address, with how to free it:
 * an open-addressed hash table (linear probing; removed slots become GONE
 * until the next rehash). Only blocks in it are freed. */

enum { SLOT_EMPTY, SLOT_GONE, BLOCK_DEVICE, BLOCK_PINNED, BLOCK_HEAP };

typedef struct Block {
  uintptr_t addr;
  int kind;  /* SLOT_* when free, else how the block was made */
} Block;

static Block *blocks;       /* block_cap slots, a power of two (or NULL) */
static size_t block_cap;
static size_t block_used;   /* slots not EMPTY: live plus GONE; under half of block_cap */
static size_t block_live;   /* live blocks */

static size_t block_hash(uintptr_t addr) {
  return (size_t)(((uint64_t)addr >> 4) * 0x9E3779B97F4A7C15ull >> 24);
}

/* The slot holding addr, or the empty slot where it would go. */
static Block *block_slot(uintptr_t addr) {
  size_t mask = block_cap - 1;
  for (size_t i = block_hash(addr) & mask;; i = (i + 1) & mask) {
    Block *b = &blocks[i];
    if (b->kind == SLOT_EMPTY || (b->kind != SLOT_GONE && b->addr == addr)) return b;
  }
}

/* Rebuilds the table with room for twice the live blocks; false when out of memory. */
static bool blocks_rehash(void) {
  size_t cap = 64;
  while (cap < 4 * (block_live + 1)) cap *= 2;
  Block *old = blocks, *fresh = calloc(cap, sizeof *fresh);
  size_t old_cap = block_cap;
  if (!fresh) return false;
  blocks = fresh, block_cap = cap, block_used = block_live;
  for (size_t i = 0; i < old_cap; i++)
    if (old[i].kind > SLOT_GONE) *block_slot(old[i].addr) = old[i];
  free(old);
  return true;
}

static bool block_add(uintptr_t addr, int kind) {
  if (2 * (block_used + 1) > block_cap && !blocks_rehash()) return false;
  *block_slot(addr) = (Block){addr, kind};
  block_used++, block_live++;
  return true;
}

/* Removes addr from the table; how it was made, or SLOT_EMPTY if unknown. */
static int block_take(uintptr_t addr) {
  if (!addr || !blocks) return SLOT_EMPTY;
  Block *b = block_slot(addr);
  int kind = b->kind;
  if (kind != SLOT_EMPTY) b->kind = SLOT_GONE, block_live--;
  return kind;
}

/* A reset freed all device and pinned memory; heap blocks live on. */
static void blocks_forget_gpu(void) {
  for (size_t i = 0; i < block_cap; i++)
    if (blocks[i].kind == BLOCK_DEVICE || blocks[i].kind == BLOCK_PINNED)
      blocks[i].kind = SLOT_GONE, block_live--;
}

/* ---- the module cache ---------------------------------------------------- */

typedef struct Module {
  const void *data;  /* the address the loader was given: a cell's constant */
  void *bytes;       /* a copy of what was loaded from there */
  size_t size;
  CUmodule module;
} Module;

static Module *modules;   /* loaded in the current context; kernels are few, so a list */
static size_t module_count, module_cap;

static Module *module_find(const void *data) {
  for (size_t i = 0; i < module_count; i++)
    if (modules[i].data == data) return &modules[i];
  return NULL;
}

/* The reset destroyed the modules themselves; forget the entries. */
static void modules_forget(void) {
  for (size_t i = 0; i < module_count; i++) free(modules[i].bytes);
  module_count = 0;
}

/* A new entry (or NULL when out of memory). */
static Module *module_add(const void *data) {
  if (module_count == module_cap) {
    size_t cap = module_cap ? 2 * module_cap : 16;
    Module *grown = realloc(modules, cap * sizeof *grown);
    if (!grown) return NULL;
    modules = grown, module_cap = cap;
  }
  Module *m = &modules[module_count++];
  *m = (Module){data, NULL, 0, NULL};
  return m;
}

/* Loads a cubin, fatbin or PTX image with an error log; opt_level < 0
 * leaves the JIT's level alone. Records "<what>: CUDA_ERROR_X: <log>". */
static CUmodule load_image(const void *data, int opt_level, const char *what) {
  char log[8192] = "";
  CUjit_option opts[] = {CU_JIT_ERROR_LOG_BUFFER, CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES,
                         CU_JIT_OPTIMIZATION_LEVEL};
  void *values[] = {log, (void *)(uintptr_t)sizeof log, (void *)(uintptr_t)opt_level};
  CUmodule module = NULL;
  CUresult r = cu.ModuleLoadDataEx(&module, data, opt_level < 0 ? 2 : 3, opts, values);
  if (!r) return module;
  size_t n = strlen(log);
  while (n && (log[n - 1] == '\n' || log[n - 1] == ' ')) log[--n] = 0;
  cu_fail(r, what, n ? log : NULL, "");
  return NULL;
}

/* The module for the image at data (size bytes): the cached one while the
 * bytes there are those it was loaded from, else a fresh load. */
static CUmodule cached_module(const void *data, size_t size, int opt_level, const char *what) {
  Module *m = module_find(data);
  if (m && m->size == size && !memcmp(m->bytes, data, size)) return m->module;
  void *copy = malloc(size ? size : 1);
  if (!copy || (!m && !(m = module_add(data)))) {
    free(copy);
    fail("%s: out of memory", what);
    return NULL;
  }
  CUmodule module = load_image(data, opt_level, what);
  if (!module) {
    free(copy);
    return NULL;
  }
  if (m->module) cu.ModuleUnload(m->module);  /* the address now holds another image */
  free(m->bytes);
  memcpy(copy, data, size);
  *m = (Module){data, copy, size, module};
  return module;
}

/* ---- rt_gpu_*: the context, errors and queries ---------------------------- */

int64_t rt_gpu_context(void) {
  pthread_mutex_lock(&gpu_lock);
  bool ok = ensure_context(true);
  pthread_mutex_unlock(&gpu_lock);
  return ok;
}

const RtStr *rt_gpu_error(void) {
  char text[sizeof error_text] = "";
  pthread_mutex_lock(&gpu_lock);
  if (error_set) memcpy(text, error_text, sizeof text);
  error_set = false;
  pthread_mutex_unlock(&gpu_lock);
  return rt_str_new(text, (int64_t)strlen(text));
}

int64_t rt_gpu_failed(void) {
  pthread_mutex_lock(&gpu_lock);
  bool set = error_set;
  pthread_mutex_unlock(&gpu_lock);
  return set;
}

void rt_gpu_check(const char *cell, int32_t line) {
  char message[sizeof error_text + 16];
  pthread_mutex_lock(&gpu_lock);
  bool set = error_set;
  if (set) snprintf(message, sizeof message, "Error: %s", error_text);
  error_set = false;
  pthread_mutex_unlock(&gpu_lock);
  if (set) rt_raise(message, cell, line);
}

/* major * 10 + minor of device 0, or 0 without a GPU (nothing recorded). */
static int64_t capability(void) {
  int major = 0, minor = 0;
  if (!load_driver() ||
      cu.DeviceGetAttribute(&major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, device) ||
      cu.DeviceGetAttribute(&minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, device))
    return 0;
  return major * 10 + minor;
}

int64_t rt_gpu_compute_capability(void) {
  pthread_mutex_lock(&gpu_lock);
  int64_t cc = capability();
  pthread_mutex_unlock(&gpu_lock);
  return cc;
}

/* For the compiler's NVVM target: "sm_90", or NULL without a GPU. Asked
 * once; needs the driver but not a context. */
const char *rt_gpu_arch(void) {
  static char arch[16];
  static bool asked;
  pthread_mutex_lock(&gpu_lock);
  if (!asked) {
    int64_t cc = capability();
    if (cc) snprintf(arch, sizeof arch, "sm_%lld", (long long)cc);
    asked = true;
  }
  pthread_mutex_unlock(&gpu_lock);
  return arch[0] ? arch : NULL;
}

const RtStr *rt_gpu_name(void) {
  char name[256] = "";
  pthread_mutex_lock(&gpu_lock);
  if (load_driver() && cu.DeviceGetName(name, sizeof name, device)) name[0] = 0;
  pthread_mutex_unlock(&gpu_lock);
  return rt_str_new(name, (int64_t)strlen(name));
}

/* ---- rt_gpu_*: memory ------------------------------------------------------ */

static int64_t device_alloc(int64_t bytes) {
  CUdeviceptr p = 0;
  char what[96];
  if (bytes < 0) {
    fail("cannot allocate a negative number of bytes (%lld) on the GPU", (long long)bytes);
    return 0;
  }
  if (!ensure_context(true)) return 0;
  CUresult r = cu.MemAlloc(&p, bytes ? (size_t)bytes : 1);
  if (r) {
    snprintf(what, sizeof what, "could not allocate %lld bytes on the GPU", (long long)bytes);
    cu_fail(r, what, NULL, "");
    return 0;
  }
  if (!block_add((uintptr_t)p, BLOCK_DEVICE)) {
    cu.MemFree(p);
    fail("could not allocate %lld bytes on the GPU: out of host memory", (long long)bytes);
    return 0;
  }
  return (int64_t)p;
}

int64_t rt_gpu_alloc(int64_t bytes) {
  pthread_mutex_lock(&gpu_lock);
  int64_t p = device_alloc(bytes);
  pthread_mutex_unlock(&gpu_lock);
  return p;
}

/* Frees a block from this file's table; unknown pointers (0, or blocks the
 * last reset freed) are left alone. Errors are ignored: a fault behind one
 * shows at the next synchronize. */
static void free_block(int64_t ptr) {
  int kind = block_take((uintptr_t)ptr);
  if (kind == BLOCK_HEAP) free((void *)(uintptr_t)ptr);
  if ((kind == BLOCK_DEVICE || kind == BLOCK_PINNED) && ensure_context(false)) {
    if (kind == BLOCK_DEVICE) cu.MemFree((CUdeviceptr)ptr);
    else cu.MemFreeHost((void *)(uintptr_t)ptr);
  }
}

void rt_gpu_free(int64_t ptr) {
  pthread_mutex_lock(&gpu_lock);
  free_block(ptr);
  pthread_mutex_unlock(&gpu_lock);
}

/* Page-locked host memory when there is a GPU (copies from it run at full
 * speed), else 64-byte-aligned heap memory. */
static int64_t host_alloc(int64_t bytes) {
  void *p = NULL;
  int kind = BLOCK_PINNED;
  if (bytes < 0) {
    fail("cannot allocate a negative number of bytes (%lld)", (long long)bytes);
    return 0;
  }
  size_t size = bytes ? (size_t)bytes : 1;
  if (!ensure_context(false) || cu.MemAllocHost(&p, size)) {
    p = aligned_alloc(64, (size + 63) / 64 * 64);
    kind = BLOCK_HEAP;
  }
  if (p && !block_add((uintptr_t)p, kind)) {
    if (kind == BLOCK_PINNED) cu.MemFreeHost(p);
    else free(p);
    p = NULL;
  }
  if (!p) fail("could not allocate %lld bytes of host memory", (long long)bytes);
  return (int64_t)(uintptr_t)p;
}

int64_t rt_gpu_host_alloc(int64_t bytes) {
  pthread_mutex_lock(&gpu_lock);
  int64_t p = host_alloc(bytes);
  pthread_mutex_unlock(&gpu_lock);
  return p;
}

void rt_gpu_host_free(int64_t ptr) { rt_gpu_free(ptr); }  /* the table knows which */

/* With unified addressing cuMemcpy takes device, pinned and pageable host
 * pointers alike, in either direction. It runs on the legacy default
 * stream, which the launch stream (created blocking) waits on. */
static bool copy_bytes(int64_t dst, int64_t src, int64_t bytes) {
  char what[96];
  if (bytes < 0) {
    fail("cannot copy a negative number of bytes (%lld)", (long long)bytes);
    return false;
  }
  if (!bytes) return true;
  if (!ensure_context(true)) return false;
  CUresult r = cu.Memcpy((CUdeviceptr)dst, (CUdeviceptr)src, (size_t)bytes);
  if (r) {
    snprintf(what, sizeof what, "GPU copy of %lld bytes failed", (long long)bytes);
    cu_fail(r, what, NULL, "");
  }
  return r == 0;
}

int64_t rt_gpu_copy(int64_t dst, int64_t src, int64_t bytes) {
  pthread_mutex_lock(&gpu_lock);
  bool ok = copy_bytes(dst, src, bytes);
  pthread_mutex_unlock(&gpu_lock);
  return ok;
}

/* 8-byte elements have no memset: copies from a host buffer of the value,
 * at most 1 MiB at a time. */
static bool fill_wide(int64_t dst, uint64_t value, int64_t count) {
  int64_t chunk = count < (1 << 17) ? count : (1 << 17);
  uint64_t *buf = malloc((size_t)chunk * sizeof *buf);
  if (!buf) {
    fail("GPU fill failed: out of host memory");
    return false;
  }
  for (int64_t i = 0; i < chunk; i++) buf[i] = value;
  bool ok = true;
  for (int64_t done = 0; ok && done < count; done += chunk) {
    int64_t n = count - done < chunk ? count - done : chunk;
    ok = copy_bytes(dst + done * 8, (int64_t)(uintptr_t)buf, n * 8);
  }
  free(buf);
  return ok;
}

static bool fill(int64_t dst, int64_t value, int64_t count, int64_t elem_size) {
  if (count < 0 || (elem_size != 1 && elem_size != 2 && elem_size != 4 && elem_size != 8)) {
    fail("GPU fill: cannot fill %lld elements of %lld bytes", (long long)count,
         (long long)elem_size);
    return false;
  }
  if (!count) return true;
  if (!ensure_context(true)) return false;
  if (elem_size == 8) return fill_wide(dst, (uint64_t)value, count);
  CUdeviceptr p = (CUdeviceptr)dst;
  size_t n = (size_t)count;
  CUresult r = elem_size == 1   ? cu.MemsetD8(p, (unsigned char)value, n)
               : elem_size == 2 ? cu.MemsetD16(p, (unsigned short)value, n)
                                : cu.MemsetD32(p, (unsigned)value, n);
  if (r) cu_fail(r, "GPU fill failed", NULL, "");
  return r == 0;
}

int64_t rt_gpu_fill(int64_t dst, int64_t value_bits, int64_t count, int64_t elem_size) {
  pthread_mutex_lock(&gpu_lock);
  bool ok = fill(dst, value_bits, count, elem_size);
  pthread_mutex_unlock(&gpu_lock);
  return ok;
}

/* Waits for every launch, copy and fill; a kernel's fault shows here. */
static bool synchronize(void) {
  if (!ensure_context(true)) return false;
  CUresult r = cu.CtxSynchronize();
  if (r) cu_fail(r, "GPU kernel failed", NULL, "");
  return r == 0;
}

int64_t rt_gpu_synchronize(void) {
  pthread_mutex_lock(&gpu_lock);
  bool ok = synchronize();
  pthread_mutex_unlock(&gpu_lock);
  return ok;
}

/* ---- mgpu*: MLIR's launch ABI ----------------------------------------------
 * Each takes the lock, does nothing while an error waits to be taken, and
 * otherwise starts like the rt_gpu_* functions (loading the driver and
 * making the context current). */

static bool mgpu_ready(void) { return !error_set && ensure_context(true); }

void *mgpuModuleLoad(void *data, size_t gpuBlobSize) {
  pthread_mutex_lock(&gpu_lock);
  CUmodule m = NULL;
  if (mgpu_ready())
    m = cached_module(data, gpuBlobSize, -1, "the CUDA driver could not load the kernel's binary");
  pthread_mutex_unlock(&gpu_lock);
  return m;
}

void *mgpuModuleLoadJIT(void *data, int optLevel) {
  pthread_mutex_lock(&gpu_lock);
  CUmodule m = NULL;
  int level = optLevel < 0 ? 0 : optLevel > 4 ? 4 : optLevel;  /* the JIT's range */
  if (mgpu_ready())
    m = cached_module(data, strlen(data) + 1, level,
                      "the CUDA driver could not load the kernel's PTX");
  pthread_mutex_unlock(&gpu_lock);
  return m;
}

void mgpuModuleUnload(void *module) {}  /* modules stay cached for the next launch */

void *mgpuModuleGetFunction(void *module, const char *name) {
  pthread_mutex_lock(&gpu_lock);
  CUfunction f = NULL;
  char what[160];
  if (mgpu_ready()) {
    CUresult r = cu.ModuleGetFunction(&f, module, name);
    if (r) {
      snprintf(what, sizeof what, "the GPU kernel '%s' is not in its module", name);
      cu_fail(r, what, NULL, "");
      f = NULL;
    }
  }
  pthread_mutex_unlock(&gpu_lock);
  return f;
}

static bool dims_fit(const intptr_t dims[3]) {
  for (int i = 0; i < 3; i++)
    if (dims[i] < 1 || (uintmax_t)dims[i] > UINT32_MAX) return false;
  return true;
}

static void launch(CUfunction f, const intptr_t grid[3], const intptr_t block[3], int32_t smem,
                   CUstream stream, void **params, void **extra) {
  char dims[160];
  snprintf(dims, sizeof dims, " (grid %ldx%ldx%ld, block %ldx%ldx%ld)", (long)grid[0],
           (long)grid[1], (long)grid[2], (long)block[0], (long)block[1], (long)block[2]);
  if (!dims_fit(grid) || !dims_fit(block) || smem < 0) {
    fail("GPU kernel launch failed: sizes must be positive and fit 32 bits%s", dims);
    return;
  }
  CUresult r = 0;
  if (smem > DEFAULT_SHARED_LIMIT)
    r = cu.FuncSetAttribute(f, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, smem);
  if (r) {
    char what[96];
    snprintf(what, sizeof what, "GPU kernel launch failed: %d bytes of shared memory", smem);
    cu_fail(r, what, NULL, dims);
    return;
  }
  r = cu.LaunchKernel(f, (unsigned)grid[0], (unsigned)grid[1], (unsigned)grid[2],
                      (unsigned)block[0], (unsigned)block[1], (unsigned)block[2],
                      (unsigned)smem, stream, params, extra);
  if (r) cu_fail(r, "GPU kernel launch failed", NULL, dims);
}

void mgpuLaunchKernel(void *function, intptr_t gridX, intptr_t gridY, intptr_t gridZ,
                      intptr_t blockX, intptr_t blockY, intptr_t blockZ, int32_t smem,
                      void *stream, void **params, void **extra, size_t paramsCount) {
  const intptr_t grid[3] = {gridX, gridY, gridZ}, block[3] = {blockX, blockY, blockZ};
  pthread_mutex_lock(&gpu_lock);
  if (mgpu_ready()) launch(function, grid, block, smem, stream, params, extra);
  pthread_mutex_unlock(&gpu_lock);
}

/* One stream per context, made on first use and kept: creating and
 * destroying one around every launch costs more than the launch. Made
 * blocking (flags 0), so it waits on the copies and fills above. */
void *mgpuStreamCreate(void) {
  pthread_mutex_lock(&gpu_lock);
  if (mgpu_ready() && !shared_stream) {
    CUresult r = cu.StreamCreate(&shared_stream, 0);
    if (r) {
      shared_stream = NULL;
      cu_fail(r, "could not create a GPU stream", NULL, "");
    }
  }
  CUstream s = error_set ? NULL : shared_stream;
  pthread_mutex_unlock(&gpu_lock);
  return s;
}

void mgpuStreamDestroy(void *stream) {}  /* the stream is kept */

void mgpuStreamSynchronize(void *stream) {
  pthread_mutex_lock(&gpu_lock);
  CUresult r = mgpu_ready() ? cu.StreamSynchronize(stream) : 0;
  if (r) cu_fail(r, "GPU kernel failed", NULL, "");
  pthread_mutex_unlock(&gpu_lock);
}

/* Events: MLIR emits them only for async dependencies between launches. */
void *mgpuEventCreate(void) {
  pthread_mutex_lock(&gpu_lock);
  CUevent e = NULL;
  CUresult r = mgpu_ready() ? cu.EventCreate(&e, CU_EVENT_DISABLE_TIMING) : 0;
  if (r) {
    cu_fail(r, "could not create a GPU event", NULL, "");
    e = NULL;
  }
  pthread_mutex_unlock(&gpu_lock);
  return e;
}

void mgpuEventDestroy(void *event) {
  pthread_mutex_lock(&gpu_lock);
  if (mgpu_ready()) cu.EventDestroy(event);
  pthread_mutex_unlock(&gpu_lock);
}

void mgpuEventSynchronize(void *event) {
  pthread_mutex_lock(&gpu_lock);
  CUresult r = mgpu_ready() ? cu.EventSynchronize(event) : 0;
  if (r) cu_fail(r, "GPU kernel failed", NULL, "");
  pthread_mutex_unlock(&gpu_lock);
}

void mgpuEventRecord(void *event, void *stream) {
  pthread_mutex_lock(&gpu_lock);
  CUresult r = mgpu_ready() ? cu.EventRecord(event, stream) : 0;
  if (r) cu_fail(r, "could not record a GPU event", NULL, "");
  pthread_mutex_unlock(&gpu_lock);
}

void mgpuStreamWaitEvent(void *stream, void *event) {
  pthread_mutex_lock(&gpu_lock);
  CUresult r = mgpu_ready() ? cu.StreamWaitEvent(stream, event, 0) : 0;
  if (r) cu_fail(r, "could not make a GPU stream wait for an event", NULL, "");
  pthread_mutex_unlock(&gpu_lock);
}
