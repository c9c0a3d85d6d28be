/* test_runtime.c — unit tests for the C runtime (the files in runtime/).
 *
 * Each table row carries its expectation beside it. The float and string
 * repr expectations were produced by CPython (`python3 -c 'print(repr(x))'`)
 * and, for Float32 and Float16, by numpy's repr of np.float32 / np.float16;
 * BFloat16 rows were checked against an exact round-to-nearest-even model
 * of bfloat16 in Python. Raising paths check the error value they leave, the
 * way the session runs a cell.
 *
 * Prints each failure, then "runtime: N passed, M failed"; exits nonzero
 * when anything failed.
 */
#include "runtime/runtime.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static int passed, failed;

static void check(bool ok, const char *what, const char *got,
                  const char *want) {
  if (ok) {
    passed++;
    return;
  }
  failed++;
  printf("FAIL %s: got [%s], want [%s]\n", what, got, want);
}

static void check_text(const char *what, const char *got, const char *want) {
  check(strcmp(got, want) == 0, what, got, want);
}

static void check_i64(const char *what, int64_t got, int64_t want) {
  char g[32], w[32];
  snprintf(g, sizeof g, "%lld", (long long)got);
  snprintf(w, sizeof w, "%lld", (long long)want);
  check(got == want, what, g, w);
}

/* ---- float formatting ------------------------------------------------ */

typedef struct F64Case {
  double v;
  const char *repr; /* CPython's repr(v) */
} F64Case;

static const F64Case f64_cases[] = {
    {0.1, "0.1"},
    {0.2 + 0.1, "0.30000000000000004"},
    {1e16, "1e+16"},
    {1e15, "1000000000000000.0"},
    {123456789012345678.0, "1.2345678901234568e+17"},
    {1e-4, "0.0001"},
    {1e-5, "1e-05"},
    {1.5e-05, "1.5e-05"},
    {1.2345e+20, "1.2345e+20"},
    {2.0, "2.0"},
    {-2.5, "-2.5"},
    {0.0, "0.0"},
    {-0.0, "-0.0"},
    {5e-324, "5e-324"},
    {1e-310, "1e-310"},
    {2.2250738585072014e-308, "2.2250738585072014e-308"},
    {1.7976931348623157e308, "1.7976931348623157e+308"},
    {1.0 / 3.0, "0.3333333333333333"},
    {100.0, "100.0"},
    {1e22, "1e+22"},
    {1e100, "1e+100"},
    {123456789.0, "123456789.0"},
    {1e9, "1000000000.0"},
    {9999999999999998.0, "9999999999999998.0"},
    {0.001, "0.001"},
    {12345.678, "12345.678"},
    /* 2**-1017: the nearest 16-digit decimal misses, the one above fits */
    {0x1p-1017, "7.120236347223045e-307"},
    {INFINITY, "inf"},
    {-INFINITY, "-inf"},
    {NAN, "nan"},
};

typedef struct F32Case {
  float v;
  const char *repr; /* numpy's repr(np.float32(v)) */
} F32Case;

static const F32Case f32_cases[] = {
    {0.1f, "0.1"},
    {1.0f, "1.0"},
    {1.0f / 3.0f, "0.33333334"},
    {16777217.0f, "16777216.0"}, /* 2**24 + 1 is not a float */
    {0x1p87f, "1.5474251e+26"},  /* power of two: the next-up case */
    {3.4028234663852886e38f, "3.4028235e+38"},
    {0x1p-149f, "1e-45"},
    {-0.0f, "-0.0"},
    {1e10f, "10000000000.0"},
    {123456.79f, "123456.79"},
};

/* Float16 and BFloat16 rows hold values already exact in the narrow type. */
static const F32Case f16_cases[] = {
    {0.0999755859375f, "0.1"}, /* np.float16(0.1) */
    {1.0f, "1.0"},
    {65504.0f, "65500.0"},              /* largest half */
    {0x1p-24f, "6e-08"},                /* smallest half subnormal */
    {0.333251953125f, "0.3333"},        /* np.float16(1/3) */
    {3.140625f, "3.14"},                /* np.float16(3.14159) */
    {1000.0f, "1000.0"},
    {2048.0f, "2048.0"},
    {-2.5f, "-2.5"},
    {6.097555160522461e-05f, "6.1e-05"},
    {0.00010001659393310547f, "0.0001"},
};

