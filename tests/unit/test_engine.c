/* tests/unit/test_engine.c — jit/engine.c against small hand-written MLIR.
 *
 * Each test_* adds modules the way the emitter will (symbols named
 * "name$cN", one module per cell), calls the results through C function
 * pointers and checks values.  Link with -rdynamic: the JIT must resolve
 * test_twice_plus below, as it will resolve the runtime's rt_* functions.
 * Prints "engine: N passed, M failed"; exits nonzero on any failure.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "jit/engine.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tests/unit/unit_check.h"

/* Used from JIT code by name; exported by -rdynamic. */
int64_t test_twice_plus(int64_t a, int64_t b);
int64_t test_twice_plus(int64_t a, int64_t b) { return 2 * a + b; }
int64_t test_cell_out;

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* Adds text, expecting success; prints the error otherwise. */
static int add(JitEngine *e, const char *text) {
  char *err = NULL;
  int h = jit_add_mlir(e, text, &err);
  CHECK(h >= 0, "jit_add_mlir: %s", err ? err : "?");
  free(err);
  return h;
}

/* Adds text expecting failure; returns the error (caller frees). */
static char *add_fails(JitEngine *e, const char *text) {
  char *err = NULL;
  int h = jit_add_mlir(e, text, &err);
  CHECK(h < 0 && err && err[0], "expected failure, got handle %d", h);
  return err ? err : calloc(1, 1);
}

static void test_scalar(JitEngine *e) {
  add(e,
      "func.func @\"main$c1\"() -> i64 {\n"
      "  %c = arith.constant 42 : i64\n"
      "  return %c : i64\n"
      "}\n");
  int64_t (*f)(void) = (int64_t(*)(void))jit_lookup(e, "main$c1");
  CHECK(f && f() == 42, "main$c1() = %ld", f ? (long)f() : -1L);
  /* a cell body as the front end calls it, writing a process variable */
  add(e,
      "llvm.mlir.global external @test_cell_out() : i64\n"
      "func.func @\"main$c1b\"() -> () {\n"
      "  %c = arith.constant 7 : i64\n"
      "  %p = llvm.mlir.addressof @test_cell_out : !llvm.ptr\n"
      "  llvm.store %c, %p : i64, !llvm.ptr\n"
      "  return\n"
      "}\n");
  void (*g)(void) = (void (*)(void))jit_lookup(e, "main$c1b");
  if (g) g();
  CHECK(g && test_cell_out == 7, "test_cell_out = %ld", (long)test_cell_out);
}

/* Cell 2 defines f and global x; cell 3 only declares them. */
static void test_cross_module(JitEngine *e) {
  add(e,
      "llvm.mlir.global external @\"x$c2\"(5 : i64) : i64\n"
      "func.func @\"f$c2\"(%a: i64) -> i64 {\n"
      "  %c2 = arith.constant 2 : i64\n"
      "  %c1 = arith.constant 1 : i64\n"
      "  %m = arith.muli %a, %c2 : i64\n"
      "  %r = arith.addi %m, %c1 : i64\n"
      "  return %r : i64\n"
      "}\n");
  add(e,
      "llvm.mlir.global external @\"x$c2\"() : i64\n"
      "func.func private @\"f$c2\"(i64) -> i64\n"
      "func.func @\"g$c3\"(%a: i64) -> i64 {\n"
      "  %p = llvm.mlir.addressof @\"x$c2\" : !llvm.ptr\n"
      "  %x = llvm.load %p : !llvm.ptr -> i64\n"
      "  %s = arith.addi %x, %a : i64\n"
      "  llvm.store %s, %p : i64, !llvm.ptr\n"
      "  %r = func.call @\"f$c2\"(%s) : (i64) -> i64\n"
      "  return %r : i64\n"
      "}\n");
  int64_t (*g)(int64_t) = (int64_t(*)(int64_t))jit_lookup(e, "g$c3");
  int64_t *x = jit_lookup(e, "x$c2");
  CHECK(g && x, "lookup g$c3 / x$c2: %s", jit_last_error(e));
  if (!g || !x) return;
  int64_t r = g(10); /* x: 5 → 15; f(15) = 31 */
  CHECK(r == 31, "g(10) = %ld", (long)r);
  CHECK(*x == 15, "x = %ld", (long)*x);
}

