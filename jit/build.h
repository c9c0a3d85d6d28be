/* build.h — `ember build`'s last step: object files of a compile-only
 * session (SessionOptions.emit_stage "obj") linked into an executable. */
#ifndef EMBER_BUILD_H
#define EMBER_BUILD_H

#include <stdbool.h>

#include "jit/session.h"

/* Links s's objects with a generated main and Ember's runtime into the
   executable `out` (or, relocatable, merges them into one object file
   without a main). False with *err (malloc'd) on failure. */
bool build_link(const Session *s, const char *out, bool relocatable, char **err);

#endif
