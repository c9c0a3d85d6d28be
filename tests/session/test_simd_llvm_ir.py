#!/usr/bin/python3
"""A SIMD[DType.float32, 16] addition is one <16 x float> operation in the
optimized LLVM IR (EMBER_DUMP_LLVM=llvm-opt makes `ember run` write each
cell's LLVM IR to stderr), and the program still prints the right lanes.

The function takes its vectors from pointers, so LLVM cannot fold the
addition away: the fadd must survive optimization as a vector fadd.
"""
import os
import re
import subprocess
import sys
import tempfile

from session_env import ROOT, ember_path  # noqa: E402

SOURCE = '''\
fn vadd(p: DTypePointer[DType.float32], q: DTypePointer[DType.float32], r: DTypePointer[DType.float32]):
    var a = p.load[width=16](0)
    var b = q.load[width=16](0)
    var c: SIMD[DType.float32, 16] = a + b
    r.store[width=16](0, c)

var p = DTypePointer[DType.float32].alloc(16)
var q = DTypePointer[DType.float32].alloc(16)
var r = DTypePointer[DType.float32].alloc(16)
for i in range(16):
    p[i] = i
    q[i] = 0.5
vadd(p, q, r)
print(r.load[width=16](0))
'''


def main():
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "simd16.ember")
        with open(path, "w") as f:
            f.write(SOURCE)
        env = dict(os.environ, EMBER_DUMP_LLVM="llvm-opt")
        out = subprocess.run([ember_path(), "run", path], capture_output=True, text=True, env=env, timeout=60)
    want = "[" + ", ".join(f"{i + 0.5}" for i in range(16)) + "]\n"
    ok = True
    if out.returncode != 0 or out.stdout != want:
        print(f"FAIL: output {out.stdout!r} (exit {out.returncode}), wanted {want!r}\n{out.stderr[-2000:]}")
        ok = False
    body = re.search(r'define [^\n]*@"vadd\$c1"\(.*?\n\}', out.stderr, re.S)
    if not body:
        print("FAIL: no LLVM IR for vadd in the dump")
        ok = False
    elif not re.search(r"= fadd (?:\w+ )*<16 x float>", body.group(0)):
        print("FAIL: vadd has no <16 x float> fadd:\n" + body.group(0))
        ok = False
    elif re.search(r"= fadd (?:\w+ )*float ", body.group(0)):
        print("FAIL: vadd adds scalars:\n" + body.group(0))
        ok = False
    print("ok" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