/* libc, the test's own exported function, and libm through math ops. */
static void test_process_symbols(JitEngine *e) {
  add(e,
      "func.func private @labs(i64) -> i64\n"
      "func.func private @test_twice_plus(i64, i64) -> i64\n"
      "func.func @\"h$c4\"(%a: i64) -> i64 {\n"
      "  %b = func.call @labs(%a) : (i64) -> i64\n"
      "  %r = func.call @test_twice_plus(%b, %a) : (i64, i64) -> i64\n"
      "  return %r : i64\n"
      "}\n"
      "func.func @\"m$c4\"(%x: f64) -> f64 {\n"
      "  %s = math.sin %x : f64\n"
      "  %t = math.tanh %x : f64\n"
      "  %a = math.atan %x : f64\n"
      "  %p = math.powf %x, %x : f64\n"
      "  %c3 = arith.constant 3 : i32\n"
      "  %q = math.fpowi %x, %c3 : f64, i32\n"
      "  %1 = arith.addf %s, %t : f64\n"
      "  %2 = arith.addf %1, %a : f64\n"
      "  %3 = arith.addf %2, %p : f64\n"
      "  %4 = arith.addf %3, %q : f64\n"
      "  return %4 : f64\n"
      "}\n");
  int64_t (*h)(int64_t) = (int64_t(*)(int64_t))jit_lookup(e, "h$c4");
  CHECK(h && h(-7) == 7, "h(-7) = %ld", h ? (long)h(-7) : 0L);
  double (*m)(double) = (double (*)(double))jit_lookup(e, "m$c4");
  double x = 0.7, want = sin(x) + tanh(x) + atan(x) + pow(x, x) + x * x * x;
  CHECK(m && fabs(m(x) - want) < 1e-12, "m(0.7) = %g, want %g", m ? m(x) : 0, want);
}

/* scf.for / scf.while / scf.if, memref.alloca, vector math on f32. */
static void test_control_flow(JitEngine *e) {
  add(e,
      "func.func @\"sum$c5\"(%n: index) -> i64 {\n"
      "  %c0 = arith.constant 0 : index\n"
      "  %c1 = arith.constant 1 : index\n"
      "  %z = arith.constant 0 : i64\n"
      "  %buf = memref.alloca() : memref<1xi64>\n"
      "  memref.store %z, %buf[%c0] : memref<1xi64>\n"
      "  scf.for %i = %c0 to %n step %c1 {\n"
      "    %v = memref.load %buf[%c0] : memref<1xi64>\n"
      "    %ii = arith.index_cast %i : index to i64\n"
      "    %two = arith.constant 2 : i64\n"
      "    %r = arith.remsi %ii, %two : i64\n"
      "    %even = arith.cmpi eq, %r, %z : i64\n"
      "    %w = scf.if %even -> i64 {\n"
      "      %a = arith.addi %v, %ii : i64\n"
      "      scf.yield %a : i64\n"
      "    } else {\n"
      "      scf.yield %v : i64\n"
      "    }\n"
      "    memref.store %w, %buf[%c0] : memref<1xi64>\n"
      "  }\n"
      "  %s = memref.load %buf[%c0] : memref<1xi64>\n"
      "  %k = scf.while (%x = %s) : (i64) -> i64 {\n"
      "    %lim = arith.constant 1000 : i64\n"
      "    %c = arith.cmpi slt, %x, %lim : i64\n"
      "    scf.condition(%c) %x : i64\n"
      "  } do {\n"
      "  ^bb0(%x: i64):\n"
      "    %t = arith.constant 3 : i64\n"
      "    %y = arith.muli %x, %t : i64\n"
      "    scf.yield %y : i64\n"
      "  }\n"
      "  return %k : i64\n"
      "}\n"
      "func.func @\"v$c5\"(%x: f32) -> f32 {\n"
      "  %b = vector.broadcast %x : f32 to vector<16xf32>\n"
      "  %t = math.tanh %b : vector<16xf32>\n"
      "  %s = arith.addf %t, %b : vector<16xf32>\n"
      "  %r = vector.reduction <add>, %s : vector<16xf32> into f32\n"
      "  return %r : f32\n"
      "}\n");
  int64_t (*s)(intptr_t) = (int64_t(*)(intptr_t))jit_lookup(e, "sum$c5");
  /* even i in [0,10): 0+2+4+6+8 = 20 → 60 → 180 → 540 → 1620 */
  CHECK(s && s(10) == 1620, "sum(10) = %ld", s ? (long)s(10) : 0L);
  float (*v)(float) = (float (*)(float))jit_lookup(e, "v$c5");
  float want = 16 * (tanhf(0.5f) + 0.5f);
  CHECK(v && fabsf(v(0.5f) - want) < 1e-4f, "v(0.5) = %g, want %g", v ? v(0.5f) : 0, want);
}

/* bfloat16 needs __truncsfbf2/__truncdfbf2, which the engine supplies
   where libgcc lacks them; both must round to nearest even. */
