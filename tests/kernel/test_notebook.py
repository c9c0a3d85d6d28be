#!/usr/bin/python3
"""Notebooks executed headless by nbclient (what `jupyter nbconvert
--execute` and papermill do), with the checks papermill adds:
raise_on_iopub_timeout, so every cell's idle must arrive within 4 s of its
reply.

  notebooks/Intro.ipynb: the outputs of each cell, sequential execution
  counts, language_info copied into the notebook, a valid notebook after;
  a notebook of edge cases: an error cell tagged raises-exception, input()
  (nbclient allows no stdin: it must fail at once), 100,000 lines of
  output, a compile error;
  the same error without the tag stops the run with CellExecutionError.

Run by tests/run_tests.py with `--ember PATH`; exits 0 when all pass.
"""
import base64
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kernel_env  # noqa: E402

kernel_env.setup()

import nbformat  # noqa: E402
from nbclient import NotebookClient  # noqa: E402
from nbclient.exceptions import CellExecutionError  # noqa: E402
from nbformat.v4 import new_code_cell, new_notebook  # noqa: E402

INTRO = os.path.join(kernel_env.ROOT, "notebooks", "Intro.ipynb")


def execute(nb):
    client = NotebookClient(nb, kernel_name=kernel_env.KERNEL, timeout=60,
                            raise_on_iopub_timeout=True,
                            resources={"metadata": {"path": os.path.dirname(INTRO)}})
    client.execute()
    nbformat.validate(nb)
    return nb


def text(cell, output_type="stream"):
    return "".join(o["text"] for o in cell.outputs if o["output_type"] == output_type)


def result(cell):
    return [o["data"]["text/plain"] for o in cell.outputs if o["output_type"] == "execute_result"]


MATMUL = os.path.join(kernel_env.ROOT, "notebooks", "Matmul.ipynb")
MANDELBROT = os.path.join(kernel_env.ROOT, "notebooks", "Mandelbrot.ipynb")
PYTHON = os.path.join(kernel_env.ROOT, "notebooks", "Python.ipynb")


