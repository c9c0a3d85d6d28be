/* iopub.c — the thread that owns the IOPub socket.
 *
 * Other threads send it commands over inproc PUSH/PULL; each command is a
 * multipart message whose first frame is one byte:
 *   'M' parent msg_type content   publish a message (content is JSON text)
 *   'S' parent name text          stream text, batched
 *   'F'                           send the batched text now
 *   'Q'                           send the batched text, then end
 * The thread signs and sends; no other thread touches the socket.
 *
 * Batching: text for one (parent, stream name) accumulates; it goes out
 * when 100 ms have passed since the last stream message (and at least 5 ms
 * after the first of it arrived, so one print is one message), when another
 * message comes (so order is kept), or when it reaches BATCH_MAX. A
 * character cut in two by a write boundary waits for its second half.
 *
 * The socket is an XPUB. Until the first subscription arrives (or
 * HOLD_SECONDS pass) the thread reads no commands, so the status messages
 * of the first kernel_info_request are not lost to the subscription race;
 * after that it behaves as a plain PUB. */
#include "kernel/iopub.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "compiler/buf.h"
#include "kernel/utf8.h"

#define IOPUB_ENDPOINT "inproc://ember-iopub"
#define BATCH_INTERVAL 0.1       /* seconds between stream messages of one parent */
#define BATCH_GRACE 0.005        /* seconds the first text waits for what follows it */
#define BATCH_MAX (4u << 20)     /* bytes; bounds memory when a cell prints very fast */
#define HOLD_SECONDS 1.5         /* how long to wait for the first subscriber */
#define IOPUB_LINGER_MS 3000     /* at exit, time for the last messages to leave */

struct KernIopub {
  pthread_t thread;
  const KernWire *wire;
  void *pub;                 /* the XPUB socket clients subscribe to */
  void *pull;                /* commands from the other threads */
  Buf text;                  /* batched stream text */
  Buf text_parent;           /* its parent header (raw JSON) */
  char text_name[8];         /* "stdout" or "stderr" */
  double deadline;           /* when the batched text must go out */
  double last_stream;        /* when the last stream message went out */
};

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* ---- sending on the XPUB ---------------------------------------------- */

static void publish(KernIopub *io, KernBytes parent, const char *msg_type, const char *content,
                    size_t len) {
  char topic[96];
  snprintf(topic, sizeof topic, "kernel.%s.%s", io->wire->session, msg_type);
  KernBytes t = {topic, strlen(topic)};
  if (kern_send_raw(io->pub, io->wire, &t, 1, msg_type, parent, NULL, content, len) < 0)
    kern_log("iopub: could not send %s: %s", msg_type, zmq_strerror(errno));
}

/* Send the batched text; all of it when `all`, else all but a character
   still cut off at the end. */
static void flush_text(KernIopub *io, bool all) {
  if (!io->text.len) return;
  size_t n = all ? io->text.len : kern_utf8_whole(io->text.data, io->text.len);
  if (n) {
    json_t *c = json_object();
    json_object_set_new(c, "name", json_string(io->text_name));
    json_object_set_new(c, "text", kern_utf8_json(io->text.data, n));
    char *body = kern_json_dump(c);
    json_decref(c);
    publish(io, (KernBytes){io->text_parent.data, io->text_parent.len}, "stream", body, strlen(body));
    free(body);
    io->last_stream = now_s();
  }
  size_t rest = io->text.len - n;
  memmove(io->text.data, io->text.data + n, rest);
  io->text.len = rest;
  /* a held partial character waits for its end, or for the final flush */
  io->deadline = (n ? io->last_stream : now_s()) + BATCH_INTERVAL;
}

static bool same_batch(KernIopub *io, KernBytes parent, KernBytes name) {
  return io->text_parent.len == parent.len && !memcmp(io->text_parent.data, parent.data, parent.len) &&
         strlen(io->text_name) == name.len && !memcmp(io->text_name, name.data, name.len);
}

