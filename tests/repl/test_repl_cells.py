#!/usr/bin/python3
"""The REPL on a terminal: cells typed at the prompt.

  - a multi-line fn typed over continuation lines (the body's indentation
    is pre-filled, an empty line ends it), then a call: Out[n] shows it
  - redefining the fn: later calls get the new one
  - a compile error (source line and caret shown), then a good line
  - a runtime error's traceback, then a good line
  - input() reads a line from the terminal; UTF-8 text is edited by character
  - cell magics typed over several lines are indented as code is: a
    %%python def, and %%emit llvm of a fn (its IR is shown, nothing defined)
  - :help, :reset, and :quit leaving with status 0
Exits 0 when every check passes.
"""

import sys
import time

import pexpect

from replterm import Term, main


def definitions(c, t):
    t.prompt()
    t.type("fn double(x: Int) -> Int:")
    t.more()
    t.type("return x * 2")
    shown = t.more()
    c.check("    return x * 2" in shown,
            "the body line was not pre-indented: %r" % shown, t)
    t.type("")
    t.count += 1
    t.prompt()
    out = t.run("double(21)")
    c.check("Out[2]: 42" in out, "double(21) did not echo Out[2]: 42: %r" % out, t)
    out = t.run("fn double(x: Int) -> Int:", "return x * 3", "")
    c.check("error" not in out, "redefining double failed: %r" % out, t)
    out = t.run("double(5)")
    c.check("Out[4]: 15" in out, "the redefined double was not called: %r" % out, t)


def errors(c, t):
    out = t.run("double(undefined_name)")
    c.check("In[5]:1:8: error: use of unknown declaration 'undefined_name'" in out,
            "no located compile error: %r" % out, t)
    c.check("    double(undefined_name)\n           ^" in out,
            "no source line with a caret under the column: %r" % out, t)
    out = t.run("double(1)")
    c.check("Out[6]: 3" in out, "the line after the error failed: %r" % out, t)
    t.run("var zero = 0")
    out = t.run("print(100 // zero)")
    c.check("Traceback (most recent call last):" in out and
            'File "In[8]", line 1' in out and "ZeroDivisionError" in out,
            "no traceback for the runtime error: %r" % out, t)
    out = t.run("zero + 1")
    c.check("Out[9]: 1" in out, "the session did not live on: %r" % out, t)


def commands(c, t):
    t.type('var who = input("name? ")')
    t.p.expect("name\\? ")
    t.type("Ann")
    t.count += 1
    t.prompt()
    out = t.run("who")
    c.check("Out[11]: 'Ann'" in out, "input() did not read the line: %r" % out, t)
    t.p.send('var s = "h\u00e9llo \u2713\u2713')
    time.sleep(0.2)
    t.p.send("\x7f")          # Backspace takes a character, not a byte
    t.run('"')
    out = t.run("s")
    c.check("Out[13]: 'h\u00e9llo \u2713'" in out, "UTF-8 editing went wrong: %r" % out, t)
    out = t.run(":help", advance=False)
    c.check(":reset" in out and ":quit" in out and "%timeit" in out,
            ":help does not list the commands: %r" % out, t)
    t.run(":reset", advance=False)
    out = t.run("double(1)")
    c.check("unknown declaration 'double'" in out,
            ":reset did not forget double: %r" % out, t)
    t.type(":quit")
    t.p.expect(pexpect.EOF)
    t.p.close()
    c.check(t.p.exitstatus == 0, ":quit exit status %r" % t.p.exitstatus, t)


def magics(c):
    t = Term()
    try:
        t.prompt()
        t.run("%%python", "def seven():", "return 7", "")
        out = t.run("print(seven())")
        c.check("7" in out.split("\n"), "the %%python def was not indented: %r" % out, t)
        out = t.run("%%emit llvm", "fn inc(a: Int) -> Int:", "return a + 1", "")
        c.check('define i64 @"inc$' in out, "%%emit llvm did not show inc's IR: %r" % out[-300:], t)
        out = t.run("inc(1)")
        c.check("unknown declaration 'inc'" in out, "%%emit defined inc: %r" % out, t)
        c.check(t.quit() == 0, "Ctrl-D after the magics", t)
    finally:
        t.kill()


def test(c):
    magics(c)
    t = Term()
    try:
        definitions(c, t)
        errors(c, t)
        commands(c, t)
    finally:
        t.kill()


if __name__ == "__main__":
    sys.exit(main(test))
