/* result.c — the value of a cell's last expression, as display text.
 * The emitted cell calls rt_set_result with the value's repr; the session
 * takes it after the cell returns. */
#include "runtime/runtime.h"

#include <stdlib.h>
#include <string.h>

static const RtStr *current;

void rt_set_result(const RtStr *repr) { current = repr; }

const RtStr *rt_take_result(void) {
  const RtStr *r = current;
  current = NULL;
  return r;
}

/* A Python object's other forms (a DataFrame's HTML table, _repr_svg_, ...),
   beside its text. */
static RtMime mimes[RT_MAX_MIMES];
static int nmimes;

void rt_add_result_mime(const char *mime, const char *data) {
  if (nmimes == RT_MAX_MIMES) return;
  mimes[nmimes++] = (RtMime){strdup(mime), strdup(data)};
}

int rt_take_result_mimes(RtMime *out) {
  int n = nmimes;
  for (int i = 0; i < n; i++) out[i] = mimes[i];
  nmimes = 0;
  return n;
}
