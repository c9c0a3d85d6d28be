/* utf8.c — validating and cleaning UTF-8 (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF — exactly what jansson accepts).
 * seq_len decodes one character and says how long it is, or 0 when the
 * bytes there are not a valid character; everything else builds on it. */
#include "kernel/utf8.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static const char REPLACEMENT[] = "\xef\xbf\xbd";  /* U+FFFD */

static bool cont(unsigned char c) { return (c & 0xC0) == 0x80; }

/* Bytes a character starting with lead takes (0: lead cannot start one). */
static size_t expected_len(unsigned char lead) {
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return 2;
  if (lead >= 0xE0 && lead <= 0xEF) return 3;
  if (lead >= 0xF0 && lead <= 0xF4) return 4;
  return 0;
}

/* The second byte's narrower ranges rule out overlongs, surrogates and
   code points past U+10FFFF. */
static bool second_ok(unsigned char lead, unsigned char b) {
  switch (lead) {
  case 0xE0: return b >= 0xA0 && b <= 0xBF;
  case 0xED: return b >= 0x80 && b <= 0x9F;
  case 0xF0: return b >= 0x90 && b <= 0xBF;
  case 0xF4: return b >= 0x80 && b <= 0x8F;
  default: return cont(b);
  }
}

/* How many of the n available bytes at s form a valid prefix of one
   character (stops at the first bad byte). */
static size_t valid_prefix(const unsigned char *s, size_t n) {
  size_t want = expected_len(s[0]);
  if (!want) return 0;
  size_t k = 1;
  for (; k < want && k < n; k++)
    if (!(k == 1 ? second_ok(s[0], s[1]) : cont(s[k]))) break;
  return k;
}

static size_t seq_len(const unsigned char *s, size_t n) {
  size_t want = expected_len(s[0]);
  return want && valid_prefix(s, n) == want ? want : 0;
}

size_t kern_utf8_whole(const char *s, size_t len) {
  const unsigned char *u = (const unsigned char *)s;
  for (size_t back = 1; back <= 3 && back <= len; back++) {
    size_t at = len - back;
    if (cont(u[at])) continue;
    size_t want = expected_len(u[at]);
    /* a lead byte whose character is cut off by the end, valid so far */
    if (want > back && valid_prefix(u + at, back) == back) return at;
    return len;
  }
  return len;
}

json_t *kern_utf8_json(const char *s, size_t len) {
  const unsigned char *u = (const unsigned char *)s;
  size_t i = 0;
  while (i < len && (u[i] < 0x80 || seq_len(u + i, len - i))) i += u[i] < 0x80 ? 1 : seq_len(u + i, len - i);
  if (i == len) return json_stringn_nocheck(s, len);
  char *out = malloc(len * 3 + 1);  /* each bad byte may become 3 bytes */
  size_t o = 0;
  memcpy(out, s, i);
  o = i;
  while (i < len) {
    size_t n = u[i] < 0x80 ? 1 : seq_len(u + i, len - i);
    if (n) {
      memcpy(out + o, s + i, n);
      o += n;
      i += n;
      continue;
    }
    size_t bad = valid_prefix(u + i, len - i);  /* a truncated character is one error */
    memcpy(out + o, REPLACEMENT, 3);
    o += 3;
    i += bad ? bad : 1;
  }
  json_t *j = json_stringn_nocheck(out, o);
  free(out);
  return j;
}

int kern_utf8_count(const char *s) {
  int n = 0;
  for (; *s; s++)
    if (!cont((unsigned char)*s)) n++;
  return n;
}
