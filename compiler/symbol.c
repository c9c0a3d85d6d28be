/* symbol.c — the session's global name table: an open-addressing hash map
 * from name to the newest Symbol. Keys are copied (malloc) because the
 * symbol's own name may live in an arena that a later reset frees. */
#include "compiler/symbol.h"

#include <stdlib.h>
#include <string.h>

typedef struct Entry {
  char *name;
  Symbol *sym;
} Entry;

struct GlobalTable {
  Entry *slots;
  int cap, len;   /* cap is a power of two; len < cap * 3/4 */
};

static uint64_t hash(const char *s) {
  uint64_t h = 1469598103934665603ull;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
  return h;
}

GlobalTable *globals_new(void) {
  GlobalTable *g = calloc(1, sizeof *g);
  g->cap = 64;
  g->slots = calloc((size_t)g->cap, sizeof(Entry));
  return g;
}

void globals_free(GlobalTable *g) {
  if (!g) return;
  for (int i = 0; i < g->cap; i++) free(g->slots[i].name);
  free(g->slots);
  free(g);
}

static Entry *find(Entry *slots, int cap, const char *name) {
  for (uint64_t i = hash(name) & (uint64_t)(cap - 1);; i = (i + 1) & (uint64_t)(cap - 1))
    if (!slots[i].name || strcmp(slots[i].name, name) == 0) return &slots[i];
}

Symbol *globals_get(GlobalTable *g, const char *name) {
  Entry *e = find(g->slots, g->cap, name);
  return e->name ? e->sym : NULL;
}

static void grow(GlobalTable *g) {
  int cap = g->cap * 2;
  Entry *slots = calloc((size_t)cap, sizeof(Entry));
  for (int i = 0; i < g->cap; i++)
    if (g->slots[i].name) *find(slots, cap, g->slots[i].name) = g->slots[i];
  free(g->slots);
  g->slots = slots;
  g->cap = cap;
}

void globals_set(GlobalTable *g, const char *name, Symbol *sym) {
  if ((g->len + 1) * 4 >= g->cap * 3) grow(g);
  Entry *e = find(g->slots, g->cap, name);
  if (!e->name) {
    e->name = strdup(name);
    g->len++;
  }
  e->sym = sym;
}

void globals_each(GlobalTable *g, void (*fn)(void *ud, const char *name, Symbol *s), void *ud) {
  for (int i = 0; i < g->cap; i++)
    if (g->slots[i].name) fn(ud, g->slots[i].name, g->slots[i].sym);
}
