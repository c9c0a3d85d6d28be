#!/usr/bin/python3
"""`%%emit llvm` in the kernel: one display_data message whose text/markdown
is a fenced ```llvm block (JupyterLab and nbconvert highlight it) holding
the SIMD add's `fadd <8 x float>`, with the same text as text/plain; the
reply is ok and the cell defined nothing.

Run by tests/run_tests.py with `--ember PATH`; exits 0 when all pass.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kernel_env  # noqa: E402

kernel_env.setup()

from kernel_env import collect, shell_reply  # noqa: E402

CELL = ("%%emit llvm\n"
        "fn add8(a: SIMD[DType.float32, 8], b: SIMD[DType.float32, 8]) -> SIMD[DType.float32, 8]:\n"
        "    return a + b\n")


class EmitMagic(kernel_env.KernelCase):
    def test_llvm_as_highlighted_markdown(self):
        msg_id = self.kc.execute(CELL)
        reply = shell_reply(self.kc, msg_id)["content"]
        self.assertEqual(reply["status"], "ok", reply)
        shown = [m["content"]["data"] for m in collect(self.kc, msg_id) if m["msg_type"] == "display_data"]
        self.assertEqual(len(shown), 1)
        md, text = shown[0]["text/markdown"], shown[0]["text/plain"]
        self.assertTrue(md.startswith("```llvm\n") and md.rstrip().endswith("```"), md[:80])
        self.assertIn("fadd <8 x float>", md)
        self.assertIn("fadd <8 x float>", text)
        msg_id = self.kc.execute("add8")
        self.assertEqual(shell_reply(self.kc, msg_id)["content"]["status"], "error")


if __name__ == "__main__":
    kernel_env.run_tests(EmitMagic)
