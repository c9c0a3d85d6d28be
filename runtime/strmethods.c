/* strmethods.c — the String methods Python users reach for first, Python's
 * semantics on bytes: case mapping and whitespace are ASCII-only for now,
 * find/count/replace/in work on UTF-8 byte sequences (which is what
 * Python's code-point answers are for ASCII text). Slicing follows
 * Python's rules for negative and missing bounds and steps.
 *
 * Predicates return int32_t 0/1 (not bool) so the emitter need not care
 * how the C ABI passes a bool. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/runtime.h"

static RtStr *blank(int64_t len) {
  RtStr *s = rt_alloc(sizeof(RtStr) + (size_t)len + 1);
  s->len = len;
  s->data[len] = 0;
  return s;
}

const RtStr *rt_str_upper(const RtStr *s) {
  RtStr *r = blank(s->len);
  for (int64_t i = 0; i < s->len; i++) r->data[i] = (char)toupper((unsigned char)s->data[i]);
  return r;
}

const RtStr *rt_str_lower(const RtStr *s) {
  RtStr *r = blank(s->len);
  for (int64_t i = 0; i < s->len; i++) r->data[i] = (char)tolower((unsigned char)s->data[i]);
  return r;
}

/* which: 1 strip the left, 2 the right, 3 both */
const RtStr *rt_str_strip(const RtStr *s, int32_t which) {
  int64_t a = 0, b = s->len;
  if (which & 1)
    while (a < b && isspace((unsigned char)s->data[a])) a++;
  if (which & 2)
    while (b > a && isspace((unsigned char)s->data[b - 1])) b--;
  return rt_str_new(s->data + a, b - a);
}

static int64_t find_from(const RtStr *s, const RtStr *sub, int64_t from) {
  if (sub->len == 0) return from <= s->len ? from : -1;
  for (int64_t i = from; i + sub->len <= s->len; i++)
    if (!memcmp(s->data + i, sub->data, (size_t)sub->len)) return i;
  return -1;
}

int64_t rt_str_find(const RtStr *s, const RtStr *sub) { return find_from(s, sub, 0); }

int64_t rt_str_rfind(const RtStr *s, const RtStr *sub) {
  for (int64_t i = s->len - sub->len; i >= 0; i--)
    if (!memcmp(s->data + i, sub->data, (size_t)sub->len)) return i;
  return -1;
}

int32_t rt_str_contains(const RtStr *s, const RtStr *sub) { return find_from(s, sub, 0) >= 0; }

int64_t rt_str_count(const RtStr *s, const RtStr *sub) {
  if (sub->len == 0) return s->len + 1;
  int64_t n = 0;
  for (int64_t i = find_from(s, sub, 0); i >= 0; i = find_from(s, sub, i + sub->len)) n++;
  return n;
}

int32_t rt_str_startswith(const RtStr *s, const RtStr *p) {
  return p->len <= s->len && !memcmp(s->data, p->data, (size_t)p->len);
}

int32_t rt_str_endswith(const RtStr *s, const RtStr *p) {
  return p->len <= s->len && !memcmp(s->data + s->len - p->len, p->data, (size_t)p->len);
}

const RtStr *rt_str_replace(const RtStr *s, const RtStr *old, const RtStr *new_) {
  if (old->len == 0) return s;
  int64_t n = rt_str_count(s, old);
  RtStr *r = blank(s->len + n * (new_->len - old->len));
  int64_t at = 0, out = 0;
  for (int64_t i = find_from(s, old, 0); i >= 0; i = find_from(s, old, at)) {
    memcpy(r->data + out, s->data + at, (size_t)(i - at));
    out += i - at;
    memcpy(r->data + out, new_->data, (size_t)new_->len);
    out += new_->len;
    at = i + old->len;
  }
  memcpy(r->data + out, s->data + at, (size_t)(s->len - at));
  return r;
}

static int32_t all_of(const RtStr *s, int (*pred)(int)) {
  if (!s->len) return 0;
  for (int64_t i = 0; i < s->len; i++)
    if (!pred((unsigned char)s->data[i])) return 0;
  return 1;
}

