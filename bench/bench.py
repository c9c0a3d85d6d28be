#!/usr/bin/python3
"""Ember's benchmark table: one run, one markdown table, every row a ratio
against a reference measured in the same run (machines here are noisy; only
ratios carry over). Raw numbers go to bench/out/results.json.

How it reads: a *source* is one program run (the C anchors, py_anchors.py,
numba_compile.py, an `ember run --stats` of a bench cell file); it runs at
most once, on first use, and yields a dict of numbers or raises Unavailable
with the reason. ROWS at the bottom pairs an Ember value with a reference
value; adding a row is one Row(...) line. A source that fails never crashes
the table: its cells read "unavailable: why" and the run exits 0 (1 with
--strict).

usage: /usr/bin/python3 bench/bench.py [--no-python] [--strict] [--ember PATH]
"""
import argparse, atexit, json, os, re, shutil, subprocess, sys, tempfile, time
from collections import namedtuple
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
from gpu_present import has_gpu  # noqa: E402

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
ANCHORS = Path(os.environ.get("EMBER_ANCHORS", ROOT.parent / "shared" / "anchors"))
PY = "/usr/bin/python3"  # Debian's, with numpy and numba
PY_TIMEOUT_S = 120
# The same Mandelbrot gives two checksums: with a*b+c fused into an FMA (what
# clang/gcc -O3 -march=native make of the C anchors) and in strict IEEE
# arithmetic (CPython, numba). Either is a correct result.
CHECKSUMS = {40120406: "fma", 40139097: "ieee"}


class Unavailable(Exception):
    """A measurement that failed; --strict exits 1 on it."""
    fmt = "unavailable: {}"


class Skipped(Unavailable):
    """An optional reference that could not run (--no-python, no numba, timeout)."""
    fmt = "skipped: {}"


class NotYet(Unavailable):
    """An Ember row that waits for a later tier of the compiler."""
    fmt = "n/a ({})"


ARGS = None  # the parsed command line, set by main()
RAW = {}  # source name -> its numbers, or {"error": reason}; goes to results.json


def source(fn):
    """Makes fn a source: run once on first use, result or failure kept."""
    def get():
        if fn.__name__ not in RAW:
            print(f"bench: running {fn.__name__} ...", file=sys.stderr, flush=True)
            try:
                RAW[fn.__name__] = fn()
            except Unavailable as e:
                RAW[fn.__name__] = {"error": str(e), "kind": type(e).__name__, "exc": e}
        if "exc" in RAW[fn.__name__]:
            raise RAW[fn.__name__]["exc"]
        return RAW[fn.__name__]
    return get


def run(cmd, timeout, env=None, what=None):
    """Runs cmd; returns the CompletedProcess or raises Unavailable."""
    what = what or Path(cmd[-1]).name
    try:
        p = subprocess.run([str(c) for c in cmd], capture_output=True, text=True,
                           timeout=timeout, env=env)
    except FileNotFoundError:
        raise Unavailable(f"{cmd[0]} not found")
    except subprocess.TimeoutExpired:
        raise Unavailable(f"{what} took over {timeout} s")
    if p.returncode != 0:
        tail = (p.stderr.strip().splitlines() or ["no stderr"])[-1][:120]
        raise Unavailable(f"{what} exited {p.returncode}: {tail}")
    return p


def num(s):
    try:
        return int(s)
    except ValueError:
        try:
            return float(s)
        except ValueError:
            return s


def keyvals(text):
    """`key: value` lines (as the anchors print them) as a dict."""
    return {k: num(v) for k, v in re.findall(r"^(\w+): (\S+)", text, re.M)}


def check_checksum(vals, what):
    got = vals.get("checksum")
    if got not in CHECKSUMS:
        raise Unavailable(f"{what} checksum {got}, want one of {sorted(CHECKSUMS)}")
    vals["arith"] = CHECKSUMS[got]


# --- sources ---------------------------------------------------------------

C_COMPILERS = [["clang-19", "-O3", "-march=native", "-fopenmp"],
               ["gcc", "-O3", "-march=native", "-fopenmp"]]


def build_c(name):
    """Compiles anchors/NAME.c with the first compiler that works."""
    if not (ANCHORS / f"{name}.c").exists():
        raise Unavailable(f"no {name}.c in {ANCHORS} (set EMBER_ANCHORS)")
    OUT.mkdir(exist_ok=True)
    exe, errors = OUT / name, []
    for cc in C_COMPILERS:
        try:
            run(cc + [ANCHORS / f"{name}.c", "-o", exe], 120, what=f"{cc[0]} {name}.c")
            return exe, " ".join(cc)
        except Unavailable as e:
            errors.append(str(e))
    raise Unavailable("; ".join(errors))


