"""Shared set-up of the kernel tests (not a test itself: no test_ prefix).

collect(), shell_reply() and stdout_text() read a request's messages.

setup() installs two kernelspecs of the ember binary under test into a
temporary prefix -- `ember` (interrupt_mode "message", the default) and
`ember-signal` (interrupt_mode "signal") -- and points JUPYTER_PATH there,
with Jupyter's runtime, data and config dirs inside it too, so a test run
never touches ~/.local or the system's kernels. The prefix is removed at
exit.

The binary comes from `--ember PATH` (what tests/run_tests.py passes), else
$EMBER, else build/ember.
"""
import atexit
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KERNEL = "ember"
KERNEL_SIGNAL = "ember-signal"
TIMEOUT = 20  # seconds to wait for a message


def collect(kc, msg_id, timeout=TIMEOUT):
    """IOPub messages with parent msg_id, through its idle status."""
    msgs, deadline = [], time.time() + timeout
    while True:
        m = kc.get_iopub_msg(timeout=max(0.01, deadline - time.time()))
        if m["parent_header"].get("msg_id") != msg_id:
            continue
        msgs.append(m)
        if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
            return msgs


def shell_reply(kc, msg_id, timeout=TIMEOUT):
    """The shell reply whose parent is msg_id."""
    deadline = time.time() + timeout
    while True:
        m = kc.get_shell_msg(timeout=max(0.01, deadline - time.time()))
        if m["parent_header"].get("msg_id") == msg_id:
            return m


class CellRunner:
    """run_cell() for a TestCase whose self.kc is a started kernel's client."""
    timeout = TIMEOUT

    def run_cell(self, code):
        """(reply, iopub messages) of one execute_request, whose reply must
        be the next shell message."""
        msg_id = self.kc.execute(code)
        reply = self.kc.get_shell_msg(timeout=self.timeout)
        self.assertEqual(reply["parent_header"]["msg_id"], msg_id)
        return reply, collect(self.kc, msg_id, self.timeout)


class KernelCase(CellRunner, unittest.TestCase):
    """A TestCase with one kernel (kernel_name) shared by all its tests."""
    kernel_name = KERNEL

    @classmethod
    def setUpClass(cls):
        from jupyter_client.manager import start_new_kernel  # after setup() set JUPYTER_PATH
        cls.km, cls.kc = start_new_kernel(kernel_name=cls.kernel_name)

    @classmethod
    def tearDownClass(cls):
        cls.kc.stop_channels()
        cls.km.shutdown_kernel(now=True)


def stdout_text(msgs):
    return "".join(m["content"]["text"] for m in msgs
                   if m["msg_type"] == "stream" and m["content"]["name"] == "stdout")


def ember_path():
    if "--ember" in sys.argv:
        i = sys.argv.index("--ember")
        if i + 1 < len(sys.argv):
            return os.path.abspath(sys.argv[i + 1])
    return os.path.abspath(os.environ.get("EMBER") or os.path.join(ROOT, "build", "ember"))


def install(ember, prefix, *extra):
    p = subprocess.run([ember, "kernelspec", "install", "--prefix", prefix, *extra],
                       capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"cannot install the kernelspec: {p.stderr.strip()}")


def setup():
    """Installs the kernelspecs; returns the prefix."""
    ember = ember_path()
    if not os.path.exists(ember):
        sys.exit(f"{ember} is not built")
    prefix = tempfile.mkdtemp(prefix="ember-kernel-test-")
    atexit.register(shutil.rmtree, prefix, True)
    install(ember, prefix)
    install(ember, prefix, "--name", KERNEL_SIGNAL, "--interrupt-mode", "signal",
            "--display-name", "Ember (signal)")
    jupyter = os.path.join(prefix, "share", "jupyter")
    os.environ["JUPYTER_PATH"] = jupyter
    os.environ["JUPYTER_DATA_DIR"] = os.path.join(prefix, "data")
    os.environ["JUPYTER_RUNTIME_DIR"] = os.path.join(prefix, "runtime")
    os.environ["JUPYTER_CONFIG_DIR"] = os.path.join(prefix, "config")
    os.environ["IPYTHONDIR"] = os.path.join(prefix, "ipython")
    return prefix


def run_tests(*cases):
    """Runs unittest TestCases; exits 0 only if all passed."""
    suite = unittest.TestSuite()
    loader = unittest.TestLoader()
    for case in cases:
        suite.addTests(loader.loadTestsFromTestCase(case))
    result = unittest.TextTestRunner(verbosity=2, stream=sys.stdout).run(suite)
    sys.exit(0 if result.wasSuccessful() else 1)
