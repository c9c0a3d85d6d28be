/* pool.c — the thread pool behind `parallelize`.
 *
 * rt_parallelize(body, env, n, workers) runs body(i, env) for every i in
 * [0, n) on `workers` threads, the caller being one of them, and returns
 * when every call is done.
 *
 * The pool. One per process, made lazily: the first call that needs k
 * helper threads creates them and every later call reuses them (a later
 * call that asks for more workers adds the difference, up to
 * POOL_MAX_HELPERS). Helpers live until the process ends and sleep on a
 * condition variable between calls; nothing spins.
 *
 * A call is a job. The caller fills pool.job, bumps pool.generation and
 * wakes the helpers; helpers 0..wanted-1 each run a share and count
 * themselves out of `active`; the caller runs a share too, then sleeps on
 * `done` until active is 0. A share takes indices from one atomic counter,
 * one at a time (an index is usually a whole row of work, so finer grain
 * would only add contention), until the indices run out or the job stops.
 *
 * Interrupts. A share takes no new index once rt_interrupt_requested is
 * nonzero; bodies already running finish, rt_parallelize returns, and the
 * compiled code after it checks the flag (which the pool leaves set).
 *
 * Errors. Bodies are declared not to raise, so the pool does not collect
 * errors from them. Defensively, a share also takes no new index while
 * rt_error_pending is set: a loop inside a body that polls the interrupt
 * flag raises KeyboardInterrupt, which clears rt_interrupt_requested and
 * sets rt_error_pending, and the other threads must still stop. Note that
 * rt_raise on two threads at once races on rt_last_error, and
 * rt_raise_jump (MemoryError from rt_alloc) jumps to the cell's guard from
 * whichever thread called it: a body must not raise.
 *
 * Faults. jit/guard.c's handler is process-wide and its jump buffer lives
 * on the cell's thread, so a helper must never jump there. Instead every
 * share runs under its own sigjmp_buf (share_guard): the handler sees
 * rt_pool_in_body() and calls rt_pool_fault, which records the first
 * fault's message, stops the job and unwinds only that thread's share.
 * The caller waits until every helper has stopped (the env that bodies use
 * lives in the caller's frame), then reports the fault exactly as the guard
 * does: RT_ERR_CRASH in rt_last_error and a jump to rt_guard_target. The
 * same path serves a fault in the caller's own share, which must not jump
 * to the guard while helpers still run. Helpers get their own sigaltstack,
 * so a stack overflow in a body is caught too. A helper that faulted goes
 * back to sleep and serves the next job (a body that faulted holding a
 * lock leaves it held, as on the cell's thread). Without a guard (no cell
 * running), the fault is printed and the process exits with 70, as
 * rt_raise_jump does.
 *
 * Nesting and concurrency. A call from inside a body (any thread's share)
 * runs its loop serially on that thread. Two user threads calling at once
 * is not supported by the session (one cell runs at a time) but is safe:
 * whoever finds the pool busy runs its loop serially, and a fault there is
 * not caught (the guard lets it kill the process).
 *
 * Reading order: core counts, the pool and its helpers, shares and faults,
 * rt_parallelize.
 */
#include "runtime/runtime.h"

#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- core counts -------------------------------------------------------- */

/* CPUs this process may run on (its affinity mask: taskset and cpusets
 * shrink it), else the online CPUs. */
static int64_t count_logical(void) {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0) return CPU_COUNT(&set);
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? n : 1;
}

/* One number from cpuN/topology/LEAF in sysfs, or -1. */
static long topology_value(int cpu, const char *leaf) {
  char path[96];
  snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu%d/topology/%s", cpu, leaf);
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  long v = -1;
  if (fscanf(f, "%ld", &v) != 1) v = -1;
  fclose(f);
  return v;
}

/* Distinct (package, core) pairs among the CPUs we may run on; 0 when sysfs
 * cannot tell (then callers use the logical count). */
static int64_t count_physical(void) {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) != 0) return 0;
  static long seen[CPU_SETSIZE][2];  /* (package, core); only used under rt_num_cores's once */
  int64_t n = 0;
  for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
    if (!CPU_ISSET(cpu, &set)) continue;
    long pkg = topology_value(cpu, "physical_package_id"), core = topology_value(cpu, "core_id");
    if (pkg < 0 || core < 0) return 0;
    int64_t k = 0;
    while (k < n && (seen[k][0] != pkg || seen[k][1] != core)) k++;
    if (k == n) seen[n][0] = pkg, seen[n++][1] = core;
  }
  return n;
}

int64_t rt_num_logical_cores(void) {
  static _Atomic int64_t cached;  /* 0: not counted yet; the count never changes */
  int64_t n = atomic_load(&cached);
  if (!n) atomic_store(&cached, n = count_logical());
  return n;
}

