#!/usr/bin/python3
"""Piped transcripts: transcripts/NAME.in on the standard input of `ember`
(not a terminal, so it reads the input as a script: the cells a user would
type at the prompt, results echoed, no banner, prompts or colour) must
print exactly transcripts/NAME.out (stdout and stderr together, in order).

A `# exit: N` line in NAME.in gives the exit status ember must end with
(default 0); ember reads that line as a comment, like any other.

  test_transcripts.py [--ember PATH] [-k SUBSTR] [--bless]

--bless writes the actual output into the .out files (read the diff
before committing it). Exits 0 when every transcript matches.
"""

import difflib
import os
import re
import subprocess
import sys

from replterm import ember_path

HERE = os.path.dirname(os.path.abspath(__file__))
FOLDER = os.path.join(HERE, "transcripts")
TIMEOUT = 30
EXIT_RE = re.compile(r"^#\s*exit:\s*(\d+)\s*$", re.M)


def run(ember, path):
    with open(path, "rb") as f:
        env = dict(os.environ)
        env.pop("NO_COLOR", None)  # colour must stay off without it
        p = subprocess.run([ember], stdin=f, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=TIMEOUT, env=env)
    return p.returncode, p.stdout.decode("utf-8", "replace")


def check(ember, name, bless):
    base = os.path.join(FOLDER, name)
    with open(base + ".in", encoding="utf-8") as f:
        m = EXIT_RE.search(f.read())
    want_status = int(m.group(1)) if m else 0
    try:
        status, out = run(ember, base + ".in")
    except (OSError, subprocess.TimeoutExpired) as e:
        return ["%s: cannot run %s: %s" % (name, ember, e)]
    if bless:
        with open(base + ".out", "w", encoding="utf-8") as f:
            f.write(out)
    try:
        with open(base + ".out", encoding="utf-8") as f:
            want = f.read()
    except OSError:
        want = ""
    failures = []
    if out != want:
        diff = difflib.unified_diff(want.splitlines(), out.splitlines(),
                                    name + ".out", "actual", lineterm="")
        failures.append("%s: output differs\n%s" % (name, "\n".join(diff)))
    if status != want_status:
        failures.append("%s: exit status %d, expected %d"
                        % (name, status, want_status))
    return failures


def main():
    args = sys.argv[1:]
    only = args[args.index("-k") + 1] if "-k" in args else ""
    names = sorted(f[:-3] for f in os.listdir(FOLDER)
                   if f.endswith(".in") and only in f)
    failures = []
    for name in names:
        failures += check(ember_path(), name, "--bless" in args)
    for f in failures:
        print("FAIL " + f)
    print("%d transcripts, %d failures" % (len(names), len(failures)))
    return 1 if failures or not names else 0


if __name__ == "__main__":
    sys.exit(main())
