/* shell.c — the main thread: shell requests, one at a time.
 *
 * kern_shell_loop waits on the shell socket and on `wake` (the control
 * thread's messages) until a shutdown. Each request is wrapped in busy and
 * idle with the request as parent, then dispatched by msg_type through the
 * table at the bottom; a type not in the table is logged and gets no reply,
 * as the spec allows. After a failed cell with stop_on_error, the execute
 * requests already queued are answered "aborted" without running; other
 * queued requests are handled normally. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kernel/kern.h"
#include "kernel/utf8.h"

#define INDENT_MAX 256  /* room for the indent is_complete suggests */

typedef bool (*Handler)(Kernel *k, const KernMsg *req);  /* true: abort the queue */

static void reply(Kernel *k, const KernMsg *req, const char *type, json_t *content) {
  kern_reply(k->shell, &k->wire, req, type, content);
}

/* cursor_pos in code points, clamped to the code; the end when absent. */
static int cursor_of(const KernMsg *req, const char *code) {
  int len = kern_utf8_count(code);
  long long c = kern_json_int(req->content, "cursor_pos", len);
  return c < 0 ? 0 : c > len ? len : (int)c;
}

static bool on_execute(Kernel *k, const KernMsg *req) { return kern_execute(k, req); }

static bool on_kernel_info(Kernel *k, const KernMsg *req) {
  kern_reply_kernel_info(k, k->shell, req);
  return false;
}

static bool on_is_complete(Kernel *k, const KernMsg *req) {
  char indent[INDENT_MAX] = "";
  const char *status = session_is_complete(k->session, kern_json_str(req->content, "code", ""),
                                           indent, sizeof indent);
  json_t *c = json_pack("{s:s}", "status", status);
  if (!strcmp(status, "incomplete")) json_object_set_new(c, "indent", json_string(indent));
  reply(k, req, "is_complete_reply", c);
  return false;
}

static bool on_complete(Kernel *k, const KernMsg *req) {
  const char *code = kern_json_str(req->content, "code", "");
  SessionCompletions sc;
  session_complete(k->session, code, cursor_of(req, code), &sc);
  json_t *matches = json_array();
  for (int i = 0; i < sc.count; i++)
    json_array_append_new(matches, kern_utf8_json(sc.matches[i], strlen(sc.matches[i])));
  reply(k, req, "complete_reply",
        json_pack("{s:s, s:o, s:i, s:i, s:{}}", "status", "ok", "matches", matches, "cursor_start",
                  sc.cursor_start, "cursor_end", sc.cursor_end, "metadata"));
  session_completions_free(&sc);
  return false;
}

static bool on_inspect(Kernel *k, const KernMsg *req) {
  const char *code = kern_json_str(req->content, "code", "");
  int detail = (int)kern_json_int(req->content, "detail_level", 0);
  char *doc = session_inspect(k->session, code, cursor_of(req, code), detail);
  json_t *data = json_object();
  if (doc) json_object_set_new(data, "text/plain", kern_utf8_json(doc, strlen(doc)));
  reply(k, req, "inspect_reply",
        json_pack("{s:s, s:b, s:o, s:{}}", "status", "ok", "found", doc != NULL, "data", data, "metadata"));
  free(doc);
  return false;
}

static bool on_history(Kernel *k, const KernMsg *req) {
  reply(k, req, "history_reply",
        json_pack("{s:s, s:o}", "status", "ok", "history", kern_history_query(&k->history, req->content)));
  return false;
}

static bool on_comm_info(Kernel *k, const KernMsg *req) {
  reply(k, req, "comm_info_reply", json_pack("{s:s, s:{}}", "status", "ok", "comms"));
  return false;
}

/* No comm targets exist: close every comm a frontend opens. */
static bool on_comm_open(Kernel *k, const KernMsg *req) {
  json_t *id = json_object_get(req->content, "comm_id");
  json_t *c = json_object();
  json_object_set_new(c, "comm_id", json_is_string(id) ? json_incref(id) : json_string(""));
  json_object_set_new(c, "data", json_object());
  kern_pub_send(&k->pub, kern_msg_header_bytes(req), "comm_close", c);
  return false;
}

static bool ignore(Kernel *k, const KernMsg *req) {
  (void)k, (void)req;
  return false;
}

/* Deprecated on shell since 5.4, still sent by old clients. */
static bool on_shutdown(Kernel *k, const KernMsg *req) {
  bool restart = kern_json_bool(req->content, "restart", false);
  reply(k, req, "shutdown_reply", json_pack("{s:s, s:b}", "status", "ok", "restart", restart));
  atomic_store(&k->quitting, true);
  return false;
}

/* On shell nothing runs while this is read: there is nothing to stop. */
static bool on_interrupt(Kernel *k, const KernMsg *req) {
  reply(k, req, "interrupt_reply", json_pack("{s:s}", "status", "ok"));
  return false;
}

