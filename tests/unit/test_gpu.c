/* test_gpu.c — the GPU runtime (runtime/gpu.c).
 *
 * Everywhere: host blocks work without a GPU, bad sizes are refused with a
 * message, and unknown pointers are freed as no-ops. Then one of three:
 *   - no libcuda.so.1 (CI): every entry point fails with the "no CUDA driver
 *     found" message, recorded once and raised by rt_gpu_check as an Error;
 *   - a driver, and EMBER_TEST_GPU=1: the real thing — memory, fills and
 *     copies; a hand-written PTX kernel loaded, cached and launched through
 *     MLIR's mgpu* ABI; launch errors naming the sizes; and a kernel fault
 *     that resets the context (the GPU works again) or, where the driver
 *     cannot recover, leaves the GPU lost with advice to restart;
 *   - a driver without EMBER_TEST_GPU=1: "skipped: no GPU".
 *
 * Prints each failure, then "gpu: N passed, M failed"; exits nonzero when
 * anything failed.
 */
#include "runtime/runtime.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/unit_check.h"

/* out[i] = i for i < n, with i = ctaid.x * ntid.x + tid.x. */
static const char iota_ptx[] =
    ".version 7.0\n"
    ".target sm_80\n"
    ".address_size 64\n"
    "\n"
    ".visible .entry iota(.param .u64 out, .param .u32 n)\n"
    "{\n"
    "  .reg .pred %p;\n"
    "  .reg .b32 %r<5>;\n"
    "  .reg .b64 %rd<4>;\n"
    "  ld.param.u64 %rd1, [out];\n"
    "  ld.param.u32 %r1, [n];\n"
    "  mov.u32 %r2, %ctaid.x;\n"
    "  mov.u32 %r3, %ntid.x;\n"
    "  mov.u32 %r4, %tid.x;\n"
    "  mad.lo.s32 %r2, %r2, %r3, %r4;\n"
    "  setp.ge.u32 %p, %r2, %r1;\n"
    "  @%p bra DONE;\n"
    "  cvta.to.global.u64 %rd1, %rd1;\n"
    "  mul.wide.u32 %rd2, %r2, 4;\n"
    "  add.s64 %rd3, %rd1, %rd2;\n"
    "  st.global.u32 [%rd3], %r2;\n"
    "DONE:\n"
    "  ret;\n"
    "}\n";

/* The recorded message, taken (and so cleared). */
static const char *take_error(void) { return rt_gpu_error()->data; }

static bool contains(const char *text, const char *part) { return strstr(text, part) != NULL; }

/* ---- everywhere ---------------------------------------------------------- */

static void test_host_blocks(void) {
  int64_t p = rt_gpu_host_alloc(1000);
  CHECK(p != 0 && p % 64 == 0, "host block %#llx", (long long)p);
  if (p) {
    memset((void *)(intptr_t)p, 7, 1000);
    CHECK(((unsigned char *)(intptr_t)p)[999] == 7, "host block is writable");
  }
  rt_gpu_host_free(p);
  int64_t empty = rt_gpu_host_alloc(0);
  CHECK(empty != 0, "a 0-byte host block is not NULL");
  rt_gpu_host_free(empty);
  CHECK(!rt_gpu_failed(), "host blocks record nothing: %s", take_error());
}

static void test_refusals(void) {
  rt_gpu_free(0);
  rt_gpu_free(0x12340);  /* not a block of ours */
  rt_gpu_host_free(0x12340);
  CHECK(!rt_gpu_failed(), "free of unknown pointers records nothing");

  CHECK(rt_gpu_alloc(-1) == 0, "negative alloc");
  CHECK(contains(take_error(), "negative number of bytes"), "negative alloc message");
  CHECK(rt_gpu_copy(0, 0, -8) == 0, "negative copy");
  CHECK(contains(take_error(), "negative number of bytes"), "negative copy message");
  CHECK(rt_gpu_copy(0, 0, 0) == 1, "a 0-byte copy does nothing and succeeds");
  CHECK(rt_gpu_fill(0, 0, 4, 3) == 0, "3-byte elements");
  CHECK(contains(take_error(), "4 elements of 3 bytes"), "fill message");
  CHECK(!rt_gpu_failed(), "taking the message clears it");
}

