#!/usr/bin/python3
"""Without a GPU, DeviceContext() is a clear error, and the session lives on.

A cell that makes a DeviceContext and launches a kernel compiles (the
kernel's PTX is made without a GPU) and then raises
"no CUDA driver found (libcuda.so.1 could not be loaded) ..." at
DeviceContext():
  - `ember run`: exit status 2, the message on stderr, the lines printed
    before it on stdout
  - the REPL: the message, then the next line still sees earlier variables
  - the Jupyter kernel: an error reply and IOPub error whose evalue says
    it, then the next cell runs in the same kernel with its state
Skipped on a machine that has a GPU. Exits 0 when every check passes.
"""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, "..", "repl"), os.path.join(HERE, "..", "kernel")]
from gpu_env import ember_path, has_gpu, skip  # noqa: E402

if has_gpu():
    skip("skipped: this machine has a GPU")

MESSAGE = "no CUDA driver found (libcuda.so.1 could not be loaded)"
PROGRAM = """from gpu import thread_idx
from gpu.host import DeviceContext
from memory import UnsafePointer

fn one(p: UnsafePointer[Int32]):
    p[thread_idx.x] = 1

var kept = 41
print("before")
var ctx = DeviceContext()
var buf = ctx.enqueue_create_buffer[DType.int32](4)
ctx.enqueue_function[one](buf, grid_dim=1, block_dim=4)
print("after")
"""
failures = []


def check(ok, what):
    print(("ok: " if ok else "FAIL: ") + what)
    if not ok:
        failures.append(what)


def ember_run():
    p = subprocess.run([ember_path(), "run", "-"], input=PROGRAM, capture_output=True, text=True, timeout=60)
    check(p.returncode == 2, "ember run exits 2 (got %d)" % p.returncode)
    check(MESSAGE in p.stderr, "ember run says %r: %r" % (MESSAGE, p.stderr[-400:]))
    check(p.stdout == "before\n", "ember run printed what came before: %r" % p.stdout)


def repl():
    from replterm import Term
    t = Term()
    t.prompt()
    for line in PROGRAM.split("\n")[:3]:  # the imports
        t.run(line)
    t.run("fn one(p: UnsafePointer[Int32]):", "p[thread_idx.x] = 1", "")
    t.run("var kept = 41")
    out = t.run("var ctx = DeviceContext()")
    check(MESSAGE in out, "the REPL shows the message: %r" % out[-400:])
    out = t.run("kept + 1")
    check("42" in out, "the REPL session lives on: %r" % out)
    check(t.quit() == 0, "the REPL exits 0")


def kernel():
    import kernel_env
    from jupyter_client.manager import start_new_kernel
    from kernel_env import collect, shell_reply, stdout_text
    kernel_env.setup()
    km, kc = start_new_kernel(kernel_name=kernel_env.KERNEL)
    try:
        msg_id = kc.execute(PROGRAM)
        reply = shell_reply(kc, msg_id, timeout=60)["content"]
        msgs = collect(kc, msg_id)
        check(reply["status"] == "error", "the kernel replies with an error: %r" % reply)
        errors = [m["content"] for m in msgs if m["msg_type"] == "error"]
        check(len(errors) == 1 and MESSAGE in errors[0]["evalue"], "one IOPub error with the message: %r" % errors)
        check(stdout_text(msgs) == "before\n", "the kernel streamed what came before")
        msg_id = kc.execute("print(kept + 1)")
        shell_reply(kc, msg_id)
        check(stdout_text(collect(kc, msg_id)) == "42\n", "the kernel lives on with its state")
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


ember_run()
repl()
kernel()
sys.exit(1 if failures else 0)
