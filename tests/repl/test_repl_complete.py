#!/usr/bin/python3
"""Tab completion in the REPL (the answers come from session_complete).

  - a user-defined variable and a user-defined fn complete from a prefix
  - two candidates: Tab lists both under the line, the line is kept
  - inside a fn being typed, a parameter of that fn completes (the lines
    typed before the cursor's line count)
  - Tab at the start of a line indents by four
Exits 0 when every check passes.
"""

import sys
import time

from replterm import Term, main

TAB = "\t"


def tab(t, text):
    t.p.send(text + TAB)
    time.sleep(0.3)


def names(c, t):
    t.prompt()
    t.run("var my_long_variable = 7")
    tab(t, "my_lo")
    out = t.run("")
    c.check("Out[2]: 7" in out, "my_lo<Tab> did not complete: %r" % out, t)
    t.run("fn compute_answer() -> Int:", "return 42", "")
    tab(t, "compute_a")
    out = t.run("()")
    c.check("Out[4]: 42" in out, "compute_a<Tab> did not complete: %r" % out, t)


def listing(c, t):
    t.run("var alpha_one = 1")
    t.run("var alpha_two = 2")
    tab(t, "alpha_")
    t.p.expect("alpha_one +alpha_two")
    out = t.run("two")
    c.check("Out[7]: 2" in out, "the line was not kept after the list: %r" % out, t)


def in_block(c, t):
    t.type("fn triple(parameter_x: Int) -> Int:")
    t.more()
    tab(t, "return param")
    t.type(" * 3")
    t.more()
    t.run("")  # ends the fn
    out = t.run("triple(2)")
    c.check("Out[9]: 6" in out, "param<Tab> inside the fn did not complete: %r" % out, t)
    t.type("if True:")
    t.more()
    t.type("print(1)")
    t.more()
    tab(t, "")              # the pre-filled 4 spaces, then 4 more
    t.type("print(2)")      # over-indented: an error shows it was indented
    t.more()
    out = t.run("")
    c.check("unexpected indent" in out,
            "Tab at the start of a line did not indent: %r" % out, t)


def test(c):
    t = Term()
    try:
        names(c, t)
        listing(c, t)
        in_block(c, t)
    finally:
        t.kill()


if __name__ == "__main__":
    sys.exit(main(test))
