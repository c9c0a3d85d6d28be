/* execute.c — execute_request: the cell goes to session_execute, and what
 * the session reports through its callbacks becomes messages.
 *
 * IOPub order for one request (busy and idle come from shell.c):
 * execute_input, stream text while the cell runs (batched by iopub.c),
 * execute_result for the last expression or the cell's one `error`, then
 * the stream batch is flushed and execute_reply sent. A silent request
 * publishes nothing and does not count; store_history=False does not count
 * either. A cell that is only `name?` or `exit` is answered by the kernel
 * instead of being run (special.c). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/kern.h"
#include "kernel/utf8.h"

typedef struct Exec {
  Kernel *k;
  const KernMsg *req;
  KernBytes parent;     /* the request's header, parent of everything published */
  bool silent;
  int count;            /* execution_count of this request */
  json_t *error;        /* {ename, evalue, traceback} of the failure, or NULL */
  char *result;         /* text/plain of the last expression (for history) */
  json_t *payload;      /* the reply's payload list (the pager) */
} Exec;

static json_t *text_json(const char *s) { return kern_utf8_json(s ? s : "", s ? strlen(s) : 0); }

/* The traceback as a list of lines, as jupyter_console prints them. */
static json_t *traceback_lines(const char *tb) {
  json_t *lines = json_array();
  for (const char *p = tb ? tb : ""; *p;) {
    size_t n = strcspn(p, "\n");
    json_array_append_new(lines, kern_utf8_json(p, n));
    p += n;
    if (*p) p++;
  }
  return lines;
}

static json_t *error_json(const char *ename, const char *evalue, const char *tb) {
  json_t *e = json_object();
  json_object_set_new(e, "ename", text_json(ename && *ename ? ename : "Error"));
  json_object_set_new(e, "evalue", text_json(evalue));
  json_object_set_new(e, "traceback", traceback_lines(tb));
  return e;
}

/* ---- session callbacks -------------------------------------------------- */

static void on_stream(void *user, const char *text, size_t len) {
  Exec *x = user;
  if (!x->silent) kern_pub_stream(&x->k->pub, x->parent, "stdout", text, len);
}

static void on_stderr(void *user, const char *text, size_t len) {
  Exec *x = user;
  if (!x->silent) kern_pub_stream(&x->k->pub, x->parent, "stderr", text, len);
}

static void on_result(void *user, const char *repr) {
  Exec *x = user;
  free(x->result);
  x->result = strdup(repr);
  if (x->silent) return;
  json_t *c = json_pack("{s:i, s:{s:o}, s:{}}", "execution_count", x->count, "data", "text/plain",
                        text_json(repr), "metadata");
  kern_pub_send(&x->k->pub, x->parent, "execute_result", c);
}

/* A MIME bundle's data object. JSON forms (application/json, or any
   "+json") are JSON values in the message, not strings. */
static json_t *bundle_json(const SessionMime *forms, int n) {
  json_t *data = json_object();
  for (int i = 0; i < n; i++) {
    size_t len = strlen(forms[i].mime);
    bool is_json = !strcmp(forms[i].mime, "application/json") || (len > 5 && !strcmp(forms[i].mime + len - 5, "+json"));
    json_t *v = is_json ? json_loads(forms[i].data, JSON_DECODE_ANY, NULL) : NULL;
    json_object_set_new(data, forms[i].mime, v ? v : text_json(forms[i].data));
  }
  return data;
}

static void on_result_bundle(void *user, const char *repr, const SessionMime *forms, int n) {
  Exec *x = user;
  free(x->result);
  x->result = strdup(repr);
  if (x->silent) return;
  json_t *data = bundle_json(forms, n);
  json_object_set_new(data, "text/plain", text_json(repr));
  json_t *c = json_pack("{s:i, s:o, s:{}}", "execution_count", x->count, "data", data, "metadata");
  kern_pub_send(&x->k->pub, x->parent, "execute_result", c);
}

/* display(x): a display_data message, after the text printed so far */
static void on_display(void *user, const SessionMime *forms, int n) {
  Exec *x = user;
  if (x->silent) return;
  kern_pub_flush(&x->k->pub);
  json_t *c = json_pack("{s:o, s:{}, s:{}}", "data", bundle_json(forms, n), "metadata", "transient");
  kern_pub_send(&x->k->pub, x->parent, "display_data", c);
}

static void on_clear_output(void *user, bool wait) {
  Exec *x = user;
  if (x->silent) return;
  kern_pub_flush(&x->k->pub);
  kern_pub_send(&x->k->pub, x->parent, "clear_output", json_pack("{s:b}", "wait", wait));
}

static void on_error(void *user, const SessionError *e) {
  Exec *x = user;
  if (x->error) return;  /* a cell has one error: the first */
  x->error = error_json(e->ename, e->evalue, e->traceback);
  if (!x->silent) kern_pub_send(&x->k->pub, x->parent, "error", json_deep_copy(x->error));
}

static char *on_input(void *user, const char *prompt, bool password) {
  Exec *x = user;
  return kern_stdin_input(x->k, x->req, prompt, password);
}

/* ---- running ------------------------------------------------------------ */

static bool blank(const char *code) {
  for (; *code; code++)
    if (!isspace((unsigned char)*code)) return false;
  return true;
}

/* `name?`: the pager, or IPython's "not found" line. */
static bool run_help(Exec *x, const char *code) {
  char *name;
  int detail;
  if (!kern_help_query(code, &name, &detail)) return false;
  char *doc = session_inspect(x->k->session, name, kern_utf8_count(name), detail);
  if (doc) {
    json_array_append_new(x->payload, json_pack("{s:s, s:{s:o}, s:i}", "source", "page", "data",
                                                "text/plain", text_json(doc), "start", 0));
  } else if (!x->silent) {
    char line[300];
    snprintf(line, sizeof line, "Object `%.250s` not found.\n", name);
    kern_pub_stream(&x->k->pub, x->parent, "stdout", line, strlen(line));
  }
  free(doc);
  free(name);
  return true;
}