def c_mandelbrot(name, what):
    """Builds and runs a C anchor that prints `(checksum N)` after its times."""
    exe, cc = build_c(name)
    p = run([exe], 300)
    vals = keyvals(p.stdout)
    m = re.search(r"checksum (\d+)", p.stdout)
    vals["checksum"] = m and int(m.group(1))
    check_checksum(vals, what)
    return dict(vals, compiler=cc)


@source
def c_anchors():
    return c_mandelbrot("c_anchors", "C")


def python_env():
    """OpenBLAS tuning variables are unset for the numpy rows only."""
    return {k: v for k, v in os.environ.items()
            if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}


def python_source(script, timeout, env=None, python=PY):
    if not ARGS.python:
        raise Skipped("--no-python")
    if not Path(script).exists():
        raise Skipped(f"no {script}")
    try:
        return keyvals(run([python, script], timeout, env).stdout)
    except Unavailable as e:
        raise Skipped(str(e))


@source
def c_simd_mandel():
    return c_mandelbrot("c_simd_mandel", "C SIMD")


@source
def py_anchors():
    return python_source(ANCHORS / "py_anchors.py", PY_TIMEOUT_S, python_env())


@source
def numba_compile():
    vals = python_source(HERE / "numba_compile.py", PY_TIMEOUT_S)
    check_checksum(vals, "numba")
    return vals


def ember(cells_file, timeout):
    """`ember run --stats FILE`: stdout's key: value lines plus, under
    "cells", one dict per `stats: cell=N compile_ms=X ...` line of stderr."""
    exe = Path(ARGS.ember)
    if not exe.exists():
        raise Unavailable(f"{os.path.relpath(exe)} not built")
    p = run([exe, "run", "--stats", HERE / cells_file], timeout)
    cells = [{k: num(v) for k, v in re.findall(r"(\w+)=(\S+)", line)}
             for line in p.stderr.splitlines() if line.startswith("stats:")]
    return dict(keyvals(p.stdout), cells=cells)


@source
def ember_mandelbrot():
    vals = ember("mandelbrot_scalar.ember", 600)
    check_checksum(vals, "Ember")
    return vals


@source
def ember_mandelbrot_simd():
    vals = ember("mandelbrot_simd.ember", 600)
    check_checksum(vals, "Ember SIMD")
    if "parallel_checksum_differs" in vals:
        raise Unavailable("the parallel Mandelbrot gave a different checksum")
    return vals


def ember_matmul(cells_file, what):
    """An Ember matmul program; it prints `matmul_wrong` when its product is off."""
    vals = ember(cells_file, 600)
    if any(k.startswith("matmul_wrong") for k in vals):
        raise Unavailable(f"{what} gave a wrong product")
    return vals


@source
def ember_matmul_naive():
    return ember_matmul("matmul_naive.ember", "Ember's naive matmul")


@source
def ember_matmul_notebook():
    return ember_matmul("matmul_notebook.ember", "the notebook's matmul")


@source
def ember_gpu():
    """bench/gpu.ember: the GPU Mandelbrot and 4096³ matmul kernels."""
    if not has_gpu():
        raise Skipped("no GPU")
    vals = ember("gpu.ember", 600)
    check_checksum(vals, "Ember GPU")
    if any(k.startswith("matmul_wrong") for k in vals):
        raise Unavailable("the GPU matmul gave a wrong product")
    return vals


@source
def torch_matmul():
    """PyTorch's cuBLAS float32 matmul, with the python3 on PATH that has torch
    ($TORCH_PYTHON to name another)."""
    if not has_gpu():
        raise Skipped("no GPU")
    py = os.environ.get("TORCH_PYTHON") or shutil.which("python3") or PY
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONHOME", "PYTHONPATH", "LD_LIBRARY_PATH")}
    try:  # the GPU row's reference: runs with --no-python too
        return keyvals(run([py, HERE / "torch_matmul.py"], 300, env).stdout)
    except Unavailable as e:
        raise Skipped(f"no PyTorch with CUDA ({e})")