int32_t rt_str_isdigit(const RtStr *s) { return all_of(s, isdigit); }
int32_t rt_str_isalpha(const RtStr *s) { return all_of(s, isalpha); }
int32_t rt_str_isspace(const RtStr *s) { return all_of(s, isspace); }

/* s[start:stop:step] with Python's clamping; has_* say which bounds were given. */
const RtStr *rt_str_slice(const RtStr *s, int64_t start, int64_t stop, int64_t step,
                          int32_t has_start, int32_t has_stop, const char *cell, int32_t line) {
  int64_t n = s->len;
  if (step == 0) {
    rt_raise("ValueError: slice step cannot be zero", cell, line);
    return s;
  }
  if (!has_start) start = step > 0 ? 0 : n - 1;
  else if (start < 0) start = start + n < 0 ? (step > 0 ? 0 : -1) : start + n;
  else if (start >= n) start = step > 0 ? n : n - 1;
  if (!has_stop) stop = step > 0 ? n : -1;
  else if (stop < 0) stop = stop + n < 0 ? -1 : stop + n;
  else if (stop > n) stop = n;
  int64_t count = step > 0 ? (stop > start ? (stop - start + step - 1) / step : 0)
                           : (start > stop ? (start - stop - step - 1) / -step : 0);
  RtStr *r = blank(count);
  for (int64_t i = 0; i < count; i++) r->data[i] = s->data[start + i * step];
  return r;
}

/* Int("42"): Python's int() of a string, base 10, surrounding spaces and
   '_' between digits allowed. */
int64_t rt_str_to_i64(const RtStr *s, const char *cell, int32_t line) {
  char buf[80];
  int64_t k = 0;
  const char *p = s->data, *end = s->data + s->len;
  while (p < end && isspace((unsigned char)*p)) p++;
  while (end > p && isspace((unsigned char)end[-1])) end--;
  for (; p < end && k < (int64_t)sizeof buf - 1; p++)
    if (*p != '_') buf[k++] = *p;
  buf[k] = 0;
  char *stop;
  errno = 0;
  long long v = strtoll(buf, &stop, 10);
  if (!k || *stop || errno || p != end || !isdigit((unsigned char)buf[k - 1])) {
    char msg[200];
    snprintf(msg, sizeof msg, "ValueError: invalid literal for int() with base 10: '%.120s'", s->data);
    rt_raise(msg, cell, line);
    return 0;
  }
  return v;
}

double rt_str_to_f64(const RtStr *s, const char *cell, int32_t line) {
  char *stop;
  const char *p = s->data;
  while (isspace((unsigned char)*p)) p++;
  double v = strtod(p, &stop);
  while (isspace((unsigned char)*stop)) stop++;
  if (stop == p || *stop) {
    char msg[200];
    snprintf(msg, sizeof msg, "ValueError: could not convert string to float: '%.120s'", s->data);
    rt_raise(msg, cell, line);
    return 0;
  }
  return v;
}

/* f"{x:spec}" for numbers: [[fill]align][sign][width][.precision][type],
   with type one of d f e g % x o b (and none). Enough for notebooks'
   f"{t:.3f}" and f"{n:>8}"; other specs raise ValueError. */
static const RtStr *pad(const char *text, int64_t width, char fill, char align) {
  int64_t n = (int64_t)strlen(text);
  if (width <= n) return rt_str_new(text, n);
  RtStr *r = blank(width);
  int64_t left = align == '<' ? 0 : align == '^' ? (width - n) / 2 : width - n;
  memset(r->data, fill, (size_t)width);
  memcpy(r->data + left, text, (size_t)n);
  return r;
}

typedef struct Spec {
  char fill, align, sign, type;
  int64_t width, precision;  /* -1: not given */
} Spec;

