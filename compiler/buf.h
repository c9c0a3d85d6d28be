/* buf.h — a growable byte buffer (malloc-backed) for building text:
 * MLIR modules, diagnostics, formatted results. The owner calls buf_free
 * or takes the bytes with buf_take. */
#ifndef EMBER_BUF_H
#define EMBER_BUF_H

#include <stddef.h>

typedef struct Buf {
  char *data;   /* NUL-terminated when non-NULL */
  size_t len, cap;
} Buf;

void buf_put(Buf *b, const char *s, size_t n);
void buf_puts(Buf *b, const char *s);
void buf_printf(Buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *buf_take(Buf *b);   /* caller frees; b is left empty */
void buf_free(Buf *b);
const char *buf_str(const Buf *b);  /* "" when empty */

#include <stdio.h>
/* One line of f without its newline (malloc'd; the caller frees), or NULL at
   the end of input. For input() in the front ends. */
char *buf_read_line(FILE *f);

#endif
