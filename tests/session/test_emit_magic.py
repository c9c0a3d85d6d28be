#!/usr/bin/python3
"""`%%emit STAGE` shows what a cell compiles to, without running or
defining it (through `ember run`, as the REPL and the kernel share the
session's magics; tests/kernel/test_emit_magic.py checks the notebook form):

  %%emit llvm of a SIMD[DType.float32, 8] add shows the optimized IR with
  `fadd <8 x float>`; %%emit asm shows vector instructions (ymm or zmm);
  %%emit mlir shows Ember's MLIR with vector<8xf32>; the cell's code does not
  run and its function is not defined afterwards; an unknown stage is a
  UsageError.

Run by tests/run_tests.py with `--ember PATH`; exits 0 when all pass.
"""
import subprocess
import sys

from session_env import ember_path

CELL = ("fn add8(a: SIMD[DType.float32, 8], b: SIMD[DType.float32, 8]) -> SIMD[DType.float32, 8]:\n"
        "    return a + b\nprint(\"ran\")\n")
failures = []


def check(ok, what):
    print(("ok: " if ok else "FAIL: ") + what)
    if not ok:
        failures.append(what)


def run(text):
    return subprocess.run([ember_path(), "run", "--keep-going", "-"], input=text, capture_output=True, text=True,
                          timeout=60)


p = run("%%emit llvm\n" + CELL)
check(p.returncode == 0 and "fadd <8 x float>" in p.stdout, "%%emit llvm shows fadd <8 x float>")
check("ran" not in p.stdout.split("\n"), "the cell did not run")
p = run("%%emit asm\n" + CELL)
check(p.returncode == 0 and ("ymm" in p.stdout or "zmm" in p.stdout), "%%emit asm shows vector registers")
p = run("%%emit mlir\n" + CELL)
check(p.returncode == 0 and "vector<8xf32>" in p.stdout, "%%emit mlir shows vector<8xf32>")
p = run("%%emit llvm\n" + CELL + "# %%\nprint(add8(1, 2))\n")
check(p.returncode == 1 and "add8" in p.stderr, "add8 is not defined by %%emit")
p = run("%%emit bytecode\nprint(1)\n")
check("UsageError" in p.stderr, "an unknown stage is a UsageError")
sys.exit(1 if failures else 0)
