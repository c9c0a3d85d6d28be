#!/usr/bin/python3
"""The layout of a compile diagnostic on stderr:

    FILE:LINE:COL: error: MESSAGE
    <the source line>
    <a caret line with ^ under column COL>
    [  hint: ...]

The .ember tests can only check that stderr contains a text; this script
checks the layout: that COL is 1-based and the caret sits under the name.
Exits 0 when every check passes.
"""

import os
import re
import subprocess
import sys
import tempfile

from session_env import ROOT, ember_path  # noqa: E402

SOURCE = '''\
var total = 1
# %%
var y = total +   undefined_thing
'''
LINE = 3
SOURCE_TEXT = "var y = total +   undefined_thing"
COL = SOURCE_TEXT.index("undefined_thing") + 1  # 1-based: 19


def check_layout(err, name):
    """Returns a list of what is wrong with the diagnostic in err."""
    lines = err.splitlines()
    head = re.compile(r"%s:(\d+):(\d+): error: (.*)$" % re.escape(name))
    found = [i for i, l in enumerate(lines) if head.search(l)]
    if not found:
        return ["no line FILE:LINE:COL: error: MESSAGE"]
    i = found[0]
    line, col, message = head.search(lines[i]).groups()
    problems = []
    if int(line) != LINE:
        problems.append("line %s, expected %d" % (line, LINE))
    if int(col) != COL:
        problems.append("column %s, expected %d (1-based)" % (col, COL))
    if "use of unknown declaration 'undefined_thing'" not in message:
        problems.append("message is %r" % message)
    if i + 2 >= len(lines) or SOURCE_TEXT not in lines[i + 1]:
        return problems + ["the source line does not follow the diagnostic"]
    start = lines[i + 1].index(SOURCE_TEXT)
    caret = lines[i + 2]
    if not re.fullmatch(r"\s*\^~*\s*", caret):
        problems.append("no caret line under the source: %r" % caret)
    elif caret.index("^") != start + COL - 1:
        problems.append("caret at offset %d, the name is at offset %d"
                        % (caret.index("^"), start + COL - 1))
    return problems


def main():
    ember = ember_path()
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "diag_format.ember")
        with open(path, "w") as f:
            f.write(SOURCE)
        try:
            p = subprocess.run([ember, "run", path], capture_output=True,
                               timeout=60)
        except (OSError, subprocess.TimeoutExpired) as e:
            print("cannot run %s: %s" % (ember, e))
            return 1
    err = p.stderr.decode("utf-8", "replace")
    problems = check_layout(err, os.path.basename(path))
    if p.returncode != 1:
        problems.append("exit status %d, expected 1" % p.returncode)
    if p.stdout.strip():
        problems.append("unexpected stdout %r" % p.stdout)
    for message in problems:
        print("FAIL: " + message)
    if problems:
        print("--- stderr ---\n" + err)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