/* `exit`: ask the frontend to close, as IPython does. */
static bool run_exit(Exec *x, const char *code) {
  if (!kern_exit_query(code)) return false;
  json_array_append_new(x->payload, json_pack("{s:s, s:b}", "source", "ask_exit", "keepkernel", 0));
  return true;
}

static void run(Exec *x, const char *code, bool counted, bool allow_stdin) {
  if (blank(code) || run_help(x, code) || run_exit(x, code)) return;
  char name[32] = "<cell>";
  if (counted) snprintf(name, sizeof name, "In[%d]", x->count);
  SessionCallbacks cb = {.on_stream = on_stream, .on_stderr = on_stderr, .on_error = on_error,
                        .on_result = on_result, .on_input = allow_stdin ? on_input : NULL,
                        .on_display = on_display, .on_clear_output = on_clear_output,
                        .on_result_bundle = on_result_bundle, .user = x};
  SessionStatus st = session_execute(x->k->session, code, name, 1, &cb);
  if (st != SESSION_OK && !x->error) {
    SessionError e = {st, "InternalError", "the cell failed without a message",
                      "InternalError: the cell failed without a message\n"};
    on_error(x, &e);
  }
}

/* ---- user_expressions --------------------------------------------------- */

/* "Name: value" on the last line that has that form, else a compile
   diagnostic's "...: error: message". */
static json_t *eval_error(const char *text) {
  const char *best = NULL;
  for (const char *p = text; *p; p += strcspn(p, "\n"), p += *p == '\n') {
    size_t w = strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.");
    if (w && p[w] == ':' && p[w + 1] == ' ') best = p;
  }
  const char *diag = strstr(text, ": error: ");
  char ename[64] = "CompileError";
  const char *evalue = diag ? diag + 9 : text;
  if (best) {
    size_t w = strcspn(best, ":");
    snprintf(ename, sizeof ename, "%.*s", (int)(w < 63 ? w : 63), best);
    evalue = best + w + 2;
  }
  char *value = strndup(evalue, strcspn(evalue, "\n"));
  json_t *e = error_json(ename, value, text);
  free(value);
  json_object_set_new(e, "status", json_string("error"));
  return e;
}

static json_t *user_expressions(Kernel *k, const json_t *exprs) {
  json_t *out = json_object();
  const char *key;
  json_t *expr;
  json_object_foreach((json_t *)exprs, key, expr) {
    if (!json_is_string(expr)) continue;
    char *err = NULL;
    char *value = session_eval(k->session, json_string_value(expr), &err);
    json_t *r = value ? json_pack("{s:s, s:{s:o}, s:{}}", "status", "ok", "data", "text/plain",
                                  text_json(value), "metadata")
                      : eval_error(err ? err : "Error: evaluation failed");
    json_object_set_new(out, key, r);
    free(value);
    free(err);
  }
  return out;
}

/* ---- the request -------------------------------------------------------- */

static json_t *reply_content(Exec *x) {
  if (x->error) {
    json_t *r = json_deep_copy(x->error);
    json_object_set_new(r, "status", json_string("error"));
    json_object_set_new(r, "execution_count", json_integer(x->count));
    json_object_set_new(r, "payload", json_array());
    json_object_set_new(r, "user_expressions", json_object());
    return r;
  }
  json_t *exprs = json_object_get(x->req->content, "user_expressions");
  return json_pack("{s:s, s:i, s:O, s:o}", "status", "ok", "execution_count", x->count, "payload",
                   x->payload, "user_expressions",
                   json_is_object(exprs) ? user_expressions(x->k, exprs) : json_object());
}

static void publish_input(Exec *x) {
  json_t *code = json_object_get(x->req->content, "code");
  json_t *c = json_object();
  json_object_set_new(c, "code", json_is_string(code) ? json_incref(code) : json_string(""));
  json_object_set_new(c, "execution_count", json_integer(x->count));
  kern_pub_send(&x->k->pub, x->parent, "execute_input", c);
}

bool kern_execute(Kernel *k, const KernMsg *req) {
  const json_t *c = req->content;
  const char *code = kern_json_str(c, "code", "");
  bool silent = kern_json_bool(c, "silent", false);
  bool store = !silent && kern_json_bool(c, "store_history", true);
  if (store) k->execution_count++;
  Exec x = {.k = k, .req = req, .parent = kern_msg_header_bytes(req), .silent = silent,
            .count = k->execution_count, .payload = json_array()};
  if (!silent) publish_input(&x);
  run(&x, code, store, kern_json_bool(c, "allow_stdin", true));
  json_t *reply = reply_content(&x);
  /* the cutoff for aborting queued requests: before the client can see
     the reply and send new work */
  if (x.error) kern_iso_now(k->failed_at);
  kern_pub_flush(&k->pub);
  kern_reply(k->shell, &k->wire, req, "execute_reply", reply);
  if (store) kern_history_add(&k->history, x.count, code, x.result);
  bool abort = x.error && !silent && kern_json_bool(c, "stop_on_error", true);
  json_decref(x.error);
  json_decref(x.payload);
  free(x.result);
  return abort;
}

void kern_execute_abort(Kernel *k, const KernMsg *req) {
  kern_reply(k->shell, &k->wire, req, "execute_reply",
             json_pack("{s:s, s:i}", "status", "aborted", "execution_count", k->execution_count));
}
