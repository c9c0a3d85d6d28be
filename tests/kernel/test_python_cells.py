#!/usr/bin/python3
"""%%python cells in the kernel, through jupyter_client:

  a %%python cell defines a function and prints (the text streams like
  Ember's); a later %%python cell calls the function (state is kept in the
  interpreter's __main__); numpy imports;
  a Python exception is one error message with ename, evalue and Python's
  traceback quoting the cell's line;
  `while True: pass` in a %%python cell is stopped by an interrupt within
  1 s with KeyboardInterrupt, and the next cell works;
  Ember cells run between Python cells as before.

Run by tests/run_tests.py with `--ember PATH`; exits 0 when all pass.
"""
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kernel_env  # noqa: E402

kernel_env.setup()

from jupyter_client.manager import start_new_kernel  # noqa: E402
from kernel_env import collect, stdout_text  # noqa: E402

TIMEOUT = 30


class PythonCells(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.km, cls.kc = start_new_kernel(kernel_name=kernel_env.KERNEL)

    @classmethod
    def tearDownClass(cls):
        cls.kc.stop_channels()
        cls.km.shutdown_kernel(now=True)

    def run_cell(self, code):
        msg_id = self.kc.execute(code)
        reply = self.kc.get_shell_msg(timeout=TIMEOUT)
        self.assertEqual(reply["parent_header"]["msg_id"], msg_id)
        return reply, collect(self.kc, msg_id, TIMEOUT)

    def test_state_output_and_numpy(self):
        reply, msgs = self.run_cell("%%python\nimport numpy as np\ndef double(x):\n    return 2 * x\n"
                                    "print('sum', int(np.arange(5).sum()))")
        self.assertEqual(reply["content"]["status"], "ok")
        self.assertEqual(stdout_text(msgs), "sum 10\n")
        reply, msgs = self.run_cell("%%python\nprint(double(21))")
        self.assertEqual(stdout_text(msgs), "42\n")
        reply, msgs = self.run_cell("print(1 + 1)")
        self.assertEqual(stdout_text(msgs), "2\n")

    def test_exception_is_the_cell_error(self):
        reply, msgs = self.run_cell("%%python\nx = 1\ny = x / 0")
        self.assertEqual(reply["content"]["status"], "error")
        errors = [m for m in msgs if m["msg_type"] == "error"]
        self.assertEqual(len(errors), 1)
        self.assertEqual(errors[0]["content"]["ename"], "ZeroDivisionError")
        self.assertEqual(errors[0]["content"]["evalue"], "division by zero")
        tb = "\n".join(errors[0]["content"]["traceback"])
        self.assertIn("line 2", tb)
        self.assertIn("y = x / 0", tb)

    def test_interrupt(self):
        msg_id = self.kc.execute("%%python\nwhile True:\n    pass")
        time.sleep(0.5)
        t0 = time.time()
        self.km.interrupt_kernel()
        reply = self.kc.get_shell_msg(timeout=TIMEOUT)
        self.assertEqual(reply["parent_header"]["msg_id"], msg_id)
        self.assertLess(time.time() - t0, 1.0)
        self.assertEqual(reply["content"]["ename"], "KeyboardInterrupt")
        collect(self.kc, msg_id, TIMEOUT)
        reply, msgs = self.run_cell("%%python\nprint('after')")
        self.assertEqual(stdout_text(msgs), "after\n")


if __name__ == "__main__":
    kernel_env.run_tests(PythonCells)