/* Physical cores when sysfs tells them, else logical: counted once. */
static int64_t cores;
static void count_cores(void) {
  cores = count_physical();
  if (cores <= 0 || cores > rt_num_logical_cores()) cores = rt_num_logical_cores();
}

int64_t rt_num_cores(void) {
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  pthread_once(&once, count_cores);
  return cores;
}

/* ---- the pool and its helpers ------------------------------------------ */

/* Helpers beyond the caller. With it, a job runs on at most 256 threads:
 * far above any core count we expect, and a bound on `workers=100000`. */
enum { POOL_MAX_HELPERS = 255 };
/* A helper's stack: the usual main-thread 8 MiB, since bodies are user code
 * that may recurse as deeply as code on the cell's thread. */
enum { HELPER_STACK = 8 << 20 };
/* The stack the fault handler runs on in a helper. The handler itself only
 * copies a message, but the kernel saves the vector registers there (a few
 * KB with AVX-512). */
enum { HELPER_ALTSTACK = 64 << 10 };

/* One call to rt_parallelize. */
typedef struct Job {
  void (*body)(int64_t i, void *env);
  void *env;
  int64_t n;                  /* indices 0..n-1 */
  _Atomic int64_t next;       /* the next index to hand out */
  atomic_int stop;            /* set by a fault: hand out no more */
  atomic_int faulted;         /* the first fault claims `fault` */
  char fault[256];            /* its message, "SegmentationFault: ..." */
} Job;

typedef struct Helper {
  int id;                     /* takes part in jobs while id < pool.wanted */
  uint64_t seen;              /* the last generation it looked at */
} Helper;

static struct {
  pthread_mutex_t lock;       /* guards the fields below but job's atomics */
  pthread_cond_t wake;        /* helpers sleep here between jobs */
  pthread_cond_t done;        /* the caller sleeps here until active is 0 */
  uint64_t generation;        /* bumped by every job */
  int nhelpers;               /* made so far */
  int wanted;                 /* helpers 0..wanted-1 run the current job */
  int active;                 /* of those, how many are still in it */
  Job job;                    /* the current (or last) job */
  Helper helpers[POOL_MAX_HELPERS];
} pool = {.lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER, .done = PTHREAD_COND_INITIALIZER};

/* Held by the thread whose job the pool is running. */
static atomic_flag pool_busy = ATOMIC_FLAG_INIT;

/* Where a fault in this thread's share lands; NULL outside a share. */
static _Thread_local sigjmp_buf *share_guard;

/* Synchronous faults: never blocked in a helper (a blocked SIGSEGV kills the
 * process instead of reaching the guard's handler). */
static const int fault_signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGSYS};

static void run_share(Job *job);

static void helper_altstack(void) {
  stack_t ss = {0};
  ss.ss_size = HELPER_ALTSTACK;
  ss.ss_sp = malloc(ss.ss_size);  /* kept for the thread's life, which is the process's */
  if (ss.ss_sp && sigaltstack(&ss, NULL) != 0) free(ss.ss_sp);
}

/* Sleep until a job wants this helper, run a share, count out, repeat. */
static void *helper_main(void *arg) {
  Helper *h = arg;
  helper_altstack();
  pthread_mutex_lock(&pool.lock);
  for (;;) {
    while (pool.generation == h->seen) pthread_cond_wait(&pool.wake, &pool.lock);
    h->seen = pool.generation;
    if (h->id >= pool.wanted) continue;
    pthread_mutex_unlock(&pool.lock);
    run_share(&pool.job);
    pthread_mutex_lock(&pool.lock);
    if (--pool.active == 0) pthread_cond_signal(&pool.done);
  }
  return NULL;
}

/* A forked child has none of the parent's helpers: start over. */
static void forget_helpers(void) {
  pthread_mutex_init(&pool.lock, NULL);
  pthread_cond_init(&pool.wake, NULL);
  pthread_cond_init(&pool.done, NULL);
  pool.nhelpers = pool.wanted = pool.active = 0;
  atomic_flag_clear(&pool_busy);
}

/* Make helpers until there are `want` (lock held). Returns how many the job
 * may use: fewer than wanted if the system refuses threads. Helpers block
 * every asynchronous signal, so SIGINT and friends reach the user's threads. */
static int grow(int want) {
  static bool registered;
  if (!registered) registered = pthread_atfork(NULL, NULL, forget_helpers) == 0;
  if (pool.nhelpers >= want) return want;
  sigset_t async, old;
  sigfillset(&async);
  for (size_t i = 0; i < sizeof fault_signals / sizeof *fault_signals; i++)
    sigdelset(&async, fault_signals[i]);
  pthread_sigmask(SIG_SETMASK, &async, &old);
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, HELPER_STACK);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  while (pool.nhelpers < want) {
    Helper *h = &pool.helpers[pool.nhelpers];
    h->id = pool.nhelpers;
    h->seen = pool.generation;  /* the job about to start is new to it */
    pthread_t t;
    if (pthread_create(&t, &attr, helper_main, h) != 0) break;
    pool.nhelpers++;
  }
  pthread_attr_destroy(&attr);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  return pool.nhelpers < want ? pool.nhelpers : want;
}

