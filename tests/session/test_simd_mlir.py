#!/usr/bin/python3
"""SIMD[DType.float32, 16] addition is one vector operation in the emitted
MLIR: `arith.addf ... : vector<16xf32>`, not sixteen scalar adds.

This checks the MLIR level (EMBER_DUMP_MLIR=1 makes `ember run` write each
cell's MLIR to stderr); test_simd_llvm_ir.py checks the LLVM IR.

Cell 1  a `fn` taking and returning SIMD[DType.float32, 16], whose body is
        `a + b`: its func.func has vector<16xf32> arguments and result and
        an arith.addf on vector<16xf32>
Cell 2  the same addition at the top level, between two globals
Both print the right 16 lanes, so what was emitted also ran.

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
fn vadd(a: SIMD[DType.float32, 16], b: SIMD[DType.float32, 16]) -> SIMD[DType.float32, 16]:
    return a + b
var a = SIMD[DType.float32, 16](1.5)
var b = SIMD[DType.float32, 16](2.25)
print(vadd(a, b))
# %%
var c = a + b
print(c)
'''

LANES = "[" + ", ".join(["3.75"] * 16) + "]"
EXPECTED_STDOUT = LANES + "\n" + LANES + "\n"

V16 = r"vector<16xf32>"
VADD = re.compile(r"arith\.addf\s+%[\w.$-]+\s*,\s*%[\w.$-]+\s*(?:\{[^}]*\}\s*)?:\s*" + re.escape(V16))
VADD_FN = re.compile(r'func\.func\s+@"?vadd\$c1"?\s*\(([^)]*)\)\s*->\s*(\S+)\s*(?:attributes\s*\{[^}]*\}\s*)?\{')


def modules(stderr):
    """The dumped MLIR modules, one per cell, in order (each starts with
    `module {` at the start of a line and ends with `}` alone on a line)."""
    return re.findall(r"^module \{\n.*?^\}$", stderr, re.S | re.M)


def function_body(module, header):
    """The text of the func.func whose header matched, up to its closing
    brace (the first line that is just `  }`)."""
    start = header.end()
    end = module.find("\n  }\n", start)
    return module[start:end if end >= 0 else len(module)]


def main():
    ember = ember_path()
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "simd.ember")
        with open(path, "w") as f:
            f.write(SOURCE)
        env = dict(os.environ, EMBER_DUMP_MLIR="1")
        p = subprocess.run([ember, "run", path], capture_output=True, text=True,
                           timeout=120, env=env)
    if p.returncode != 0:
        failures.append("exit status %d, stderr:\n%s" % (p.returncode, p.stderr[-3000:]))
    if p.stdout != EXPECTED_STDOUT:
        failures.append("stdout %r, want %r" % (p.stdout, EXPECTED_STDOUT))
    mods = modules(p.stderr)
    if len(mods) != 2:
        failures.append("want 2 dumped MLIR modules (one per cell), found %d; stderr:\n%s"
                        % (len(mods), p.stderr[-3000:]))
    else:
        cell1, cell2 = mods
        m = VADD_FN.search(cell1)
        if not m:
            failures.append("cell 1 has no func.func @\"vadd$c1\":\n" + cell1)
        else:
            params, result = m.group(1), m.group(2)
            if params.count(V16) != 2 or result != V16:
                failures.append("vadd$c1 is not (vector<16xf32>, vector<16xf32>) -> "
                                "vector<16xf32>: %r -> %r" % (params, result))
            body = function_body(cell1, m)
            if not VADD.search(body):
                failures.append("vadd$c1 has no arith.addf on vector<16xf32>:\n" + body)
            if re.search(r"arith\.addf[^\n]*:\s*f32\b", body):
                failures.append("vadd$c1 adds scalar f32 lanes:\n" + body)
        if not VADD.search(cell2):
            failures.append("cell 2 (top-level a + b) has no arith.addf on "
                            "vector<16xf32>:\n" + cell2)
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