@source
def ember_executable_mandelbrot():
    """mandelbrot_scalar.ember built by `ember build` and run as an executable."""
    exe = Path(ARGS.ember)
    if not exe.exists():
        raise Unavailable(f"{os.path.relpath(exe)} not built")
    out = Path(tempfile.mkdtemp(prefix="ember-bench-")) / "mandelbrot"
    atexit.register(shutil.rmtree, out.parent, True)
    run([exe, "build", HERE / "mandelbrot_scalar.ember", "-o", out], 300)
    vals = keyvals(run([out], 600).stdout)
    check_checksum(vals, "the Ember executable")
    return vals


@source
def ember_trivial():
    return ember("trivial.ember", 120)


# Memory: resident set of `ember run` over 1,000 small cells (a var, a fn and a
# call each) minus the same over 10 cells, against PERFORMANCE.md's budget.

def max_rss_kb(cmd):
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    if status:
        raise Unavailable(f"{cmd[0]} exited with status {status >> 8}")
    return usage.ru_maxrss


@source
def ember_memory():
    exe = Path(ARGS.ember)
    if not exe.exists():
        raise Unavailable(f"{os.path.relpath(exe)} not built")
    cell = "# %%\nvar x{0} = {0}\nfn f{0}(a: Int) -> Int:\n    return a + x{0}\nprint(f{0}(1))\n"
    rss = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in (10, 1000):
            path = Path(tmp) / f"cells{n}.ember"
            path.write_text("".join(cell.format(i) for i in range(n)))
            rss[n] = max_rss_kb([str(exe), "run", str(path)])
    return {"growth_mb": (rss[1000] - rss[10]) / 1024, "budget_mb": 50.0}


# The Jupyter kernel, as a front end sees it: anchors/kernel_latency.py times
# start_new_kernel (start to the first kernel_info_reply) and the round trip of
# `1+1` (execute_request sent to idle received) for Ember and for ipykernel,
# one after the other in this run. Ember's kernelspec goes into a temporary
# JUPYTER_PATH; ipykernel is Debian's `python3` kernelspec.

JUPYTER_TMP = None  # the temporary JUPYTER_PATH prefix, made on first use


def jupyter_env():
    global JUPYTER_TMP
    if JUPYTER_TMP is None:
        JUPYTER_TMP = Path(tempfile.mkdtemp(prefix="ember-bench-"))
        atexit.register(shutil.rmtree, JUPYTER_TMP, True)
    return dict(os.environ, JUPYTER_PATH=str(JUPYTER_TMP / "share" / "jupyter"),
                JUPYTER_RUNTIME_DIR=str(JUPYTER_TMP / "runtime"))


def kernel_latency(name):
    script = ANCHORS / "kernel_latency.py"
    if not script.exists():
        raise Unavailable(f"no kernel_latency.py in {ANCHORS}")
    p = run([PY, script, name], 300, jupyter_env(), what=f"kernel_latency.py {name}")
    return {k: num(v) for k, v in re.findall(r"(\w+)=(\S+)", p.stdout)}


@source
def ember_kernel():
    exe = Path(ARGS.ember)
    if not exe.exists():
        raise Unavailable(f"{os.path.relpath(exe)} not built")
    env = jupyter_env()
    run([exe, "kernelspec", "install", "--prefix", JUPYTER_TMP], 60, env, what="ember kernelspec install")
    return kernel_latency("ember")


@source
def ipykernel():
    return kernel_latency("python3")


# --- rows ------------------------------------------------------------------

def val(src, key, cell=None):
    """A value getter: src()[key], or src()["cells"][cell][key]."""
    def get():
        d = src()
        if cell is not None:
            if cell >= len(d["cells"]):
                raise Unavailable(f"no `stats:` line for cell {cell + 1} on stderr")
            d = d["cells"][cell]
        if key not in d:
            raise Unavailable(f"no {key} in {src.__name__} output")
        return d[key]
    return get


def not_yet(why):
    def get():
        raise NotYet(why)
    return get


# ratio: "time" = ember / ref (lower is better), "speedup" = ref / ember,
# "rate" = ember / ref for GFLOP/s (higher is better). target: (op, bound) or None.
Row = namedtuple("Row", "name unit ember ref_name ref ratio target")