int64_t rt_pool_helpers(void) {
  pthread_mutex_lock(&pool.lock);
  int64_t n = pool.nhelpers;
  pthread_mutex_unlock(&pool.lock);
  return n;
}

/* ---- shares and faults -------------------------------------------------- */

static bool should_stop(Job *job) {
  return atomic_load_explicit(&job->stop, memory_order_relaxed) || rt_interrupt_requested ||
         rt_error_pending;
}

static void take_indices(Job *job) {
  while (!should_stop(job)) {
    int64_t i = atomic_fetch_add_explicit(&job->next, 1, memory_order_relaxed);
    if (i >= job->n) return;
    job->body(i, job->env);
  }
}

/* One thread's part of a job. A fault in a body lands back here through
 * rt_pool_fault and ends the share. */
static void run_share(Job *job) {
  sigjmp_buf landing;
  if (sigsetjmp(landing, 1) == 0) {
    share_guard = &landing;
    take_indices(job);
  }
  share_guard = NULL;
}

bool rt_pool_in_body(void) { return share_guard != NULL; }

/* Called from the fault handler: only async-signal-safe work here. */
_Noreturn void rt_pool_fault(const char *message) {
  Job *job = &pool.job;
  atomic_store(&job->stop, 1);
  if (!atomic_exchange(&job->faulted, 1)) {
    size_t i = 0;
    for (; message[i] && i + 1 < sizeof job->fault; i++) job->fault[i] = message[i];
    job->fault[i] = 0;
  }
  siglongjmp(*share_guard, 1);
}

/* Report a body's fault as jit/guard.c reports one on the cell's thread:
 * an RT_ERR_CRASH in rt_last_error and a jump to the cell's guard. */
static _Noreturn void report_fault(const char *message) {
  if (!rt_guard_target) {
    fprintf(stderr, "ember: %s (in a parallelize body, outside a guarded cell)\n", message);
    _exit(70);  /* EX_SOFTWARE, as rt_raise_jump */
  }
  rt_last_error.kind = RT_ERR_CRASH;
  snprintf(rt_last_error.message, sizeof rt_last_error.message, "%s", message);
  rt_last_error.nframes = 0;
  rt_last_error.depth = 0;
  sigjmp_buf *target = rt_guard_target;
  rt_guard_target = NULL;
  siglongjmp(*target, 1);
}

/* ---- rt_parallelize ------------------------------------------------------ */

static void run_serially(void (*body)(int64_t, void *), void *env, int64_t n) {
  for (int64_t i = 0; i < n && !rt_interrupt_requested && !rt_error_pending; i++) body(i, env);
}

/* Hand the job to `helpers` helpers and wake them; returns the job. */
static Job *start_job(void (*body)(int64_t, void *), void *env, int64_t n, int helpers) {
  pthread_mutex_lock(&pool.lock);
  Job *job = &pool.job;
  job->body = body;
  job->env = env;
  job->n = n;
  atomic_store(&job->next, 0);
  atomic_store(&job->stop, 0);
  atomic_store(&job->faulted, 0);
  job->fault[0] = 0;
  pool.wanted = pool.active = grow(helpers);
  pool.generation++;
  if (pool.wanted) pthread_cond_broadcast(&pool.wake);
  pthread_mutex_unlock(&pool.lock);
  return job;
}

static void wait_job(void) {
  pthread_mutex_lock(&pool.lock);
  while (pool.active) pthread_cond_wait(&pool.done, &pool.lock);
  pthread_mutex_unlock(&pool.lock);
}

void rt_parallelize(void (*body)(int64_t i, void *env), void *env, int64_t n, int64_t workers) {
  if (n <= 0) return;
  if (workers <= 0) workers = rt_num_cores();
  if (workers > n) workers = n;
  if (workers > POOL_MAX_HELPERS + 1) workers = POOL_MAX_HELPERS + 1;
  if (workers == 1 || share_guard || atomic_flag_test_and_set(&pool_busy)) {
    run_serially(body, env, n);  /* one worker, nested in a body, or pool busy */
    return;
  }
  Job *job = start_job(body, env, n, (int)workers - 1);
  run_share(job);
  wait_job();
  char fault[sizeof job->fault] = "";
  if (atomic_load(&job->faulted)) memcpy(fault, job->fault, sizeof fault);
  atomic_flag_clear(&pool_busy);
  if (fault[0]) report_fault(fault);
}
