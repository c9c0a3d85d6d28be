/* wire.h — the Jupyter wire format: framing, signing, headers.
 *
 * A message on the wire is [identities..., "<IDS|MSG>", hmac, header,
 * parent_header, metadata, content, buffers...]. KernWire holds what every
 * message of this process shares (the signing key and the session id);
 * it is read-only after kern_wire_init, so every thread may use it. */
#ifndef EMBER_KERNEL_WIRE_H
#define EMBER_KERNEL_WIRE_H

#include <jansson.h>
#include <sodium.h>
#include <stdbool.h>
#include <stddef.h>
#include <zmq.h>

#define KERN_PROTOCOL_VERSION "5.3"

typedef struct KernWire {
  crypto_auth_hmacsha256_state key;  /* HMAC state after absorbing the key; copied per message */
  bool signing;                      /* false for an empty key: empty signatures, none checked */
  char session[37];                  /* one UUID per process, in every header we send */
  char username[64];                 /* header.username */
} KernWire;

/* A borrowed byte range: one frame of a message. */
typedef struct KernBytes {
  const void *data;
  size_t len;
} KernBytes;

/* A message received and verified. Frames are kept as they arrived, so
   identities and the raw header (the parent of every reply) are echoed
   verbatim. */
typedef struct KernMsg {
  zmq_msg_t *frames;
  int nframes;
  int nidents;                /* frames[0 .. nidents) route the reply */
  json_t *header, *parent, *metadata, *content;  /* owned */
  const char *msg_type;       /* from header; never NULL ("" when absent) */
  const char *msg_id;
} KernMsg;

/* The current UTC time as the headers carry it: 2026-01-01T12:00:00.123456Z */
void kern_iso_now(char out[40]);

/* Returns 0, or -1 when the scheme is not hmac-sha256. */
int kern_wire_init(KernWire *w, const char *key, const char *scheme);

/* Receive one whole message from sock. Returns 0 with *m filled; -1 when the
   message was malformed or forged (logged, dropped, *m empty); -2 when
   nothing was read (errno: EAGAIN with ZMQ_DONTWAIT, EINTR, ETERM). */
int kern_recv(void *sock, const KernWire *w, KernMsg *m, int flags, const char *channel);
void kern_msg_free(KernMsg *m);
/* The raw header frame of m, for use as a parent header. */
KernBytes kern_msg_header_bytes(const KernMsg *m);

/* Send one message: idents (n of them, may be 0), a new header of msg_type,
   parent (raw JSON; NULL or empty means {}), metadata and content (raw JSON;
   NULL means {}). Returns 0 or -1 (errno from zmq). */
int kern_send_raw(void *sock, const KernWire *w, const KernBytes *idents, int nidents,
                  const char *msg_type, KernBytes parent, const char *metadata,
                  const char *content, size_t content_len);

/* Reply to req on sock: same identities, parent = req's header. Takes
   ownership of content. */
int kern_reply(void *sock, const KernWire *w, const KernMsg *req, const char *msg_type,
               json_t *content);

/* The same with content already serialized (NULL means {}). */
int kern_reply_text(void *sock, const KernWire *w, const KernMsg *req, const char *msg_type,
                    const char *content, size_t len);

/* JSON in the compact form we send; the caller frees. */
char *kern_json_dump(const json_t *j);

/* Helpers for reading request content without trusting its types. */
const char *kern_json_str(const json_t *obj, const char *key, const char *dflt);
bool kern_json_bool(const json_t *obj, const char *key, bool dflt);
long long kern_json_int(const json_t *obj, const char *key, long long dflt);

/* Log a problem to stderr, prefixed "ember kernel: ". */
void kern_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
