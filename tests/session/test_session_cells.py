#!/usr/bin/python3
"""A five-cell session under `ember run --keep-going`.

Checks what one failing cell may and may not change:
  cell 1  defines x, f and g (g calls f)
  cell 2  redefines f; g, compiled in cell 1, still calls the old f
  cell 3  fails to compile -- and so must not redefine x or f
  cell 4  prints, then fails at run time
  cell 5  prints the state the session is left in

Run by tests/run_tests.py with `--ember PATH` (or EMBER in the
environment); exits 0 when every check passes.
"""

import os
import re
import subprocess
import sys
import tempfile

from session_env import ROOT, ember_path  # noqa: E402

SOURCE = '''\
var x = 10
fn f() -> Int:
    return 1
fn g() -> Int:
    return f()
print("cell1", x, f(), g())

# %%
fn f() -> Int:
    return 2
print("cell2", x, f(), g())

# %%
var x = 999
fn f() -> Int:
    return 3
print("cell3 must not print")
var bad = x + missing_name

# %%
print("cell4 before the error")
var zero = 0
print(x // zero)
print("cell4 must not print after the error")

# %%
print("cell5", x, f(), g())
'''

COMPILE_ERROR_LINE = 18  # `var bad = x + missing_name`
RUNTIME_ERROR_LINE = 23  # `print(x // zero)`

EXPECTED_STDOUT = [
    "cell1 10 1 1",
    "cell2 10 2 1",
    "cell4 before the error",
    "cell5 10 2 1",
]


def check(failures, ok, message):
    if not ok:
        failures.append(message)


def main():
    lines = SOURCE.split("\n")
    assert "missing_name" in lines[COMPILE_ERROR_LINE - 1]
    assert "// zero" in lines[RUNTIME_ERROR_LINE - 1]
    ember = ember_path()
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "session_cells.ember")
        with open(path, "w") as f:
            f.write(SOURCE)
        try:
            p = subprocess.run([ember, "run", "--keep-going", path],
                               capture_output=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired) as e:
            print("cannot run %s: %s" % (ember, e))
            return 1
    out = p.stdout.decode("utf-8", "replace")
    err = p.stderr.decode("utf-8", "replace")
    name = re.escape(os.path.basename(path))
    failures = []
    actual = [line.rstrip() for line in out.splitlines()]
    check(failures, actual == EXPECTED_STDOUT,
          "stdout is %r, expected %r" % (actual, EXPECTED_STDOUT))
    # --keep-going: the status is that of the first failure (compile = 1).
    check(failures, p.returncode == 1,
          "exit status %d, expected 1" % p.returncode)
    check(failures,
          re.search(r"%s:%d:\d+: error: " % (name, COMPILE_ERROR_LINE), err),
          "no diagnostic FILE:%d:COL: error:" % COMPILE_ERROR_LINE)
    check(failures, "use of unknown declaration 'missing_name'" in err,
          "the compile error does not name 'missing_name'")
    check(failures, "Traceback (most recent call last):" in err,
          "no traceback for the runtime error")
    check(failures,
          re.search(r'File "[^"]*%s", line %d' % (name, RUNTIME_ERROR_LINE),
                    err),
          'no traceback line File "FILE", line %d' % RUNTIME_ERROR_LINE)
    check(failures,
          "ZeroDivisionError: integer division or modulo by zero" in err,
          "no ZeroDivisionError message")
    check(failures, err.find("missing_name") < err.find("ZeroDivisionError"),
          "the errors are not reported in cell order")
    for message in failures:
        print("FAIL: " + message)
    if failures:
        print("--- stderr ---\n" + err)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
