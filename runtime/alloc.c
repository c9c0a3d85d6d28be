/* alloc.c — the one allocation path for values the runtime makes.
 *
 * Every runtime-made value comes from rt_alloc (malloc; out of memory is a
 * MemoryError). Strings are immutable and shared freely, so they are never
 * freed; a List's buffer and header are freed with free() by rt_list_free
 * when the compiled code's lifetimes say its holder died.
 */
#include "runtime/runtime.h"

#include <stdlib.h>

void *rt_alloc(size_t size) {
  void *p = malloc(size ? size : 1);
  if (!p) rt_raise_jump("MemoryError: out of memory");
  return p;
}
