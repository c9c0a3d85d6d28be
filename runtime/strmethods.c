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
#include <math.h>
#include <stdbool.h>
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

static bool strippable(const RtStr *chars, unsigned char c) {
  return chars ? memchr(chars->data, c, (size_t)chars->len) != NULL : isspace(c) != 0;
}

/* which: 1 strip the left, 2 the right, 3 both; chars NULL: whitespace */
const RtStr *rt_str_strip_chars(const RtStr *s, int32_t which, const RtStr *chars) {
  int64_t a = 0, b = s->len;
  if (which & 1)
    while (a < b && strippable(chars, (unsigned char)s->data[a])) a++;
  if (which & 2)
    while (b > a && strippable(chars, (unsigned char)s->data[b - 1])) b--;
  return rt_str_new(s->data + a, b - a);
}

const RtStr *rt_str_strip(const RtStr *s, int32_t which) { return rt_str_strip_chars(s, which, NULL); }

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

/* "abc".replace("", "-") == "-a-b-c-": the new text between every byte. */
static const RtStr *replace_empty(const RtStr *s, const RtStr *new_) {
  RtStr *r = blank(s->len + (s->len + 1) * new_->len);
  char *o = r->data;
  for (int64_t i = 0; i <= s->len; i++) {
    memcpy(o, new_->data, (size_t)new_->len);
    o += new_->len;
    if (i < s->len) *o++ = s->data[i];
  }
  return r;
}

