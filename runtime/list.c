/* list.c — List[T] (Mojo's List, 2023's DynamicVector): a growable array of
 * fixed-size elements. Compiled code knows T and reads and writes elements
 * through pointers that these functions hand out; the runtime only moves
 * bytes. Lists are values in the language (a copy copies the elements),
 * freed when their holder dies if their elements need no destructor. */
#include <stdlib.h>
#include <string.h>

#include "runtime/runtime.h"

/* An index error must leave compiled code something to read or write. */
static _Alignas(16) unsigned char scratch[256];

static void grow(RtList *l, int64_t need) {
  if (need <= l->cap) return;
  int64_t cap = l->cap ? l->cap * 2 : 4;
  while (cap < need) cap *= 2;
  char *data = rt_alloc((size_t)(cap * l->elem_size));
  if (l->len) memcpy(data, l->data, (size_t)(l->len * l->elem_size));
  free(l->data);
  l->data = data;
  l->cap = cap;
}

RtList *rt_list_new(int64_t elem_size, int64_t reserve) {
  RtList *l = rt_alloc(sizeof *l);
  l->len = l->cap = 0;
  l->elem_size = elem_size;
  l->data = NULL;
  grow(l, reserve);
  return l;
}

void *rt_list_append_slot(RtList *l) {
  grow(l, l->len + 1);
  return l->data + (l->len++) * l->elem_size;
}

int64_t rt_list_len(const RtList *l) { return l->len; }

void *rt_list_at(RtList *l, int64_t i, const char *cell, int32_t line) {
  if (i < 0) i += l->len;
  if (i < 0 || i >= l->len) {
    rt_raise("IndexError: list index out of range", cell, line);
    memset(scratch, 0, sizeof scratch);
    return scratch;
  }
  return l->data + i * l->elem_size;
}

/* pop(i): the element moves to the end of the buffer (past len), where the
   caller reads it before the next append. */
void *rt_list_pop_slot(RtList *l, int64_t i, const char *cell, int32_t line) {
  if (l->len == 0) {
    rt_raise("IndexError: pop from empty list", cell, line);
    memset(scratch, 0, sizeof scratch);
    return scratch;
  }
  if (i < 0) i += l->len;
  if (i < 0 || i >= l->len) {
    rt_raise("IndexError: pop index out of range", cell, line);
    memset(scratch, 0, sizeof scratch);
    return scratch;
  }
  size_t es = (size_t)l->elem_size;
  unsigned char tmp[256];
  unsigned char *held = es <= sizeof tmp ? tmp : rt_alloc(es);
  memcpy(held, l->data + i * l->elem_size, es);
  memmove(l->data + i * l->elem_size, l->data + (i + 1) * l->elem_size,
          (size_t)(l->len - i - 1) * es);
  l->len--;
  memcpy(l->data + l->len * l->elem_size, held, es);
  return l->data + l->len * l->elem_size;
}

void rt_list_clear(RtList *l) { l->len = 0; }

/* A list dies (compiled code calls this when its holder does; lists of
   elements with destructors are not freed yet). */
void rt_list_free(RtList *l) {
  if (!l) return;
  free(l->data);
  free(l);
}

RtList *rt_list_copy(const RtList *l) {
  RtList *c = rt_list_new(l->elem_size, l->len);
  if (l->len) memcpy(c->data, l->data, (size_t)(l->len * l->elem_size));
  c->len = l->len;
  return c;
}

/* l[start:stop:step] as Python slices it: `given` says which bounds were
   written (1 start, 2 stop, 4 step); negative ones count from the end. */
RtList *rt_list_slice(const RtList *l, int64_t start, int64_t stop, int64_t step, int32_t given,
                      const char *cell, int32_t line) {
  if (!(given & 4)) step = 1;
  if (step == 0) {
    rt_raise("ValueError: slice step cannot be zero", cell, line);
    return rt_list_new(l->elem_size, 0);
  }
  int64_t n = l->len;
  int64_t lo = step > 0 ? 0 : -1, hi = step > 0 ? n : n - 1;  /* the range bounds are clamped to */
  if (!(given & 1)) start = step > 0 ? 0 : n - 1;
  else {
    if (start < 0) start += n;
    start = start < lo ? lo : start > hi ? hi : start;
  }
  if (!(given & 2)) stop = step > 0 ? n : -1;
  else {
    if (stop < 0) stop += n;
    stop = stop < lo ? lo : stop > hi ? hi : stop;
  }
  RtList *r = rt_list_new(l->elem_size, 0);
  for (int64_t i = start; step > 0 ? i < stop : i > stop; i += step)
    memcpy(rt_list_append_slot(r), l->data + i * l->elem_size, (size_t)l->elem_size);
  return r;
}

