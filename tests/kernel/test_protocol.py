#!/usr/bin/python3
"""The protocol rules jupyter_kernel_test does not check, through
jupyter_client's KernelManager and BlockingKernelClient, on one kernel:

  busy/idle around every shell and control request (and unknown types),
  with the request as parent; execution_count on every reply; silent and
  store_history; stop_on_error aborting the queued execute requests;
  user_expressions; stdin with and without allow_stdin; 10 MB of output
  arriving whole; kernel_info on control while a cell runs; interrupting
  `while True: pass` and a long numeric loop within 1 s; the pager; comms.

Interrupt by signal, restart and shutdown are in test_lifecycle.py; the
wire format (signatures, malformed frames, identities, heartbeat) in
test_wire.py.

Run by tests/run_tests.py with `--ember PATH`; exits 0 when all pass.
"""
import os
import sys
import time
import unittest
from queue import Empty

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kernel_env  # noqa: E402

kernel_env.setup()

from jupyter_client.manager import start_new_kernel  # noqa: E402
from kernel_env import collect, shell_reply, stdout_text  # noqa: E402

TIMEOUT = 20
INTERRUPT_LIMIT = 1.0  # seconds from interrupt to the cell's reply


def types(msgs):
    return [m["msg_type"] for m in msgs]


def outputs(msgs):
    return [m for m in msgs if m["msg_type"] not in ("status", "execute_input")]


