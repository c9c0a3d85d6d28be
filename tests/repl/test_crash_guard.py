#!/usr/bin/python3
"""A wild pointer at the REPL prompt: the cell fails, the REPL lives on.

On a terminal (pexpect):
  - `var x = 41`, then a write through a null `UnsafePointer[Int]()`:
    "SegmentationFault: null pointer access" (naming the cell In[n]) shows, the prompt
    comes back with the next number, and `print(x + 1)` prints 42
  - a second crash, `DTypePointer[DType.float32]().store(0, 1.0)`: the
    guard re-armed, so it is caught as well, and the session still works
  - the same process served every line, and Ctrl-D leaves with status 0
Piped (standard input not a terminal): the same lines run as a script that
keeps going after each crash, prints 42 and 43, and exits with status 2
(a runtime error).
Exits 0 when every check passes.
"""

import subprocess
import sys

from replterm import Term, ember_path, main

CRASH_TEXT = "SegmentationFault"
# Each line is its own cell, so LLVM cannot know the pointer is null when it
# compiles the write: the store really goes to address 0 (within one cell it
# would fold the store to `unreachable`; see tests/kernel/test_crash_guard.py).
NULL_TEXT = "SegmentationFault: null pointer access"


def on_terminal(c, t):
    t.prompt()
    pid = t.p.pid
    out = t.run("var x = 41")
    c.check("error" not in out.lower(), "var x = 41 failed: %r" % out, t)
    out = t.run("var p = UnsafePointer[Int]()")
    c.check("error" not in out.lower(), "making a null pointer failed: %r" % out, t)

    out = t.run("p[0] = 1")            # In [3]; run() waited for In [4]
    c.check(NULL_TEXT in out, "no %r for the null write: %r" % (NULL_TEXT, out), t)
    c.check('File "In[3]"' in out, "the crash report does not name In[3]: %r" % out, t)
    c.check(t.p.isalive() and t.p.pid == pid, "the REPL died on the null write", t)

    out = t.run("print(x + 1)")
    c.check("42" in out.split("\n"), "print(x + 1) did not print 42: %r" % out, t)
    c.check(CRASH_TEXT not in out, "the crash leaked into the next cell: %r" % out, t)

    # The guard re-arms: a second crash through another pointer kind.
    t.run("var q = DTypePointer[DType.float32]()")
    out = t.run("q.store(0, 1.0)")     # In [6]
    c.check(NULL_TEXT in out, "the second crash was not caught: %r" % out, t)
    c.check('File "In[6]"' in out, "the crash report does not name In[6]: %r" % out, t)
    c.check(t.p.isalive() and t.p.pid == pid, "the REPL died on the second crash", t)

    out = t.run("x += 1")
    c.check("error" not in out.lower(), "x += 1 failed after two crashes: %r" % out, t)
    out = t.run("x + 1")               # In [8]
    c.check("Out[8]: 43" in out, "the session did not survive two crashes: %r" % out, t)

    status = t.quit()
    c.check(status == 0, "Ctrl-D: exit status %r, expected 0" % status, t)


SCRIPT = """\
var x = 41
var p = UnsafePointer[Int]()
p[0] = 1
print(x + 1)
var q = DTypePointer[DType.float32]()
q.store(0, 1.0)
x += 1
print(x + 1)
"""


def piped(c):
    p = subprocess.run([ember_path()], input=SCRIPT, capture_output=True,
                       text=True, timeout=60)
    c.check(p.stdout == "42\n43\n",
            "piped: stdout %r, expected '42\\n43\\n' (stderr %r)" % (p.stdout, p.stderr))
    c.check(p.stderr.count(NULL_TEXT) == 2,
            "piped: want two SegmentationFault reports, stderr %r" % p.stderr)
    c.check(p.returncode == 2,
            "piped: exit status %r, expected 2 (a runtime error)" % p.returncode)


def test(c):
    t = Term()
    try:
        on_terminal(c, t)
    finally:
        t.kill()
    piped(c)


if __name__ == "__main__":
    sys.exit(main(test))