static void test_bfloat16(JitEngine *e) {
  add(e,
      "func.func @\"bf$c13\"(%a: f32, %b: f32) -> f32 {\n"
      "  %x = arith.truncf %a : f32 to bf16\n"
      "  %y = arith.truncf %b : f32 to bf16\n"
      "  %m = arith.mulf %x, %y : bf16\n"
      "  %r = arith.extf %m : bf16 to f32\n"
      "  return %r : f32\n"
      "}\n"
      "func.func @\"bfd$c13\"(%a: f64) -> f32 {\n"
      "  %x = arith.truncf %a : f64 to bf16\n"
      "  %r = arith.extf %x : bf16 to f32\n"
      "  return %r : f32\n"
      "}\n");
  float (*m)(float, float) = (float (*)(float, float))jit_lookup(e, "bf$c13");
  float (*d)(double) = (float (*)(double))jit_lookup(e, "bfd$c13");
  CHECK(m && d, "bf16 lookup: %s", jit_last_error(e));
  if (!m || !d) return;
  CHECK(m(1.5f, 1.5f) == 2.25f, "1.5*1.5 = %g", m(1.5f, 1.5f));
  CHECK(m(3.14159f, 1) == 3.140625f, "pi = %g", m(3.14159f, 1));
  CHECK(m(1.00390625f, 1) == 1.0f, "tie to even down: %g", m(1.00390625f, 1));
  CHECK(m(1.01171875f, 1) == 1.015625f, "tie to even up: %g", m(1.01171875f, 1));
  CHECK(isnan(m(NAN, 1)), "NaN");
  CHECK(d(1.00390625 + 0x1p-40) == 1.0078125f, "f64 above a tie: %g", d(1.00390625 + 0x1p-40));
  CHECK(d(1.00390625) == 1.0f && d(-2.5) == -2.5f, "f64 ties / exact");
  CHECK(isinf(d(1e300)) && d(1e-300) == 0.0f, "f64 overflow / underflow");
}

/* Runs f with stderr sent to a temp file; returns the bytes written. */
static long stderr_bytes_during(void (*f)(JitEngine *), JitEngine *e) {
  fflush(stderr);
  FILE *tmp = tmpfile();
  int saved = dup(2);
  dup2(fileno(tmp), 2);
  f(e);
  fflush(stderr);
  dup2(saved, 2);
  close(saved);
  fseek(tmp, 0, SEEK_END);
  long n = ftell(tmp);
  fclose(tmp);
  return n;
}

static void bad_modules(JitEngine *e) {
  char *err = add_fails(e,
                        "func.func @\"bad$c6\"() -> i64 {\n"
                        "  %c = arith.constant 1 : i64\n"
                        "  return %c i64\n"
                        "}\n");
  printf("  syntax error reads: %s\n", err);
  CHECK(strstr(err, "error") && strstr(err, ":3:"), "no line in: %s", err);
  free(err);
  err = add_fails(e,
                  "func.func @\"bad$c7\"() -> i64 {\n"
                  "  %c = arith.constant 1 : i32\n"
                  "  return %c : i32\n"
                  "}\n");
  printf("  verifier error reads: %s\n", err);
  CHECK(strstr(err, "error"), "%s", err);
  free(err);
  /* defines ok$c8 but calls something nobody defines */
  err = add_fails(e,
                  "func.func private @no_such_function_xyz() -> ()\n"
                  "func.func @\"ok$c8\"() -> () {\n"
                  "  func.call @no_such_function_xyz() : () -> ()\n"
                  "  return\n"
                  "}\n");
  printf("  undefined symbol reads: %s\n", err);
  CHECK(strstr(err, "no_such_function_xyz"), "%s", err);
  free(err);
  CHECK(jit_lookup(e, "ok$c8") == NULL, "failed module left ok$c8 behind");
  add(e, "func.func @\"ok$c8\"() -> () { return }\n"); /* the name is free */
  CHECK(jit_lookup(e, "ok$c8") != NULL, "ok$c8 after fixing: %s", jit_last_error(e));
  /* redefines f$c2 from test_cross_module */
  err = add_fails(e, "func.func @\"f$c2\"() -> () { return }\n");
  printf("  duplicate definition reads: %s\n", err);
  free(err);
}

static void test_errors(JitEngine *e) {
  long n = stderr_bytes_during(bad_modules, e);
  CHECK(n == 0, "%ld bytes went to stderr", n);
  add(e,
      "func.func @\"after$c9\"() -> i64 {\n"
      "  %c = arith.constant 9 : i64\n"
      "  return %c : i64\n"
      "}\n");
  int64_t (*f)(void) = (int64_t(*)(void))jit_lookup(e, "after$c9");
  CHECK(f && f() == 9, "engine broken after errors");
  int64_t (*g)(int64_t) = (int64_t(*)(int64_t))jit_lookup(e, "g$c3");
  CHECK(g && g(0) == 31, "earlier cell broken after errors");
}