/* ---- without a driver ------------------------------------------------------ */

static void test_no_driver(void) {
  static const char no_driver[] = "no CUDA driver found (libcuda.so.1 could not be loaded)";
  static const char whole[] = "no CUDA driver found (libcuda.so.1 could not be loaded): "
                              "DeviceContext needs an NVIDIA GPU and its driver";
  CHECK(rt_gpu_context() == 0, "no context without a driver");
  CHECK(rt_gpu_failed() == 1, "the failure is recorded");
  CHECK(rt_gpu_failed() == 1, "asking does not clear it");
  const char *e = take_error();
  CHECK(!strcmp(e, whole), "got: %s", e);
  CHECK(rt_gpu_failed() == 0, "rt_gpu_error clears it");
  CHECK(rt_gpu_error()->len == 0, "then the message is empty");

  CHECK(rt_gpu_arch() == NULL, "no arch");
  CHECK(rt_gpu_name()->len == 0, "no name");
  CHECK(rt_gpu_compute_capability() == 0, "no capability");
  CHECK(!rt_gpu_failed(), "queries record nothing");

  CHECK(rt_gpu_alloc(64) == 0, "no device memory");
  CHECK(contains(take_error(), no_driver), "alloc says why");
  CHECK(rt_gpu_copy(1, 2, 8) == 0 && contains(take_error(), no_driver), "copy says why");
  CHECK(rt_gpu_synchronize() == 0 && contains(take_error(), no_driver), "sync says why");

  /* One message for a whole launch sequence: the first call records it and
     the rest do nothing. */
  CHECK(mgpuModuleLoadJIT((void *)iota_ptx, 2) == NULL, "no module");
  CHECK(mgpuStreamCreate() == NULL, "no stream");
  CHECK(mgpuModuleGetFunction(NULL, "iota") == NULL, "no function");
  mgpuLaunchKernel(NULL, 1, 1, 1, 1, 1, 1, 0, NULL, NULL, NULL, 0);
  mgpuStreamSynchronize(NULL);
  e = take_error();
  CHECK(!strcmp(e, whole), "one message, not one per call: %s", e);

  /* rt_gpu_check raises it as an Error at the cell's line. */
  rt_clear_error();
  rt_gpu_check("c1", 4);
  CHECK(!rt_error_pending, "nothing to raise");
  rt_gpu_context();
  rt_gpu_check("c7", 3);
  CHECK(rt_error_pending && !strncmp(rt_last_error.message, "Error: no CUDA driver found", 27),
        "raised: %s", rt_last_error.message);
  CHECK(rt_last_error.nframes == 1 && rt_last_error.frames[0].line == 3 &&
            !strcmp(rt_last_error.frames[0].where, "c7"),
        "raised at c7:3");
  CHECK(!rt_gpu_failed(), "raising clears the message");
  rt_clear_error();
}

/* ---- with a GPU ------------------------------------------------------------ */

static void test_memory(void) {
  enum { N = 1000 };
  uint32_t host[N];
  uint64_t wide[N / 2];
  int64_t d = rt_gpu_alloc(N * 4);
  CHECK(d != 0, "alloc: %s", take_error());

  CHECK(rt_gpu_fill(d, 0x01020304, N, 4) == 1, "fill 4");
  CHECK(rt_gpu_copy((int64_t)(intptr_t)host, d, sizeof host) == 1, "copy back");
  CHECK(host[0] == 0x01020304 && host[N - 1] == 0x01020304, "fill 4: %#x", host[N - 1]);

  CHECK(rt_gpu_fill(d, 0x1122334455667788, N / 2, 8) == 1, "fill 8");
  rt_gpu_copy((int64_t)(intptr_t)wide, d, sizeof wide);
  CHECK(wide[0] == 0x1122334455667788 && wide[N / 2 - 1] == 0x1122334455667788, "fill 8");

  CHECK(rt_gpu_fill(d, 0xABCD, 2, 2) == 1 && rt_gpu_fill(d + 4, 0x5A, 1, 1) == 1, "fill 2, 1");
  rt_gpu_copy((int64_t)(intptr_t)host, d, 8);
  CHECK(host[0] == 0xABCDABCD && (host[1] & 0xFF) == 0x5A, "fill 2, 1: %#x %#x", host[0], host[1]);

  for (int i = 0; i < N; i++) host[i] = (uint32_t)i * 3;
  int64_t pinned = rt_gpu_host_alloc(sizeof host);
  CHECK(rt_gpu_copy(d, (int64_t)(intptr_t)host, sizeof host) == 1, "copy in from pageable");
  CHECK(rt_gpu_copy(pinned, d, sizeof host) == 1, "copy out to pinned");
  CHECK(((uint32_t *)(intptr_t)pinned)[N - 1] == (N - 1) * 3, "round trip");
  rt_gpu_host_free(pinned);
  rt_gpu_free(d);
  CHECK(!rt_gpu_failed(), "memory: %s", take_error());
}