ROWS = [
    Row("Mandelbrot 960², typed scalar: time ÷ C", "s",
        val(ember_mandelbrot, "mandelbrot_ember_scalar_s"),
        "C -O3 scalar", val(c_anchors, "mandelbrot_c_O3_s"), "time", ("<=", 1.1)),
    Row("Mandelbrot 960², SIMD 8×f64, 1 thread: time ÷ hand-vectorized C", "s",
        val(ember_mandelbrot_simd, "mandelbrot_ember_simd8_s"),
        "C vector extensions", val(c_simd_mandel, "mandelbrot_c_simd8_s"), "time", ("<=", 1.25)),
    Row("Mandelbrot 960², SIMD 8×f64, parallel: time ÷ hand-vectorized C + OpenMP", "s",
        val(ember_mandelbrot_simd, "mandelbrot_ember_simd8_parallel_s"),
        "C vector extensions + OpenMP", val(c_simd_mandel, "mandelbrot_c_simd8_omp_s"), "time", ("<=", 1.25)),
    Row("Mandelbrot 960², SIMD parallel: speedup over CPython", "s",
        val(ember_mandelbrot_simd, "mandelbrot_ember_simd8_parallel_s"),
        "CPython", val(py_anchors, "mandelbrot_python_s"), "speedup", None),
    Row("Mandelbrot 960², typed scalar: speedup over CPython", "s",
        val(ember_mandelbrot, "mandelbrot_ember_scalar_s"),
        "CPython", val(py_anchors, "mandelbrot_python_s"), "speedup", None),
    Row("ember build executable, Mandelbrot typed scalar: time ÷ the JIT's", "s",
        val(ember_executable_mandelbrot, "mandelbrot_ember_scalar_s"),
        "ember run (JIT)", val(ember_mandelbrot, "mandelbrot_ember_scalar_s"), "time", ("<=", 1.1)),
    Row("compile: trivial cell `1 + 1` ÷ numba", "ms",
        val(ember_trivial, "compile_ms", cell=0),
        "numba 1st call, trivial fn", val(numba_compile, "numba_trivial_compile_ms"),
        "time", None),
    Row("compile: Mandelbrot kernel cell ÷ numba", "ms",
        val(ember_mandelbrot, "compile_ms", cell=0),
        "numba 1st call, same kernel", val(numba_compile, "numba_mandelbrot_compile_ms"),
        "time", ("<=", 0.5)),
    Row("Jupyter: kernel start to first kernel_info_reply ÷ ipykernel", "s",
        val(ember_kernel, "startup_s"),
        "ipykernel", val(ipykernel, "startup_s"), "time", ("<=", 0.5)),
    Row("Jupyter: round trip of `1+1`, median ÷ ipykernel", "ms",
        val(ember_kernel, "exec_p50_ms"),
        "ipykernel", val(ipykernel, "exec_p50_ms"), "time", ("<=", 1.5)),
    Row("Jupyter: round trip of `1+1`, p90 ÷ ipykernel", "ms",
        val(ember_kernel, "exec_p90_ms"),
        "ipykernel", val(ipykernel, "exec_p90_ms"), "time", None),
    Row("memory: 1,000 small cells, resident growth ÷ budget", "MB",
        val(ember_memory, "growth_mb"),
        "PERFORMANCE.md budget", val(ember_memory, "budget_mb"), "time", ("<=", 1.0)),
    Row("matmul 512³ f32, naive loop: GFLOP/s ÷ C", "GFLOP/s",
        val(ember_matmul_naive, "matmul512_ember_naive_f32_gflops"),
        "C -O3 naive", val(c_anchors, "matmul512_c_O3_naive_f32_gflops"), "rate", (">=", 0.9)),
    Row("matmul 1024³ f32, naive loop: GFLOP/s ÷ C", "GFLOP/s",
        val(ember_matmul_naive, "matmul1024_ember_naive_f32_gflops"),
        "C -O3 naive", val(c_anchors, "matmul1024_c_O3_naive_f32_gflops"), "rate", (">=", 0.9)),
]


for _n in (512, 1024):
    ROWS.append(Row(f"matmul {_n}³ f32, naive loop: GFLOP/s ÷ numba (same loop)", "GFLOP/s",
                    val(ember_matmul_naive, f"matmul{_n}_ember_naive_f32_gflops"),
                    "numba", val(py_anchors, f"matmul{_n}_numba_f32_gflops"), "rate", None))
ROWS.append(Row("GPU matmul 4096³ f32, register-blocked kernel: TFLOP/s ÷ PyTorch (cuBLAS)", "TFLOP/s",
                val(ember_gpu, "matmul4096_ember_gpu_f32_tflops"),
                "torch.matmul f32", val(torch_matmul, "matmul4096_torch_f32_tflops"), "rate", (">=", 0.5)))
ROWS.append(Row("GPU Mandelbrot 960²: speedup over Ember's CPU SIMD parallel", "s",
                val(ember_gpu, "mandelbrot_gpu_s"),
                "Ember CPU SIMD parallel", val(ember_mandelbrot_simd, "mandelbrot_ember_simd8_parallel_s"),
                "speedup", None))
