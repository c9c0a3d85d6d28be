/* special.c — cells the kernel answers itself, as IPython's kernel does,
 * because they are about the frontend rather than the program:
 *   `name?`, `name??`, `?name`   what the name is: session_inspect's text in
 *                                the pager (execute_reply's "page" payload);
 *                                `??` asks for more detail
 *   `exit`, `quit` (or with `()`) ask the frontend to close ("ask_exit"
 *                                payload; jupyter console then shuts the
 *                                kernel down) */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/kern.h"

static bool name_char(char c) { return isalnum((unsigned char)c) || c == '_' || c == '.' || (c & 0x80); }

static int question_marks(const char **p) {
  int n = 0;
  while (**p == '?') (*p)++, n++;
  return n;
}

bool kern_help_query(const char *code, char **name, int *detail) {
  const char *p = code + strspn(code, " \t\r\n");
  int before = question_marks(&p);
  const char *start = p;
  while (name_char(*p)) p++;
  const char *end = p;
  int after = question_marks(&p);
  p += strspn(p, " \t\r\n");
  int marks = before + after;
  if (*p || start == end || !marks || marks > 2 || (before && after) || isdigit((unsigned char)*start))
    return false;
  *name = strndup(start, (size_t)(end - start));
  *detail = marks - 1;
  return true;
}

bool kern_exit_query(const char *code) {
  const char *p = code + strspn(code, " \t\r\n");
  size_t n = strcspn(p, " \t\r\n(");
  if (!((n == 4 && !strncmp(p, "exit", 4)) || (n == 4 && !strncmp(p, "quit", 4)))) return false;
  p += n;
  p += strspn(p, " \t");
  if (*p == '(') {
    p++;
    p += strspn(p, " \t");
    if (*p++ != ')') return false;
  }
  return !p[strspn(p, " \t\r\n")];
}