/* Launches iota(out, n) the way gpu-to-llvm's code does. */
static void launch_iota(void *function, int64_t out, uint32_t n, intptr_t block, int32_t smem) {
  void *stream = mgpuStreamCreate();
  void *params[] = {&out, &n};
  mgpuLaunchKernel(function, (n + block - 1) / block, 1, 1, block, 1, 1, smem, stream, params,
                   NULL, 2);
  mgpuStreamSynchronize(stream);
  mgpuStreamDestroy(stream);
}

/* True when out[i] == i for all i < n. */
static bool holds_iota(int64_t out, uint32_t n) {
  uint32_t *host = malloc(n * sizeof *host);
  bool ok = host && rt_gpu_copy((int64_t)(intptr_t)host, out, n * 4);
  for (uint32_t i = 0; ok && i < n; i++) ok = host[i] == i;
  free(host);
  return ok;
}

static void test_kernel(void) {
  enum { N = 100000 };
  void *module = mgpuModuleLoadJIT((void *)iota_ptx, 3);
  CHECK(module != NULL, "load PTX: %s", take_error());
  CHECK(mgpuModuleLoadJIT((void *)iota_ptx, 3) == module, "the second load is cached");
  void *function = mgpuModuleGetFunction(module, "iota");
  CHECK(function != NULL, "function: %s", take_error());
  CHECK(mgpuStreamCreate() == mgpuStreamCreate(), "one stream");

  int64_t out = rt_gpu_alloc(N * 4);
  launch_iota(function, out, N, 256, 0);
  CHECK(!rt_gpu_failed() && holds_iota(out, N), "iota: %s", take_error());
  rt_gpu_fill(out, 0, N, 4);
  launch_iota(function, out, N, 128, 64 * 1024);  /* over 48 KiB: asks for it */
  CHECK(!rt_gpu_failed() && holds_iota(out, N), "iota with 64 KiB shared: %s", take_error());
  mgpuModuleUnload(module);

  launch_iota(function, out, N, 4096, 0);
  CHECK(rt_gpu_failed(), "a block of 4096 threads fails");
  CHECK(mgpuStreamCreate() == NULL, "mgpu calls do nothing while a message waits");
  const char *e = take_error();
  CHECK(contains(e, "GPU kernel launch failed: CUDA_ERROR_INVALID_VALUE") &&
            contains(e, "(grid 25x1x1, block 4096x1x1)"),
        "got: %s", e);
  rt_gpu_free(out);
}

static void test_load_errors(void) {
  CHECK(mgpuModuleLoadJIT((void *)"this is not PTX", 2) == NULL, "bad PTX");
  const char *e = take_error();
  CHECK(contains(e, "the CUDA driver could not load the kernel's PTX: CUDA_ERROR_"), "got: %s", e);

  /* The cache checks the bytes: a new image at a cached address is loaded. */
  char *ptx = strdup(iota_ptx);
  void *first = mgpuModuleLoadJIT(ptx, 2);
  memcpy(strstr(ptx, "entry iota") + 6, "iotb", 4);
  void *second = mgpuModuleLoadJIT(ptx, 2);
  CHECK(first && second && mgpuModuleGetFunction(second, "iotb") != NULL,
        "reloaded after the bytes changed: %s", take_error());
  CHECK(mgpuModuleGetFunction(second, "iota") == NULL, "the old kernel is gone");
  e = take_error();
  CHECK(contains(e, "the GPU kernel 'iota' is not in its module: CUDA_ERROR_NOT_FOUND"), "got: %s", e);
  free(ptx);
}

