/* unit_check.h — the CHECK macro of the C unit tests that share it: count a
 * pass, or print the failing condition with a printf-style explanation. */
#ifndef EMBER_UNIT_CHECK_H
#define EMBER_UNIT_CHECK_H

#include <stdio.h>

static int passed, failed;

#define CHECK(cond, ...)                                     \
  do {                                                       \
    if (cond)                                                \
      passed++;                                              \
    else {                                                   \
      failed++;                                              \
      printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
      printf(__VA_ARGS__);                                   \
      printf("\n");                                          \
    }                                                        \
  } while (0)

#endif
