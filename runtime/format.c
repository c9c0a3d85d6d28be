/* format.c — Python's repr() of floats, for every Ember float width.
 *
 * Two steps. First find the shortest decimal digits that read back as the
 * same value in the target type: for p = 1..17 take the correctly rounded
 * p-digit decimal (printf "%.{p-1}e") and ask a per-type round-trip test
 * whether it reads back; at a power of two the gap below is half the gap
 * above, so when the nearest p-digit decimal fails, the next one up may
 * still succeed, and we try it too. Second, lay the digits out the way
 * CPython's float_repr does: scientific when the decimal exponent is < -4
 * or >= 16 ("1e+16", "1.5e-05"), fixed otherwise with at least one digit
 * after the point ("2.0", "0.0001").
 *
 * Half and bfloat16 values arrive as floats that are exact in the narrow
 * type; their round-trip test narrows the parsed double with
 * round-to-nearest-even done on the bits (narrow() below), so no compiler
 * support for _Float16 is needed.
 *
 * printf and strtod here assume the "C" locale for LC_NUMERIC (the default
 * unless someone calls setlocale). Each format costs at most 17 printf and
 * strtod calls: plenty fast for print, not for bulk conversion.
 *
 * Read bottom-up: the public rt_format_* are at the end.
 */
#include "runtime/runtime.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 17 significant digits always round-trip a double, so no search goes past. */
enum { MAX_DIGITS = 17 };

/* The shortest digits found: value = 0.d1d2...dn * 10^(exp+1), i.e. exp is
 * the exponent of the first digit as in scientific notation. */
typedef struct Digits {
  char d[MAX_DIGITS + 2]; /* ASCII digits, NUL-terminated, no trailing zero */
  int n;                  /* number of digits in d */
  int exp;                /* decimal exponent of d[0] */
} Digits;

/* Does the decimal text read back as v in the target type? */
typedef bool (*RoundTrip)(const char *text, double v);

/* ---- narrowing to IEEE half and bfloat16 ----------------------------- */

/* A binary floating-point format narrower than double. */
typedef struct Narrow {
  int mant_bits;     /* stored fraction bits: 10 for half, 7 for bfloat16 */
  int emin;          /* exponent of the smallest normal: -14 / -126 */
  uint32_t inf_bits; /* the bit pattern of +inf: 0x7C00 / 0x7F80 */
} Narrow;

static const Narrow HALF = {10, -14, 0x7C00};
static const Narrow BF16 = {7, -126, 0x7F80};

/* Round m (an integer) right by shift bits, to nearest, ties to even. */
static uint64_t round_shift(uint64_t m, int shift) {
  if (shift > 63) return 0; /* m < 2^53, so well below half a unit */
  uint64_t r = m >> shift, rem = m & ((UINT64_C(1) << shift) - 1);
  uint64_t half = UINT64_C(1) << (shift - 1);
  if (rem > half || (rem == half && (r & 1))) r++;
  return r;
}

/* The bits of x rounded to format f (sign in the bit above the exponent).
 * The significand is rounded at the position of the result's last bit;
 * subnormals simply use emin as their exponent. Writing the result as
 * ((te - emin) << mant_bits) + r, with r still holding its leading 1, makes
 * that 1 add the exponent bias, lets a rounding carry bump the exponent
 * field, and gives a subnormal when r < 2^mant_bits at emin. */
static uint32_t narrow(double x, Narrow f) {
  uint64_t bits;
  memcpy(&bits, &x, sizeof bits);
  uint32_t sign = (uint32_t)(bits >> 63) << 15; /* both are 16-bit types */
  int e = (int)((bits >> 52) & 0x7FF) - 1023;
  if (isnan(x)) return sign | f.inf_bits | 1;
  if (e == -1023) return sign; /* zero or a double subnormal: far below */
  if (e == 1024) return sign | f.inf_bits;
  uint64_t m = (bits & ((UINT64_C(1) << 52) - 1)) | (UINT64_C(1) << 52);
  int te = e < f.emin ? f.emin : e;
  uint64_t r = round_shift(m, 52 - f.mant_bits + (te - e));
  uint64_t out = ((uint64_t)(te - f.emin) << f.mant_bits) + r;
  if (out >= f.inf_bits) out = f.inf_bits; /* rounded past the largest */
  return sign | (uint32_t)out;
}

/* ---- round-trip tests, one per width --------------------------------- */

static bool same_f64(const char *text, double v) {
  return strtod(text, NULL) == v;
}

static bool same_f32(const char *text, double v) {
  return strtof(text, NULL) == (float)v;
}

