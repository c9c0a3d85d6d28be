#!/usr/bin/python3
"""A crash in user code is an error for that cell, not the end of the session.

Three cells overflow the stack with runaway recursion (SIGSEGV on the guard
page, caught on the alternate signal stack); after each, a cell reads the
state that earlier cells left. Also checks the status codes of `ember run`:
2 for a runtime error, 1 for a compile error, 0 for success.
"""

import os
import subprocess
import sys
import tempfile

from session_env import ROOT, ember_path  # noqa: E402

SOURCE = '''\
var x = 42
fn down(n: Int) -> Int:
    if n < 0:
        return 0
    return down(n + 1) * 3 + n % 7
# %%
print(down(0))
# %%
print("after crash 1", x)
x += 1
# %%
print(down(5))
# %%
print("after crash 2", x)
# %%
print(down(9))
# %%
print("after crash 3", x)
'''


def run(ember, source, *flags):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "prog.ember")
        with open(path, "w") as f:
            f.write(source)
        p = subprocess.run([ember, "run", *flags, path], capture_output=True, timeout=120)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def main():
    ember = ember_path()
    failures = []
    code, out, err = run(ember, SOURCE, "--keep-going")
    want = "after crash 1 42\nafter crash 2 43\nafter crash 3 43\n"
    if out != want:
        failures.append("stdout %r, want %r" % (out, want))
    if code != 2:
        failures.append("exit status %d, want 2" % code)
    if err.count("SegmentationFault") != 3:
        failures.append("want 3 SegmentationFault reports, stderr:\n" + err)
    if 'in the cell starting at line 7' not in err:
        failures.append("the crash report does not name the cell")
    for source, status in (("print(1)\n", 0), ("print(nope)\n", 1), ("print(1 // 0)\n", 2)):
        code, _, _ = run(ember, source)
        if code != status:
            failures.append("%r: exit status %d, want %d" % (source, code, status))
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
