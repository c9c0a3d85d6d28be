/* diag.c — collect and render compile errors. Messages are formatted into
 * the cell's arena; rendering quotes the offending line with a caret. */
#include "compiler/diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void diag_init(Diags *d, Arena *arena, const char *src) {
  memset(d, 0, sizeof *d);
  d->arena = arena;
  d->src = src;
}

static char *vformat(Arena *a, const char *fmt, va_list ap) {
  char tmp[1024];
  vsnprintf(tmp, sizeof tmp, fmt, ap);
  return arena_strdup(a, tmp);
}

void diag_error(Diags *d, int line, int col, const char *fmt, ...) {
  if (d->count >= DIAG_MAX_PER_CELL) return;
  for (Diag *e = d->first; e; e = e->next)
    if (e->line == line && e->col == col) return;  /* one error per spot */
  Diag *e = arena_alloc(d->arena, sizeof *e);
  va_list ap;
  va_start(ap, fmt);
  e->message = vformat(d->arena, fmt, ap);
  va_end(ap);
  e->line = line;
  e->col = col;
  if (d->last) d->last->next = e;
  else d->first = e;
  d->last = e;
  d->count++;
}

void diag_hint(Diags *d, const char *fmt, ...) {
  if (!d->last || d->last->hint) return;
  va_list ap;
  va_start(ap, fmt);
  d->last->hint = vformat(d->arena, fmt, ap);
  va_end(ap);
}

const char *diag_line_start(const char *src, int line) {
  for (int l = 1; l < line && *src; l++) {
    const char *nl = strchr(src, '\n');
    src = nl ? nl + 1 : src + strlen(src);
  }
  return src;
}

void diag_quote_line(const char *src, int line, int col, Buf *out) {
  const char *p = diag_line_start(src, line);
  if (!*p) return;
  const char *end = strchr(p, '\n');
  size_t n = end ? (size_t)(end - p) : strlen(p);
  buf_puts(out, "    ");
  buf_put(out, p, n);
  buf_puts(out, "\n    ");
  /* The caret counts code points, so it lines up under UTF-8 text. */
  int width = 0;
  for (size_t i = 0; i < n && (int)i < col - 1; i++)
    if ((p[i] & 0xC0) != 0x80) width++;
  for (int i = 0; i < width; i++) buf_puts(out, " ");
  buf_puts(out, "^\n");
}

void diag_render(const Diags *d, const char *cell_name, int first_line, Buf *out) {
  for (const Diag *e = d->first; e; e = e->next) {
    buf_printf(out, "%s:%d:%d: error: %s\n", cell_name, e->line + first_line - 1, e->col,
               e->message);
    diag_quote_line(d->src, e->line, e->col, out);
    if (e->hint) buf_printf(out, "  hint: %s\n", e->hint);
  }
}