static void add_text(KernIopub *io, KernBytes parent, KernBytes name, KernBytes text) {
  if (io->text.len && !same_batch(io, parent, name)) flush_text(io, true);
  if (!io->text.len) {
    io->text_parent.len = 0;
    buf_put(&io->text_parent, parent.data, parent.len);
    size_t n = name.len < sizeof io->text_name ? name.len : sizeof io->text_name - 1;
    memcpy(io->text_name, name.data, n);
    io->text_name[n] = 0;
    double earliest = now_s() + BATCH_GRACE;  /* print("x") writes "x", then "\n" */
    io->deadline = io->last_stream + BATCH_INTERVAL;
    if (io->deadline < earliest) io->deadline = earliest;
  }
  buf_put(&io->text, text.data, text.len);
  if (io->text.len >= BATCH_MAX || now_s() >= io->deadline) flush_text(io, false);
}

/* ---- commands ----------------------------------------------------------- */

typedef struct Command {
  zmq_msg_t part[4];
  int n;
} Command;

/* The next command, if one is waiting: its first 4 frames (more are dropped). */
static int recv_command(void *pull, Command *c) {
  c->n = 0;
  for (;;) {
    zmq_msg_t f;
    zmq_msg_init(&f);
    if (zmq_msg_recv(&f, pull, c->n ? 0 : ZMQ_DONTWAIT) < 0) {
      zmq_msg_close(&f);
      if (errno == EINTR && c->n) continue;  /* the rest of a message is already here */
      return -1;
    }
    bool more = zmq_msg_more(&f);
    if (c->n < 4) {
      zmq_msg_init(&c->part[c->n]);
      zmq_msg_move(&c->part[c->n++], &f);
    }
    zmq_msg_close(&f);
    if (!more) return 0;
  }
}

static KernBytes part(Command *c, int i) {
  if (i >= c->n) return (KernBytes){"", 0};
  return (KernBytes){zmq_msg_data(&c->part[i]), zmq_msg_size(&c->part[i])};
}

/* Handle one command; returns false on 'Q'. */
static bool run_command(KernIopub *io, Command *c) {
  KernBytes kind = part(c, 0);
  char k = kind.len ? *(const char *)kind.data : 0;
  if (k == 'S') {
    add_text(io, part(c, 1), part(c, 2), part(c, 3));
    return true;
  }
  flush_text(io, true);
  if (k == 'M') {
    KernBytes type = part(c, 2), body = part(c, 3);
    char msg_type[64];
    snprintf(msg_type, sizeof msg_type, "%.*s", (int)(type.len < 63 ? type.len : 63), (const char *)type.data);
    publish(io, part(c, 1), msg_type, body.data, body.len);
  }
  return k != 'Q';
}

/* Every command waiting now; false when one was 'Q'. */
static bool drain_commands(KernIopub *io) {
  Command c;
  bool go_on = true;
  while (go_on && recv_command(io->pull, &c) == 0) {
    go_on = run_command(io, &c);
    for (int i = 0; i < c.n; i++) zmq_msg_close(&c.part[i]);
  }
  return go_on;
}

/* ---- subscriptions ------------------------------------------------------ */

/* Reads XPUB events; true if one was a subscription. */
static bool drain_subscriptions(KernIopub *io) {
  bool subscribed = false;
  zmq_msg_t m;
  zmq_msg_init(&m);
  while (zmq_msg_recv(&m, io->pub, ZMQ_DONTWAIT) >= 0) {
    if (zmq_msg_size(&m) && *(unsigned char *)zmq_msg_data(&m) == 1) subscribed = true;
  }
  zmq_msg_close(&m);
  return subscribed;
}

static void wait_first_subscriber(KernIopub *io) {
  double until = now_s() + HOLD_SECONDS;
  for (double left; (left = until - now_s()) > 0;) {
    zmq_pollitem_t item = {io->pub, 0, ZMQ_POLLIN, 0};
    int n = zmq_poll(&item, 1, (long)(left * 1000) + 1);
    if (n < 0 && errno == ETERM) return;
    if (n > 0 && drain_subscriptions(io)) return;
  }
}

/* ---- the thread --------------------------------------------------------- */

static long poll_timeout_ms(KernIopub *io) {
  if (!io->text.len) return -1;
  double left = io->deadline - now_s();
  return left <= 0 ? 0 : (long)(left * 1000) + 1;
}

