#!/usr/bin/python3
"""`ember build`: programs compiled ahead of time into executables.

  notebooks/mandelbrot.ember and bench/matmul_naive.ember (which imports the
  standard library) build, run, and print what `ember run` prints (the
  Mandelbrot checksum; a correct product); `ldd` of them shows no libLLVM,
  libMLIR or libpython;
  --target-cpu x86-64 (a portable binary) and -O0 build programs that run;
  an uncaught error exits 2 with a traceback that names the file and quotes
  the raising lines;
  a program that uses Python links CPython and runs;
  --emit obj writes one relocatable ELF object, --emit llvm the optimized
  IR, --emit asm assembly, --emit mlir Ember's MLIR; an unknown stage is a
  usage error.

Run by tests/run_tests.py with `--ember PATH`; exits 0 when all pass.
"""
import os
import re
import subprocess
import sys
import tempfile

from session_env import ROOT, ember_path

EMBER = ember_path()
failures = []


def check(ok, what):
    print(("ok: " if ok else "FAIL: ") + what)
    if not ok:
        failures.append(what)


def build(src, out, *flags):
    p = subprocess.run([EMBER, "build", src, "-o", out, *flags], capture_output=True, text=True, timeout=300)
    check(p.returncode == 0, "ember build %s %s: %s" % (os.path.basename(src), " ".join(flags), p.stderr[-500:]))
    return p.returncode == 0


def run(exe):
    return subprocess.run([exe], capture_output=True, text=True, timeout=120)


def no_heavy_libraries(exe, allow_python=False):
    libs = subprocess.run(["ldd", exe], capture_output=True, text=True).stdout
    heavy = [l for l in ("libLLVM", "libMLIR", "libpython") if l in libs and not (allow_python and l == "libpython")]
    check(not heavy, "%s links none of libLLVM, libMLIR%s: %s" % (os.path.basename(exe), "" if allow_python else ", libpython", heavy))
    return libs


with tempfile.TemporaryDirectory() as tmp:
    mandel = os.path.join(ROOT, "notebooks", "mandelbrot.ember")
    exe = os.path.join(tmp, "mandelbrot")
    if build(mandel, exe):
        out = run(exe)
        jit = subprocess.run([EMBER, "run", mandel], capture_output=True, text=True, timeout=120)
        check(out.returncode == 0 and "checksum: 40120406" in out.stdout, "the Mandelbrot executable's checksum")
        strip = lambda t: re.sub(r"time: .*", "", t)
        check(strip(out.stdout) == strip(jit.stdout), "the executable prints what ember run prints")
        no_heavy_libraries(exe)

    matmul = os.path.join(ROOT, "bench", "matmul_naive.ember")
    exe = os.path.join(tmp, "matmul")
    if build(matmul, exe):
        out = run(exe)
        check(out.returncode == 0 and "matmul_wrong" not in out.stdout and "gflops" in out.stdout,
              "the matmul executable runs and its product is right: %r" % out.stdout[-300:])
        no_heavy_libraries(exe)

    prog = os.path.join(tmp, "prog.ember")
    open(prog, "w").write("fn fib(n: Int) -> Int:\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\n"
                          "print(fib(20))\n")
    for flags in (["--target-cpu", "x86-64"], ["-O0"]):
        exe = os.path.join(tmp, "prog" + flags[0])
        if build(prog, exe, *flags):
            check(run(exe).stdout == "6765\n", "the %s executable prints 6765" % " ".join(flags))

    bad = os.path.join(tmp, "bad.ember")
    open(bad, "w").write("fn check(x: Int) raises -> Int:\n    if x < 0:\n        raise Error(\"negative\")\n"
                         "    return x\nprint(check(1))\nprint(check(-1))\n")
    exe = os.path.join(tmp, "bad")
    if build(bad, exe):
        out = run(exe)
        check(out.returncode == 2, "an uncaught error exits 2 (got %d)" % out.returncode)
        check(out.stdout == "1\n", "what came before the error is printed")
        check('bad.ember", line 6, in <cell>' in out.stderr and 'line 3, in check' in out.stderr and "raise Error" in out.stderr
              and out.stderr.rstrip().endswith("Error: negative"), "the traceback: %r" % out.stderr)

    py = os.path.join(tmp, "py.ember")
    open(py, "w").write("from python import Python\nvar np = Python.import_module(\"numpy\")\n"
                        "print(np.arange(6).reshape(2, 3).sum(axis=0))\n")
    exe = os.path.join(tmp, "py")
    if build(py, exe):
        out = run(exe)
        check(out.stdout == "[3 5 7]\n", "the Python program's executable: %r %r" % (out.stdout, out.stderr[-300:]))
        check("libpython" in no_heavy_libraries(exe, allow_python=True), "it links libpython")

    obj = os.path.join(tmp, "prog.o")
    p = subprocess.run([EMBER, "build", prog, "--emit", "obj", "-o", obj], capture_output=True, timeout=120)
    check(p.returncode == 0 and open(obj, "rb").read(4) == b"\x7fELF", "--emit obj writes an ELF object")
    for stage, marker in (("llvm", 'define i64 @"fib$c1"'), ("asm", "fib$c1"), ("mlir", "func.func @\"fib$c1\"")):
        p = subprocess.run([EMBER, "build", prog, "--emit", stage], capture_output=True, text=True, timeout=120)
        check(p.returncode == 0 and marker in p.stdout, "--emit %s shows %r" % (stage, marker))
    p = subprocess.run([EMBER, "build", prog, "--emit", "bytecode"], capture_output=True, text=True)
    check(p.returncode == 64 and "unknown stage" in p.stderr, "an unknown stage is a usage error")

sys.exit(1 if failures else 0)
