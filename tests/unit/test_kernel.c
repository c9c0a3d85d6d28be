/* test_kernel.c — unit tests for the kernel's pure pieces: UTF-8 cleaning
 * of program output (kernel/utf8.c), history queries (kernel/history.c)
 * and the cells the kernel answers itself (kernel/special.c). The socket
 * side is tested end to end by tests/kernel/test_*.py.
 *
 * The UTF-8 expectations are CPython's bytes.decode("utf-8", "replace"),
 * which is what jupyter_client does with a frame it cannot decode.
 *
 * Prints each failure, then "kernel: N passed, M failed"; exits nonzero
 * when anything failed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/history.h"
#include "kernel/kern.h"
#include "kernel/utf8.h"

static int passed, failed;

static void check(bool ok, const char *what) {
  if (ok) {
    passed++;
    return;
  }
  failed++;
  printf("FAIL %s\n", what);
}

/* ---- utf8 --------------------------------------------------------------- */

static const struct {
  const char *bytes;
  size_t len, whole;     /* kern_utf8_whole: the prefix safe to send now */
  const char *clean;     /* kern_utf8_json's text */
} utf8_rows[] = {
    {"abc", 3, 3, "abc"},
    {"caf\xc3\xa9", 5, 5, "caf\xc3\xa9"},
    {"caf\xc3", 4, 3, "caf\xef\xbf\xbd"},                    /* é cut after its lead byte */
    {"\xf0\xa8\xad", 3, 0, "\xef\xbf\xbd"},                    /* 4-byte character, 3 here */
    {"\xf0\xa8\xad\x8e", 4, 4, "\xf0\xa8\xad\x8e"},            /* U+28B4E whole */
    {"caf\xe9", 4, 3, "caf\xef\xbf\xbd"},                      /* Latin-1 é: invalid at the end, held until more comes */
    {"\xc0\xaf", 2, 2, "\xef\xbf\xbd\xef\xbf\xbd"},            /* overlong '/' */
    {"\xed\xa0\x80", 3, 3, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"}, /* a surrogate */
    {"\xed\xa0", 2, 2, "\xef\xbf\xbd\xef\xbf\xbd"},            /* not the start of one */
    {"\xe2\x82" "a", 3, 3, "\xef\xbf\xbd" "a"},                /* truncated, then more */
    {"\xf4\x90\x80\x80", 4, 4, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"}, /* > U+10FFFF */
    {"a\xff", 2, 2, "a\xef\xbf\xbd"},
};

static void test_utf8(void) {
  for (size_t i = 0; i < sizeof utf8_rows / sizeof *utf8_rows; i++) {
    char what[64];
    snprintf(what, sizeof what, "utf8 row %zu", i);
    check(kern_utf8_whole(utf8_rows[i].bytes, utf8_rows[i].len) == utf8_rows[i].whole, what);
    json_t *j = kern_utf8_json(utf8_rows[i].bytes, utf8_rows[i].len);
    check(j && !strcmp(json_string_value(j), utf8_rows[i].clean), what);
    json_decref(j);
  }
  json_t *nul = kern_utf8_json("a\0b", 3);
  check(json_string_length(nul) == 3, "utf8 keeps NUL bytes");
  json_decref(nul);
  check(kern_utf8_count("\xf0\xa8\xad\x8e\xc3\xa9x") == 3, "utf8 counts code points");
}

/* ---- history ------------------------------------------------------------ */

static json_t *query(const KernHistory *h, const char *request) {
  json_t *r = json_loads(request, 0, NULL);
  json_t *list = kern_history_query(h, r);
  json_decref(r);
  return list;
}

static void check_history(const KernHistory *h, const char *request, const char *want) {
  json_t *list = query(h, request);
  char *got = json_dumps(list, JSON_COMPACT);
  bool ok = !strcmp(got, want);
  if (!ok) printf("     %s -> %s\n", request, got);
  check(ok, want);
  free(got);
  json_decref(list);
}

static void test_history(void) {
  KernHistory h = {0};
  kern_history_add(&h, 1, "1+2+3", "6");
  kern_history_add(&h, 2, "print(1)", NULL);
  kern_history_add(&h, 3, "1+2+3", "6");
  kern_history_add(&h, 4, "x = 12", NULL);
  check_history(&h, "{\"hist_access_type\":\"tail\",\"n\":2}", "[[1,3,\"1+2+3\"],[1,4,\"x = 12\"]]");
  check_history(&h, "{\"hist_access_type\":\"tail\",\"n\":1,\"output\":true}", "[[1,4,[\"x = 12\",null]]]");
  check_history(&h, "{\"hist_access_type\":\"range\",\"session\":0,\"start\":2,\"stop\":4}",
                "[[1,2,\"print(1)\"],[1,3,\"1+2+3\"]]");
  check_history(&h, "{\"hist_access_type\":\"range\",\"session\":1,\"start\":4}", "[[1,4,\"x = 12\"]]");
  check_history(&h, "{\"hist_access_type\":\"range\",\"session\":-1}", "[]");
  check_history(&h, "{\"hist_access_type\":\"search\",\"pattern\":\"1?2*\"}", "[[1,1,\"1+2+3\"],[1,3,\"1+2+3\"]]");
  check_history(&h, "{\"hist_access_type\":\"search\",\"pattern\":\"1?2*\",\"unique\":true}", "[[1,3,\"1+2+3\"]]");
  check_history(&h, "{\"hist_access_type\":\"search\",\"pattern\":\"*\",\"n\":2}", "[[1,3,\"1+2+3\"],[1,4,\"x = 12\"]]");
  check_history(&h, "{\"hist_access_type\":\"search\",\"pattern\":\"*1*\",\"output\":true,\"n\":1}",
                "[[1,4,[\"x = 12\",null]]]");
  kern_history_free(&h);
}

/* ---- special cells ------------------------------------------------------ */

static void check_help(const char *code, const char *name, int detail) {
  char *got = NULL;
  int d = -1;
  bool is = kern_help_query(code, &got, &d);
  char what[96];
  snprintf(what, sizeof what, "help query [%s]", code);
  check(name ? is && !strcmp(got, name) && d == detail : !is, what);
  free(got);
}

static void test_special(void) {
  check_help("print?", "print", 0);
  check_help("  square??\n", "square", 1);
  check_help("?time.now", "time.now", 0);
  check_help("?x?", NULL, 0);
  check_help("x ? y", NULL, 0);
  check_help("1?", NULL, 0);
  check_help("print(1)", NULL, 0);
  check_help("x???", NULL, 0);
  const char *exits[] = {"exit", " quit() ", "exit ( )\n"}, *not_exits[] = {"exit(1)", "exits", "exit = 1"};
  for (int i = 0; i < 3; i++) {
    check(kern_exit_query(exits[i]), exits[i]);
    check(!kern_exit_query(not_exits[i]), not_exits[i]);
  }
}

int main(void) {
  test_utf8();
  test_history();
  test_special();
  printf("kernel: %d passed, %d failed\n", passed, failed);
  return failed != 0;
}
