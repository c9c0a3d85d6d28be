/* arena.h — bump allocation for everything a cell's compilation makes.
 *
 * A cell's tokens, AST, types and diagnostics all come from one Arena, so
 * dropping a failed cell is one arena_free. Arenas of cells that compiled
 * are kept by the session (their AST backs persistent definitions) and
 * freed on reset. */
#ifndef EMBER_ARENA_H
#define EMBER_ARENA_H

#include <stddef.h>

typedef struct ArenaBlock ArenaBlock;
typedef struct Arena {
  ArenaBlock *head;   /* newest block; allocation happens here */
  size_t total;       /* bytes obtained from malloc, for memory accounting */
} Arena;

Arena *arena_new(void);
void arena_free(Arena *a);
void *arena_alloc(Arena *a, size_t size);          /* zeroed, 16-aligned */
char *arena_strndup(Arena *a, const char *s, size_t n);
char *arena_strdup(Arena *a, const char *s);
char *arena_printf(Arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
