/* str.c — Ember's String: an immutable run of UTF-8 bytes.
 *
 * An RtStr is a length and the bytes, with a NUL after them for C. Every
 * operation makes a new string through rt_str_new, which takes its memory
 * from rt_alloc; strings are never freed for now (the memory model comes
 * with tier 2), and since they are immutable they can be shared freely.
 *
 * Lengths and indices count bytes for now. Comparison is bytewise, which
 * for UTF-8 orders strings the way Python orders them by code point.
 *
 * The file reads: making strings, conversions from other types, repr,
 * then the operators.
 */
#include "runtime/runtime.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* ---- making strings -------------------------------------------------- */

/* A new string holding a copy of data[0..len); the caller owns nothing to
 * free. */
RtStr *rt_str_new(const char *data, int64_t len) {
  if (len < 0) len = 0;
  RtStr *s = rt_alloc(sizeof(RtStr) + (size_t)len + 1);
  s->len = len;
  if (len) memcpy(s->data, data, (size_t)len);
  s->data[len] = '\0';
  return s;
}

/* An uninitialised string of len bytes (plus the NUL) to fill in place. */
static RtStr *str_blank(int64_t len) {
  if (len < 0 || (uint64_t)len > SIZE_MAX - sizeof(RtStr) - 1)
    rt_raise_jump("OverflowError: string is too long");
  RtStr *s = rt_alloc(sizeof(RtStr) + (size_t)len + 1);
  s->len = len;
  s->data[len] = '\0';
  return s;
}

static const RtStr *str_cstr(const char *text) {
  return rt_str_new(text, (int64_t)strlen(text));
}

/* ---- conversions ----------------------------------------------------- */

const RtStr *rt_str_i64(int64_t v) {
  char buf[24];
  return rt_str_new(buf, snprintf(buf, sizeof buf, "%" PRId64, v));
}

const RtStr *rt_str_u64(uint64_t v) {
  char buf[24];
  return rt_str_new(buf, snprintf(buf, sizeof buf, "%" PRIu64, v));
}

const RtStr *rt_str_bool(bool v) { return str_cstr(v ? "True" : "False"); }

/* The float formatters need 32 bytes (see rt_format_f64). */
#define STR_FLOAT(name, type, format)        \
  const RtStr *name(type v) {                \
    char buf[32];                            \
    return rt_str_new(buf, format(v, buf));  \
  }
STR_FLOAT(rt_str_f64, double, rt_format_f64)
STR_FLOAT(rt_str_f32, float, rt_format_f32)
STR_FLOAT(rt_str_f16, float, rt_format_f16)
STR_FLOAT(rt_str_bf16, float, rt_format_bf16)
#undef STR_FLOAT

/* ---- repr ------------------------------------------------------------ */

/* Python quotes with ' unless the text has a ' and no ". */
static char repr_quote(const RtStr *s) {
  bool single = memchr(s->data, '\'', (size_t)s->len) != NULL;
  bool dbl = memchr(s->data, '"', (size_t)s->len) != NULL;
  return single && !dbl ? '"' : '\'';
}

/* The letter after the backslash when repr escapes c that way, else 0. */
static char escape_letter(unsigned char c, char quote) {
  switch (c) {
  case '\n': return 'n';
  case '\t': return 't';
  case '\r': return 'r';
  case '\\': return '\\';
  }
  return c == (unsigned char)quote ? quote : 0;
}

/* Write byte c as repr shows it inside `quote`s into out (up to 4 bytes);
 * returns how many. Other control bytes become \xNN; bytes >= 0x80 are
 * UTF-8 and stay as they are. */
static int repr_byte(unsigned char c, char quote, char *out) {
  static const char hex[] = "0123456789abcdef";
  char letter = escape_letter(c, quote);
  if (letter) {
    out[0] = '\\', out[1] = letter;
    return 2;
  }
  if (c >= 0x20 && c != 0x7F) {
    out[0] = (char)c;
    return 1;
  }
  out[0] = '\\', out[1] = 'x', out[2] = hex[c >> 4], out[3] = hex[c & 15];
  return 4;
}

/* Measure first, then fill: the result is allocated exactly once. */
const RtStr *rt_str_repr(const RtStr *s) {
  char quote = repr_quote(s), tmp[4];
  int64_t len = 2;
  for (int64_t i = 0; i < s->len; i++)
    len += repr_byte((unsigned char)s->data[i], quote, tmp);
  RtStr *r = str_blank(len);
  char *out = r->data;
  *out++ = quote;
  for (int64_t i = 0; i < s->len; i++)
    out += repr_byte((unsigned char)s->data[i], quote, out);
  *out = quote;
  return r;
}

/* ---- operators ------------------------------------------------------- */

const RtStr *rt_str_concat(const RtStr *a, const RtStr *b) {
  RtStr *s = str_blank(a->len + b->len);
  memcpy(s->data, a->data, (size_t)a->len);
  memcpy(s->data + a->len, b->data, (size_t)b->len);
  return s;
}

/* a * n; n <= 0 gives "" as in Python. */
const RtStr *rt_str_repeat(const RtStr *a, int64_t n) {
  if (n <= 0 || a->len == 0) return rt_str_new("", 0);
  if (a->len > INT64_MAX / n)
    rt_raise_jump("OverflowError: repeated string is too long");
  RtStr *s = str_blank(a->len * n);
  for (int64_t i = 0; i < n; i++)
    memcpy(s->data + i * a->len, a->data, (size_t)a->len);
  return s;
}

/* Bytewise; when one is a prefix of the other the shorter sorts first. */
int64_t rt_str_cmp(const RtStr *a, const RtStr *b) {
  size_t common = (size_t)(a->len < b->len ? a->len : b->len);
  int c = common ? memcmp(a->data, b->data, common) : 0;
  if (c) return c < 0 ? -1 : 1;
  return (a->len > b->len) - (a->len < b->len);
}

bool rt_str_eq(const RtStr *a, const RtStr *b) {
  return a->len == b->len && memcmp(a->data, b->data, (size_t)a->len) == 0;
}

int64_t rt_str_len(const RtStr *s) { return s->len; }

const RtStr *rt_str_getitem(const RtStr *s, int64_t i, const char *cell,
                            int32_t line) {
  if (i < 0) i += s->len;
  if (i < 0 || i >= s->len) {
    rt_raise("IndexError: string index out of range", cell, line);
    return rt_str_new("", 0);  /* the caller sees rt_error_pending */
  }
  return rt_str_new(s->data + i, 1);
}