static void *iopub_main(void *arg) {
  KernIopub *io = arg;
  wait_first_subscriber(io);
  for (bool go_on = true; go_on;) {
    zmq_pollitem_t items[2] = {{io->pull, 0, ZMQ_POLLIN, 0}, {io->pub, 0, ZMQ_POLLIN, 0}};
    int n = zmq_poll(items, 2, poll_timeout_ms(io));
    if (n < 0 && errno == ETERM) break;
    if (n > 0 && (items[1].revents & ZMQ_POLLIN)) drain_subscriptions(io);
    if (n > 0 && (items[0].revents & ZMQ_POLLIN)) go_on = drain_commands(io);
    if (io->text.len && now_s() >= io->deadline) flush_text(io, !go_on);
  }
  flush_text(io, true);
  zmq_close(io->pull);
  zmq_close(io->pub);
  return NULL;
}

KernIopub *kern_iopub_start(void *ctx, const KernWire *w, void *pub) {
  KernIopub *io = calloc(1, sizeof *io);
  io->wire = w;
  io->pub = pub;
  int linger = IOPUB_LINGER_MS, hwm = 0;
  zmq_setsockopt(pub, ZMQ_LINGER, &linger, sizeof linger);
  io->pull = zmq_socket(ctx, ZMQ_PULL);
  zmq_setsockopt(io->pull, ZMQ_RCVHWM, &hwm, sizeof hwm);
  if (!io->pull || zmq_bind(io->pull, IOPUB_ENDPOINT) < 0 ||
      pthread_create(&io->thread, NULL, iopub_main, io) != 0) {
    kern_log("iopub: cannot start: %s", zmq_strerror(errno));
    if (io->pull) zmq_close(io->pull);
    free(io);
    return NULL;
  }
  return io;
}

void kern_iopub_join(KernIopub *io) {
  if (!io) return;
  pthread_join(io->thread, NULL);
  buf_free(&io->text);
  buf_free(&io->text_parent);
  free(io);
}

/* ---- publishers (any thread) -------------------------------------------- */

int kern_pub_open(KernPub *p, void *ctx) {
  int hwm = 0, linger = IOPUB_LINGER_MS;
  p->push = zmq_socket(ctx, ZMQ_PUSH);
  if (!p->push) return -1;
  zmq_setsockopt(p->push, ZMQ_SNDHWM, &hwm, sizeof hwm);
  zmq_setsockopt(p->push, ZMQ_LINGER, &linger, sizeof linger);
  pthread_mutex_init(&p->lock, NULL);
  return zmq_connect(p->push, IOPUB_ENDPOINT);
}

void kern_pub_close(KernPub *p) {
  if (!p->push) return;
  zmq_close(p->push);
  p->push = NULL;
  pthread_mutex_destroy(&p->lock);
}

static void send_parts(KernPub *p, const KernBytes *parts, int n) {
  if (!p->push) return;
  pthread_mutex_lock(&p->lock);
  for (int i = 0; i < n; i++)
    while (zmq_send(p->push, parts[i].data, parts[i].len, i + 1 < n ? ZMQ_SNDMORE : 0) < 0 && errno == EINTR) {}
  pthread_mutex_unlock(&p->lock);
}

void kern_pub_send(KernPub *p, KernBytes parent, const char *msg_type, json_t *content) {
  char *body = kern_json_dump(content);
  json_decref(content);
  if (!body) return;
  KernBytes parts[4] = {{"M", 1}, parent, {msg_type, strlen(msg_type)}, {body, strlen(body)}};
  send_parts(p, parts, 4);
  free(body);
}

void kern_pub_status(KernPub *p, KernBytes parent, const char *state) {
  char body[64];
  snprintf(body, sizeof body, "{\"execution_state\":\"%s\"}", state);
  KernBytes parts[4] = {{"M", 1}, parent, {"status", 6}, {body, strlen(body)}};
  send_parts(p, parts, 4);
}

void kern_pub_stream(KernPub *p, KernBytes parent, const char *name, const char *text, size_t len) {
  if (!len) return;
  KernBytes parts[4] = {{"S", 1}, parent, {name, strlen(name)}, {text, len}};
  send_parts(p, parts, 4);
}

void kern_pub_flush(KernPub *p) { send_parts(p, &(KernBytes){"F", 1}, 1); }
void kern_pub_quit(KernPub *p) { send_parts(p, &(KernBytes){"Q", 1}, 1); }
