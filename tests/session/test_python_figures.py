#!/usr/bin/python3
"""Outside a notebook (ember run, the REPL), a matplotlib figure made in a
cell is written to a PNG file whose path is printed after the cell; the
notebook's inline image/png is tested in tests/kernel/test_notebook.py.

Run by tests/run_tests.py with `--ember PATH`; exits 0 when all pass.
"""
import os
import re
import subprocess
import sys
import tempfile

from session_env import ROOT, ember_path  # noqa: E402

CODE = '''from python import Python
var plt = Python.import_module("matplotlib.pyplot")
_ = plt.plot(Python.evaluate("[1, 2, 3]"), Python.evaluate("[1, 4, 9]"))
print("plotted")
# %%
print("no figure in this cell")
'''


def main():
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "fig.ember")
        with open(src, "w") as f:
            f.write(CODE)
        p = subprocess.run([ember_path(), "run", src], capture_output=True, text=True, timeout=120,
                           env=dict(os.environ, TMPDIR=tmp))
        lines = p.stdout.splitlines()
        ok = p.returncode == 0 and len(lines) == 3 and lines[0] == "plotted" and lines[2] == "no figure in this cell"
        m = re.fullmatch(r"\[figure saved to (.*\.png)\]", lines[1]) if len(lines) == 3 else None
        if ok and m:
            with open(m.group(1), "rb") as f:
                ok = f.read(8) == b"\x89PNG\r\n\x1a\n" and m.group(1).startswith(tmp)
        if not (ok and m):
            print(f"FAIL: exit {p.returncode}, stdout {p.stdout!r}, stderr {p.stderr[-500:]!r}")
            return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
