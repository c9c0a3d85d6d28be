/* iopub.h — the IOPub channel: one thread owns the socket, every other
 * thread publishes through its own KernPub (an inproc PUSH to that thread).
 *
 * Messages keep their order: stream text is batched (at most one stream
 * message per 100 ms), and any other message first flushes the text
 * before it. */
#ifndef EMBER_KERNEL_IOPUB_H
#define EMBER_KERNEL_IOPUB_H

#include <pthread.h>

#include "kernel/wire.h"

typedef struct KernIopub KernIopub;

/* Start the thread; it takes ownership of pub (the bound XPUB socket). */
KernIopub *kern_iopub_start(void *ctx, const KernWire *w, void *pub);
/* Wait for the thread to end (after kern_pub_quit) and free it. */
void kern_iopub_join(KernIopub *io);

/* One thread's way to publish. Not shared between threads, except that the
   stream call is locked (compiled code may print from worker threads). */
typedef struct KernPub {
  void *push;
  pthread_mutex_t lock;
} KernPub;

int kern_pub_open(KernPub *p, void *ctx);
void kern_pub_close(KernPub *p);
/* Publish msg_type with content (taken over) and parent (raw header JSON). */
void kern_pub_send(KernPub *p, KernBytes parent, const char *msg_type, json_t *content);
void kern_pub_status(KernPub *p, KernBytes parent, const char *state);
void kern_pub_stream(KernPub *p, KernBytes parent, const char *name, const char *text, size_t len);
/* Send any batched stream text now. */
void kern_pub_flush(KernPub *p);
/* Flush everything and end the IOPub thread. */
void kern_pub_quit(KernPub *p);

#endif
