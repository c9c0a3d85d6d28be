/* heartbeat.h — the heartbeat channel: bytes in, the same bytes out, on a
 * thread and zmq context of its own so that nothing a cell does delays it. */
#ifndef EMBER_KERNEL_HEARTBEAT_H
#define EMBER_KERNEL_HEARTBEAT_H

#include <pthread.h>
#include <stdbool.h>

typedef struct KernHeartbeat {
  void *ctx;          /* its own context: terminating it stops the echo */
  void *sock;         /* ROUTER, echoing each message to its sender */
  pthread_t thread;
  bool running;
} KernHeartbeat;

/* Bind endpoint (a tcp port of 0 picks one; *port gets the port used) and
   start echoing. Returns 0, or -1 with errno set. */
int kern_heartbeat_start(KernHeartbeat *hb, const char *endpoint, int *port);
void kern_heartbeat_stop(KernHeartbeat *hb);

#endif
