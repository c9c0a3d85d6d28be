/* repl_history.c — the history file, kept across runs.
 *
 * libedit reads and writes the file (its own format, one entry a line,
 * vis(3)-encoded). The path is $EMBER_HISTORY when set (empty: keep no
 * file), else ~/.ember_history with ~ from $HOME or the password database.
 * The REPL saves after every line it keeps, so a killed REPL loses nothing;
 * saving writes a temporary file beside the real one and renames it over,
 * so a crash mid-write never leaves half a history. The file is private
 * (mode 0600): people type secrets. */
#include <histedit.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "repl/repl_internal.h"

char *repl_history_path(void) {
  const char *env = getenv("EMBER_HISTORY");
  if (env) return *env ? strdup(env) : NULL;
  const char *home = getenv("HOME");
  if (!home || !*home) {
    struct passwd *pw = getpwuid(getuid());
    home = pw ? pw->pw_dir : NULL;
  }
  if (!home || !*home) return NULL;
  char *path = NULL;
  if (asprintf(&path, "%s/.ember_history", home) < 0) return NULL;
  return path;
}

void repl_history_load(History *h, const char *path) {
  HistEvent ev;
  history(h, &ev, H_LOAD, path);  /* a missing file is an empty history */
}

void repl_history_save(History *h, const char *path) {
  char *tmp = NULL;
  if (asprintf(&tmp, "%s.XXXXXX", path) < 0) return;
  int fd = mkstemp(tmp);  /* mode 0600 */
  FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
  HistEvent ev;
  bool ok = f && history(h, &ev, H_SAVE_FP, f) >= 0;
  if (f) ok = fclose(f) == 0 && ok;
  else if (fd >= 0) close(fd);
  if (fd >= 0 && (!ok || rename(tmp, path) != 0)) unlink(tmp);
  free(tmp);
}
