"""has_gpu(): whether this machine has an NVIDIA GPU and its driver, found
the way Ember's runtime finds them (dlopen of libcuda.so.1, cuInit,
cuDeviceGetCount). Shared by scripts/run_notebooks.py, bench/bench.py and
the GPU tests."""
import ctypes


def has_gpu():
    try:
        cuda = ctypes.CDLL("libcuda.so.1")
    except OSError:
        return False
    count = ctypes.c_int(0)
    return cuda.cuInit(0) == 0 and cuda.cuDeviceGetCount(ctypes.byref(count)) == 0 and count.value > 0
