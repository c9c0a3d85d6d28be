#!/usr/bin/python3
"""A wild pointer in a kernel cell is an error of that cell, not the end of
the kernel.

Through jupyter_client, on one kernel (interrupt_mode "message"):

  cell 1  `var x = 41`
  cell 2  a write through a null `UnsafePointer[Int]()`: exactly one IOPub
          `error` message whose ename names SegmentationFault, and an
          execute_reply with status 'error' (same ename)
  cell 3  `print(x + 1)` streams `42`: the process and its state survived
  cell 4  a second crash, `DTypePointer[DType.float32]().store(0, 1.0)`:
          the guard re-armed after the first crash and catches it too
  cell 5  works again and still sees x; execution counts kept counting,
          and the same process served every cell
  then    a null pointer made in one cell and written through in the next:
          LLVM cannot see across cells that it is null, so this is a real
          store to address 0, reported as "null pointer access"

(Within one cell, at -O1 and up, LLVM folds the store through the known
null pointer to `unreachable`, so the fault that the guard catches there is
whatever the emptied function runs into, not the store itself; the test
asks only for SegmentationFault in that case.)

The stack-overflow flavour of the crash guard is covered by
tests/session/test_crash_guard.py; this is the pointer flavour, through
the kernel.

Run by tests/run_tests.py with `--ember PATH`; exits 0 when all pass.
"""
import os
import sys
import unittest
from queue import Empty

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kernel_env  # noqa: E402

kernel_env.setup()

from jupyter_client.manager import start_new_kernel  # noqa: E402
from kernel_env import collect, shell_reply, stdout_text  # noqa: E402

TIMEOUT = 20

NULL_WRITE = "var p = UnsafePointer[Int]()\np[0] = 1"
NULL_STORE = "var q = DTypePointer[DType.float32]()\nq.store(0, 1.0)"


def errors(msgs):
    return [m for m in msgs if m["msg_type"] == "error"]


class CrashGuard(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.km, cls.kc = start_new_kernel(kernel_name=kernel_env.KERNEL)
        cls.pid = cls.km.provisioner.process.pid

    @classmethod
    def tearDownClass(cls):
        cls.kc.stop_channels()
        cls.km.shutdown_kernel(now=True)

    def flush(self):
        for get in (self.kc.get_iopub_msg, self.kc.get_shell_msg):
            try:
                while True:
                    get(timeout=0.05)
            except Empty:
                pass

    def run_cell(self, code):
        """(reply content, iopub messages) of one execute_request."""
        msg_id = self.kc.execute(code)
        reply = shell_reply(self.kc, msg_id)
        return reply["content"], collect(self.kc, msg_id)

    def assert_ok(self, code, stdout):
        reply, msgs = self.run_cell(code)
        self.assertEqual(reply["status"], "ok", "%r failed: %r" % (code, reply))
        self.assertEqual(errors(msgs), [], "%r sent an error" % code)
        self.assertEqual(stdout_text(msgs), stdout, "stdout of %r" % code)
        return reply

    def assert_crash(self, code):
        reply, msgs = self.run_cell(code)
        self.assertEqual(reply["status"], "error",
                         "%r did not fail: %r" % (code, reply))
        self.assertIn("SegmentationFault", reply.get("ename", ""), reply)
        errs = errors(msgs)
        self.assertEqual(len(errs), 1, "want exactly one IOPub error for %r, got %r"
                         % (code, [m["content"] for m in errs]))
        content = errs[0]["content"]
        self.assertIn("SegmentationFault", content["ename"], content)
        self.assertIsInstance(content["traceback"], list)
        self.assertTrue(content["traceback"], "empty traceback: %r" % content)
        self.assertEqual(content["ename"], reply["ename"],
                         "the reply and the IOPub error disagree")
        cell = "In[%d]" % reply["execution_count"]
        self.assertTrue(any(cell in line for line in content["traceback"]),
                        "the traceback does not name %s: %r" % (cell, content["traceback"]))
        # A crash is the kernel's error, not a death: the process is the same
        # one that started, and it still answers.
        self.assertTrue(self.km.is_alive(), "the kernel died on %r" % code)
        self.assertEqual(self.km.provisioner.process.pid, self.pid)
        return reply

    def test_null_pointer_writes(self):
        self.flush()
        first = self.assert_ok("var x = 41", "")
        crash1 = self.assert_crash(NULL_WRITE)
        self.assertEqual(crash1["execution_count"], first["execution_count"] + 1)
        after1 = self.assert_ok("print(x + 1)", "42\n")
        self.assertEqual(after1["execution_count"], first["execution_count"] + 2)

        # The guard re-arms: a second crash, of another pointer kind, is
        # caught the same way.
        crash2 = self.assert_crash(NULL_STORE)
        self.assertEqual(crash2["execution_count"], first["execution_count"] + 3)
        self.assert_ok("x += 1\nprint(x + 1)", "43\n")

        # And a third time, the first kind again, then state is still intact.
        self.assert_crash(NULL_WRITE)
        self.assert_ok("print(x)", "42\n")
        self.assertTrue(self.km.is_alive())
        self.assertEqual(self.km.provisioner.process.pid, self.pid)

    def test_null_pointer_from_an_earlier_cell(self):
        self.flush()
        self.assert_ok("var y = 6\nvar np = UnsafePointer[Int]()\n"
                       "var nq = DTypePointer[DType.float32]()", "")
        for code in ("np[0] = 1", "nq.store(0, 1.0)", "np[0] = 2"):
            reply = self.assert_crash(code)
            self.assertIn("null pointer", reply["evalue"], reply)
            self.assert_ok("print(y * 7)", "42\n")


if __name__ == "__main__":
    kernel_env.run_tests(CrashGuard)
