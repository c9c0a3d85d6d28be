/* memory.c — what Ember's pointers call: aligned allocation, memset and
 * memcpy, and the text of vectors, pointers and DTypes for print. */
#include "runtime/runtime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *rt_alloc_aligned(int64_t bytes, int64_t align) {
  void *p = NULL;
  if (bytes < 0) rt_raise_jump("ValueError: cannot allocate a negative number of elements");
  if (posix_memalign(&p, (size_t)align, bytes ? (size_t)bytes : 1) != 0)
    rt_raise_jump("MemoryError: out of memory");
  return p;
}

void rt_free_aligned(void *p) { free(p); }

void *rt_null_pointer(void) { return NULL; }

void rt_memcpy(void *dst, const void *src, int64_t bytes) {
  if (bytes > 0) memmove(dst, src, (size_t)bytes);
}

void rt_memset(void *dst, int32_t byte, int64_t bytes) {
  if (bytes > 0) memset(dst, byte, (size_t)bytes);
}

/* kind: 0 Bool, 1 float, 2 signed, 3 unsigned, 4 bfloat16; bits per lane */
static const RtStr *lane_text(const char *p, int32_t kind, int32_t bits) {
  switch (kind) {
  case 0: return rt_str_bool(*(const bool *)p);
  case 1:
    if (bits == 64) return rt_str_f64(*(const double *)p);
    if (bits == 32) return rt_str_f32(*(const float *)p);
    return rt_str_f16((float)*(const _Float16 *)p);
  case 4: {  /* bfloat16: the high half of a float32 */
    uint32_t w = (uint32_t)*(const uint16_t *)p << 16;
    float f;
    memcpy(&f, &w, sizeof f);
    return rt_str_bf16(f);
  }
  case 2:
    if (bits == 8) return rt_str_i64(*(const int8_t *)p);
    if (bits == 16) return rt_str_i64(*(const int16_t *)p);
    if (bits == 32) return rt_str_i64(*(const int32_t *)p);
    return rt_str_i64(*(const int64_t *)p);
  default:
    if (bits == 8) return rt_str_u64(*(const uint8_t *)p);
    if (bits == 16) return rt_str_u64(*(const uint16_t *)p);
    if (bits == 32) return rt_str_u64(*(const uint32_t *)p);
    return rt_str_u64(*(const uint64_t *)p);
  }
}

/* [1.0, 2.0, 3.0, 4.0], as Mojo prints a SIMD value. Bool lanes are one
   byte each in memory (LLVM stores a vector of i1 packed into bits, so the
   caller widens it first). */
const RtStr *rt_simd_repr(const void *lanes, int64_t n, int32_t kind, int32_t bits) {
  const RtStr *out = rt_str_new("[", 1);
  const RtStr *sep = rt_str_new(", ", 2);
  for (int64_t i = 0; i < n; i++) {
    if (i) out = rt_str_concat(out, sep);
    const char *p;
    bool b;
    if (kind == 0) {  /* packed bits: lane i is bit i */
      b = (((const uint8_t *)lanes)[i / 8] >> (i % 8)) & 1;
      p = (const char *)&b;
    } else p = (const char *)lanes + i * (bits / 8);
    out = rt_str_concat(out, lane_text(p, kind, bits));
  }
  return rt_str_concat(out, rt_str_new("]", 1));
}

const RtStr *rt_str_ptr(const void *p) {
  char buf[32];
  int n = snprintf(buf, sizeof buf, "0x%llx", (unsigned long long)(uintptr_t)p);
  return rt_str_new(buf, n);
}

const RtStr *rt_str_dtype(int8_t kind) {
  static const char *const names[] = {
      /* in TypeKind order (compiler/types.h) */
      "index", "uint64", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
      "uint64", "float16", "bfloat16", "float32", "float64", "bool",
  };
  const char *s = kind >= 0 && kind < (int)(sizeof names / sizeof *names) ? names[kind] : "invalid";
  return rt_str_new(s, (int64_t)strlen(s));
}
