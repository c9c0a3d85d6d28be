#!/usr/bin/python3
"""Ctrl-C in the REPL.

  - during a running cell (`while True: pass`): the cell ends with
    KeyboardInterrupt, the prompt comes back, and the next line still sees
    the variables defined before
  - the same for a loop inside a function defined in an earlier cell
  - at the prompt: the half-typed line is thrown away ("^C"), nothing runs,
    and the prompt keeps its number
  - on a continuation line: the whole unfinished block is thrown away
  - Ctrl-D then leaves with status 0
Exits 0 when every check passes.
"""

import sys
import time

from replterm import Term, main


def running_cell(c, t):
    t.prompt()
    t.run("var keep = 5")
    t.type("while True: pass")
    time.sleep(0.3)            # let it compile and spin
    out = t.interrupt()
    c.check("KeyboardInterrupt" in out, "no KeyboardInterrupt: %r" % out, t)
    out = t.run("keep + 1")
    c.check("Out[3]: 6" in out, "keep was lost after the interrupt: %r" % out, t)
    t.run("fn spin(n: Int):", "var i = 0", "while i >= 0:", "i += n", "")
    t.type("spin(1)")
    time.sleep(0.3)
    out = t.interrupt()
    c.check("KeyboardInterrupt" in out and "in spin" in out,
            "no KeyboardInterrupt traceback through spin: %r" % out, t)
    out = t.run("keep * 2")
    c.check("Out[6]: 10" in out, "the session did not survive: %r" % out, t)


def at_prompt(c, t):
    t.p.send("this is not code")
    time.sleep(0.2)
    t.p.sendintr()
    out = t.prompt()           # the same number: nothing ran
    c.check("^C" in out and "error" not in out,
            "Ctrl-C at the prompt did not just drop the line: %r" % out, t)
    t.type("fn unfinished() -> Int:")
    t.more()
    t.p.send("return 1")
    time.sleep(0.2)
    t.p.sendintr()
    t.prompt()
    out = t.run("unfinished()")
    c.check("unknown declaration 'unfinished'" in out,
            "Ctrl-C on a continuation line kept the block: %r" % out, t)
    out = t.run("keep")
    c.check("Out[8]: 5" in out, "keep is gone: %r" % out, t)


def test(c):
    t = Term()
    try:
        running_cell(c, t)
        at_prompt(c, t)
        status = t.quit()
        c.check(status == 0, "Ctrl-D: exit status %r, expected 0" % status, t)
    finally:
        t.kill()


if __name__ == "__main__":
    sys.exit(main(test))
