/* kernel.c — `ember kernel -f CONNECTION_FILE`: set up, serve, tear down.
 *
 * Order: read the connection file, bind the five sockets (ports of 0 are
 * picked and written back), start the IOPub, heartbeat and control
 * threads with SIGINT blocked (so only the main thread sees it), create the
 * Session, publish "starting", then serve shell requests on this thread
 * until a shutdown. SIGINT, sent by KernelManager.interrupt_kernel in
 * signal mode and before every shutdown, interrupts the running cell and is
 * harmless otherwise. */
#include "kernel/kernel.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/kern.h"

#define SOCKET_LINGER_MS 1000  /* at exit, time for the last replies to leave */

static Kernel *signal_kernel;  /* the kernel SIGINT interrupts */

static void on_sigint(int sig) {
  (void)sig;
  if (signal_kernel) atomic_fetch_add(&signal_kernel->interrupts, 1);
  session_interrupt();
}

static void install_sigint(Kernel *k) {
  signal_kernel = k;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_sigint;  /* no SA_RESTART: a blocking wait returns EINTR */
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
}

/* ---- arguments ---------------------------------------------------------- */

/* A path VS Code wraps in quotes when it has spaces: drop them. */
static char *unquote(const char *s) {
  size_t n = strlen(s);
  if (n >= 2 && s[0] == '"' && s[n - 1] == '"') return strndup(s + 1, n - 2);
  return strdup(s);
}

static char *connection_file_arg(int argc, char **argv) {
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    if ((!strcmp(a, "-f") || !strcmp(a, "--connection-file")) && i + 1 < argc) return unquote(argv[i + 1]);
    if (!strncmp(a, "-f=", 3)) return unquote(a + 3);
    if (!strncmp(a, "--f=", 4)) return unquote(a + 4);
    if (!strncmp(a, "--connection-file=", 18)) return unquote(a + 18);
    kern_log("ignoring argument '%s'", a);
  }
  return NULL;
}

/* ---- sockets ------------------------------------------------------------ */

static void *open_socket(Kernel *k, int type, KernChannel ch) {
  void *s = zmq_socket(k->ctx, type);
  if (!s) return NULL;
  int one = 1, linger = SOCKET_LINGER_MS;
  zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
  if (type == ZMQ_ROUTER) zmq_setsockopt(s, ZMQ_ROUTER_HANDOVER, &one, sizeof one);
  char endpoint[320];
  kern_conn_endpoint(&k->conn, ch, endpoint, sizeof endpoint);
  if (kern_bind(s, endpoint, &k->conn.ports[ch]) < 0) {
    kern_log("cannot bind %s: %s", endpoint, zmq_strerror(errno));
    zmq_close(s);
    return NULL;
  }
  return s;
}

static int open_sockets(Kernel *k) {
  bool pick_ports = false;
  for (int i = 0; i < KERN_NCHANNELS; i++) pick_ports |= k->conn.ports[i] == 0;
  k->ctx = zmq_ctx_new();
  k->shell = open_socket(k, ZMQ_ROUTER, KERN_SHELL);
  k->control = open_socket(k, ZMQ_ROUTER, KERN_CONTROL);
  k->stdin_sock = open_socket(k, ZMQ_ROUTER, KERN_STDIN);
  void *iopub = open_socket(k, ZMQ_XPUB, KERN_IOPUB);
  char hb[320];
  kern_conn_endpoint(&k->conn, KERN_HB, hb, sizeof hb);
  if (!k->shell || !k->control || !k->stdin_sock || !iopub) return -1;
  if (kern_heartbeat_start(&k->heartbeat, hb, &k->conn.ports[KERN_HB]) < 0) {
    kern_log("cannot bind %s: %s", hb, zmq_strerror(errno));
    zmq_close(iopub);
    return -1;
  }
  if (pick_ports && kern_conn_write_ports(&k->conn) < 0) kern_log("cannot write the ports to %s", k->conn.path);
  k->wake = zmq_socket(k->ctx, ZMQ_PAIR);
  zmq_bind(k->wake, KERN_WAKE_ENDPOINT);
  k->iopub = kern_iopub_start(k->ctx, &k->wire, iopub);
  return k->iopub && kern_pub_open(&k->pub, k->ctx) == 0 ? 0 : -1;
}

static int start_control(Kernel *k) {
  int rc = pthread_create(&k->control_thread, NULL, kern_control_main, k);
  k->control_running = rc == 0;
  return rc == 0 ? 0 : -1;
}

/* ---- teardown ----------------------------------------------------------- */

static void close_socket(void **s) {
  if (*s) zmq_close(*s);
  *s = NULL;
}

static void stop_kernel(Kernel *k) {
  atomic_store(&k->quitting, true);
  atomic_store(&k->main_done, true);
  if (k->control_running) {
    zmq_send(k->wake, "q", 1, ZMQ_DONTWAIT);
    pthread_join(k->control_thread, NULL);
  }
  if (k->iopub) {
    kern_pub_quit(&k->pub);
    kern_iopub_join(k->iopub);
  }
  kern_pub_close(&k->pub);
  kern_heartbeat_stop(&k->heartbeat);
  close_socket(&k->shell);
  close_socket(&k->control);
  close_socket(&k->stdin_sock);
  close_socket(&k->wake);
  if (k->ctx) zmq_ctx_term(k->ctx);
  signal_kernel = NULL;
  session_destroy(k->session);
  kern_history_free(&k->history);
  kern_conn_free(&k->conn);
  free(k->kernel_info);
  free(k);
}

/* ---- entry -------------------------------------------------------------- */

static int start_session(Kernel *k) {
  char *err = NULL;
  SessionOptions opts = {.opt_level = 3};
  k->session = session_create(&opts, &err);
  if (k->session) return 0;
  kern_log("cannot start the compiler: %s", err ? err : "unknown error");
  free(err);
  return 70;
}

/* Threads started here inherit a mask without SIGINT: the signal goes to
   the main thread, whose waits it interrupts. */
static int start_kernel(Kernel *k, const char *file) {
  if (kern_conn_load(&k->conn, file) < 0) return 66;
  if (kern_wire_init(&k->wire, k->conn.key, k->conn.scheme) < 0) {
    kern_log("unsupported signature scheme '%s' (only hmac-sha256)", k->conn.scheme);
    return 65;
  }
  k->kernel_info = kern_kernel_info();
  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, SIGINT);
  pthread_sigmask(SIG_BLOCK, &block, &old);
  int status = open_sockets(k) < 0 || start_control(k) < 0 ? 69 : start_session(k);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  return status;
}

int kern_main(int argc, char **argv) {
  char *file = connection_file_arg(argc, argv);
  if (!file) {
    kern_log("which connection file? usage: ember kernel -f CONNECTION_FILE");
    return 64;
  }
  Kernel *k = calloc(1, sizeof *k);
  install_sigint(k);
  int status = start_kernel(k, file);
  free(file);
  if (status == 0) {
    kern_pub_status(&k->pub, (KernBytes){NULL, 0}, "starting");
    kern_shell_loop(k);
  }
  stop_kernel(k);
  return status;
}
