#!/usr/bin/python3
"""parallelize in the kernel: work on the thread pool is stopped by an
interrupt, and a crash in a worker is an error of the cell, not of the
kernel.

  cell 1  `var kept = 1` and a function whose rows loop forever, given to
          parallelize over 4 rows (both cores busy)
  then    interrupt_request after 0.5 s: the cell ends with
          KeyboardInterrupt within 1 s, and `kept + 1` is 2 afterwards
  then    a parallelize whose rows write through a null pointer: one
          SegmentationFault error, and the next cell runs parallel work
          correctly on the same pool

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

TIMEOUT = 20

SPIN = """from algorithm import parallelize
var kept = 1
fn spin(i: Int):
    var x = i
    while True:
        x = (x * 3 + 1) % 1000
parallelize[spin](4)
"""

CRASH = """fn crash(i: Int):
    var p = UnsafePointer[Int]()
    p[i] = i
parallelize[crash](8)
"""

WORK = """var out = DTypePointer[DType.int64].alloc(100)
fn square(i: Int):
    out[i] = i * i
parallelize[square](100)
var total = 0
for i in range(100):
    total += int(out[i])
print(total)
"""


class Parallel(kernel_env.CellRunner, unittest.TestCase):
    def setUp(self):
        self.km, self.kc = start_new_kernel(kernel_name=kernel_env.KERNEL)

    def tearDown(self):
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)

    def test_interrupt_stops_the_workers(self):
        msg_id = self.kc.execute(SPIN)
        time.sleep(0.5)
        t0 = time.time()
        self.km.interrupt_kernel()
        reply = self.kc.get_shell_msg(timeout=TIMEOUT)
        self.assertEqual(reply["parent_header"]["msg_id"], msg_id)
        self.assertLess(time.time() - t0, 1.0)
        self.assertEqual(reply["content"]["ename"], "KeyboardInterrupt")
        collect(self.kc, msg_id)
        reply, msgs = self.run_cell("print(kept + 1)")
        self.assertEqual(stdout_text(msgs), "2\n")

    def test_crash_in_a_worker_is_an_error_of_the_cell(self):
        reply, msgs = self.run_cell("from algorithm import parallelize\n" + CRASH)
        self.assertEqual(reply["content"]["status"], "error")
        self.assertIn("SegmentationFault", reply["content"]["ename"])
        self.assertEqual(len([m for m in msgs if m["msg_type"] == "error"]), 1)
        reply, msgs = self.run_cell(WORK)
        self.assertEqual(reply["content"]["status"], "ok")
        self.assertEqual(stdout_text(msgs), "328350\n")


if __name__ == "__main__":
    kernel_env.run_tests(Parallel)
