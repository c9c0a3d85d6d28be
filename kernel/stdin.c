/* stdin.c — input() in a cell, over the stdin channel.
 *
 * The main thread is inside session_execute when the cell asks for a line.
 * It sends input_request on the stdin ROUTER with the execute request's
 * identities (the frontend's stdin DEALER shares its shell identity) and
 * parent, then waits for input_reply. An interrupt (message or SIGINT) or
 * a shutdown ends the wait with no line. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/kern.h"
#include "kernel/utf8.h"

#define WAIT_SLICE_MS 250  /* also bounds how late a missed wake-up is noticed */

/* Replies to an earlier request that was interrupted would answer this one. */
static void drop_stale_replies(Kernel *k) {
  KernMsg m;
  int rc;
  while ((rc = kern_recv(k->stdin_sock, &k->wire, &m, ZMQ_DONTWAIT, "stdin")) != -2)
    if (rc == 0) kern_msg_free(&m);
}

static void drain_wake(Kernel *k) {
  char b[8];
  while (zmq_recv(k->wake, b, sizeof b, ZMQ_DONTWAIT) >= 0) {}
}

/* The value of an input_reply, or NULL for another message. *eof when the
   frontend sent EOF (Ctrl-D in jupyter console sends "\x04"). */
static char *reply_value(const KernMsg *m, bool *eof) {
  if (strcmp(m->msg_type, "input_reply")) {
    kern_log("stdin: ignored a %s", m->msg_type);
    return NULL;
  }
  const char *v = kern_json_str(m->content, "value", "");
  *eof = !strcmp(v, "\x04");
  return *eof ? NULL : strdup(v);
}

static bool stopped(Kernel *k, int mark) {
  return atomic_load(&k->interrupts) != mark || atomic_load(&k->quitting);
}

static char *wait_for_reply(Kernel *k, int mark) {
  while (!stopped(k, mark)) {
    zmq_pollitem_t items[2] = {{k->stdin_sock, 0, ZMQ_POLLIN, 0}, {k->wake, 0, ZMQ_POLLIN, 0}};
    int n = zmq_poll(items, 2, WAIT_SLICE_MS);
    if (n < 0 && errno != EINTR) return NULL;
    if (n <= 0) continue;
    if (items[1].revents & ZMQ_POLLIN) drain_wake(k);
    KernMsg m;
    if (!(items[0].revents & ZMQ_POLLIN) || kern_recv(k->stdin_sock, &k->wire, &m, ZMQ_DONTWAIT, "stdin") < 0)
      continue;
    bool eof = false;
    char *value = reply_value(&m, &eof);
    kern_msg_free(&m);
    if (value || eof) return value;
  }
  return NULL;
}

char *kern_stdin_input(Kernel *k, const KernMsg *req, const char *prompt, bool password) {
  int mark = atomic_load(&k->interrupts);
  drop_stale_replies(k);
  kern_pub_flush(&k->pub);  /* what the cell printed before asking comes first */
  json_t *c = json_object();
  json_object_set_new(c, "prompt", kern_utf8_json(prompt, strlen(prompt)));
  json_object_set_new(c, "password", json_boolean(password));
  if (kern_reply(k->stdin_sock, &k->wire, req, "input_request", c) < 0) return NULL;
  return wait_for_reply(k, mark);
}
