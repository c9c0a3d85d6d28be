#!/usr/bin/python3
"""%%python cells in the kernel, through jupyter_client:

  a %%python cell defines a function and prints (the text streams like
  Ember's); a later %%python cell calls the function (state is kept in the
  interpreter's __main__); numpy imports;
  a Python exception is one error message with ename, evalue and Python's
  traceback quoting the cell's line;
  `while True: pass` in a %%python cell is stopped by an interrupt within
  1 s with KeyboardInterrupt, and the next cell works;
  Ember cells run between Python cells as before;
  a Python object with _repr_*_ methods (svg, latex, json, png as bytes)
  and a _repr_mimebundle_ is shown with every form: as a cell's value
  (execute_result) and through display(obj) (display_data), JSON as a JSON
  value and PNG bytes in base64, beside text/plain;
  an uncaught Python exception in an Ember cell has the Python frames in
  its traceback, after the cell's.

Run by tests/run_tests.py with `--ember PATH`; exits 0 when all pass.
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kernel_env  # noqa: E402

kernel_env.setup()

from kernel_env import collect, stdout_text  # noqa: E402

TIMEOUT = 30


class PythonCells(kernel_env.KernelCase):
    timeout = TIMEOUT

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

    def test_rich_display_of_repr_methods(self):
        reply, msgs = self.run_cell(
            "%%python\n"
            "class Shape:\n"
            "    def __repr__(self): return 'Shape()'\n"
            "    def _repr_svg_(self): return '<svg><circle r=\"4\"/></svg>'\n"
            "    def _repr_latex_(self): return '$x^2$'\n"
            "    def _repr_json_(self): return {'sides': 0}\n"
            "    def _repr_png_(self): return b'\\x89PNG'\n"
            "    def _repr_mimebundle_(self, include=None, exclude=None): return {'text/markdown': '**round**'}\n"
            "def shape(): return Shape()")
        self.assertEqual(reply["content"]["status"], "ok", reply["content"])
        want = {"text/plain": "Shape()", "image/svg+xml": '<svg><circle r="4"/></svg>',
                "text/latex": "$x^2$", "application/json": {"sides": 0}, "image/png": "iVBORw==",
                "text/markdown": "**round**"}
        reply, msgs = self.run_cell("from python import Python\nvar s = Python.evaluate('shape()')\ns")
        results = [m["content"] for m in msgs if m["msg_type"] == "execute_result"]
        self.assertEqual(len(results), 1, msgs)
        self.assertEqual(results[0]["data"], want)
        reply, msgs = self.run_cell("display(s)")
        shown = [m["content"] for m in msgs if m["msg_type"] == "display_data"]
        self.assertEqual(len(shown), 1, msgs)
        self.assertEqual(shown[0]["data"], want)

    def test_python_frames_in_an_ember_traceback(self):
        self.run_cell("%%python\ndef fails(x):\n    return 1 / x")
        reply, msgs = self.run_cell("from python import Python\nvar f = Python.evaluate('fails')\nprint(f(0))")
        self.assertEqual(reply["content"]["status"], "error")
        tb = "\n".join(reply["content"]["traceback"])
        self.assertIn("line 3, in <cell>", tb)
        self.assertIn("in fails", tb)
        self.assertIn("return 1 / x", tb)
        self.assertEqual(reply["content"]["ename"], "ZeroDivisionError")

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
