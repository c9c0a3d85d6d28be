/* test_pool.c — the parallelize thread pool (runtime/pool.c).
 *
 * What a caller of rt_parallelize relies on: every index runs exactly once
 * for any n and worker count; sums match the serial ones; helper threads
 * are made once and reused; a call from inside a body runs serially on that
 * thread; an interrupt stops a long run early; a crash in a body (on a
 * helper or on the caller) comes back through the crash guard as the
 * guard's own SegmentationFault, after every helper has stopped, and the
 * pool works afterwards; without a guard a crash ends the process rather
 * than hanging it. No check depends on timing: where a test needs one
 * thread to act while another is in a body, it waits for a flag.
 *
 * Prints each failure, then "pool: N passed, M failed"; exits nonzero when
 * anything failed.
 */
#include "jit/guard.h"
#include "runtime/runtime.h"

#include <dirent.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/unit/unit_check.h"

static pthread_t main_thread;

/* Threads in this process, from /proc/self/task. */
static int count_threads(void) {
  DIR *d = opendir("/proc/self/task");
  if (!d) return -1;
  int n = 0;
  for (struct dirent *e; (e = readdir(d));)
    if (e->d_name[0] != '.') n++;
  closedir(d);
  return n;
}

/* ---- every index exactly once; sums ------------------------------------ */

typedef struct Counts {
  atomic_int *runs;     /* runs[i]: how many times body(i) ran */
  _Atomic int64_t sum;  /* sum of i + 1 over the bodies that ran */
} Counts;

static void count_body(int64_t i, void *env) {
  Counts *c = env;
  atomic_fetch_add(&c->runs[i], 1);
  atomic_fetch_add(&c->sum, i + 1);
}

/* Runs n indices on `workers`; true when each ran once and the sum is right. */
static bool runs_once(int64_t n, int64_t workers) {
  Counts c = {calloc((size_t)n + 1, sizeof(atomic_int)), 0};
  rt_parallelize(count_body, &c, n, workers);
  bool ok = atomic_load(&c.sum) == n * (n + 1) / 2;
  for (int64_t i = 0; i < n; i++) ok = ok && atomic_load(&c.runs[i]) == 1;
  free(c.runs);
  return ok;
}

static void test_exactly_once(void) {
  static const int64_t sizes[] = {0, 1, 2, 3, 5, 7, 16, 63, 64, 100, 257, 1000, 2500, 4096};
  static const int64_t workers[] = {1, 2, 3, 0, -1, 8};  /* 0 and -1: one per core */
  for (size_t w = 0; w < sizeof workers / sizeof *workers; w++)
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++)
      CHECK(runs_once(sizes[s], workers[w]), "n=%lld workers=%lld", (long long)sizes[s],
            (long long)workers[w]);
}

/* Each index fills its own slot, as a row of an image would. */
typedef struct Rows {
  double *out;
} Rows;

static void row_body(int64_t i, void *env) {
  Rows *r = env;
  double acc = 0;
  for (int64_t k = 1; k <= 1000; k++) acc += (double)((i * 1000 + k) % 7919) / (double)k;
  r->out[i] = acc;
}

static void test_sum_matches_serial(void) {
  enum { N = 3000 };
  static double par[N], ser[N];
  Rows p = {par}, s = {ser};
  rt_parallelize(row_body, &p, N, 0);
  for (int64_t i = 0; i < N; i++) row_body(i, &s);
  double sp = 0, ss = 0;
  for (int i = 0; i < N; i++) sp += par[i], ss += ser[i];
  CHECK(sp == ss && !memcmp(par, ser, sizeof par), "parallel %.17g, serial %.17g", sp, ss);

  Counts c = {calloc(100001, sizeof(atomic_int)), 0};
  rt_parallelize(count_body, &c, 100000, 0);
  CHECK(atomic_load(&c.sum) == 100000LL * 100001 / 2, "sum 1..100000 = %lld",
        (long long)atomic_load(&c.sum));
  free(c.runs);
}

/* ---- threads are made once ---------------------------------------------- */

