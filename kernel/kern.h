/* kern.h — the kernel's shared state and the pieces that work on it.
 *
 * Threads and what each owns:
 *   main      the shell and stdin sockets, the Session (it alone calls
 *             session_execute and the other session_* queries)
 *   control   the control socket: kernel_info, interrupt, shutdown
 *   iopub     the IOPub socket (iopub.c); others publish through a KernPub
 *   heartbeat its own context and socket (heartbeat.c)
 * The control thread reaches the main thread through `wake` (an inproc
 * PAIR): "i" after an interrupt, "q" to shut down. */
#ifndef EMBER_KERNEL_KERN_H
#define EMBER_KERNEL_KERN_H

#include <pthread.h>
#include <stdatomic.h>

#include "jit/session.h"
#include "kernel/conn.h"
#include "kernel/heartbeat.h"
#include "kernel/history.h"
#include "kernel/iopub.h"
#include "kernel/wire.h"

#define KERN_WAKE_ENDPOINT "inproc://ember-wake"

typedef struct Kernel {
  char failed_at[40];         /* ISO time of the last failed execute, taken before its reply */
  char abort_cutoff[40];      /* stop_on_error: execute requests made before this ... */
  double abort_until;         /* ... that arrive before this (monotonic ms) are aborted */
  KernConn conn;
  KernWire wire;
  void *ctx;                  /* the zmq context of every socket but the heartbeat's */
  void *shell, *stdin_sock;   /* ROUTERs, used by the main thread */
  void *control;              /* ROUTER, used by the control thread */
  void *wake;                 /* PAIR, main side: messages from the control thread */
  KernIopub *iopub;
  KernHeartbeat heartbeat;
  KernPub pub;                /* the main thread's publisher */
  pthread_t control_thread;
  bool control_running;
  Session *session;
  KernHistory history;        /* inputs of this kernel, for history_request */
  int execution_count;        /* cells run with store_history */
  char *kernel_info;          /* kernel_info_reply content, serialized once */
  atomic_int interrupts;      /* counts interrupts (message or SIGINT) */
  atomic_bool quitting;       /* a shutdown was asked for */
  atomic_bool main_done;      /* the main thread has left its loop */
} Kernel;

/* shell.c: one request from the shell socket (busy, handle, idle). */
void kern_shell_handle(Kernel *k, KernMsg *req);
/* shell.c: the main thread's loop until shutdown. */
void kern_shell_loop(Kernel *k);

/* execute.c: an execute_request; returns true when the queued execute
   requests must be aborted (an error with stop_on_error). */
bool kern_execute(Kernel *k, const KernMsg *req);
/* execute.c: answer a queued execute_request without running it. */
void kern_execute_abort(Kernel *k, const KernMsg *req);

/* control.c: the control thread's body (arg: the Kernel). */
void *kern_control_main(void *arg);
/* control.c: stop the running cell (any thread; not from a signal handler). */
void kern_interrupt(Kernel *k);

/* stdin.c: ask the frontend that sent req for a line; NULL on interrupt or
   shutdown. The result is malloc'd. */
char *kern_stdin_input(Kernel *k, const KernMsg *req, const char *prompt, bool password);

/* special.c: is code IPython's `name?` / `name??`? Then *name (malloc'd)
   is the name and *detail 0 or 1. */
bool kern_help_query(const char *code, char **name, int *detail);
/* special.c: is code `exit` or `quit` (optionally called)? */
bool kern_exit_query(const char *code);

/* info.c: kernel_info_reply content (JSON text, malloc'd). */
char *kern_kernel_info(void);
/* info.c: send kernel_info_reply to req on sock. */
void kern_reply_kernel_info(Kernel *k, void *sock, const KernMsg *req);

#endif
