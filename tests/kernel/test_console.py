#!/usr/bin/python3
"""A `jupyter console --kernel ember --simple-prompt` session driven by
pexpect, as a person at a terminal would: the banner; `Out[1]: 3` for an
expression; a function defined and called in later cells; a runtime error
printed as a traceback; input() answered at the terminal; Ctrl-C stopping
`while True: pass` with the next prompt back; `name?` in the pager;
`exit` shutting the kernel down and ending the console.

Run by tests/run_tests.py with `--ember PATH`; exits 0 when all pass.
"""
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kernel_env  # noqa: E402

kernel_env.setup()

import pexpect  # noqa: E402


class Console(unittest.TestCase):
    def setUp(self):
        self.c = pexpect.spawn("jupyter", ["console", "--kernel", kernel_env.KERNEL, "--simple-prompt"],
                               encoding="utf-8", timeout=30, dimensions=(50, 200),
                               env=dict(os.environ, PAGER="cat"))
        self.n = 1

    def tearDown(self):
        if self.c.isalive():
            self.c.terminate(force=True)

    def prompt(self):
        self.c.expect(r"In \[%d\]: " % self.n)
        self.n += 1

    def enter(self, line, expect_after=None):
        self.c.sendline(line)
        if expect_after:
            self.c.expect(expect_after)
        self.prompt()

    def test_session(self):
        c = self.c
        c.expect("Ember 0.1")  # the banner from kernel_info
        self.prompt()
        self.enter("1 + 2", r"Out\[1\]: 3")
        self.enter('fn twice(x: Int) -> Int: return x * 2')
        self.enter("print(twice(21))", "42")
        self.enter("var zero = 0; print(1 // zero)",
                   r'File "In\[4\]", line 1.*ZeroDivisionError: integer division')
        c.sendline('var name = input("Who? "); print("hi", name)')
        c.expect(r"Who\? ")
        self.enter("Ember", "hi Ember")
        c.sendline("while True: pass")
        time.sleep(1.0)
        c.sendintr()
        c.expect("KeyboardInterrupt")
        self.prompt()
        self.enter("twice(5)", r"Out\[7\]: 10")
        self.enter("twice?", r"fn twice\(x: Int\) -> Int")
        c.sendline("exit")
        c.expect("Shutting down kernel")
        c.expect(pexpect.EOF)
        c.close()
        self.assertEqual(c.exitstatus, 0)


if __name__ == "__main__":
    kernel_env.run_tests(Console)