static int parse_spec(const char *p, Spec *sp) {
  *sp = (Spec){' ', 0, 0, 0, -1, -1};
  if (p[0] && p[1] && strchr("<>^", p[1])) sp->fill = *p++, sp->align = *p++;
  else if (strchr("<>^", *p) && *p) sp->align = *p++;
  if (*p && strchr("+- ", *p)) sp->sign = *p++;
  if (*p == '0' && !sp->align) sp->fill = '0', sp->align = '>', p++;
  if (isdigit((unsigned char)*p)) sp->width = strtoll(p, (char **)&p, 10);
  if (*p == '.') sp->precision = strtoll(p + 1, (char **)&p, 10);
  if (*p && strchr("dfFeEgGxXob%s", *p)) sp->type = *p++;
  return *p == 0;
}

const RtStr *rt_format_f64_spec(double v, const RtStr *spec, const char *cell, int32_t line) {
  Spec sp;
  char text[512], fmt[32];
  if (!parse_spec(spec->data, &sp) || (sp.type && !strchr("fFeEgG%", sp.type))) {
    char msg[160];
    snprintf(msg, sizeof msg, "ValueError: Invalid format specifier '%.60s' for a float", spec->data);
    rt_raise(msg, cell, line);
    return spec;
  }
  if (!sp.type && sp.precision < 0) rt_format_f64(v, text);
  else {
    char type = sp.type ? sp.type : 'g';
    double x = type == '%' ? v * 100 : v;
    snprintf(fmt, sizeof fmt, "%%%s.%lld%c", sp.sign == '+' ? "+" : sp.sign == ' ' ? " " : "",
             (long long)(sp.precision < 0 ? 6 : sp.precision), type == '%' ? 'f' : type);
    snprintf(text, sizeof text - 1, fmt, x);
    if (type == '%') strcat(text, "%");
  }
  return pad(text, sp.width, sp.fill, sp.align ? sp.align : '>');
}

const RtStr *rt_format_i64_spec(int64_t v, const RtStr *spec, const char *cell, int32_t line) {
  Spec sp;
  char text[128];
  if (!parse_spec(spec->data, &sp) || (sp.type && !strchr("dxXobfFeEgG%", sp.type))) {
    char msg[160];
    snprintf(msg, sizeof msg, "ValueError: Invalid format specifier '%.60s' for an integer", spec->data);
    rt_raise(msg, cell, line);
    return spec;
  }
  if (sp.type && strchr("fFeEgG%", sp.type)) return rt_format_f64_spec((double)v, spec, cell, line);
  const char *sign = sp.sign == '+' && v >= 0 ? "+" : sp.sign == ' ' && v >= 0 ? " " : "";
  if (sp.type == 'x' || sp.type == 'X' || sp.type == 'o') {
    char f[8] = {'%', 's', '%', 'l', 'l', sp.type, 0};
    snprintf(text, sizeof text, f, sign, (unsigned long long)v);
  } else if (sp.type == 'b') {
    char bits[72];
    int k = 0;
    uint64_t u = (uint64_t)v;
    do bits[k++] = (char)('0' + (u & 1)); while (u >>= 1);
    int o = snprintf(text, sizeof text, "%s", sign);
    while (k) text[o++] = bits[--k];
    text[o] = 0;
  } else snprintf(text, sizeof text, "%s%lld", sign, (long long)v);
  return pad(text, sp.width, sp.fill, sp.align ? sp.align : '>');
}

const RtStr *rt_format_str_spec(const RtStr *s, const RtStr *spec, const char *cell, int32_t line) {
  Spec sp;
  if (!parse_spec(spec->data, &sp) || (sp.type && sp.type != 's')) {
    char msg[160];
    snprintf(msg, sizeof msg, "ValueError: Invalid format specifier '%.60s' for a string", spec->data);
    rt_raise(msg, cell, line);
    return s;
  }
  const char *text = s->data;
  char cut[1024];
  if (sp.precision >= 0 && sp.precision < s->len && sp.precision < (int64_t)sizeof cut) {
    memcpy(cut, s->data, (size_t)sp.precision);
    cut[sp.precision] = 0;
    text = cut;
  }
  return pad(text, sp.width, sp.fill, sp.align ? sp.align : '<');
}
