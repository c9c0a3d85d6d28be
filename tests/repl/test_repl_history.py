#!/usr/bin/python3
"""History kept across runs.

  - run 1 types two lines and leaves with Ctrl-D; the history file exists,
    private (mode 0600)
  - run 2: Up recalls the last line, Up again the one before; Enter runs it
  - lines of a multi-line block are kept one by one, with their indentation
  - with EMBER_HISTORY unset the file is ~/.ember_history under $HOME
Exits 0 when every check passes.
"""

import os
import stat
import sys
import tempfile
import time

from replterm import Term, main

UP = "\x1b[A"


def up(t, times):
    for _ in range(times):
        t.p.send(UP)
        time.sleep(0.1)


def first_run(c, path):
    t = Term(history=path)
    try:
        t.prompt()
        t.run("print(1234 + 1)")
        t.run("print(\"second\")")
        t.run("if True:", "print(\"in block\")", "")
        c.check(t.quit() == 0, "run 1 did not end with status 0", t)
    finally:
        t.kill()
    c.check(os.path.exists(path), "no history file at %s" % path)
    if os.path.exists(path):
        text = open(path).read()
        c.check("if\\040True:\n" in text and
                "\\040\\040\\040\\040print(\"in\\040block\")\n" in text,
                "the block's lines are not kept one by one: %r" % text)
        mode = stat.S_IMODE(os.stat(path).st_mode)
        c.check(mode == 0o600, "history file mode %o, expected 600" % mode)


def second_run(c, path):
    t = Term(history=path)
    try:
        t.prompt()
        up(t, 4)               # past the block's two lines and "second"
        out = t.run("")
        c.check("1235" in out, "Up did not recall print(1234 + 1): %r" % out, t)
        up(t, 3)               # print(1234 + 1) (newest now), the block's
        t.type("")             # indented line, then: if True:
        t.more()
        up(t, 3)               # if True:, print(1234 + 1), the indented line
        t.type("")
        t.more()
        out = t.run("")
        c.check("in block\n" in out and "error" not in out,
                "Up did not recall the block's lines: %r" % out, t)
        t.quit()
    finally:
        t.kill()


def default_path(c, home):
    t = Term(env={"EMBER_HISTORY": None, "HOME": home})
    try:
        t.prompt()
        t.run("var at_home = 1")
        t.quit()
    finally:
        t.kill()
    path = os.path.join(home, ".ember_history")
    c.check(os.path.exists(path) and "at_home" in open(path).read(),
            "no ~/.ember_history under HOME=%s" % home)


def test(c):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "history")
        first_run(c, path)
        second_run(c, path)
        default_path(c, tmp)


if __name__ == "__main__":
    sys.exit(main(test))
