"""numba's first-call compile time for the functions Ember's bench cells define.

Run with /usr/bin/python3 (Debian's numba). Compile time = first call minus
second call: numba compiles on the first call, the second only runs. The
kernels mirror trivial.ember and mandelbrot_scalar.ember (no fastmath, as Ember
compiles them). A throwaway function is compiled first, so that numba's one-time
set-up (LLVM, its type system: ~0.25 s) is reported apart as
numba_warmup_compile_ms and the rows compare compiling with compiling.
Prints `key: value` lines for bench.py.
"""
import time

import numba


@numba.njit
def warmup(x):
    return x - 1


@numba.njit
def trivial():
    return 1 + 1


@numba.njit
def mandel_point(cr, ci):
    zr = 0.0
    zi = 0.0
    i = 0
    while i < 200:
        zr2 = zr * zr
        zi2 = zi * zi
        if zr2 + zi2 > 4.0:
            break
        zi = 2.0 * zr * zi + ci
        zr = zr2 - zi2 + cr
        i += 1
    return i


@numba.njit
def mandelbrot():
    x0, x1, y0, y1 = -2.0, 0.6, -1.5, 1.5
    dx = (x1 - x0) / 960.0
    dy = (y1 - y0) / 960.0
    total = 0
    for r in range(960):
        ci = y0 + r * dy
        for c in range(960):
            total += mandel_point(x0 + c * dx, ci)
    return total


def first_minus_second(f):
    """Returns (result, compile seconds, run seconds)."""
    s = time.perf_counter(); result = f(); first = time.perf_counter() - s
    s = time.perf_counter(); f(); second = time.perf_counter() - s
    return result, first - second, second


_, warmup_s, _ = first_minus_second(lambda: warmup(1))
_, trivial_s, _ = first_minus_second(trivial)
checksum, mandel_s, run_s = first_minus_second(mandelbrot)
print(f"numba_version: {numba.__version__}")
print(f"numba_warmup_compile_ms: {warmup_s * 1e3:.4g}")
print(f"numba_trivial_compile_ms: {trivial_s * 1e3:.4g}")
print(f"numba_mandelbrot_compile_ms: {mandel_s * 1e3:.4g}")
print(f"mandelbrot_numba_scalar_s: {run_s:.4g}")
print(f"checksum: {checksum}")
