/* aot.c — main() of an executable made by `ember build`: run each cell's
 * top level in order (the standard library modules first), as `ember run`
 * would, and on an uncaught error print the traceback and exit 2.
 *
 * The executable's generated main.c (jit/build.c) passes a table of the
 * cells: their entry functions, names (file or module), first lines,
 * sources and the function of each line, so that a traceback reads as the
 * JIT session's. */
#include "runtime/runtime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const RtAotCell *find_cell(const RtAotCell *cells, int n, const char *key) {
  int number = key[0] == 'c' ? atoi(key + 1) : 0;
  for (int i = 0; i < n; i++)
    if (cells[i].number == number) return &cells[i];
  return NULL;
}

/* Line `line` (1-based) of text: its start, and its length in *len. */
static const char *nth_line(const char *text, int line, int *len) {
  const char *p = text;
  for (int l = 1; l < line && p; l++) {
    p = strchr(p, '\n');
    if (p) p++;
  }
  if (p) *len = (int)strcspn(p, "\n");
  return p;
}

static void print_frame(const RtAotCell *c, int line) {
  int n = 0;
  const char *fn = nth_line(c->functions, line, &n);
  fprintf(stderr, "  File \"%s\", line %d, in %.*s\n", c->name, line + c->first_line - 1, fn ? n : 6,
          fn ? fn : "<cell>");
  const char *p = c->source;
  for (int l = 1; l < line && p; l++) {
    p = strchr(p, '\n');
    if (p) p++;
  }
  if (!p) return;
  p += strspn(p, " \t");
  fprintf(stderr, "    %.*s\n", (int)strcspn(p, "\n"), p);
}

static void print_traceback(const RtAotCell *cells, int n) {
  RtError *e = &rt_last_error;
  fflush(stdout);
  fputs("Traceback (most recent call last):\n", stderr);
  if (e->depth > e->nframes) fprintf(stderr, "  [%lld outer frames not shown]\n", (long long)(e->depth - e->nframes));
  for (int i = e->nframes - 1; i >= 0; i--) {
    const RtAotCell *c = find_cell(cells, n, e->frames[i].where);
    if (c && e->frames[i].line > 0) print_frame(c, e->frames[i].line);
  }
  fputs(e->detail, stderr);
  fprintf(stderr, "%s\n", e->message);
}

int rt_aot_main(const RtAotCell *cells, int n) {
  for (int i = 0; i < n; i++) {
    rt_clear_error();
    cells[i].run();
    rt_flush();
    if (rt_error_pending) {
      print_traceback(cells, n);
      return 2;
    }
  }
  fflush(stdout);
  return 0;
}
