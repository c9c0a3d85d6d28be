"""Shared by the GPU tests (not a test itself: no test_ prefix).

has_gpu() says whether this machine has the CUDA driver and a GPU, the
same way Ember's runtime finds them (dlopen of libcuda.so.1, cuInit,
cuDeviceGetCount); notebook_program() turns notebooks/GPU.ipynb into one
Ember file whose cells are split by `# %%` lines. A script that cannot run
here exits with SKIP (77) after printing why.
"""
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NOTEBOOK = os.path.join(ROOT, "notebooks", "GPU.ipynb")
SKIP = 77
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from gpu_present import has_gpu  # noqa: E402,F401


def ember_path():
    if "--ember" in sys.argv:
        return os.path.abspath(sys.argv[sys.argv.index("--ember") + 1])
    return os.path.abspath(os.environ.get("EMBER") or os.path.join(ROOT, "build", "ember"))


def skip(why):
    print(why)
    sys.exit(SKIP)


def notebook_program():
    cells = json.load(open(NOTEBOOK))["cells"]
    code = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    return "".join("# %%\n" + c + "\n" for c in code)
