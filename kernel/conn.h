/* conn.h — the connection file jupyter_client writes, and binding to it. */
#ifndef EMBER_KERNEL_CONN_H
#define EMBER_KERNEL_CONN_H

#include <stdbool.h>
#include <stddef.h>

typedef enum KernChannel {
  KERN_SHELL, KERN_IOPUB, KERN_STDIN, KERN_CONTROL, KERN_HB, KERN_NCHANNELS
} KernChannel;

typedef struct KernConn {
  char *path;                  /* the file, for writing back chosen ports */
  char transport[8];           /* "tcp" or "ipc" */
  char ip[256];                /* tcp: an address; ipc: a path prefix */
  int ports[KERN_NCHANNELS];   /* 0: let the system pick (written back) */
  char *key;                   /* HMAC key; "" disables signing */
  char scheme[32];             /* "hmac-sha256" */
} KernConn;

/* Read path; on failure logs why and returns -1. */
int kern_conn_load(KernConn *c, const char *path);
void kern_conn_free(KernConn *c);
/* The zmq endpoint of one channel ("tcp://127.0.0.1:5555", "ipc://kernel-ipc-3"). */
void kern_conn_endpoint(const KernConn *c, KernChannel ch, char *out, size_t size);
/* Record the ports actually bound in the file, if any was 0. */
int kern_conn_write_ports(const KernConn *c);

/* zmq_bind; with a tcp wildcard port ("...:*"), *port gets the one chosen. */
int kern_bind(void *sock, const char *endpoint, int *port);

#endif
