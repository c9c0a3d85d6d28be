/* wire.c — receiving, verifying and sending Jupyter messages.
 *
 * Receiving reads every frame of a multipart message, finds the
 * "<IDS|MSG>" delimiter (identities before it are opaque bytes, kept as
 * received), checks the HMAC-SHA256 of the four JSON frames against the
 * signature frame (length first, then a constant-time compare), and parses
 * the four frames as JSON objects. Anything wrong is logged and the message
 * dropped; nothing a peer sends can stop the kernel.
 *
 * Sending builds a fresh header (random msg_id, this process's session,
 * version 5.3, an ISO 8601 date with microseconds and "Z"), signs exactly
 * the bytes it sends, and sends them. The key can be any length, so the
 * streaming HMAC API is used: kern_wire_init absorbs the key once and each
 * message starts from a copy of that state. */
#include "kernel/wire.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DELIMITER "<IDS|MSG>"
#define DELIMITER_LEN 9
#define SIGNATURE_HEX_LEN 64  /* hex of a 32-byte SHA-256 HMAC */
#define MAX_FRAMES 4096       /* more than any real message has; the rest is drained */

void kern_log(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("ember kernel: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
}

/* ---- identity of this process ------------------------------------------ */

static void uuid4(char out[37]) {
  unsigned char b[16];
  randombytes_buf(b, sizeof b);
  b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
  b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
  char hex[33];
  sodium_bin2hex(hex, sizeof hex, b, sizeof b);
  snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
}

/* The login name, reduced to printable ASCII so it is always valid JSON text. */
static void set_username(char *out, size_t size) {
  const char *u = getenv("USER");
  if (!u || !*u) u = "ember";
  size_t n = 0;
  for (; *u && n + 1 < size; u++)
    if (*u > ' ' && *u < 0x7f) out[n++] = *u;
  out[n] = 0;
  if (!n) snprintf(out, size, "ember");
}

int kern_wire_init(KernWire *w, const char *key, const char *scheme) {
  memset(w, 0, sizeof *w);
  if (sodium_init() < 0) return -1;
  if (scheme && *scheme && strcmp(scheme, "hmac-sha256") != 0) return -1;
  size_t keylen = key ? strlen(key) : 0;
  w->signing = keylen > 0;
  crypto_auth_hmacsha256_init(&w->key, (const unsigned char *)(key ? key : ""), keylen);
  uuid4(w->session);
  set_username(w->username, sizeof w->username);
  return 0;
}

/* ---- signing ------------------------------------------------------------ */

static void sign(const KernWire *w, const KernBytes parts[4], char hex[SIGNATURE_HEX_LEN + 1]) {
  crypto_auth_hmacsha256_state st = w->key;
  for (int i = 0; i < 4; i++)
    crypto_auth_hmacsha256_update(&st, parts[i].data, parts[i].len);
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_final(&st, mac);
  sodium_bin2hex(hex, SIGNATURE_HEX_LEN + 1, mac, sizeof mac);
}

static bool signature_ok(const KernWire *w, KernBytes sig, const KernBytes parts[4]) {
  if (!w->signing) return true;
  if (sig.len != SIGNATURE_HEX_LEN) return false;
  char want[SIGNATURE_HEX_LEN + 1];
  sign(w, parts, want);
  return sodium_memcmp(want, sig.data, SIGNATURE_HEX_LEN) == 0;
}

/* ---- receiving ---------------------------------------------------------- */

static KernBytes frame(const KernMsg *m, int i) {
  return (KernBytes){zmq_msg_data(&m->frames[i]), zmq_msg_size(&m->frames[i])};
}

KernBytes kern_msg_header_bytes(const KernMsg *m) { return frame(m, m->nidents + 2); }

/* One frame. EINTR before the first frame is the caller's to see (a signal
   may need handling); later frames of a message are already here, so they
   are retried. */
static int recv_frame(void *sock, zmq_msg_t *f, int flags, bool retry_eintr) {
  zmq_msg_init(f);
  while (zmq_msg_recv(f, sock, flags) < 0) {
    if (errno == EINTR && retry_eintr) continue;
    int saved = errno;
    zmq_msg_close(f);
    errno = saved;
    return -1;
  }
  return 0;
}

static bool more_frames(void *sock) {
  int more = 0;
  size_t sz = sizeof more;
  return zmq_getsockopt(sock, ZMQ_RCVMORE, &more, &sz) == 0 && more;
}

/* Every frame of the next message; -1 when none could be read. Frames past
   MAX_FRAMES are read and discarded (the message then fails to parse). */
static int recv_frames(void *sock, KernMsg *m, int flags) {
  int cap = 8;
  m->frames = malloc(sizeof(zmq_msg_t) * (size_t)cap);
  if (recv_frame(sock, &m->frames[0], flags, false) < 0) {
    free(m->frames);
    m->frames = NULL;
    return -1;
  }
  m->nframes = 1;
  while (more_frames(sock)) {
    zmq_msg_t f;
    if (recv_frame(sock, &f, 0, true) < 0) break;
    if (m->nframes == MAX_FRAMES) {
      zmq_msg_close(&f);
      continue;
    }
    if (m->nframes == cap) m->frames = realloc(m->frames, sizeof(zmq_msg_t) * (size_t)(cap *= 2));
    zmq_msg_init(&m->frames[m->nframes]);
    zmq_msg_move(&m->frames[m->nframes++], &f);
    zmq_msg_close(&f);
  }
  return 0;
}

static json_t *parse_object(KernBytes b) {
  json_error_t err;
  json_t *j = json_loadb(b.data, b.len, JSON_ALLOW_NUL, &err);
  if (j && !json_is_object(j)) {
    json_decref(j);
    return NULL;
  }
  return j;
}

static int find_delimiter(const KernMsg *m) {
  for (int i = 0; i < m->nframes; i++) {
    KernBytes f = frame(m, i);
    if (f.len == DELIMITER_LEN && !memcmp(f.data, DELIMITER, DELIMITER_LEN)) return i;
  }
  return -1;
}

/* NULL when m is a well-formed, authentic message; else why not. */
static const char *parse(const KernWire *w, KernMsg *m) {
  int d = find_delimiter(m);
  if (d < 0) return "no <IDS|MSG> delimiter";
  if (m->nframes == MAX_FRAMES) return "too many frames";
  if (m->nframes < d + 6) return "fewer than 5 frames after the delimiter";
  m->nidents = d;
  KernBytes parts[4] = {frame(m, d + 2), frame(m, d + 3), frame(m, d + 4), frame(m, d + 5)};
  if (!signature_ok(w, frame(m, d + 1), parts)) return "bad signature";
  json_t **slots[4] = {&m->header, &m->parent, &m->metadata, &m->content};
  for (int i = 0; i < 4; i++)
    if (!(*slots[i] = parse_object(parts[i]))) return "a header, parent, metadata or content frame is not a JSON object";
  m->msg_type = kern_json_str(m->header, "msg_type", "");
  m->msg_id = kern_json_str(m->header, "msg_id", "");
  if (!*m->msg_type) return "the header has no msg_type";
  return NULL;
}

int kern_recv(void *sock, const KernWire *w, KernMsg *m, int flags, const char *channel) {
  memset(m, 0, sizeof *m);
  if (recv_frames(sock, m, flags) < 0) return -2;
  const char *why = parse(w, m);
  if (!why) return 0;
  kern_log("dropped a message on %s: %s", channel, why);
  kern_msg_free(m);
  return -1;
}

void kern_msg_free(KernMsg *m) {
  for (int i = 0; i < m->nframes; i++) zmq_msg_close(&m->frames[i]);
  free(m->frames);
  json_decref(m->header);
  json_decref(m->parent);
  json_decref(m->metadata);
  json_decref(m->content);
  memset(m, 0, sizeof *m);
}

/* ---- sending ------------------------------------------------------------ */

/* 2026-01-01T12:00:00.123456Z */
void kern_iso_now(char out[40]) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  struct tm tm;
  gmtime_r(&ts.tv_sec, &tm);
  size_t n = strftime(out, 40, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(out + n, 40 - n, ".%06ldZ", ts.tv_nsec / 1000);
}

/* Random, as jupyter_client's are: 8 hex, '-', 24 hex. */
static void new_msg_id(char out[34]) {
  unsigned char b[16];
  randombytes_buf(b, sizeof b);
  char hex[33];
  sodium_bin2hex(hex, sizeof hex, b, sizeof b);
  snprintf(out, 34, "%.8s-%.24s", hex, hex + 8);
}

static char *make_header(const KernWire *w, const char *msg_type) {
  char id[34], date[40];
  new_msg_id(id);
  kern_iso_now(date);
  json_t *h = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "msg_id", id, "session", w->session,
                        "username", w->username, "date", date, "msg_type", msg_type, "version",
                        KERN_PROTOCOL_VERSION);
  char *s = h ? kern_json_dump(h) : NULL;
  json_decref(h);
  return s;
}