/* a + b and a * n (n <= 0: empty), new lists. */
RtList *rt_list_concat(const RtList *a, const RtList *b) {
  RtList *r = rt_list_new(a->elem_size, a->len + b->len);
  if (a->len) memcpy(r->data, a->data, (size_t)(a->len * a->elem_size));
  if (b->len) memcpy(r->data + a->len * a->elem_size, b->data, (size_t)(b->len * b->elem_size));
  r->len = a->len + b->len;
  return r;
}

RtList *rt_list_repeat(const RtList *l, int64_t n) {
  RtList *r = rt_list_new(l->elem_size, n > 0 ? n * l->len : 0);
  for (int64_t i = 0; i < n; i++) {
    if (l->len) memcpy(r->data + r->len * l->elem_size, l->data, (size_t)(l->len * l->elem_size));
    r->len += l->len;
  }
  return r;
}

/* ---- Lists of strings: split and join ---------------------------------- */

static void push_str(RtList *l, const char *p, int64_t n) {
  const RtStr **slot = rt_list_append_slot(l);
  *slot = rt_str_new(p, n);
}

/* s.split(sep); sep NULL: runs of whitespace, no empty strings (Python). */
RtList *rt_str_split(const RtStr *s, const RtStr *sep, const char *cell, int32_t line) {
  RtList *l = rt_list_new(sizeof(RtStr *), 0);
  const char *p = s->data, *end = s->data + s->len;
  if (!sep) {
    while (p < end) {
      while (p < end && (*p == ' ' || (*p >= '\t' && *p <= '\r'))) p++;
      const char *w = p;
      while (p < end && !(*p == ' ' || (*p >= '\t' && *p <= '\r'))) p++;
      if (p > w) push_str(l, w, p - w);
    }
    return l;
  }
  if (sep->len == 0) {
    rt_raise("ValueError: empty separator", cell, line);
    return l;
  }
  for (;;) {
    const char *hit = NULL;
    for (const char *q = p; q + sep->len <= end; q++)
      if (!memcmp(q, sep->data, (size_t)sep->len)) {
        hit = q;
        break;
      }
    if (!hit) break;
    push_str(l, p, hit - p);
    p = hit + sep->len;
  }
  push_str(l, p, end - p);
  return l;
}

const RtStr *rt_str_join(const RtStr *sep, const RtList *parts) {
  const RtStr **items = (const RtStr **)parts->data;
  int64_t total = 0;
  for (int64_t i = 0; i < parts->len; i++) total += items[i]->len + (i ? sep->len : 0);
  RtStr *r = rt_alloc(sizeof(RtStr) + (size_t)total + 1);
  r->len = total;
  char *o = r->data;
  for (int64_t i = 0; i < parts->len; i++) {
    if (i) memcpy(o, sep->data, (size_t)sep->len), o += sep->len;
    memcpy(o, items[i]->data, (size_t)items[i]->len);
    o += items[i]->len;
  }
  *o = 0;
  return r;
}

/* [1, 2, 3] / ['a', 'b']: the repr of a list of scalars or strings.
   kind: 1 Int, 2 UInt, 3 Float64, 4 Float32, 5 Bool, 6 String. */
const RtStr *rt_list_repr(const RtList *l, int32_t kind) {
  const RtStr *out = rt_str_new("[", 1);
  for (int64_t i = 0; i < l->len; i++) {
    const char *p = l->data + i * l->elem_size;
    const RtStr *item;
    switch (kind) {
    case 1: item = rt_str_i64(*(const int64_t *)p); break;
    case 2: item = rt_str_u64(*(const uint64_t *)p); break;
    case 3: item = rt_str_f64(*(const double *)p); break;
    case 4: item = rt_str_f32(*(const float *)p); break;
    case 5: item = rt_str_bool(*(const unsigned char *)p & 1); break;
    default: item = rt_str_repr(*(const RtStr *const *)p); break;
    }
    if (i) out = rt_str_concat(out, rt_str_new(", ", 2));
    out = rt_str_concat(out, item);
  }
  return rt_str_concat(out, rt_str_new("]", 1));
}