static bool same_f16(const char *text, double v) {
  return narrow(strtod(text, NULL), HALF) == narrow(v, HALF);
}

static bool same_bf16(const char *text, double v) {
  return narrow(strtod(text, NULL), BF16) == narrow(v, BF16);
}

/* ---- shortest digits ------------------------------------------------- */

/* Read printf's "d.ddde+XX" for positive finite v into digits/exponent. */
static void nearest(double v, int p, Digits *out) {
  char text[40];
  snprintf(text, sizeof text, "%.*e", p - 1, v);
  char *e = strchr(text, 'e');
  out->n = 0;
  for (char *c = text; c < e; c++)
    if (*c != '.') out->d[out->n++] = *c;
  out->d[out->n] = '\0';
  out->exp = atoi(e + 1);
}

/* The next p-digit decimal above dg ("9.99" -> "1.00" one decade up). */
static void next_up(Digits *dg) {
  int i = dg->n - 1;
  while (i >= 0 && dg->d[i] == '9') dg->d[i--] = '0';
  if (i >= 0) {
    dg->d[i]++;
    return;
  }
  dg->d[0] = '1';
  dg->exp++;
}

static bool reads_back(const Digits *dg, double v, RoundTrip same) {
  char text[48];
  snprintf(text, sizeof text, "%se%d", dg->d, dg->exp - (dg->n - 1));
  return same(text, v);
}

static void strip_zeros(Digits *dg) {
  while (dg->n > 1 && dg->d[dg->n - 1] == '0') dg->d[--dg->n] = '\0';
}

/* The shortest digits of positive finite v that pass `same`. */
static void shortest(double v, RoundTrip same, Digits *out) {
  for (int p = 1; p <= MAX_DIGITS; p++) {
    nearest(v, p, out);
    if (reads_back(out, v, same)) break;
    Digits up = *out;
    next_up(&up);
    if (reads_back(&up, v, same)) {
      *out = up;
      break;
    }
  }
  strip_zeros(out);
}

/* ---- layout ---------------------------------------------------------- */

/* "d.ddde+XX": at least two exponent digits, no point for one digit. */
static int layout_sci(const Digits *dg, char *buf) {
  int k = 0;
  buf[k++] = dg->d[0];
  if (dg->n > 1) k += sprintf(buf + k, ".%s", dg->d + 1);
  return k + sprintf(buf + k, "e%c%02d", dg->exp < 0 ? '-' : '+', abs(dg->exp));
}

static int put(char *buf, const char *text, int n) {
  memcpy(buf, text, (size_t)n);
  return n;
}

static int put_zeros(char *buf, int n) {
  memset(buf, '0', (size_t)n);
  return n;
}

/* "0.000ddd", "ddd00.0" or "dd.ddd"; exp is in -4..15 here. */
static int layout_fixed(const Digits *dg, char *buf) {
  int whole = dg->exp + 1, k = 0; /* whole: digits before the point */
  if (whole <= 0) {
    k += put(buf, "0.", 2);
    k += put_zeros(buf + k, -whole);
    k += put(buf + k, dg->d, dg->n);
  } else if (dg->n <= whole) {
    k += put(buf, dg->d, dg->n);
    k += put_zeros(buf + k, whole - dg->n);
    k += put(buf + k, ".0", 2);
  } else {
    k += put(buf, dg->d, whole);
    buf[k++] = '.';
    k += put(buf + k, dg->d + whole, dg->n - whole);
  }
  buf[k] = '\0';
  return k;
}

/* Python's repr of v, whose value must be exact in the type `same` tests. */
static int format_float(double v, RoundTrip same, char *buf) {
  if (isnan(v)) return sprintf(buf, "nan");
  int k = 0;
  if (signbit(v)) {
    buf[k++] = '-';
    v = -v;
  }
  if (isinf(v)) return k + sprintf(buf + k, "inf");
  if (v == 0) return k + sprintf(buf + k, "0.0");
  Digits dg;
  shortest(v, same, &dg);
  if (dg.exp < -4 || dg.exp >= 16) return k + layout_sci(&dg, buf + k);
  return k + layout_fixed(&dg, buf + k);
}

int rt_format_f64(double v, char *buf) { return format_float(v, same_f64, buf); }
int rt_format_f32(float v, char *buf) { return format_float(v, same_f32, buf); }
int rt_format_f16(float v, char *buf) { return format_float(v, same_f16, buf); }
int rt_format_bf16(float v, char *buf) { return format_float(v, same_bf16, buf); }
