/* arena.c — a chain of malloc'd blocks; each allocation bumps a pointer.
 * Blocks double in size up to 1 MiB; an oversized request gets its own. */
#include "compiler/arena.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ArenaBlock {
  ArenaBlock *next;
  size_t used, cap;
  _Alignas(16) unsigned char data[];
};

/* Small first block: the session keeps one arena per cell that compiled. */
enum { FIRST_BLOCK = 2 * 1024, MAX_BLOCK = 1024 * 1024 };

static void *xmalloc(size_t n) {
  void *p = malloc(n);
  if (!p) {
    /* Out of memory is the one failure we cannot report through a cell. */
    fputs("ember: out of memory\n", stderr);
    abort();
  }
  return p;
}

Arena *arena_new(void) {
  Arena *a = xmalloc(sizeof *a);
  a->head = NULL;
  a->total = 0;
  return a;
}

void arena_free(Arena *a) {
  if (!a) return;
  for (ArenaBlock *b = a->head, *next; b; b = next) {
    next = b->next;
    free(b);
  }
  free(a);
}

static ArenaBlock *new_block(Arena *a, size_t need) {
  size_t cap = a->head ? a->head->cap * 2 : FIRST_BLOCK;
  if (cap > MAX_BLOCK) cap = MAX_BLOCK;
  if (cap < need) cap = need;
  ArenaBlock *b = xmalloc(sizeof *b + cap);
  b->used = 0;
  b->cap = cap;
  b->next = a->head;
  a->head = b;
  a->total += cap;
  return b;
}

void *arena_alloc(Arena *a, size_t size) {
  size = (size + 15) & ~(size_t)15;
  ArenaBlock *b = a->head;
  if (!b || b->cap - b->used < size) b = new_block(a, size);
  void *p = b->data + b->used;
  b->used += size;
  memset(p, 0, size);
  return p;
}

char *arena_strndup(Arena *a, const char *s, size_t n) {
  char *p = arena_alloc(a, n + 1);
  memcpy(p, s, n);
  p[n] = 0;
  return p;
}

char *arena_strdup(Arena *a, const char *s) { return arena_strndup(a, s, strlen(s)); }

char *arena_printf(Arena *a, const char *fmt, ...) {
  va_list ap, ap2;
  va_start(ap, fmt);
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  char *p = arena_alloc(a, (size_t)n + 1);
  vsnprintf(p, (size_t)n + 1, fmt, ap2);
  va_end(ap2);
  return p;
}
