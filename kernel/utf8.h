/* utf8.h — making program output safe to put in JSON.
 *
 * A cell may print any bytes, but a Jupyter message is UTF-8 JSON. Text is
 * cleaned (each invalid sequence becomes U+FFFD, as Python's
 * decode("utf8", "replace") does) before it goes into a message, and a
 * character split across two writes is held back until its end arrives. */
#ifndef EMBER_KERNEL_UTF8_H
#define EMBER_KERNEL_UTF8_H

#include <jansson.h>
#include <stddef.h>

/* The length of the longest prefix of s[0..len) that does not end inside a
   character that may still be completed by more bytes. */
size_t kern_utf8_whole(const char *s, size_t len);
/* A JSON string of s[0..len), invalid sequences replaced by U+FFFD. */
json_t *kern_utf8_json(const char *s, size_t len);
/* Unicode code points in a NUL-terminated UTF-8 string. */
int kern_utf8_count(const char *s);

#endif