const RtStr *rt_str_replace(const RtStr *s, const RtStr *old, const RtStr *new_) {
  if (old->len == 0) return replace_empty(s, new_);
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
/* Copy the number in [p, end) without Python's digit separators: a '_'
   is allowed only between two digits. False when one is misplaced. */
static bool strip_separators(const char *p, const char *end, char *buf, size_t cap) {
  size_t k = 0;
  for (const char *q = p; q < end && k < cap - 1; q++) {
    if (*q == '_') {
      if (q == p || q + 1 >= end || !isdigit((unsigned char)q[-1]) || !isdigit((unsigned char)q[1]))
        return false;
      continue;
    }
    buf[k++] = *q;
  }
  buf[k] = 0;
  return true;
}

int64_t rt_str_to_i64(const RtStr *s, const char *cell, int32_t line) {
  char buf[80];
  const char *p = s->data, *end = s->data + s->len;
  while (p < end && isspace((unsigned char)*p)) p++;
  while (end > p && isspace((unsigned char)end[-1])) end--;
  int64_t k = strip_separators(p, end, buf, sizeof buf) ? (int64_t)strlen(buf) : 0;
  p = end;
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
  char buf[400], *stop = NULL;
  const char *p = s->data, *end = s->data + s->len;
  while (p < end && isspace((unsigned char)*p)) p++;
  while (end > p && isspace((unsigned char)end[-1])) end--;
  bool ok = strip_separators(p, end, buf, sizeof buf) && !strpbrk(buf, "xXpP");  /* no hex floats */
  double v = ok ? strtod(buf, &stop) : 0;
  if (!ok || stop == buf || *stop) {
    char msg[200];
    snprintf(msg, sizeof msg, "ValueError: could not convert string to float: '%.120s'", s->data);
    rt_raise(msg, cell, line);
    return 0;
  }
  return v;
}

/* f"{x:spec}": Python's format-spec mini-language,
 *   [[fill]align][sign][z][#][0][width][grouping][.precision][type]
 * for floats (f F e E g G %, or none), integers (d b o x X c, or a float
 * type) and strings (s, or none). A bad spec raises ValueError. */
typedef struct Spec {
  char fill, align, sign, type, group;
  bool alt, zero;
  int64_t width, precision;  /* -1: not given */
} Spec;

static bool parse_spec(const char *p, Spec *sp) {
  *sp = (Spec){' ', 0, '-', 0, 0, false, false, -1, -1};
  if (p[0] && p[1] && strchr("<>=^", p[1])) sp->fill = p[0], sp->align = p[1], p += 2;
  else if (*p && strchr("<>=^", *p)) sp->align = *p++;
  if (*p && strchr("+- ", *p)) sp->sign = *p++;
  if (*p == 'z') p++;
  if (*p == '#') sp->alt = true, p++;
  if (*p == '0') sp->zero = true, p++;
  if (isdigit((unsigned char)*p)) sp->width = strtoll(p, (char **)&p, 10);
  if (*p == ',' || *p == '_') sp->group = *p++;
  if (*p == '.') {
    if (!isdigit((unsigned char)p[1])) return false;
    sp->precision = strtoll(p + 1, (char **)&p, 10);
  }
  if (*p && strchr("bcdeEfFgGnosxX%", *p)) sp->type = *p++;
  return *p == 0;
}

static void bad_spec(const RtStr *spec, const char *what, const char *cell, int32_t line) {
  char msg[160];
  snprintf(msg, sizeof msg, "ValueError: Invalid format specifier '%.60s' for %s", spec->data, what);
  rt_raise(msg, cell, line);
}

/* Insert the grouping character every `every` digits of the integer part. */
static void group_digits(char *digits, char sep, int every) {
  char tmp[512];
  size_t n = strcspn(digits, ".eE%"), rest = strlen(digits + n);
  if (n >= 200) return;
  size_t o = 0;
  for (size_t i = 0; i < n; i++) {
    if (i && (n - i) % (size_t)every == 0) tmp[o++] = sep;
    tmp[o++] = digits[i];
  }
  memcpy(tmp + o, digits + n, rest + 1);
  strcpy(digits, tmp);
}

/* Lay out sign + prefix + digits in width with fill and alignment. */
static const RtStr *layout(const Spec *sp, bool negative, const char *prefix, const char *digits,
                           char default_align) {
  char sign[2] = {0};
  if (negative) sign[0] = '-';
  else if (sp->sign == '+') sign[0] = '+';
  else if (sp->sign == ' ') sign[0] = ' ';
  char align = sp->align ? sp->align : sp->zero ? '=' : default_align;
  char fill = sp->align || !sp->zero ? sp->fill : '0';
  int64_t body = (int64_t)(strlen(sign) + strlen(prefix) + strlen(digits));
  int64_t pad = sp->width > body ? sp->width - body : 0;
  RtStr *r = blank(body + pad);
  char *o = r->data;
  int64_t left = align == '<' ? 0 : align == '^' ? pad / 2 : align == '=' ? 0 : pad;
  for (int64_t i = 0; i < left; i++) *o++ = fill;
  o += sprintf(o, "%s%s", sign, prefix);
  if (align == '=')
    for (int64_t i = 0; i < pad; i++) *o++ = fill;
  o += sprintf(o, "%s", digits);
  while (o < r->data + r->len) *o++ = fill;
  return r;
}

static void float_digits(double a, const Spec *sp, char *out, size_t n) {
  char type = sp->type, fmt[40];
  if (!type && sp->precision < 0) {  /* like str(): the shortest repr */
    rt_format_f64(a, out);
    return;
  }
  if (!isfinite(a)) {
    snprintf(out, n, isnan(a) ? "nan" : "inf");
    if (type && isupper((unsigned char)type)) for (char *c = out; *c; c++) *c = (char)toupper((unsigned char)*c);
    return;
  }
  int64_t prec = sp->precision < 0 ? 6 : sp->precision > 100 ? 100 : sp->precision;
  if (!type) {  /* precision without a type: 'g', keeping a ".0" on whole numbers */
    snprintf(fmt, sizeof fmt, "%%.%lld%s", (long long)(prec ? prec : 1), sp->alt ? "#g" : "g");
    snprintf(out, n, fmt, a);
    if (!strpbrk(out, ".e")) strcat(out, ".0");
    return;
  }
  char conv = type == '%' ? 'f' : type == 'F' ? 'f' : type == 'n' ? 'g' : type;
  snprintf(fmt, sizeof fmt, "%%%s.%lld%c", sp->alt ? "#" : "", (long long)prec, conv);
  snprintf(out, n, fmt, type == '%' ? a * 100 : a);
  if (type == '%') strcat(out, "%");
  if (type == 'F') for (char *c = out; *c; c++) *c = (char)toupper((unsigned char)*c);
}

const RtStr *rt_format_f64_spec(double v, const RtStr *spec, const char *cell, int32_t line) {
  Spec sp;
  if (!parse_spec(spec->data, &sp) || (sp.type && !strchr("eEfFgGn%", sp.type))) {
    bad_spec(spec, "a float", cell, line);
    return spec;
  }
  char digits[400];
  bool negative = signbit(v) && !(v == 0 && sp.type == 0 && sp.precision < 0 && 0);
  float_digits(fabs(v), &sp, digits, sizeof digits - 64);
  if (sp.group) group_digits(digits, sp.group, 3);
  return layout(&sp, negative, "", digits, '>');
}

const RtStr *rt_format_i64_spec(int64_t v, const RtStr *spec, const char *cell, int32_t line) {
  Spec sp;
  if (!parse_spec(spec->data, &sp) || sp.type == 's') {
    bad_spec(spec, "an integer", cell, line);
    return spec;
  }
  if (sp.type && strchr("eEfFgG%", sp.type)) return rt_format_f64_spec((double)v, spec, cell, line);
  if (sp.precision >= 0) {
    rt_raise("ValueError: Precision not allowed in integer format specifier", cell, line);
    return spec;
  }
  uint64_t mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
  char digits[160], prefix[3] = {0};
  int base = sp.type == 'b' ? 2 : sp.type == 'o' ? 8 : (sp.type == 'x' || sp.type == 'X') ? 16 : 10;
  if (sp.type == 'c') {
    char one[2] = {(char)v, 0};
    return layout(&sp, false, "", one, '<');
  }
  const char *alphabet = sp.type == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
  char rev[80];
  int k = 0;
  do rev[k++] = alphabet[mag % (uint64_t)base]; while (mag /= (uint64_t)base);
  for (int i = 0; i < k; i++) digits[i] = rev[k - 1 - i];
  digits[k] = 0;
  if (sp.alt && base != 10) prefix[0] = '0', prefix[1] = sp.type == 'b' ? 'b' : sp.type == 'o' ? 'o' : sp.type;
  if (sp.group) group_digits(digits, sp.group, base == 10 ? 3 : 4);
  return layout(&sp, v < 0, prefix, digits, '>');
}

const RtStr *rt_format_str_spec(const RtStr *s, const RtStr *spec, const char *cell, int32_t line) {
  Spec sp;
  if (!parse_spec(spec->data, &sp) || (sp.type && sp.type != 's') || sp.align == '=' ||
      sp.sign != '-' || sp.group || sp.alt) {
    bad_spec(spec, "a string", cell, line);
    return s;
  }
  char cut[1024];
  const char *text = s->data;
  if (sp.precision >= 0 && sp.precision < s->len && sp.precision < (int64_t)sizeof cut) {
    memcpy(cut, s->data, (size_t)sp.precision);
    cut[sp.precision] = 0;
    text = cut;
  }
  Spec plain = sp;
  plain.zero = sp.zero && !sp.align;
  return layout(&plain, false, "", text, '<');
}
