/* random.c — the generator behind stdlib/random.ember.
 *
 * One xoshiro256** generator per process (Blackman and Vigna: 256 bits of
 * state, period 2^256 - 1, passes BigCrush, a few ns per number). Its
 * state is expanded from a 64-bit seed with splitmix64, as the authors
 * recommend, so seed(a) makes every later number a function of a alone.
 * Before any seed() the state is that of rt_random_seed(0): like Mojo, a
 * program that never seeds sees the same numbers on every run.
 * rt_random_seed_time() seeds from the clock.
 *
 * Threads: one lock-free generator shared by every thread would race, so a
 * tiny spin lock guards the state. The numbers drawn inside `parallelize`
 * are therefore well-formed but their order between threads is not
 * reproducible. Bulk fills take the lock once.
 *
 * Ranges: floats are (x >> 11) * 2^-53, uniform on [0, 1) with 53 bits;
 * integers in [lo, hi] (inclusive, as Mojo's random_si64/random_ui64) by
 * rejection, so every value is equally likely; normals by Box-Muller.
 */
#include "runtime/runtime.h"

#include <math.h>
#include <stdatomic.h>
#include <time.h>

static uint64_t state[4];       /* the xoshiro256** state; never all zero */
static bool seeded;             /* false until the first seed or draw */
static atomic_flag busy = ATOMIC_FLAG_INIT;  /* guards state and seeded */

static void lock(void) {
  while (atomic_flag_test_and_set_explicit(&busy, memory_order_acquire)) {
  }
}

static void unlock(void) { atomic_flag_clear_explicit(&busy, memory_order_release); }

static uint64_t splitmix64(uint64_t *x) {
  uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

static void seed_locked(uint64_t a) {
  for (int i = 0; i < 4; i++) state[i] = splitmix64(&a);
  seeded = true;  /* splitmix64 never yields four zeros in a row */
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

/* The next 64 random bits; the caller holds the lock. */
static uint64_t next_locked(void) {
  if (!seeded) seed_locked(0);
  uint64_t result = rotl(state[1] * 5, 7) * 9;
  uint64_t t = state[1] << 17;
  state[2] ^= state[0];
  state[3] ^= state[1];
  state[1] ^= state[2];
  state[0] ^= state[3];
  state[2] ^= t;
  state[3] = rotl(state[3], 45);
  return result;
}

static double unit_locked(void) { return (double)(next_locked() >> 11) * 0x1.0p-53; }

/* Uniform on [0, span) (span 0 means all 2^64 values), without bias. */
static uint64_t below_locked(uint64_t span) {
  if (span == 0) return next_locked();
  uint64_t reject_under = -span % span;  /* 2^64 mod span */
  for (;;) {
    uint64_t x = next_locked();
    if (x >= reject_under) return x % span;
  }
}

static double normal_locked(void) {
  double u1 = unit_locked(), u2 = unit_locked();
  return sqrt(-2.0 * log(1.0 - u1)) * cos(6.283185307179586 * u2);  /* 1 - u1 is in (0, 1] */
}

void rt_random_seed(int64_t a) {
  lock();
  seed_locked((uint64_t)a);
  unlock();
}

void rt_random_seed_time(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  rt_random_seed((int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec);
}

uint64_t rt_random_u64(void) {
  lock();
  uint64_t x = next_locked();
  unlock();
  return x;
}

double rt_random_float64(double lo, double hi) {
  lock();
  double u = unit_locked();
  unlock();
  return lo + (hi - lo) * u;
}

int64_t rt_random_si64(int64_t lo, int64_t hi) {
  if (hi < lo) return lo;
  lock();
  uint64_t x = below_locked((uint64_t)hi - (uint64_t)lo + 1);
  unlock();
  return (int64_t)((uint64_t)lo + x);
}

uint64_t rt_random_ui64(uint64_t lo, uint64_t hi) {
  if (hi < lo) return lo;
  lock();
  uint64_t x = below_locked(hi - lo + 1);
  unlock();
  return lo + x;
}

double rt_random_normal(double mean, double stddev) {
  lock();
  double z = normal_locked();
  unlock();
  return mean + stddev * z;
}

void rt_random_fill_float64(double *p, int64_t n, double lo, double hi) {
  lock();
  for (int64_t i = 0; i < n; i++) p[i] = lo + (hi - lo) * unit_locked();
  unlock();
}

/* Rounding to float may reach hi itself; such a value becomes the float
   just below hi, so [lo, hi) stays half-open. */
void rt_random_fill_float32(float *p, int64_t n, double lo, double hi) {
  float top = (float)hi;
  lock();
  for (int64_t i = 0; i < n; i++) {
    float f = (float)(lo + (hi - lo) * unit_locked());
    p[i] = f >= top && hi > lo ? nextafterf(top, -INFINITY) : f;
  }
  unlock();
}

void rt_random_fill_normal64(double *p, int64_t n, double mean, double stddev) {
  lock();
  for (int64_t i = 0; i < n; i++) p[i] = mean + stddev * normal_locked();
  unlock();
}

void rt_random_fill_normal32(float *p, int64_t n, double mean, double stddev) {
  lock();
  for (int64_t i = 0; i < n; i++) p[i] = (float)(mean + stddev * normal_locked());
  unlock();
}
