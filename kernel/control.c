/* control.c — the control thread: kernel_info, interrupt and shutdown are
 * answered here at once, even while the main thread runs a cell.
 *
 * An interrupt calls session_interrupt() (the cell stops at its next loop
 * iteration with KeyboardInterrupt) and tells the main thread, which may be
 * waiting for an input_reply, through `wake`. A shutdown replies, then asks
 * the main thread to stop; if the main thread is stuck in code that never
 * polls the interrupt flag, the process exits after EXIT_GRACE_S anyway.
 * The thread also notices when the process that started the kernel is gone
 * (JPY_PARENT_PID, as ipykernel does) and shuts down then. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kernel/kern.h"

#define POLL_MS 1000          /* how often the parent process is checked */
#define EXIT_GRACE_S 3.0      /* time the main thread gets to finish after a shutdown */

typedef struct Control {
  Kernel *k;
  KernPub pub;
  void *wake;                 /* PAIR to the main thread */
  pid_t parent;               /* from JPY_PARENT_PID; 0 when not watched */
} Control;

void kern_interrupt(Kernel *k) {
  atomic_fetch_add(&k->interrupts, 1);
  session_interrupt();
}

static void begin_shutdown(Control *c) {
  atomic_store(&c->k->quitting, true);
  session_interrupt();
  zmq_send(c->wake, "q", 1, ZMQ_DONTWAIT);
}

static void on_shutdown(Control *c, const KernMsg *req) {
  bool restart = kern_json_bool(req->content, "restart", false);
  json_t *content = json_pack("{s:s, s:b}", "status", "ok", "restart", restart);
  /* ipykernel also broadcasts the reply on IOPub, for every frontend */
  kern_pub_send(&c->pub, kern_msg_header_bytes(req), "shutdown_reply", json_deep_copy(content));
  kern_reply(c->k->control, &c->k->wire, req, "shutdown_reply", content);
}

static void on_interrupt(Control *c, const KernMsg *req) {
  kern_interrupt(c->k);
  zmq_send(c->wake, "i", 1, ZMQ_DONTWAIT);
  kern_reply(c->k->control, &c->k->wire, req, "interrupt_reply", json_pack("{s:s}", "status", "ok"));
}

/* Returns true when the request was a shutdown. */
static bool handle(Control *c, const KernMsg *req) {
  KernBytes parent = kern_msg_header_bytes(req);
  kern_pub_status(&c->pub, parent, "busy");
  bool shutdown = !strcmp(req->msg_type, "shutdown_request");
  if (!strcmp(req->msg_type, "kernel_info_request")) kern_reply_kernel_info(c->k, c->k->control, req);
  else if (!strcmp(req->msg_type, "interrupt_request")) on_interrupt(c, req);
  else if (shutdown) on_shutdown(c, req);
  else kern_log("control: no handler for %.80s", req->msg_type);
  kern_pub_status(&c->pub, parent, "idle");
  return shutdown;
}

static bool parent_gone(const Control *c) { return c->parent > 1 && getppid() != c->parent; }

/* After a shutdown: give the main thread EXIT_GRACE_S to finish. */
static void wait_for_main(Kernel *k) {
  for (int i = 0; i < (int)(EXIT_GRACE_S * 100) && !atomic_load(&k->main_done); i++)
    nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
  if (atomic_load(&k->main_done)) return;
  kern_log("the running cell did not stop; exiting");
  _exit(0);
}

static void serve(Control *c) {
  while (!atomic_load(&c->k->quitting)) {
    zmq_pollitem_t items[2] = {{c->k->control, 0, ZMQ_POLLIN, 0}, {c->wake, 0, ZMQ_POLLIN, 0}};
    int n = zmq_poll(items, 2, POLL_MS);
    if (n < 0 && errno != EINTR) break;
    if (parent_gone(c)) {
      kern_log("the process that started the kernel is gone; shutting down");
      begin_shutdown(c);
      return;
    }
    KernMsg m;
    if (n <= 0 || !(items[0].revents & ZMQ_POLLIN) ||
        kern_recv(c->k->control, &c->k->wire, &m, ZMQ_DONTWAIT, "control") < 0)
      continue;
    bool shutdown = handle(c, &m);
    kern_msg_free(&m);
    if (shutdown) begin_shutdown(c);
  }
}

void *kern_control_main(void *arg) {
  Control c = {.k = arg};
  const char *ppid = getenv("JPY_PARENT_PID");
  c.parent = ppid ? (pid_t)atoi(ppid) : 0;
  c.wake = zmq_socket(c.k->ctx, ZMQ_PAIR);
  if (kern_pub_open(&c.pub, c.k->ctx) < 0 || !c.wake || zmq_connect(c.wake, KERN_WAKE_ENDPOINT) < 0) {
    kern_log("control: cannot start: %s", zmq_strerror(errno));
  } else {
    serve(&c);
  }
  kern_pub_close(&c.pub);
  if (c.wake) zmq_close(c.wake);
  wait_for_main(c.k);
  return NULL;
}
