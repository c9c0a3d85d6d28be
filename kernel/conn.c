/* conn.c — reading the connection file and turning it into endpoints.
 *
 * The file is JSON: transport, ip, five ports, key and signature_scheme;
 * unknown fields are ignored (jupyter_client adds kernel_name and others).
 * A port of 0 means "pick one": the kernel binds a wildcard port and writes
 * the real numbers back into the file, as ipykernel does. */
#include "kernel/conn.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "kernel/wire.h"

static const char *const port_keys[KERN_NCHANNELS] = {"shell_port", "iopub_port", "stdin_port",
                                                      "control_port", "hb_port"};

static void copy_str(char *dst, size_t size, const json_t *obj, const char *key, const char *dflt) {
  snprintf(dst, size, "%s", kern_json_str(obj, key, dflt));
}

int kern_conn_load(KernConn *c, const char *path) {
  memset(c, 0, sizeof *c);
  json_error_t err;
  json_t *j = json_load_file(path, 0, &err);
  if (!j || !json_is_object(j)) {
    kern_log("cannot read the connection file %s: %s", path, j ? "not a JSON object" : err.text);
    json_decref(j);
    return -1;
  }
  c->path = strdup(path);
  copy_str(c->transport, sizeof c->transport, j, "transport", "tcp");
  copy_str(c->ip, sizeof c->ip, j, "ip", "127.0.0.1");
  copy_str(c->scheme, sizeof c->scheme, j, "signature_scheme", "hmac-sha256");
  c->key = strdup(kern_json_str(j, "key", ""));
  for (int i = 0; i < KERN_NCHANNELS; i++) c->ports[i] = (int)kern_json_int(j, port_keys[i], 0);
  json_decref(j);
  if (strcmp(c->transport, "tcp") && strcmp(c->transport, "ipc")) {
    kern_log("unknown transport '%s' in %s (tcp or ipc)", c->transport, path);
    return -1;
  }
  return 0;
}

void kern_conn_free(KernConn *c) {
  free(c->path);
  free(c->key);
  memset(c, 0, sizeof *c);
}

/* ipc "ports" are suffixes of a path; for 0, the first one not in use. */
static int free_ipc_suffix(const char *prefix) {
  char path[300];
  for (int n = 1;; n++) {
    snprintf(path, sizeof path, "%s-%d", prefix, n);
    if (access(path, F_OK) != 0) return n;
  }
}

void kern_conn_endpoint(const KernConn *c, KernChannel ch, char *out, size_t size) {
  int port = c->ports[ch];
  if (!strcmp(c->transport, "ipc")) {
    snprintf(out, size, "ipc://%s-%d", c->ip, port ? port : free_ipc_suffix(c->ip));
    return;
  }
  bool v6 = strchr(c->ip, ':') && c->ip[0] != '[';
  char p[16];
  if (port) snprintf(p, sizeof p, "%d", port);
  else snprintf(p, sizeof p, "*");
  snprintf(out, size, "tcp://%s%s%s:%s", v6 ? "[" : "", c->ip, v6 ? "]" : "", p);
}

int kern_bind(void *sock, const char *endpoint, int *port) {
  if (zmq_bind(sock, endpoint) < 0) return -1;
  if (!port) return 0;
  char last[300];
  size_t n = sizeof last;
  if (zmq_getsockopt(sock, ZMQ_LAST_ENDPOINT, last, &n) == 0) {
    const char *colon = strrchr(last, ':');
    const char *dash = strrchr(last, '-');
    if (!strncmp(last, "tcp://", 6) && colon) *port = atoi(colon + 1);
    else if (dash) *port = atoi(dash + 1);
  }
  return 0;
}

int kern_conn_write_ports(const KernConn *c) {
  json_error_t err;
  json_t *j = json_load_file(c->path, 0, &err);
  if (!j) return -1;
  for (int i = 0; i < KERN_NCHANNELS; i++) json_object_set_new(j, port_keys[i], json_integer(c->ports[i]));
  int rc = json_dump_file(j, c->path, JSON_INDENT(1));
  json_decref(j);
  return rc;
}
