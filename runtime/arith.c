/* arith.c — arithmetic that is more than one MLIR op.
 *
 * Int ** Int is exponentiation by squaring in unsigned 64-bit arithmetic,
 * so overflow wraps like every other Int operation instead of being
 * undefined behaviour; Float ** Float is libm's pow.
 */
#include "runtime/runtime.h"

#include <math.h>

int64_t rt_pow_i64(int64_t a, int64_t b, const char *cell, int32_t line) {
  if (b < 0) {
    rt_raise("ValueError: negative exponent for Int power", cell, line);
    return 0;  /* the caller sees rt_error_pending */
  }
  uint64_t result = 1, base = (uint64_t)a;
  for (uint64_t e = (uint64_t)b; e; e >>= 1) {
    if (e & 1) result *= base;
    base *= base;
  }
  return (int64_t)result; /* two's complement wrap (GCC/Clang define it) */
}

double rt_pow_f64(double a, double b) { return pow(a, b); }
