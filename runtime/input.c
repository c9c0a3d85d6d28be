/* input.c — input(prompt): asks the front end through a hook, since only it
 * knows where a line comes from (the terminal, or a Jupyter input_request). */
#include <stdlib.h>
#include <string.h>

#include "runtime/runtime.h"

static RtInputFn input_hook;
static void *input_user;

void rt_set_input(RtInputFn fn, void *user) {
  input_hook = fn;
  input_user = user;
}

const RtStr *rt_input(const RtStr *prompt, const char *cell, int32_t line) {
  if (!input_hook) {
    rt_raise("StdinNotImplementedError: input() is not available: this front end does not allow "
             "standard input", cell, line);
    return rt_str_new("", 0);
  }
  char *text = input_hook(input_user, prompt->data);
  if (!text && rt_interrupt_requested) {  /* Ctrl-C while waiting for the line */
    rt_raise_interrupt(cell, line);
    return rt_str_new("", 0);
  }
  if (!text) {
    rt_raise("EOFError: EOF when reading a line", cell, line);
    return rt_str_new("", 0);
  }
  const RtStr *s = rt_str_new(text, (int64_t)strlen(text));
  free(text);
  return s;
}