static const F32Case bf16_cases[] = {
    {0.10009765625f, "0.1"},
    {0.333984375f, "0.334"},
    {3.140625f, "3.14"},
    {9.969209968386869e+37f, "1e+38"},
    {-2.5f, "-2.5"},
    {1.0f, "1.0"},
    {256.0f, "256.0"},
    {0x1p64f, "1.85e+19"},
    {0x1p-133f, "9e-41"}, /* smallest bfloat16 subnormal */
    {3.00405527047391e+38f, "3e+38"},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static void test_format_f64(void) {
  char buf[32];
  for (size_t i = 0; i < COUNT(f64_cases); i++) {
    int n = rt_format_f64(f64_cases[i].v, buf);
    check_text("rt_format_f64", buf, f64_cases[i].repr);
    check_i64("rt_format_f64 length", n, (int64_t)strlen(f64_cases[i].repr));
  }
}

static void test_format_narrow(const char *what, int (*format)(float, char *),
                               const F32Case *cases, size_t count) {
  char buf[32];
  for (size_t i = 0; i < count; i++) {
    format(cases[i].v, buf);
    check_text(what, buf, cases[i].repr);
  }
}

/* ---- strings --------------------------------------------------------- */

#define LIT(s) s, (int64_t)(sizeof(s) - 1) /* literal with embedded NULs */

typedef struct ReprCase {
  const char *in;
  int64_t len;
  const char *repr; /* CPython's repr(in) */
} ReprCase;

static const ReprCase repr_cases[] = {
    {LIT("hello"), "'hello'"},
    {LIT("it's"), "\"it's\""},
    {LIT("say \"hi\""), "'say \"hi\"'"},
    {LIT("both ' and \""), "'both \\' and \"'"},
    {LIT("tab\there\nnl\rcr"), "'tab\\there\\nnl\\rcr'"},
    {LIT("back\\slash"), "'back\\\\slash'"},
    {LIT("\x00\x01\x1f\x7f"), "'\\x00\\x01\\x1f\\x7f'"},
    {LIT("caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac"),
     "'caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac'"}, /* 'café 日本' */
    {LIT(""), "''"},
    {LIT("'"), "\"'\""},
};

static const RtStr *str(const char *text) {
  return rt_str_new(text, (int64_t)strlen(text));
}

static void test_str_repr(void) {
  for (size_t i = 0; i < COUNT(repr_cases); i++) {
    const RtStr *r = rt_str_repr(rt_str_new(repr_cases[i].in, repr_cases[i].len));
    check_text("rt_str_repr", r->data, repr_cases[i].repr);
    check_i64("rt_str_repr length", r->len, (int64_t)strlen(repr_cases[i].repr));
  }
}

static void test_str_conversions(void) {
  check_text("rt_str_i64", rt_str_i64(-42)->data, "-42");
  check_text("rt_str_i64 min", rt_str_i64(INT64_MIN)->data, "-9223372036854775808");
  check_text("rt_str_u64 max", rt_str_u64(UINT64_MAX)->data, "18446744073709551615");
  check_text("rt_str_bool", rt_str_bool(true)->data, "True");
  check_text("rt_str_bool", rt_str_bool(false)->data, "False");
  check_text("rt_str_f64", rt_str_f64(0.1)->data, "0.1");
  check_i64("rt_str_f64 len", rt_str_f64(1e16)->len, 5);
  check_text("rt_str_f32", rt_str_f32(0.1f)->data, "0.1");
  check_text("rt_str_f16", rt_str_f16(0.0999755859375f)->data, "0.1");
  check_text("rt_str_bf16", rt_str_bf16(0.10009765625f)->data, "0.1");
}

static void test_str_ops(void) {
  const RtStr *ab = rt_str_concat(str("ab"), str("cd"));
  check_text("rt_str_concat", ab->data, "abcd");
  check_i64("rt_str_len", rt_str_len(ab), 4);
  check_text("rt_str_repeat", rt_str_repeat(str("ab"), 3)->data, "ababab");
  check_i64("rt_str_repeat 0", rt_str_repeat(str("ab"), 0)->len, 0);
  check_i64("rt_str_repeat -2", rt_str_repeat(str("ab"), -2)->len, 0);
  check_i64("rt_str_cmp <", rt_str_cmp(str("abc"), str("abd")) < 0, 1);
  check_i64("rt_str_cmp prefix", rt_str_cmp(str("ab"), str("abc")) < 0, 1);
  check_i64("rt_str_cmp >", rt_str_cmp(str("b"), str("abc")) > 0, 1);
  check_i64("rt_str_cmp =", rt_str_cmp(str("abc"), str("abc")), 0);
  check_i64("rt_str_cmp utf8", rt_str_cmp(str("z"), str("\xc3\xa9")) < 0, 1);
  check_i64("rt_str_eq", rt_str_eq(str("abc"), str("abc")), 1);
  check_i64("rt_str_eq len", rt_str_eq(str("abc"), str("ab")), 0);
  check_i64("rt_str_eq empty", rt_str_eq(str(""), rt_str_new(NULL, 0)), 1);
  check_text("rt_str_getitem 0", rt_str_getitem(ab, 0, "cell1", 3)->data, "a");
  check_text("rt_str_getitem -1", rt_str_getitem(ab, -1, "cell1", 3)->data, "d");
  check_text("rt_str_getitem -4", rt_str_getitem(ab, -4, "cell1", 3)->data, "a");
}

/* ---- raising --------------------------------------------------------- */

/* Run stmt as compiled code would and check that it raised msg: errors are
 * values, so it returns with rt_error_pending set and the first frame at
 * cell "cell7", line 9. */
#define EXPECT_RAISE(stmt, msg)                                        \
  do {                                                                 \
    rt_clear_error();                                                  \
    stmt;                                                              \
    check(rt_error_pending != 0, #stmt " pending", "0", "1");          \
    check(rt_last_error.kind == RT_ERR_RAISE, #stmt " kind", "?",      \
          "RT_ERR_RAISE");                                             \
    check_text(#stmt, rt_last_error.message, msg);                     \
    check_i64(#stmt " frames", rt_last_error.nframes, 1);              \
    check_text(#stmt " where", rt_last_error.frames[0].where, "cell7"); \
    check_i64(#stmt " line", rt_last_error.frames[0].line, 9);         \
    rt_clear_error();                                                  \
  } while (0)

static void test_raise(void) {
  const RtStr *s = str("abc");
  EXPECT_RAISE(rt_str_getitem(s, 3, "cell7", 9),
               "IndexError: string index out of range");
  EXPECT_RAISE(rt_str_getitem(s, -4, "cell7", 9),
               "IndexError: string index out of range");
  EXPECT_RAISE(rt_str_getitem(str(""), 0, "cell7", 9),
               "IndexError: string index out of range");
  EXPECT_RAISE(rt_raise_zero_division("cell7", 9, 0),
               "ZeroDivisionError: integer division or modulo by zero");
  EXPECT_RAISE(rt_raise_zero_division("cell7", 9, 1),
               "ZeroDivisionError: division by zero");
  EXPECT_RAISE(rt_pow_i64(2, -1, "cell7", 9),
               "ValueError: negative exponent for Int power");
  char longmsg[1000];
  memset(longmsg, 'x', sizeof longmsg - 1);
  longmsg[sizeof longmsg - 1] = '\0';
  EXPECT_RAISE(rt_raise(longmsg, "cell7", 9), longmsg + 1000 - 512);
  rt_clear_error();
  rt_raise("ValueError: deep", "c1", 1);
  for (int i = 0; i < RT_MAX_FRAMES + 10; i++) rt_add_frame("c2", i + 2);
  check_i64("frames kept", rt_last_error.nframes, RT_MAX_FRAMES);
  check_i64("depth counted", rt_last_error.depth, RT_MAX_FRAMES + 11);
  rt_clear_error();
  check(rt_error_pending == 0, "rt_clear_error", "1", "0");
}

/* ---- arithmetic and time --------------------------------------------- */

typedef struct PowCase {
  int64_t a, b, want; /* want: Python's a**b wrapped to signed 64 bits */
} PowCase;

static const PowCase pow_cases[] = {
    {3, 40, -6289078614652622815},
    {2, 63, INT64_MIN},
    {2, 64, 0},
    {-2, 63, INT64_MIN},
    {7, 0, 1},
    {0, 0, 1},
    {-3, 3, -27},
    {10, 18, 1000000000000000000},
    {10, 19, -8446744073709551616},
    {-1, 1000001, -1},
};

static void test_pow(void) {
  for (size_t i = 0; i < COUNT(pow_cases); i++) {
    const PowCase *c = &pow_cases[i];
    check_i64("rt_pow_i64", rt_pow_i64(c->a, c->b, "cell", 1), c->want);
  }
  check(rt_pow_f64(2.0, 0.5) == 1.4142135623730951, "rt_pow_f64", "?", "sqrt 2");
}

static void test_now(void) {
  int64_t t0 = rt_now_ns(), t1 = rt_now_ns();
  check(t0 > 0 && t1 >= t0, "rt_now_ns monotonic", "?", "t1 >= t0 > 0");
}

/* ---- output ---------------------------------------------------------- */

typedef struct Captured {
  char text[64]; /* what the sink received, NUL-terminated */
  size_t len;
} Captured;

static void capture(void *user, const char *text, size_t len) {
  Captured *c = user;
  if (c->len + len >= sizeof c->text) return;
  memcpy(c->text + c->len, text, len);
  c->len += len;
  c->text[c->len] = '\0';
}

static void test_output(void) {
  Captured c = {{0}, 0};
  rt_set_output(capture, &c);
  rt_write_str(str("x = "));
  rt_write_str(rt_str_f64(0.5));
  rt_write("\n", 1);
  rt_flush();
  rt_set_output(NULL, NULL);
  check_text("rt_write to sink", c.text, "x = 0.5\n");
}

int main(void) {
  test_format_f64();
  test_format_narrow("rt_format_f32", rt_format_f32, f32_cases, COUNT(f32_cases));
  test_format_narrow("rt_format_f16", rt_format_f16, f16_cases, COUNT(f16_cases));
  test_format_narrow("rt_format_bf16", rt_format_bf16, bf16_cases, COUNT(bf16_cases));
  test_str_repr();
  test_str_conversions();
  test_str_ops();
  test_raise();
  test_pow();
  test_now();
  test_output();
  printf("runtime: %d passed, %d failed\n", passed, failed);
  return failed != 0;
}