static const struct {
  const char *type;
  Handler fn;
} handlers[] = {
    {"execute_request", on_execute},         {"kernel_info_request", on_kernel_info},
    {"is_complete_request", on_is_complete}, {"complete_request", on_complete},
    {"inspect_request", on_inspect},         {"history_request", on_history},
    {"comm_info_request", on_comm_info},     {"comm_open", on_comm_open},
    {"comm_msg", ignore},                    {"comm_close", ignore},
    {"shutdown_request", on_shutdown},       {"interrupt_request", on_interrupt},
};

static bool dispatch(Kernel *k, const KernMsg *req) {
  for (size_t i = 0; i < sizeof handlers / sizeof *handlers; i++)
    if (!strcmp(handlers[i].type, req->msg_type)) return handlers[i].fn(k, req);
  kern_log("shell: no handler for %.80s", req->msg_type);
  return false;
}

/* Was this request made before `cutoff` (both UTC ISO times; the first 26
   characters, to the microsecond, compare as text)? A request made after the
   client saw the error is new work, not part of the aborted queue. */
static bool made_before(const KernMsg *m, const char *cutoff) {
  const char *date = json_string_value(json_object_get(m->header, "date"));
  return !date || strlen(date) < 26 || strncmp(date, cutoff, 26) < 0;
}

static double mono_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* How long requests made before a failure may still be on their way: the
   shell loop waits this long for them, and aborts them when they come
   later than that still, up to STALE_MS (a batch of cells on a loaded
   machine; the bound keeps a client clock that runs behind from aborting
   new work for long). */
enum { ABORT_WINDOW_MS = 1000, STALE_MS = 10000 };

/* Execute requests made before the failure get "aborted", also those that
   arrive a little later (a client sends a batch of cells at once); anything
   else, and every request made after the failure, is handled as usual. */
static void abort_queued(Kernel *k) {
  char cutoff[40];  /* a copy: a request handled below may fail and move k->failed_at */
  memcpy(cutoff, k->failed_at, sizeof cutoff);
  memcpy(k->abort_cutoff, cutoff, sizeof cutoff);
  k->abort_until = mono_ms() + STALE_MS;
  double deadline = mono_ms() + ABORT_WINDOW_MS;
  for (;;) {
    zmq_pollitem_t item = {k->shell, 0, ZMQ_POLLIN, 0};
    long wait = (long)(deadline - mono_ms());
    if (wait <= 0 || zmq_poll(&item, 1, wait) <= 0) {
      if (errno == EINTR && wait > 0) continue;
      return;
    }
    KernMsg m;
    if (kern_recv(k->shell, &k->wire, &m, ZMQ_DONTWAIT, "shell") < 0) continue;
    if (strcmp(m.msg_type, "execute_request") || !made_before(&m, cutoff)) {
      kern_shell_handle(k, &m);
      kern_msg_free(&m);
      continue;
    }
    KernBytes parent = kern_msg_header_bytes(&m);
    kern_pub_status(&k->pub, parent, "busy");
    kern_execute_abort(k, &m);
    kern_pub_status(&k->pub, parent, "idle");
    kern_msg_free(&m);
  }
}

/* A request of the batch a failure aborted that came after the window. */
static bool stale(Kernel *k, const KernMsg *m) {
  return mono_ms() < k->abort_until && !strcmp(m->msg_type, "execute_request") && made_before(m, k->abort_cutoff);
}

void kern_shell_handle(Kernel *k, KernMsg *req) {
  KernBytes parent = kern_msg_header_bytes(req);
  kern_pub_status(&k->pub, parent, "busy");
  if (stale(k, req)) {
    kern_execute_abort(k, req);
    kern_pub_status(&k->pub, parent, "idle");
    return;
  }
  bool abort = dispatch(k, req);
  kern_pub_status(&k->pub, parent, "idle");
  if (abort) abort_queued(k);
}

static void drain_wake(Kernel *k) {
  char b[8];
  while (zmq_recv(k->wake, b, sizeof b, ZMQ_DONTWAIT) >= 0) {}
}

void kern_shell_loop(Kernel *k) {
  while (!atomic_load(&k->quitting)) {
    zmq_pollitem_t items[2] = {{k->shell, 0, ZMQ_POLLIN, 0}, {k->wake, 0, ZMQ_POLLIN, 0}};
    if (zmq_poll(items, 2, -1) < 0) {
      if (errno == EINTR) continue;  /* SIGINT while idle: nothing to stop */
      kern_log("shell: %s", zmq_strerror(errno));
      return;
    }
    if (items[1].revents & ZMQ_POLLIN) drain_wake(k);
    KernMsg m;
    if ((items[0].revents & ZMQ_POLLIN) && kern_recv(k->shell, &k->wire, &m, ZMQ_DONTWAIT, "shell") == 0) {
      kern_shell_handle(k, &m);
      kern_msg_free(&m);
    }
  }
}
