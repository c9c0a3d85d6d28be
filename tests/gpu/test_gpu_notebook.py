#!/usr/bin/python3
"""notebooks/GPU.ipynb under nbclient, on a machine with an NVIDIA GPU.

Every cell runs without error; the vector addition has no differing
element, the Mandelbrot checksum is the CPU's (40120406), both matmul
kernels match the CPU's product, and the 4096² product gives the expected
value. Skipped without a GPU (tests/gpu/test_ptx.py covers the kernels'
compilation there). Exits 0 when every check passes.
"""
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, "..", "kernel")]
from gpu_env import NOTEBOOK, has_gpu, skip  # noqa: E402

if not has_gpu():
    skip("skipped: no GPU here")

try:
    import nbformat
    from nbclient import NotebookClient
except ImportError as e:
    skip("skipped: no nbclient here (%s)" % e)
import kernel_env  # noqa: E402

kernel_env.setup()
nb = nbformat.read(NOTEBOOK, as_version=4)
NotebookClient(nb, kernel_name=kernel_env.KERNEL, timeout=300).execute()
text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
print(text)
failures = []
if "0 differ" not in text:
    failures.append("vector add: elements differ")
sums = re.findall(r"checksum (\d+)", text)
if sums != ["40120406", "40120406"]:
    failures.append("Mandelbrot checksums: %r" % sums)
for err in re.findall(r"max error vs CPU ([0-9.e-]+)", text):
    if float(err) > 1e-3:
        failures.append("matmul error %s" % err)
if "c[0] = 512.0 (expected 512.0 )" not in text:
    failures.append("4096 product")
for f in failures:
    print("FAIL:", f)
sys.exit(1 if failures else 0)
