/* alloc.c — the one allocation path for values the runtime makes.
 *
 * Every runtime-made value (strings today) comes from rt_alloc, so the
 * memory model that arrives with tier 2 (ownership, freeing, a test mode
 * that fails allocations) changes this file alone. Until then nothing is
 * freed: values are immutable and may be shared freely.
 */
#include "runtime/runtime.h"

#include <stdlib.h>

void *rt_alloc(size_t size) {
  void *p = malloc(size ? size : 1);
  if (!p) rt_raise_jump("MemoryError: out of memory");
  return p;
}
