/* result.c — the value of a cell's last expression, as display text.
 * The emitted cell calls rt_set_result with the value's repr; the session
 * takes it after the cell returns. */
#include "runtime/runtime.h"

static const RtStr *current;

void rt_set_result(const RtStr *repr) { current = repr; }

const RtStr *rt_take_result(void) {
  const RtStr *r = current;
  current = NULL;
  return r;
}

/* A Python object's HTML form (a pandas DataFrame's table), beside its text. */
static const RtStr *current_html;

void rt_set_result_html(const RtStr *html) { current_html = html; }

const RtStr *rt_take_result_html(void) {
  const RtStr *r = current_html;
  current_html = NULL;
  return r;
}
