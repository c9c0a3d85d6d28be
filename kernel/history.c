/* history.c — an in-memory list of (line, input, output), searched the way
 * IPython's HistoryManager is:
 *   tail    the last n entries (n defaults to 10)
 *   range   session, start <= line < stop (stop absent: to the end)
 *   search  inputs matching a glob (* ? [..]) as a whole, optionally
 *           unique, the last n
 * Each item is [session, line, input], or [session, line, [input, output]]
 * when output is asked for. */
#include "kernel/history.h"

#include <fnmatch.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/utf8.h"
#include "kernel/wire.h"

void kern_history_add(KernHistory *h, int line, const char *input, const char *output) {
  if (h->len == h->cap) {
    h->cap = h->cap ? h->cap * 2 : 64;
    h->items = realloc(h->items, sizeof *h->items * (size_t)h->cap);
  }
  h->items[h->len++] = (KernHistEntry){line, strdup(input), output ? strdup(output) : NULL};
}

void kern_history_free(KernHistory *h) {
  for (int i = 0; i < h->len; i++) {
    free(h->items[i].input);
    free(h->items[i].output);
  }
  free(h->items);
  memset(h, 0, sizeof *h);
}

static json_t *text(const char *s) { return s ? kern_utf8_json(s, strlen(s)) : json_null(); }

static json_t *item(const KernHistEntry *e, bool output) {
  json_t *in = text(e->input);
  json_t *third = output ? json_pack("[o, o]", in, text(e->output)) : in;
  return json_pack("[i, i, o]", KERN_HISTORY_SESSION, e->line, third);
}

/* Entries from index `from` on, with `keep` deciding each. */
typedef bool (*Keep)(const KernHistEntry *e, const json_t *request);

static bool in_range(const KernHistEntry *e, const json_t *r) {
  long long start = kern_json_int(r, "start", 0);
  long long stop = kern_json_int(r, "stop", -1);
  json_t *stop_v = json_object_get(r, "stop");
  if (!stop_v || json_is_null(stop_v)) stop = -1;
  return e->line >= start && (stop < 0 || e->line < stop);
}

static bool matches(const KernHistEntry *e, const json_t *r) {
  return fnmatch(kern_json_str(r, "pattern", "*"), e->input, 0) == 0;
}

/* Was the same input kept already, later on? (unique keeps the newest) */
static bool seen_later(const KernHistory *h, int i, const bool *picked) {
  for (int j = i + 1; j < h->len; j++)
    if (picked[j] && !strcmp(h->items[j].input, h->items[i].input)) return true;
  return false;
}

/* The last n (n < 0: all) entries that keep() accepts, oldest first. */
static json_t *select_entries(const KernHistory *h, const json_t *r, Keep keep, long long n, bool unique) {
  bool *picked = calloc((size_t)h->len + 1, 1);
  long long count = 0;
  for (int i = h->len - 1; i >= 0 && (n < 0 || count < n); i--) {
    if (keep && !keep(&h->items[i], r)) continue;
    if (unique && seen_later(h, i, picked)) continue;
    picked[i] = true;
    count++;
  }
  bool output = kern_json_bool(r, "output", false);
  json_t *list = json_array();
  for (int i = 0; i < h->len; i++)
    if (picked[i]) json_array_append_new(list, item(&h->items[i], output));
  free(picked);
  return list;
}

static bool current_session(const json_t *r) {
  long long s = kern_json_int(r, "session", 0);
  return s == 0 || s == KERN_HISTORY_SESSION;
}

json_t *kern_history_query(const KernHistory *h, const json_t *r) {
  const char *type = kern_json_str(r, "hist_access_type", "range");
  if (!strcmp(type, "tail")) return select_entries(h, r, NULL, kern_json_int(r, "n", 10), false);
  if (!strcmp(type, "search"))
    return select_entries(h, r, matches, kern_json_int(r, "n", -1), kern_json_bool(r, "unique", false));
  if (!strcmp(type, "range") && current_session(r)) return select_entries(h, r, in_range, -1, false);
  return json_array();
}
