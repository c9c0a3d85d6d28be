#!/usr/bin/python3
"""The GPU notebook's kernels compile to PTX that NVIDIA's assembler takes.

`ember build FILE --emit ptx --gpu-arch sm_XY` on the code of
notebooks/GPU.ipynb (vector add, Mandelbrot, tiled and register-blocked
matmul) for sm_90 and sm_80: the PTX names its target, has the four kernel
entries, and `ptxas -arch=sm_XY` assembles it; kernels with compile-time
parameters (scale[3], fill[DType.float32], and fill with its parameter
inferred from the buffer, the same instance) give one entry per instance.
Without a GPU: the build needs none. Skipped when
/usr/local/cuda/bin/ptxas is not installed.
Exits 0 when every check passes.
"""
import os
import subprocess
import sys
import tempfile

from gpu_env import ember_path, notebook_program, skip

PTXAS = os.environ.get("PTXAS", "/usr/local/cuda/bin/ptxas")
KERNELS = ("vector_add", "mandelbrot_gpu", "matmul_tiled", "matmul_blocked")

if not os.access(PTXAS, os.X_OK):
    skip("skipped: no ptxas at %s to check the PTX with" % PTXAS)

failures = []
with tempfile.TemporaryDirectory() as tmp:
    program = os.path.join(tmp, "gpu.ember")
    open(program, "w").write(notebook_program())
    for arch in ("sm_90", "sm_80"):
        ptx = os.path.join(tmp, arch + ".ptx")
        p = subprocess.run([ember_path(), "build", program, "--emit", "ptx", "--gpu-arch", arch, "-o", ptx],
                           capture_output=True, text=True, timeout=120)
        if p.returncode != 0:
            failures.append("%s: ember build failed (%d): %s" % (arch, p.returncode, p.stderr))
            continue
        text = open(ptx).read()
        if ".target %s" % arch not in text:
            failures.append("%s: the PTX does not say .target %s" % (arch, arch))
        for k in KERNELS:
            if not any(line.startswith(".visible .entry") and k in line for line in text.splitlines()):
                failures.append("%s: no kernel entry for %s" % (arch, k))
        a = subprocess.run([PTXAS, "-arch=" + arch, ptx, "-o", os.path.join(tmp, arch + ".cubin")],
                           capture_output=True, text=True, timeout=120)
        if a.returncode != 0:
            failures.append("%s: ptxas rejected the PTX: %s" % (arch, a.stderr))
        else:
            print("ok: ptxas -arch=%s assembled %d kernels" % (arch, len(KERNELS)))

GENERIC = '''from gpu import thread_idx, block_idx, block_dim
from gpu.host import DeviceContext
from memory import UnsafePointer

fn scale[factor: Int](p: UnsafePointer[Float32], n: Int):
    var i = block_idx.x * block_dim.x + thread_idx.x
    if i < n:
        p[i] = p[i] * factor

fn fill[dtype: DType](p: UnsafePointer[Scalar[dtype]], n: Int):
    var i = block_idx.x * block_dim.x + thread_idx.x
    if i < n:
        p[i] = i

var ctx = DeviceContext()
var a = ctx.enqueue_create_buffer[DType.float32](8)
ctx.enqueue_function[fill[DType.float32]](a, 8, grid_dim=1, block_dim=8)
ctx.enqueue_function[scale[3]](a, 8, grid_dim=1, block_dim=8)
ctx.enqueue_function[fill](a, 8, grid_dim=1, block_dim=8)
'''
with tempfile.TemporaryDirectory() as tmp:
    program, ptx = os.path.join(tmp, "generic.ember"), os.path.join(tmp, "generic.ptx")
    open(program, "w").write(GENERIC)
    p = subprocess.run([ember_path(), "build", program, "--emit", "ptx", "--gpu-arch", "sm_90", "-o", ptx],
                       capture_output=True, text=True, timeout=120)
    entries = [l for l in open(ptx).read().splitlines() if l.startswith(".visible .entry")] if p.returncode == 0 else []
    if len(entries) != 2:
        failures.append("kernels with parameters: want 2 entries, got %r (%s)" % (entries, p.stderr[-300:]))
    elif subprocess.run([PTXAS, "-arch=sm_90", ptx, "-o", os.path.join(tmp, "g.cubin")]).returncode != 0:
        failures.append("ptxas rejected the PTX of the kernels with parameters")
    else:
        print("ok: kernels with parameters: one entry per instance, assembled")

for f in failures:
    print("FAIL:", f)
sys.exit(1 if failures else 0)