class Protocol(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.km, cls.kc = start_new_kernel(kernel_name=kernel_env.KERNEL)

    @classmethod
    def tearDownClass(cls):
        cls.kc.stop_channels()
        cls.km.shutdown_kernel()

    def setUp(self):
        self.flush()

    def flush(self):
        for get in (self.kc.get_iopub_msg, self.kc.get_shell_msg, self.kc.get_stdin_msg):
            try:
                while True:
                    get(timeout=0.05)
            except Empty:
                pass

    def run_cell(self, code, **kw):
        """(reply, iopub messages) of one execute_request."""
        msg_id = self.kc.execute(code, **kw)
        reply = shell_reply(self.kc, msg_id)
        return reply, collect(self.kc, msg_id)

    def assert_wrapped(self, msgs):
        self.assertEqual(msgs[0]["msg_type"], "status")
        self.assertEqual(msgs[0]["content"]["execution_state"], "busy")
        self.assertEqual(msgs[-1]["content"]["execution_state"], "idle")

    # -- busy/idle ---------------------------------------------------------

    def test_busy_idle_around_every_shell_request(self):
        kc = self.kc
        requests = {
            "kernel_info": kc.kernel_info, "complete": lambda: kc.complete("pri"),
            "inspect": lambda: kc.inspect("print"), "is_complete": lambda: kc.is_complete("1"),
            "history": lambda: kc.history(hist_access_type="tail", n=2),
            "comm_info": kc.comm_info,
        }
        for name, send in requests.items():
            with self.subTest(request=name):
                msg_id = send()
                reply = shell_reply(kc, msg_id)
                self.assertEqual(reply["msg_type"], name + "_reply")
                if name != "is_complete":  # its status is complete/incomplete/invalid
                    self.assertEqual(reply["content"]["status"], "ok")
                self.assert_wrapped(collect(kc, msg_id))

    def test_busy_idle_around_unknown_request_without_reply(self):
        msg = self.kc.session.msg("ember_no_such_request", {})
        self.kc.shell_channel.send(msg)
        self.assert_wrapped(collect(self.kc, msg["header"]["msg_id"]))
        with self.assertRaises(Empty):
            self.kc.get_shell_msg(timeout=0.3)
        self.assertEqual(self.run_cell("1")[0]["content"]["status"], "ok")

    def test_busy_idle_around_control_request(self):
        msg = self.kc.session.msg("kernel_info_request", {})
        self.kc.control_channel.send(msg)
        reply = self.kc.get_control_msg(timeout=TIMEOUT)
        self.assertEqual(reply["parent_header"]["msg_id"], msg["header"]["msg_id"])
        self.assertEqual(reply["content"]["language_info"]["name"], "ember")
        self.assert_wrapped(collect(self.kc, msg["header"]["msg_id"]))

    def test_headers(self):
        msg_id = self.kc.kernel_info()
        reply = shell_reply(self.kc, msg_id)
        msgs = collect(self.kc, msg_id)
        for m in [reply] + msgs:
            self.assertEqual(m["header"]["version"], "5.3")
            self.assertEqual(m["header"]["session"], reply["header"]["session"])
            self.assertTrue(m["header"]["date"].tzinfo)  # jupyter_client parsed it: ISO with zone
        self.assertEqual(len({m["header"]["msg_id"] for m in [reply] + msgs}), 1 + len(msgs))
        info = reply["content"]
        self.assertEqual(info["protocol_version"], "5.3")
        for key in ("name", "version", "mimetype", "file_extension", "pygments_lexer",
                    "codemirror_mode", "nbconvert_exporter"):
            self.assertIn(key, info["language_info"])
        self.assertEqual(info["language_info"]["pygments_lexer"], "python")
        self.assertTrue(info["banner"] and info["help_links"])

    # -- execute -----------------------------------------------------------

    def test_execution_count_silent_and_store_history(self):
        reply, msgs = self.run_cell("1")
        n = reply["content"]["execution_count"]
        self.assertEqual(msgs[1]["msg_type"], "execute_input")
        self.assertEqual(msgs[1]["content"]["execution_count"], n)
        reply, msgs = self.run_cell('print("silent")\n42', silent=True)
        self.assertEqual(reply["content"]["execution_count"], n)
        self.assertEqual(types(msgs), ["status", "status"])
        reply, msgs = self.run_cell("7", store_history=False)
        self.assertEqual(reply["content"]["execution_count"], n)
        self.assertEqual([m["content"]["data"]["text/plain"] for m in msgs
                          if m["msg_type"] == "execute_result"], ["7"])
        reply, _ = self.run_cell("2")
        self.assertEqual(reply["content"]["execution_count"], n + 1)

    def test_error_is_one_message_with_count(self):
        reply, msgs = self.run_cell("var zero = 0\nprint(10 // zero)")
        c = reply["content"]
        self.assertEqual(c["status"], "error")
        self.assertIn("execution_count", c)
        self.assertEqual(c["ename"], "ZeroDivisionError")
        out = outputs(msgs)
        self.assertEqual(types(out), ["error"])
        tb = out[0]["content"]["traceback"]
        self.assertTrue(any("line 2" in line for line in tb), tb)
        self.assertTrue(all("\n" not in line for line in tb), tb)

    def test_compile_error(self):
        reply, msgs = self.run_cell("var y = undefined_thing + 1")
        self.assertEqual(reply["content"]["status"], "error")
        self.assertEqual(types(outputs(msgs)), ["error"])
        self.assertIn("undefined_thing", "\n".join(reply["content"]["traceback"]))

    def test_stop_on_error_aborts_queued_cells(self):
        kc = self.kc
        self.run_cell("var marker = 0")
        # the failing cell takes 0.5 s, so the two after it are surely sent
        # before it fails even on a loaded machine: they are its queue
        ids = [kc.execute("from time import sleep\nsleep(0.5)\nvar zero = 0\nprint(1 // zero)"),
               kc.execute("marker = 1"), kc.execute('print("must not run")')]
        replies = [shell_reply(kc, i) for i in ids]
        self.assertEqual([r["content"]["status"] for r in replies], ["error", "aborted", "aborted"])
        for r in replies:
            self.assertIn("execution_count", r["content"])
        for i in ids[1:]:
            self.assertEqual(types(collect(kc, i)), ["status", "status"])
        msgs = self.run_cell("marker")[1]
        results = [m for m in msgs if m["msg_type"] == "execute_result"]
        self.assertEqual([m["content"]["data"]["text/plain"] for m in results], ["0"],
                         [(m["msg_type"], m["content"]) for m in msgs])

    def test_stop_on_error_false_runs_queued_cells(self):
        kc = self.kc
        ids = [kc.execute("var zero = 0\nprint(1 // zero)", stop_on_error=False),
               kc.execute('print("ran")')]
        replies = [shell_reply(kc, i) for i in ids]
        self.assertEqual([r["content"]["status"] for r in replies], ["error", "ok"])
        self.assertEqual(stdout_text(collect(kc, ids[1])), "ran\n")

    def test_user_expressions(self):
        reply, _ = self.run_cell("var ue = 20", user_expressions={
            "a": "1+1", "b": "ue * 2", "bad": "no_such_name + 1"})
        ue = reply["content"]["user_expressions"]
        self.assertEqual(ue["a"], {"status": "ok", "data": {"text/plain": "2"}, "metadata": {}})
        self.assertEqual(ue["b"]["data"]["text/plain"], "40")
        self.assertEqual(ue["bad"]["status"], "error")
        self.assertIn("no_such_name", ue["bad"]["evalue"])
        self.assertTrue(ue["bad"]["ename"] and isinstance(ue["bad"]["traceback"], list))

    def test_output_streams_while_cell_runs(self):
        # "early" is printed, then the cell spins 0.6 s: the kernel's own
        # timestamps must show the text sent well before the reply
        code = ('from time import now\nprint("early")\nvar t0 = now()\n'
                'while now() - t0 < 600_000_000:\n    pass\nprint("late")')
        reply, msgs = self.run_cell(code)
        self.assertEqual(reply["content"]["status"], "ok")
        streams = [m for m in msgs if m["msg_type"] == "stream"]
        self.assertEqual([m["content"]["text"] for m in streams], ["early\n", "late\n"])
        early = (reply["header"]["date"] - streams[0]["header"]["date"]).total_seconds()
        self.assertGreater(early, 0.4, "text printed early must be sent before the cell ends")

    def test_ten_megabytes_of_output_arrive_whole(self):
        line = "0123456789" * 10 + "\n"
        reply, msgs = self.run_cell('for i in range(100_000):\n    print("0123456789" * 10)')
        self.assertEqual(reply["content"]["status"], "ok")
        text = stdout_text(msgs)
        self.assertEqual(len(text), len(line) * 100_000)
        self.assertEqual(text, line * 100_000)
        streams = [m for m in msgs if m["msg_type"] == "stream"]
        self.assertLess(len(streams), 200, "stream text must be batched")

    def test_invalid_utf8_output_is_replaced(self):
        reply, msgs = self.run_cell('print("caf\\xe9")')  # \xe9 alone: not UTF-8 bytes
        self.assertEqual(reply["content"]["status"], "ok")
        self.assertIn(stdout_text(msgs), ("caf\ufffd\n", "caf\u00e9\n"))

    # -- stdin -------------------------------------------------------------

    def test_input_with_stdin(self):
        msg_id = self.kc.execute('var name = input("Name? ")\nprint("hello", name)', allow_stdin=True)
        req = self.kc.get_stdin_msg(timeout=TIMEOUT)
        self.assertEqual(req["msg_type"], "input_request")
        self.assertEqual(req["parent_header"]["msg_id"], msg_id)
        self.assertEqual(req["content"], {"prompt": "Name? ", "password": False})
        self.kc.input("Ember")
        self.assertEqual(shell_reply(self.kc, msg_id)["content"]["status"], "ok")
        self.assertEqual(stdout_text(collect(self.kc, msg_id)), "hello Ember\n")

    def test_input_without_stdin_fails_at_once(self):
        t0 = time.time()
        reply, msgs = self.run_cell('var s = input("Name? ")', allow_stdin=False)
        self.assertLess(time.time() - t0, 2)
        self.assertEqual(reply["content"]["status"], "error")
        self.assertEqual(reply["content"]["ename"], "StdinNotImplementedError")
        with self.assertRaises(Empty):
            self.kc.get_stdin_msg(timeout=0.1)

    def test_interrupt_unblocks_input(self):
        msg_id = self.kc.execute('var s = input("Name? ")', allow_stdin=True)
        self.kc.get_stdin_msg(timeout=TIMEOUT)
        t0 = time.time()
        self.km.interrupt_kernel()
        reply = shell_reply(self.kc, msg_id)
        self.assertLess(time.time() - t0, INTERRUPT_LIMIT)
        self.assertEqual(reply["content"]["status"], "error")
        self.assertEqual(reply["content"]["ename"], "KeyboardInterrupt")

    # -- while a cell runs -------------------------------------------------

    def interrupt_after(self, code, delay=0.3):
        """Runs code, interrupts it after delay; returns (reply, iopub, seconds to reply)."""
        msg_id = self.kc.execute(code)
        time.sleep(delay)
        t0 = time.time()
        self.km.interrupt_kernel()
        reply = shell_reply(self.kc, msg_id)
        return reply, collect(self.kc, msg_id), time.time() - t0

    def assert_interrupted(self, reply, msgs, seconds):
        self.assertLess(seconds, INTERRUPT_LIMIT)
        self.assertEqual(reply["content"]["status"], "error")
        self.assertEqual(reply["content"]["ename"], "KeyboardInterrupt")
        self.assertEqual(types(outputs(msgs)), ["error"])

    def test_interrupt_infinite_loop_keeps_state(self):
        self.run_cell("var kept = 41")
        self.assert_interrupted(*self.interrupt_after("while True:\n    pass"))
        reply, msgs = self.run_cell("kept + 1")
        self.assertEqual(outputs(msgs)[0]["content"]["data"]["text/plain"], "42")

    def test_interrupt_long_numeric_loop(self):
        code = ("var total: Float64 = 0.0\nfor i in range(1, 100_000_000_000):\n"
                "    total += 1.0 / Float64(i)\nprint(total)")
        self.assert_interrupted(*self.interrupt_after(code))
        reply, msgs = self.run_cell("total > 1.0")
        self.assertEqual(outputs(msgs)[0]["content"]["data"]["text/plain"], "True")

    def test_kernel_info_on_control_while_cell_runs(self):
        msg_id = self.kc.execute("while True:\n    pass")
        time.sleep(0.3)
        msg = self.kc.session.msg("kernel_info_request", {})
        t0 = time.time()
        self.kc.control_channel.send(msg)
        reply = self.kc.get_control_msg(timeout=TIMEOUT)
        self.assertLess(time.time() - t0, 1.0)
        self.assertEqual(reply["msg_type"], "kernel_info_reply")
        self.km.interrupt_kernel()
        self.assertEqual(shell_reply(self.kc, msg_id)["content"]["ename"], "KeyboardInterrupt")
        collect(self.kc, msg_id)

    # -- the rest ----------------------------------------------------------

    def test_pager(self):
        self.run_cell('fn documented() -> Int:\n    """Says hello."""\n    return 1')
        reply, msgs = self.run_cell("documented?")
        payload = reply["content"]["payload"]
        self.assertEqual(len(payload), 1)
        self.assertEqual(payload[0]["source"], "page")
        self.assertIn("Says hello.", payload[0]["data"]["text/plain"])
        reply, msgs = self.run_cell("no_such_thing?")
        self.assertIn("not found", stdout_text(msgs))

    def test_inspect_not_found(self):
        reply = shell_reply(self.kc, self.kc.inspect("zzz_unknown"))
        self.assertEqual(reply["content"], {"status": "ok", "found": False, "data": {}, "metadata": {}})

    def test_complete_cursor_in_code_points(self):
        code = "var \u00e9t\u00e9 = 1\nvar \U00028b4e\U00028b4e = 2\n\u00e9"
        reply = shell_reply(self.kc, self.kc.complete(code, cursor_pos=len(code)))
        c = reply["content"]
        self.assertIn("\u00e9t\u00e9", c["matches"])
        self.assertEqual((c["cursor_start"], c["cursor_end"]), (len(code) - 1, len(code)))

    def test_is_complete_indent(self):
        reply = shell_reply(self.kc, self.kc.is_complete("fn f():"))
        self.assertEqual(reply["content"], {"status": "incomplete", "indent": "    "})

    def test_history_search_and_range(self):
        self.run_cell("var hist_marker = 12345")
        reply = shell_reply(self.kc, self.kc.history(hist_access_type="search", pattern="*hist_marker*"))
        hist = reply["content"]["history"]
        self.assertEqual([h[2] for h in hist], ["var hist_marker = 12345"])
        session, line = hist[0][0], hist[0][1]
        reply = shell_reply(self.kc, self.kc.history(hist_access_type="range", session=0,
                                                     start=line, stop=line + 1, output=True))
        self.assertEqual(reply["content"]["history"], [[session, line, ["var hist_marker = 12345", None]]])

    def test_comms(self):
        reply = shell_reply(self.kc, self.kc.comm_info())
        self.assertEqual(reply["content"], {"status": "ok", "comms": {}})
        msg = self.kc.session.msg("comm_open", {"comm_id": "c1", "target_name": "nothing", "data": {}})
        self.kc.shell_channel.send(msg)
        closes = [m for m in collect(self.kc, msg["header"]["msg_id"]) if m["msg_type"] == "comm_close"]
        self.assertEqual(closes[0]["content"]["comm_id"], "c1")


if __name__ == "__main__":
    kernel_env.run_tests(Protocol)
