#!/usr/bin/python3
"""A kernel's life through KernelManager: start, interrupt by signal,
restart, shutdown -- and starts KernelManager does not do.

  interrupt_mode "signal": SIGINT stops `while True: pass` within 1 s with
  KeyboardInterrupt, and SIGINT while idle does no harm;
  restart: a new process on the same ports with a new session id, fresh
  state and the counter back at 1;
  shutdown: the process exits by itself (status 0) soon after the reply,
  even with a cell running;
  the kernel exits when the process that started it dies (JPY_PARENT_PID);
  a connection file with ports of 0 gets the chosen ports written back;
  the ipc transport.

Run by tests/run_tests.py with `--ember PATH`; exits 0 when all pass.
"""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kernel_env  # noqa: E402

PREFIX = kernel_env.setup()

from jupyter_client import BlockingKernelClient  # noqa: E402
from jupyter_client.manager import KernelManager, start_new_kernel  # noqa: E402

TIMEOUT = 20


def run(kc, code, **kw):
    return kc.execute_interactive(code, timeout=TIMEOUT, output_hook=lambda m: None, **kw)["content"]


def result(kc, code):
    out = []
    kc.execute_interactive(code, timeout=TIMEOUT, output_hook=out.append)
    return [m["content"]["data"]["text/plain"] for m in out if m["msg_type"] == "execute_result"]


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie child of ours counts as gone
        return os.waitpid(pid, os.WNOHANG) == (0, 0)
    except ChildProcessError:
        return True


def wait_gone(pid, seconds):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if not pid_alive(pid):
            return True
        time.sleep(0.02)
    return False


class SignalMode(unittest.TestCase):
    def setUp(self):
        self.km, self.kc = start_new_kernel(kernel_name=kernel_env.KERNEL_SIGNAL)

    def tearDown(self):
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)

    def test_sigint_interrupts_and_is_harmless_when_idle(self):
        self.assertEqual(self.km.kernel_spec.interrupt_mode, "signal")
        run(self.kc, "var kept = 1")
        self.km.interrupt_kernel()  # idle: nothing to stop, nothing must break
        time.sleep(0.2)
        self.assertEqual(result(self.kc, "kept + 1"), ["2"])
        msg_id = self.kc.execute("while True:\n    pass")
        time.sleep(0.3)
        t0 = time.time()
        self.km.interrupt_kernel()
        reply = self.kc.get_shell_msg(timeout=TIMEOUT)
        self.assertEqual(reply["parent_header"]["msg_id"], msg_id)
        self.assertLess(time.time() - t0, 1.0)
        self.assertEqual(reply["content"]["ename"], "KeyboardInterrupt")
        self.assertEqual(result(self.kc, "kept + 2"), ["3"])


class Lifecycle(unittest.TestCase):
    def test_restart_gives_a_fresh_session(self):
        km, kc = start_new_kernel(kernel_name=kernel_env.KERNEL)
        try:
            run(kc, "var before = 1")
            old_pid = km.provisioner.process.pid
            old_ports = {k: v for k, v in km.get_connection_info().items() if k.endswith("_port")}
            kc.kernel_info()
            old_session = kc.get_shell_msg(timeout=TIMEOUT)["header"]["session"]
            km.restart_kernel(now=False)
            self.assertTrue(wait_gone(old_pid, 5), "the old kernel process is still there")
            kc.wait_for_ready(timeout=TIMEOUT)
            kc.kernel_info()
            info = kc.get_shell_msg(timeout=TIMEOUT)
            self.assertNotEqual(info["header"]["session"], old_session)
            new_ports = {k: v for k, v in km.get_connection_info().items() if k.endswith("_port")}
            self.assertEqual(new_ports, old_ports)
            reply = run(kc, "before")
            self.assertEqual(reply["status"], "error")
            self.assertEqual(reply["execution_count"], 1)
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)

    def shutdown_exits_cleanly(self, code=None):
        km, kc = start_new_kernel(kernel_name=kernel_env.KERNEL)
        proc = km.provisioner.process
        if code:
            kc.execute(code)
            time.sleep(0.3)
        kc.stop_channels()
        t0 = time.time()
        km.shutdown_kernel(now=False)
        self.assertLess(time.time() - t0, 2.0, "shutdown waited for a timeout")
        self.assertEqual(proc.wait(timeout=5), 0, "the kernel did not exit by itself")

    def test_shutdown_when_idle(self):
        self.shutdown_exits_cleanly()

    def test_shutdown_while_a_cell_runs(self):
        self.shutdown_exits_cleanly("while True:\n    pass")

    def test_kernel_exits_when_its_parent_dies(self):
        starter = ("import sys, time\nfrom jupyter_client.manager import KernelManager\n"
                   "km = KernelManager(kernel_name=%r)\nkm.start_kernel()\n"
                   "print(km.provisioner.process.pid, flush=True)\ntime.sleep(60)\n"
                   % kernel_env.KERNEL)
        parent = subprocess.Popen([sys.executable, "-c", starter], stdout=subprocess.PIPE, text=True)
        pid = int(parent.stdout.readline())
        time.sleep(0.3)
        parent.kill()
        parent.wait()
        self.assertTrue(wait_gone(pid, 5), "the kernel outlived the process that started it")

    def test_ports_of_zero_are_picked_and_written_back(self):
        path = os.path.join(PREFIX, "zero-ports.json")
        with open(path, "w") as f:
            json.dump({"transport": "tcp", "ip": "127.0.0.1", "key": "k", "signature_scheme":
                       "hmac-sha256", "shell_port": 0, "iopub_port": 0, "stdin_port": 0,
                       "control_port": 0, "hb_port": 0}, f)
        proc = subprocess.Popen([kernel_env.ember_path(), "kernel", "-f", path])
        try:
            deadline = time.time() + 10
            while time.time() < deadline and not json.load(open(path))["shell_port"]:
                time.sleep(0.05)
            info = json.load(open(path))
            self.assertTrue(all(info[p] for p in info if p.endswith("_port")), info)
            kc = BlockingKernelClient(connection_file=path)
            kc.load_connection_file()
            kc.start_channels()
            kc.wait_for_ready(timeout=TIMEOUT)
            self.assertEqual(result(kc, "6 * 7"), ["42"])
            kc.shutdown()
            self.assertEqual(proc.wait(timeout=5), 0)
            kc.stop_channels()
        finally:
            if proc.poll() is None:
                proc.kill()

    def test_ipc_transport(self):
        with tempfile.TemporaryDirectory() as d:
            km = KernelManager(kernel_name=kernel_env.KERNEL, transport="ipc", ip=os.path.join(d, "k"))
            km.start_kernel()
            kc = km.client()
            kc.start_channels()
            try:
                kc.wait_for_ready(timeout=TIMEOUT)
                self.assertEqual(result(kc, "1 + 1"), ["2"])
            finally:
                kc.stop_channels()
                km.shutdown_kernel(now=True)


if __name__ == "__main__":
    kernel_env.run_tests(SignalMode, Lifecycle)