class Notebooks(unittest.TestCase):
    def test_python(self):
        """A %%python cell defines a function an Ember cell calls; a pandas
        DataFrame renders as HTML; an Ember loop's image is a PNG inline;
        Python-style code (a class, untyped defs whose variables change type,
        comprehensions, a lambda) runs as Python would."""
        nb = execute(nbformat.read(PYTHON, as_version=4))
        code = [c for c in nb.cells if c.cell_type == "code"]
        self.assertEqual(text(code[0]), "fib defined in Python\n")
        self.assertEqual(text(code[1]), "fib(30) from Ember: 832040\n")
        results = [o for o in code[2].outputs if o["output_type"] == "execute_result"]
        self.assertEqual(len(results), 1)
        self.assertIn("<table", results[0]["data"]["text/html"])
        self.assertIn("temp", results[0]["data"]["text/plain"])
        pngs = [o for o in code[3].outputs if o["output_type"] == "display_data" and "image/png" in o["data"]]
        self.assertEqual(len(pngs), 1)
        self.assertTrue(base64.b64decode(pngs[0]["data"]["image/png"]).startswith(b"\x89PNG"))
        self.assertEqual(text(code[3]), "plotted\n")
        self.assertEqual(text(code[4]), "{'rich': ['ada', 'cy'], 'count': 2, 'mean': 83.33333333333333}\n"
                                        "['ada', 'bob', 'cy']\n")

    def test_mandelbrot(self):
        """Scalar, vectorized and parallel versions all give the reference
        checksum; the image is drawn."""
        nb = execute(nbformat.read(MANDELBROT, as_version=4))
        code = [c for c in nb.cells if c.cell_type == "code"]
        lines = [line for c in code for line in text(c).splitlines()]
        runs = [line for line in lines if "checksum" in line]
        self.assertEqual([r.split(":")[0] for r in runs], ["scalar", "vectorized", "parallel"])
        for r in runs:
            self.assertIn("checksum 40120406", r)
        picture = text(code[-2]).splitlines()
        self.assertEqual(len(picture), 25)  # 24 rows, then print's newline
        self.assertIn("@", "".join(picture))
        # matplotlib's figure, drawn from a numpy view of Ember's buffer, inline
        pngs = [o for o in code[-1].outputs if o["output_type"] == "display_data" and "image/png" in o["data"]]
        self.assertEqual(len(pngs), 1)
        self.assertTrue(base64.b64decode(pngs[0]["data"]["image/png"]).startswith(b"\x89PNG"))
        self.assertIn("mean iterations: 43.5", text(code[-1]))
        self.assertFalse([o for c in code for o in c.outputs if o["output_type"] == "error"])

    def test_matmul(self):
        """Every step of the matmul progression runs and its product equals
        the naive loop's (bench() compares them element by element)."""
        nb = execute(nbformat.read(MATMUL, as_version=4))
        code = [c for c in nb.cells if c.cell_type == "code"]
        lines = [line for c in code for line in text(c).splitlines()]
        self.assertTrue(any(line.startswith("pure Python: ") for line in lines), lines)
        steps = [line for line in lines if "GFLOP/s" in line and not line.startswith("pure Python")]
        self.assertEqual([s.split(":")[0] for s in steps],
                         ["naive", "vectorized by hand", "vectorize", "parallelize", "tiled", "unrolled",
                          "register-blocked"])
        for s in steps:
            self.assertTrue(s.endswith("GFLOP/s (matches naive)"), s)
            self.assertGreater(float(s.split(": ")[1].split(" ")[0]), 0.0, s)
        self.assertIn("speedup over the naive loop:", lines)
        self.assertIn("speedup over pure Python:", lines)
        self.assertIn("equal to numpy's product: True", lines)
        self.assertFalse([o for c in code for o in c.outputs if o["output_type"] == "error"])

    def test_intro(self):
        nb = execute(nbformat.read(INTRO, as_version=4))
        code = [c for c in nb.cells if c.cell_type == "code"]
        self.assertEqual([c.execution_count for c in code], list(range(1, len(code) + 1)))
        self.assertEqual(nb.metadata.language_info.name, "ember")
        self.assertEqual(code[0].outputs, [])
        self.assertEqual(text(code[1]).splitlines(), [
            "fib(10) = 55", "fib(20) = 6765", "fib(30) = 832040", "fib(40) = 102334155",
            "fib(50) = 12586269025"])
        self.assertEqual(result(code[2]), ["2880067194370816120"])
        self.assertEqual(result(code[3]), ["299999995"])
        self.assertIn("Wall time:", text(code[3]))

    def edge_cases(self, tagged):
        tags = {"tags": ["raises-exception"]} if tagged else {}
        return new_notebook(cells=[
            new_code_cell('print("before")'),
            new_code_cell("var zero = 0\nprint(1 // zero)", metadata=tags),
            new_code_cell('var s = input("name? ")', metadata={"tags": ["raises-exception"]}),
            new_code_cell('for i in range(100_000):\n    print("line", i)'),
            new_code_cell("var bad = no_such_name", metadata={"tags": ["raises-exception"]}),
            new_code_cell("6 * 7"),
        ], metadata={"kernelspec": {"name": "ember", "display_name": "Ember", "language": "ember"}})

    def test_edge_cases(self):
        t0 = time.time()
        nb = execute(self.edge_cases(tagged=True))
        cells = nb.cells
        self.assertEqual(text(cells[0]), "before\n")
        errors = [[o["ename"] for o in c.outputs if o["output_type"] == "error"] for c in cells]
        self.assertEqual(errors[1], ["ZeroDivisionError"])
        self.assertEqual(errors[2], ["StdinNotImplementedError"])
        self.assertEqual(errors[4], ["CompileError"])
        lines = text(cells[3]).splitlines()
        self.assertEqual(len(lines), 100_000)
        self.assertEqual((lines[0], lines[-1]), ("line 0", "line 99999"))
        self.assertEqual(result(cells[5]), ["42"])
        self.assertLess(time.time() - t0, 30)

    def test_untagged_error_stops_the_run(self):
        with self.assertRaises(CellExecutionError) as cm:
            execute(self.edge_cases(tagged=False))
        self.assertIn("ZeroDivisionError", str(cm.exception))


if __name__ == "__main__":
    kernel_env.run_tests(Notebooks)