static void test_threads_reused(void) {
  runs_once(100, 4);  /* makes 3 helpers if no earlier test did */
  int64_t helpers = rt_pool_helpers();
  int threads = count_threads();
  CHECK(helpers >= 3, "helpers after workers=4: %lld", (long long)helpers);
  bool ok = true;
  for (int k = 0; k < 1000; k++) ok = ok && runs_once(17 + k % 50, k % 2 ? 4 : 0);
  CHECK(ok, "1000 calls each ran every index once");
  CHECK(rt_pool_helpers() == helpers, "helpers %lld -> %lld", (long long)helpers,
        (long long)rt_pool_helpers());
  CHECK(count_threads() == threads, "threads %d -> %d", threads, count_threads());
  CHECK(rt_num_cores() >= 1 && rt_num_cores() <= rt_num_logical_cores(), "cores %lld, logical %lld",
        (long long)rt_num_cores(), (long long)rt_num_logical_cores());
}

/* ---- nesting -------------------------------------------------------------- */

typedef struct Nest {
  atomic_int inner[100];
  atomic_int outer;
  atomic_int off_thread;  /* inner bodies that ran on another thread than their outer body */
} Nest;

typedef struct InnerEnv {
  Nest *nest;
  pthread_t thread;
} InnerEnv;

static void inner_body(int64_t i, void *env) {
  InnerEnv *e = env;
  atomic_fetch_add(&e->nest->inner[i], 1);
  if (!pthread_equal(pthread_self(), e->thread)) atomic_fetch_add(&e->nest->off_thread, 1);
}

static void outer_body(int64_t i, void *env) {
  InnerEnv e = {env, pthread_self()};
  rt_parallelize(inner_body, &e, 100, 0);
  atomic_fetch_add(&((Nest *)env)->outer, 1);
}

static void test_nested(void) {
  static Nest nest;
  rt_parallelize(outer_body, &nest, 8, 4);
  bool ok = atomic_load(&nest.outer) == 8;
  for (int i = 0; i < 100; i++) ok = ok && atomic_load(&nest.inner[i]) == 8;
  CHECK(ok, "8 outer bodies, each inner index 8 times (outer %d)", atomic_load(&nest.outer));
  CHECK(atomic_load(&nest.off_thread) == 0, "inner loops ran on their caller's thread (%d did not)",
        atomic_load(&nest.off_thread));
}

/* ---- two user threads at once ------------------------------------------- */

static void *call_many(void *arg) {
  bool *ok = arg;
  for (int k = 0; k < 300; k++) *ok = *ok && runs_once(50 + k % 13, 0);
  return NULL;
}

static void test_two_callers(void) {
  bool ok1 = true, ok2 = true;
  pthread_t t;
  pthread_create(&t, NULL, call_many, &ok1);
  call_many(&ok2);
  pthread_join(t, NULL);
  CHECK(ok1 && ok2, "two threads calling at once each ran every index once");
}

/* ---- interrupts ------------------------------------------------------------ */

static void interrupting_body(int64_t i, void *env) {
  atomic_int *ran = env;
  if (atomic_fetch_add(ran, 1) == 10) rt_interrupt_requested = 1;
}

static void test_interrupt(void) {
  enum { N = 1000000 };
  atomic_int ran = 0;
  rt_parallelize(interrupting_body, &ran, N, 0);
  CHECK(rt_interrupt_requested == 1, "the flag is left for the compiled code");
  CHECK(atomic_load(&ran) > 10 && atomic_load(&ran) < N, "ran %d of %d", atomic_load(&ran), N);
  atomic_store(&ran, 100);  /* already requested: nothing starts */
  rt_parallelize(interrupting_body, &ran, N, 0);
  rt_parallelize(interrupting_body, &ran, 1, 0);
  CHECK(atomic_load(&ran) == 100, "ran %d with the flag already set", atomic_load(&ran) - 100);
  rt_interrupt_requested = 0;
  CHECK(runs_once(1000, 0), "the pool runs again after an interrupt");
}

/* ---- faults ------------------------------------------------------------------ */

/* Handshakes, so that the thread meant to crash surely runs a body while
 * the others are in theirs, however the scheduler deals the indices. */
static atomic_int helper_started;  /* a helper's body has begun */
static atomic_int caller_started;  /* the caller's body has begun */
static atomic_int running;         /* bodies begun and not returned */

static void wait_for(atomic_int *flag) {
  while (!atomic_load(flag) && rt_pool_helpers() > 0) sched_yield();
}

static bool on_caller(void) { return pthread_equal(pthread_self(), main_thread); }

static void null_write(void) {
  volatile int *volatile p = NULL;
  *p = 1;
}

static volatile int recursion_limit = 1 << 30;  /* never reached: the stack ends first */