static void test_remove(JitEngine *e) {
  const char *text =
      "func.func @\"gone$c10\"() -> i64 {\n"
      "  %c = arith.constant 10 : i64\n"
      "  return %c : i64\n"
      "}\n";
  int h = add(e, text);
  CHECK(jit_lookup(e, "gone$c10") != NULL, "before remove");
  jit_remove(e, h);
  CHECK(jit_lookup(e, "gone$c10") == NULL, "still there after remove");
  jit_remove(e, h); /* twice is harmless */
  h = add(e, text); /* the name is free again */
  int64_t (*f)(void) = (int64_t(*)(void))jit_lookup(e, "gone$c10");
  CHECK(f && f() == 10, "re-add after remove");
}

static void test_emit(JitEngine *e) {
  const char *text =
      "func.func @\"vadd$c11\"(%a: vector<16xf32>, %b: vector<16xf32>)"
      " -> vector<16xf32> {\n"
      "  %r = arith.addf %a, %b : vector<16xf32>\n"
      "  return %r : vector<16xf32>\n"
      "}\n";
  const char *want[] = {"mlir-llvm", "llvm.fadd",    "llvm", "fadd <16 x float>",
                        "llvm-opt",  "<16 x float>", "asm",  "vadd$c11"};
  for (int i = 0; i < 8; i += 2) {
    char *err = NULL, *out = jit_emit(e, text, want[i], &err);
    CHECK(out && strstr(out, want[i + 1]), "emit %s: %s", want[i], out ? out : err);
    const char *line = out && i == 4 ? strstr(out, "fadd") : NULL;
    if (line) printf("  llvm-opt: %.*s\n", (int)strcspn(line, "\n"), line);
    free(out);
    free(err);
  }
  char *err = NULL;
  CHECK(!jit_emit(e, text, "nope", &err) && err, "unknown stage");
  free(err);
  CHECK(jit_lookup(e, "vadd$c11") == NULL, "jit_emit must not add");
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Median of n samples (sorts them). */
static double median(double *v, int n) {
  qsort(v, (size_t)n, sizeof *v, cmp_double);
  return v[n / 2];
}

/* Per-module cost after the first, as medians (this is noisy on shared
   machines): jit_add_mlir by stage, plus the lookup. */
static void test_timing(JitEngine *e) {
  enum { N = 200 };
  static double total[N], adds[N], st[5][N];
  char text[512];
  for (int i = 0; i < N; i++) {
    snprintf(text, sizeof text,
             "func.func private @\"f$c2\"(i64) -> i64\n"
             "func.func @\"t%d$c12\"(%%a: i64) -> i64 {\n"
             "  %%c = arith.constant %d : i64\n"
             "  %%s = arith.addi %%a, %%c : i64\n"
             "  %%r = func.call @\"f$c2\"(%%s) : (i64) -> i64\n"
             "  return %%r : i64\n"
             "}\n",
             i, i);
    double t0 = now_ms();
    add(e, text);
    double t1 = now_ms();
    snprintf(text, sizeof text, "t%d$c12", i);
    int64_t (*f)(int64_t) = (int64_t(*)(int64_t))jit_lookup(e, text);
    total[i] = now_ms() - t0, adds[i] = t1 - t0;
    CHECK(f && f(1) == 2 * (1 + i) + 1, "t%d", i);
    JitTimings t = jit_last_timings(e);
    st[0][i] = t.parse_ms, st[1][i] = t.lower_ms;
    st[2][i] = t.translate_ms, st[3][i] = t.optimize_ms;
    st[4][i] = t.codegen_ms;
  }
  printf(
      "  per small module (median of %d): %.3f ms = add %.3f (parse %.3f "
      "lower %.3f translate %.3f optimize %.3f codegen+link %.3f) + lookup\n",
      N, median(total, N), median(adds, N), median(st[0], N), median(st[1], N), median(st[2], N),
      median(st[3], N), median(st[4], N));
}

int main(void) {
  char *err = NULL;
  double t0 = now_ms();
  JitEngine *e = jit_create(2, &err);
  double t1 = now_ms();
  CHECK(e != NULL, "jit_create: %s", err ? err : "?");
  if (!e) return printf("engine: %d passed, %d failed\n", passed, failed), 1;
  printf("  jit_create: %.2f ms; host: %.60s...\n", t1 - t0, jit_host_cpu(e));
  double t2 = now_ms();
  test_scalar(e);
  printf("  first module (add + lookup): %.2f ms\n", now_ms() - t2);
  test_cross_module(e);
  test_process_symbols(e);
  test_control_flow(e);
  test_bfloat16(e);
  test_errors(e);
  test_remove(e);
  test_emit(e);
  test_timing(e);
  jit_destroy(e);
  printf("engine: %d passed, %d failed\n", passed, failed);
  return failed != 0;
}
