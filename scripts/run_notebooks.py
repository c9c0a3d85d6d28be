#!/usr/bin/python3
"""Executes notebooks headless with nbclient and saves the executed copies.

usage: run_notebooks.py [--kernel NAME] [--out DIR] NOTEBOOK...

Each notebook runs in a fresh kernel (its own kernelspec unless --kernel
names one), in its own folder, with stdin off, as `jupyter nbconvert
--execute` would; the copy with outputs goes to DIR (default: beside it,
NAME.out.ipynb) and each cell's text output is printed. Exits 1 if a cell
fails. A notebook whose metadata says {"ember": {"needs": "gpu"}} is
skipped, with a message, on a machine without an NVIDIA GPU and driver.
"""
import argparse
import os
import sys
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from gpu_present import has_gpu


def text_of(output):
    if output.get("output_type") == "stream":
        return output.get("text", "")
    if output.get("output_type") == "error":
        return "\n".join(output.get("traceback", [])) + "\n"
    data = output.get("data", {})
    return data.get("text/plain", "") + "\n" if "text/plain" in data else ""


def show(nb):
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        print(f"In [{cell.execution_count}]: " + cell.source.replace("\n", "\n    ...: "))
        for out in cell.outputs:
            print(text_of(out), end="")
        print()


def run(path, kernel, out_dir):
    nb = nbformat.read(path, as_version=4)
    if nb.metadata.get("ember", {}).get("needs") == "gpu" and not has_gpu():
        print(f"{path}: skipped: it needs an NVIDIA GPU and its driver, and this machine has none\n")
        return True
    client = NotebookClient(nb, timeout=600, kernel_name=kernel or "",
                            resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}})
    t0 = time.time()
    try:
        client.execute()
    except CellExecutionError as e:
        print(f"{path}: a cell failed:\n{e}", file=sys.stderr)
        return False
    stem = os.path.splitext(os.path.basename(path))[0]
    dest = os.path.join(out_dir or os.path.dirname(path), f"{stem}.out.ipynb")
    os.makedirs(os.path.dirname(os.path.abspath(dest)), exist_ok=True)
    nbformat.write(nb, dest)
    show(nb)
    print(f"{path}: executed in {time.time() - t0:.2f} s -> {dest}\n")
    return True


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kernel", help="kernelspec name (default: each notebook's own)")
    ap.add_argument("--out", help="folder for the executed copies")
    ap.add_argument("notebooks", nargs="+")
    args = ap.parse_args()
    ok = [run(p, args.kernel, args.out) for p in args.notebooks]
    return 0 if all(ok) else 1


if __name__ == "__main__":
    sys.exit(main())