static int recurse(int depth) {
  volatile char pad[256];
  pad[depth % 256] = (char)depth;
  return depth < recursion_limit ? recurse(depth + 1) + pad[0] : 0;
}

static void stack_overflow(void) { recurse(0); }

static void (*helper_crash)(void);

/* The caller's bodies wait until a helper runs one; helpers crash. */
static void helper_crashes(int64_t i, void *env) {
  if (on_caller()) {
    wait_for(&helper_started);
    return;
  }
  atomic_store(&helper_started, 1);
  helper_crash();
}

/* Helpers' first bodies wait until the caller runs one (so the caller gets
 * an index); the caller's waits until a helper runs one, then crashes. */
static void caller_crashes(int64_t i, void *env) {
  atomic_fetch_add(&running, 1);
  if (on_caller()) {
    atomic_store(&caller_started, 1);
    wait_for(&helper_started);
    null_write();
  }
  atomic_store(&helper_started, 1);
  wait_for(&caller_started);
  atomic_fetch_add(&running, -1);
}

static void run_helper_crash(void) { rt_parallelize(helper_crashes, NULL, 64, 4); }
static void run_caller_crash(void) { rt_parallelize(caller_crashes, NULL, 200, 4); }

static void check_crash(void (*cell)(void), const char *want, const char *what) {
  atomic_store(&helper_started, 0);
  atomic_store(&caller_started, 0);
  int kind = guard_call(cell);
  CHECK(kind == RT_ERR_CRASH && !strncmp(rt_last_error.message, want, strlen(want)),
        "%s: kind %d, message [%s]", what, kind, rt_last_error.message);
  CHECK(rt_guard_target == NULL, "%s: the guard is disarmed", what);
}

static void test_faults(void) {
  int64_t helpers = rt_pool_helpers();
  helper_crash = null_write;
  check_crash(run_helper_crash, "SegmentationFault: null pointer access", "null write on a helper");
  helper_crash = stack_overflow;
  check_crash(run_helper_crash, "SegmentationFault: invalid memory access", "stack overflow on a helper");
  atomic_store(&running, 0);
  check_crash(run_caller_crash, "SegmentationFault: null pointer access", "null write on the caller");
  CHECK(atomic_load(&running) == 1, "helpers finished before the report (%d bodies still running)",
        atomic_load(&running) - 1);
  CHECK(rt_pool_helpers() == helpers, "no helper lost or added: %lld -> %lld", (long long)helpers,
        (long long)rt_pool_helpers());
  CHECK(runs_once(4096, 4) && runs_once(4096, 0), "the pool runs again after crashes");
  helper_crash = null_write;
  check_crash(run_helper_crash, "SegmentationFault: null pointer access", "a crash after a success");
  check_crash(run_helper_crash, "SegmentationFault: null pointer access", "a crash after a crash");
}

/* A crash with no cell running must end the process, not hang it. */
static int child_status(void (*child)(void)) {
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    freopen("/dev/null", "w", stderr);  /* the expected report of the crash */
    child();
    _exit(0);
  }
  int status = 0;
  for (int waited = 0; waitpid(pid, &status, WNOHANG) == 0; waited++) {
    if (waited == 3000) {  /* 30 s: a bound against a hang, not a timing check */
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      return -1;
    }
    usleep(10000);
  }
  return status;
}

static void unguarded_crash(void) {
  atomic_store(&helper_started, 0);
  helper_crash = null_write;
  rt_parallelize(helper_crashes, NULL, 64, 4);
}

static void unhandled_crash(void) {
  signal(SIGSEGV, SIG_DFL);
  unguarded_crash();
}

static void test_unguarded(void) {
  if (rt_pool_helpers() == 0) return;  /* no threads on this system: nothing to test */
  int st = child_status(unguarded_crash);
  CHECK(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 70, "guard installed, no cell: status %#x", st);
  st = child_status(unhandled_crash);
  CHECK(st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "no handler: status %#x", st);
}

int main(void) {
  main_thread = pthread_self();
  runs_once(0, 0);
  CHECK(rt_pool_helpers() == 0, "n == 0 makes no thread (%lld)", (long long)rt_pool_helpers());
  test_exactly_once();
  test_sum_matches_serial();
  test_threads_reused();
  test_nested();
  test_two_callers();
  test_interrupt();
  guard_install();
  test_faults();
  test_unguarded();
  printf("pool: %d passed, %d failed\n", passed, failed);
  return failed != 0;
}
