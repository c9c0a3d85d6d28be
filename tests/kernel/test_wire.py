#!/usr/bin/python3
"""The wire format, seen from raw ZeroMQ sockets next to a kernel that
KernelManager started:

  our own HMAC of the reply's four frames equals its signature frame, with
  the connection file's key empty (no signature), 36 bytes and 100 bytes;
  header fields (six keys, version 5.3, a date with 6-digit microseconds and
  a zone, one session); identity frames -- several, with NUL bytes -- come
  back verbatim; forged and malformed messages (bad or wrong-length
  signature, no delimiter, too few frames, bad JSON, non-object JSON,
  garbage) get no reply and the kernel keeps answering; the heartbeat
  echoes bytes while a cell runs.

Run by tests/run_tests.py with `--ember PATH`; exits 0 when all pass.
"""
import hashlib
import hmac
import json
import os
import re
import sys
import time
import unittest
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kernel_env  # noqa: E402

kernel_env.setup()

import zmq  # noqa: E402
from jupyter_client.manager import KernelManager  # noqa: E402

DELIM = b"<IDS|MSG>"
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}(Z|[+-]\d{2}:?\d{2})$")
HEADER_KEYS = {"msg_id", "session", "username", "date", "msg_type", "version"}


def sign(key, parts):
    return hmac.new(key, b"".join(parts), hashlib.sha256).hexdigest().encode() if key else b""


def request(key, msg_type, content=None):
    header = json.dumps({"msg_id": uuid.uuid4().hex, "session": "wire-test", "username": "test",
                         "date": "2026-01-01T00:00:00.000000Z", "msg_type": msg_type,
                         "version": "5.3"}).encode()
    parts = [header, b"{}", b"{}", json.dumps(content or {}).encode()]
    return [DELIM, sign(key, parts)] + parts


class RawKernel:
    """A kernel started by KernelManager, with raw sockets to it."""

    def __init__(self, key=None):
        self.km = KernelManager(kernel_name=kernel_env.KERNEL)
        if key is not None:
            self.km.session.key = key
        self.km.start_kernel()
        self.key = self.km.session.key
        info = self.km.get_connection_info()
        self.url = lambda port: "tcp://%s:%d" % (info["ip"], info[port])
        self.ctx = zmq.Context()
        self.shell = self.socket(zmq.DEALER, "shell_port")
        self.control = self.socket(zmq.DEALER, "control_port")

    def socket(self, kind, port):
        s = self.ctx.socket(kind)
        s.linger = 0
        s.connect(self.url(port))
        return s

    def recv(self, sock, timeout=10.0):
        """The next message's frames, or None after timeout seconds."""
        return sock.recv_multipart() if sock.poll(int(timeout * 1000)) else None

    def ask(self, sock, frames, timeout=10.0):
        sock.send_multipart(frames)
        return self.recv(sock, timeout)

    def close(self):
        self.ctx.destroy(linger=0)
        self.km.shutdown_kernel(now=True)


def split(frames):
    d = frames.index(DELIM)
    return frames[:d], frames[d + 1], frames[d + 2:d + 6]


class Signatures(unittest.TestCase):
    def check_key(self, key):
        k = RawKernel(key)
        try:
            reply = k.ask(k.shell, request(k.key, "kernel_info_request"), timeout=20)
            self.assertIsNotNone(reply, "no kernel_info_reply")
            idents, sig, parts = split(reply)
            self.assertEqual(sig, sign(k.key, parts))
            header = json.loads(parts[0])
            self.assertEqual(set(header), HEADER_KEYS)
            self.assertEqual(header["msg_type"], "kernel_info_reply")
            self.assertEqual(json.loads(parts[1])["session"], "wire-test")
        finally:
            k.close()

    def test_empty_key_means_no_signature(self):
        self.check_key(b"")

    def test_uuid_key(self):
        self.check_key(str(uuid.uuid4()).encode())

    def test_key_longer_than_a_hash_block(self):
        self.check_key(b"k" * 100)


class Wire(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.k = RawKernel()
        assert cls.k.ask(cls.k.shell, request(cls.k.key, "kernel_info_request"), timeout=20)

    @classmethod
    def tearDownClass(cls):
        cls.k.close()

    def kernel_info(self, sock=None, timeout=10.0):
        return self.k.ask(sock or self.k.shell, request(self.k.key, "kernel_info_request"), timeout)

    def test_headers(self):
        sessions = set()
        for _ in range(3):
            _, _, parts = split(self.kernel_info())
            header = json.loads(parts[0])
            self.assertEqual(set(header), HEADER_KEYS)
            self.assertEqual(header["version"], "5.3")
            self.assertRegex(header["date"], DATE_RE)
            sessions.add(header["session"])
            for p in parts:
                self.assertIsInstance(json.loads(p), dict)
        self.assertEqual(len(sessions), 1)

    def test_identities_echoed_verbatim(self):
        for idents in ([], [b"\x00a\x00b"], [b"one", b"\x00\xff\x00", b""]):
            with self.subTest(idents=idents):
                reply = self.k.ask(self.k.shell, idents + request(self.k.key, "kernel_info_request"))
                self.assertIsNotNone(reply)
                self.assertEqual(split(reply)[0], idents)

    def test_forged_and_malformed_messages_are_dropped(self):
        key = self.k.key
        good = request(key, "kernel_info_request")
        bad = {
            "wrong key": request(b"not the key", "kernel_info_request"),
            "short signature": [DELIM, good[1][:10]] + good[2:],
            "no signature": [DELIM, b""] + good[2:],
            "no delimiter": good[1:],
            "too few frames": good[:4],
            "bad json": [DELIM, sign(key, [b"{", b"{}", b"{}", b"{}"]), b"{", b"{}", b"{}", b"{}"],
            "json array": [DELIM, sign(key, [b"[]", b"{}", b"{}", b"{}"]), b"[]", b"{}", b"{}", b"{}"],
            "no msg_type": [DELIM, sign(key, [b"{}"] * 4)] + [b"{}"] * 4,
            "garbage": [os.urandom(50), b"\xff" * 3],
        }
        for what, frames in bad.items():
            with self.subTest(what=what):
                self.assertIsNone(self.k.ask(self.k.shell, frames, timeout=0.3), what)
        self.assertIsNone(self.k.ask(self.k.control, bad["wrong key"], timeout=0.3))
        self.assertIsNotNone(self.kernel_info(), "the kernel stopped answering")
        self.assertIsNotNone(self.kernel_info(self.k.control), "control stopped answering")
        self.assertTrue(self.k.km.is_alive())

    def test_heartbeat_echoes_while_a_cell_runs(self):
        hb = self.k.socket(zmq.REQ, "hb_port")
        try:
            self.assertEqual(self.k.ask(hb, [b"ping\x00\xff"], timeout=2), [b"ping\x00\xff"])
            run = request(self.k.key, "execute_request", {"code": "while True:\n    pass"})
            self.k.shell.send_multipart(run)
            time.sleep(0.3)
            for i in range(3):
                t0 = time.time()
                self.assertEqual(self.k.ask(hb, [b"beat%d" % i], timeout=1), [b"beat%d" % i])
                self.assertLess(time.time() - t0, 1)
            self.k.ask(self.k.control, request(self.k.key, "interrupt_request"))
            reply = self.k.recv(self.k.shell)
            self.assertEqual(json.loads(split(reply)[2][3])["ename"], "KeyboardInterrupt")
        finally:
            hb.close()


if __name__ == "__main__":
    kernel_env.run_tests(Signatures, Wire)
