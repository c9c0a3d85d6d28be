#!/usr/bin/python3
"""Standard library modules as users meet them, with a module directory of
our own (EMBER_STDLIB) beside a copy of stdlib/:

  a module's generic function and generic struct, instantiated in the
  importing cell, still see the module's private names and its imports;
  a module's names stay out of the user's namespace;
  a module that imports itself is a clear ImportError, not a crash.

Run by tests/run_tests.py with `--ember PATH`; exits 0 when all pass.
"""
import os
import shutil
import subprocess
import sys
import tempfile

from session_env import ROOT, ember_path  # noqa: E402

GEN = '''from math import sqrt
fn _helper() -> Int:
    return 1
struct Inner:
    var v: Int
    fn __init__(inout self):
        self.v = 7
struct Box[dt: DType]:
    var inner: Inner
    fn __init__(inout self):
        self.inner = Inner()
fn f[T: Intable](x: T) -> Int:
    return _helper() + int(x) + int(sqrt(16.0))
'''

SELF = '''fn a() -> Int:
    return 1
fn b():
    from selfimport import a
'''


def run(stdlib, code):
    with tempfile.NamedTemporaryFile("w", suffix=".ember", delete=False) as f:
        f.write(code)
    try:
        env = dict(os.environ, EMBER_STDLIB=stdlib)
        return subprocess.run([ember_path(), "run", f.name], capture_output=True, text=True, env=env, timeout=60)
    finally:
        os.unlink(f.name)


def main():
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        lib = os.path.join(tmp, "stdlib")
        shutil.copytree(os.path.join(ROOT, "stdlib"), lib)
        with open(os.path.join(lib, "gen.ember"), "w") as f:
            f.write(GEN)
        with open(os.path.join(lib, "selfimport.ember"), "w") as f:
            f.write(SELF)
        p = run(lib, "from gen import f, Box\nprint(f(1), Box[DType.int8]().inner.v)\n")
        if p.stdout != "6 7\n":
            failures.append(f"generic from a module: {p.stdout!r} {p.stderr[-400:]!r}")
        p = run(lib, "from gen import f\nprint(_helper())\n")
        if p.returncode != 1 or "unknown declaration '_helper'" not in p.stderr:
            failures.append(f"module name leaked: rc {p.returncode} {p.stderr[-400:]!r}")
        p = run(lib, "from selfimport import a\nprint(a())\n")
        if p.returncode == 0 or "imports itself" not in p.stderr:
            failures.append(f"self-import: rc {p.returncode} {p.stderr[-400:]!r}")
    for f in failures:
        print("FAIL:", f)
    print("ok" if not failures else f"{len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