static int send_frame(void *sock, const void *data, size_t len, bool more) {
  for (;;) {
    if (zmq_send(sock, data, len, more ? ZMQ_SNDMORE : 0) >= 0) return 0;
    if (errno != EINTR) return -1;
  }
}

int kern_send_raw(void *sock, const KernWire *w, const KernBytes *idents, int nidents,
                  const char *msg_type, KernBytes parent, const char *metadata,
                  const char *content, size_t content_len) {
  char *header = make_header(w, msg_type);
  if (!header) return -1;
  if (!parent.data || !parent.len) parent = (KernBytes){"{}", 2};
  if (!metadata) metadata = "{}";
  if (!content) content = "{}", content_len = 2;
  KernBytes parts[4] = {{header, strlen(header)}, parent, {metadata, strlen(metadata)}, {content, content_len}};
  char sig[SIGNATURE_HEX_LEN + 1] = "";
  if (w->signing) sign(w, parts, sig);
  int rc = 0;
  for (int i = 0; i < nidents && !rc; i++) rc = send_frame(sock, idents[i].data, idents[i].len, true);
  if (!rc) rc = send_frame(sock, DELIMITER, DELIMITER_LEN, true);
  if (!rc) rc = send_frame(sock, sig, strlen(sig), true);
  for (int i = 0; i < 4 && !rc; i++) rc = send_frame(sock, parts[i].data, parts[i].len, i < 3);
  free(header);
  return rc;
}

