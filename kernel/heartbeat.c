/* heartbeat.c — a ROUTER socket proxied onto itself: each request (the
 * client's identity, then its bytes) goes back out through the same ROUTER,
 * which routes it to the identity it came from. This is ipykernel's
 * heartbeat; zmq_proxy does the loop, and returns when the context ends. */
#include "kernel/heartbeat.h"

#include <errno.h>
#include <zmq.h>

#include "kernel/conn.h"

static void *heartbeat_main(void *arg) {
  KernHeartbeat *hb = arg;
  while (zmq_proxy(hb->sock, hb->sock, NULL) < 0 && errno == EINTR) {}
  return NULL;
}

int kern_heartbeat_start(KernHeartbeat *hb, const char *endpoint, int *port) {
  hb->ctx = zmq_ctx_new();
  hb->sock = hb->ctx ? zmq_socket(hb->ctx, ZMQ_ROUTER) : NULL;
  int linger = 0;
  if (hb->sock) zmq_setsockopt(hb->sock, ZMQ_LINGER, &linger, sizeof linger);
  if (!hb->sock || kern_bind(hb->sock, endpoint, port) < 0 ||
      pthread_create(&hb->thread, NULL, heartbeat_main, hb) != 0) {
    int saved = errno;
    if (hb->sock) zmq_close(hb->sock);
    if (hb->ctx) zmq_ctx_term(hb->ctx);
    hb->sock = hb->ctx = NULL;
    errno = saved;
    return -1;
  }
  hb->running = true;
  return 0;
}

void kern_heartbeat_stop(KernHeartbeat *hb) {
  if (!hb->running) return;
  zmq_ctx_shutdown(hb->ctx);  /* zmq_proxy returns with ETERM */
  pthread_join(hb->thread, NULL);
  zmq_close(hb->sock);
  zmq_ctx_term(hb->ctx);
  hb->running = false;
}
