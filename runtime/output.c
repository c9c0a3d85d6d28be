/* output.c — where print() goes.
 *
 * One sink for all output. The session installs a callback (the kernel
 * streams text to the notebook, the REPL writes it to its terminal); with
 * none installed, text goes to stdout, as for `ember run`.
 */
#include "runtime/runtime.h"

#include <string.h>

#include <stdio.h>

static RtOutputFn sink;  /* the session's callback, or NULL for stdout */
static void *sink_user;  /* passed back to sink untouched */

void rt_set_output(RtOutputFn fn, void *user) {
  sink = fn;
  sink_user = user;
}

void rt_write(const char *text, size_t len) {
  if (sink)
    sink(sink_user, text, len);
  else
    fwrite(text, 1, len, stdout);
}

void rt_write_str(const RtStr *s) { rt_write(s->data, (size_t)s->len); }

/* A sink decides for itself when to deliver; stdout is flushed here. */
void rt_flush(void) {
  if (!sink) fflush(stdout);
}

static RtErrorOutputFn err_sink;  /* the session's stderr callback, or NULL */
static void *err_user;

void rt_set_error_output(RtErrorOutputFn fn, void *user) {
  err_sink = fn;
  err_user = user;
}

void rt_write_fd_str(int64_t fd, const RtStr *s) {
  if (fd != 2) {
    rt_write_str(s);
    return;
  }
  if (err_sink) err_sink(err_user, s->data, (size_t)s->len);
  else fwrite(s->data, 1, (size_t)s->len, stderr);
}

static RtDisplayFn display_sink;
static RtClearFn clear_sink;
static void *display_user;

void rt_set_display(RtDisplayFn display, RtClearFn clear, void *user) {
  display_sink = display;
  clear_sink = clear;
  display_user = user;
}

void rt_display_bundle(const RtMime *items, int n) {
  if (display_sink) {
    rt_flush();
    display_sink(display_user, items, n);
    return;
  }
  rt_write(items[0].data, strlen(items[0].data));
  rt_write("\n", 1);
}

void rt_display(const RtStr *mime, const RtStr *data) {
  RtMime item = {mime->data, data->data};
  rt_display_bundle(&item, 1);
}

void rt_clear_output(int32_t wait) {
  if (clear_sink) clear_sink(display_user, wait != 0);
}