ROWS.append(Row("matmul 128³ f64, notebook's final version: speedup over CPython", "GFLOP/s",
                val(ember_matmul_notebook, "matmul128_ember_f64_gflops"),
                "pure Python", val(py_anchors, "matmul128_python_gflops"), "rate", None))
for _n in (512, 1024, 2048):
    for _t, _np in (("f32", "float32"), ("f64", "float64")):
        ROWS.append(Row(f"matmul {_n}³ {_t}, notebook's final version: GFLOP/s ÷ numpy", "GFLOP/s",
                        val(ember_matmul_notebook, f"matmul{_n}_ember_{_t}_gflops"),
                        "numpy/OpenBLAS", val(py_anchors, f"matmul{_n}_numpy_{_np}_gflops"), "rate",
                        (">=", 0.8) if _n >= 1024 else None))


# --- table -----------------------------------------------------------------

def measure(get):
    """(value, None) or (None, the Unavailable it raised)."""
    try:
        return get(), None
    except Unavailable as e:
        return None, e


def fmt(x):
    return f"{x:.3g}"


def evaluate(row):
    """Measures one row: its numbers, ratio, and the strings the table shows."""
    e, e_err = measure(row.ember)
    r, r_err = measure(row.ref)
    ratio = met = None
    if e is not None and r is not None and e > 0 and r > 0:
        ratio = r / e if row.ratio == "speedup" else e / r
        if row.target:
            op, bound = row.target
            met = ratio <= bound if op == "<=" else ratio >= bound
    target = "—"
    if row.target:
        target = f"{'≤' if row.target[0] == '<=' else '≥'} {row.target[1]}×"
        target += {True: " ✓", False: " ✗", None: ""}[met]
    return dict(name=row.name, unit=row.unit, ember=e, ref_name=row.ref_name, ref=r,
                ratio=ratio, target=row.target, met=met,
                failed=any(type(x) is Unavailable for x in (e_err, r_err)),
                shown=[row.name, e_err.fmt.format(e_err) if e_err else f"{fmt(e)} {row.unit}",
                       f"{row.ref_name}: {r_err.fmt.format(r_err)}" if r_err
                       else f"{fmt(r)} {row.unit} ({row.ref_name})",
                       "—" if ratio is None else f"{fmt(ratio)}×", target])


def markdown(results):
    lines = ["| benchmark | Ember | reference | ratio | target |",
             "| --- | --- | --- | --- | --- |"]
    return "\n".join(lines + ["| " + " | ".join(r["shown"]) + " |" for r in results])


def cpu_model():
    m = re.search(r"^model name\s*:\s*(.*)$", Path("/proc/cpuinfo").read_text(), re.M)
    return m.group(1).strip() if m else "unknown CPU"


def main():
    global ARGS
    ap = argparse.ArgumentParser(description="Ember benchmark table; see bench/README.md.")
    ap.add_argument("--with-python", dest="python", action="store_true", default=True,
                    help="run the CPython and numba references (the default)")
    ap.add_argument("--no-python", dest="python", action="store_false",
                    help="skip them (py_anchors.py alone takes about a minute)")
    ap.add_argument("--strict", action="store_true",
                    help="exit 1 if any measurement is unavailable (n/a and skipped rows excepted)")
    ap.add_argument("--ember", default=str(ROOT / "build" / "ember"), help="the ember binary")
    ARGS = ap.parse_args()

    results = [evaluate(row) for row in ROWS]
    cc = RAW.get("c_anchors", {}).get("compiler", "C anchors unavailable")
    header = (f"## Ember benchmarks, {time.strftime('%Y-%m-%d %H:%M')}\n\n"
              f"host: {cpu_model()}, {os.cpu_count()} cores · C: `{cc}` · "
              f"Python: `{PY}` · ratios are same-run\n")
    print(header)
    print(markdown(results))

    OUT.mkdir(exist_ok=True)
    raw = {k: {x: y for x, y in v.items() if x != "exc"} for k, v in RAW.items()}
    (OUT / "results.json").write_text(json.dumps(
        dict(date=time.strftime("%Y-%m-%dT%H:%M:%S"), host=cpu_model(), cores=os.cpu_count(),
             c_compiler=cc, anchors=str(ANCHORS), ember=ARGS.ember,
             rows=[{k: v for k, v in r.items() if k != "shown"} for r in results],
             sources=raw), indent=2, ensure_ascii=False) + "\n")
    return 1 if ARGS.strict and any(r["failed"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