int kern_reply_text(void *sock, const KernWire *w, const KernMsg *req, const char *msg_type,
                    const char *content, size_t len) {
  KernBytes few[8] = {{0}}, *ids = req->nidents <= 8 ? few : malloc(sizeof(KernBytes) * (size_t)req->nidents);
  for (int i = 0; i < req->nidents; i++) ids[i] = frame(req, i);
  int rc = kern_send_raw(sock, w, ids, req->nidents, msg_type, kern_msg_header_bytes(req), NULL,
                         content, len);
  if (ids != few) free(ids);
  if (rc < 0) kern_log("cannot send %s: %s", msg_type, zmq_strerror(errno));
  return rc;
}

int kern_reply(void *sock, const KernWire *w, const KernMsg *req, const char *msg_type,
               json_t *content) {
  char *body = content ? kern_json_dump(content) : NULL;
  json_decref(content);
  int rc = kern_reply_text(sock, w, req, msg_type, body, body ? strlen(body) : 0);
  free(body);
  return rc;
}

/* ---- JSON --------------------------------------------------------------- */

char *kern_json_dump(const json_t *j) { return json_dumps(j, JSON_COMPACT); }

const char *kern_json_str(const json_t *obj, const char *key, const char *dflt) {
  json_t *v = json_object_get(obj, key);
  return json_is_string(v) ? json_string_value(v) : dflt;
}

bool kern_json_bool(const json_t *obj, const char *key, bool dflt) {
  json_t *v = json_object_get(obj, key);
  if (json_is_boolean(v)) return json_is_true(v);
  if (json_is_integer(v)) return json_integer_value(v) != 0;
  return dflt;
}

long long kern_json_int(const json_t *obj, const char *key, long long dflt) {
  json_t *v = json_object_get(obj, key);
  if (json_is_integer(v)) return json_integer_value(v);
  if (json_is_real(v)) {
    double d = json_real_value(v);
    return d > 1e15 ? (long long)1e15 : d < -1e15 ? (long long)-1e15 : (long long)d;
  }
  return dflt;
}