/* A kernel writing through NULL faults. Where the driver recovers, the
   context is reset and the GPU works again, with old pointers freed as
   no-ops; where it cannot (recent drivers), the message says to restart
   and every later call fails at once with that advice. Runs last. */
static void test_fault(void) {
  int64_t old = rt_gpu_alloc(1024);
  void *function = mgpuModuleGetFunction(mgpuModuleLoadJIT((void *)iota_ptx, 2), "iota");
  launch_iota(function, 0, 1024, 256, 0);
  const char *e = take_error();
  bool reset = contains(e, "(the GPU context was reset: device buffers made before this error are gone)");
  bool lost = contains(e, "(the CUDA driver cannot recover from this in the same process: restart "
                          "the session to use the GPU again)");
  CHECK(contains(e, "GPU kernel failed: CUDA_ERROR_ILLEGAL_ADDRESS: ") && (reset || lost), "got: %s", e);
  printf("gpu: after a kernel fault the %s\n", reset ? "context was reset" : "GPU is lost");

  if (lost) {
    CHECK(rt_gpu_alloc(64) == 0, "no memory once lost");
    e = take_error();
    CHECK(contains(e, "the GPU cannot be used after the kernel fault (CUDA_ERROR_ILLEGAL_ADDRESS)") &&
              contains(e, "restart the session"),
          "got: %s", e);
    CHECK(mgpuModuleLoadJIT((void *)iota_ptx, 2) == NULL && rt_gpu_failed(), "no module once lost");
    take_error();
    rt_gpu_free(old);  /* forgotten: does nothing */
    int64_t host = rt_gpu_host_alloc(64);
    CHECK(host != 0, "host blocks still work");
    rt_gpu_host_free(host);
    CHECK(!rt_gpu_failed(), "%s", take_error());
    return;
  }
  int64_t fresh = rt_gpu_alloc(1024 * 4);
  rt_gpu_free(old);  /* made before the reset: must not free `fresh` if it got the address */
  function = mgpuModuleGetFunction(mgpuModuleLoadJIT((void *)iota_ptx, 2), "iota");
  launch_iota(function, fresh, 1024, 256, 0);
  CHECK(!rt_gpu_failed() && holds_iota(fresh, 1024), "after the reset: %s", take_error());
  CHECK(rt_gpu_synchronize() == 1, "synchronize: %s", take_error());
  rt_gpu_free(fresh);
}

static void test_gpu(void) {
  CHECK(rt_gpu_context() == 1, "context: %s", take_error());
  const char *arch = rt_gpu_arch();
  int64_t cc = rt_gpu_compute_capability();
  CHECK(arch && !strncmp(arch, "sm_", 3) && atoi(arch + 3) == cc, "arch %s, cc %lld",
        arch ? arch : "NULL", (long long)cc);
  CHECK(rt_gpu_name()->len > 0, "a name");
  printf("gpu: %s (%s)\n", rt_gpu_name()->data, arch ? arch : "?");
  test_memory();
  test_kernel();
  test_load_errors();
  test_fault();
}

static bool have_driver(void) {
  void *lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (lib) dlclose(lib);
  return lib != NULL;
}

int main(void) {
  const char *want = getenv("EMBER_TEST_GPU");
  test_host_blocks();
  test_refusals();
  if (!have_driver())
    test_no_driver();
  else if (!want || strcmp(want, "1"))
    printf("gpu: skipped: no GPU (EMBER_TEST_GPU=1 runs the GPU checks)\n");
  else if (!rt_gpu_context())
    printf("gpu: skipped: no GPU (%s)\n", take_error());
  else
    test_gpu();
  printf("gpu: %d passed, %d failed\n", passed, failed);
  return failed != 0;
}
