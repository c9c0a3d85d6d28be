/* time.c — clocks for `from time import now`.
 *
 * now() is CLOCK_MONOTONIC in nanoseconds: good for measuring intervals,
 * unaffected by changes to the wall clock, meaningless as a date.
 */
#include "runtime/runtime.h"

#include <time.h>

int64_t rt_now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}
