#!/usr/bin/python3
"""Ember's test runner: one program, three kinds of test.

  unit     build/test_*            a C program from tests/unit/*.c; passes on exit 0
  lang     tests/lang/**/*.ember   run through `ember run FILE`; expectations are
                                   comments in the file (see tests/README.md)
  script   tests/{session,kernel,repl}/test_*.py
                                   a self-checking Python script; passes on exit 0

Usage: run_tests.py [-k SUBSTR] [-v] [--ember PATH] [-j N]

Prints one line per failure (with a truncated diff, the whole diff with -v)
and ends with `N passed, M failed` (and `, K skipped` when a test says
`# skip: WHY`).  Exits 1 if anything failed.  Standard library only.
"""

import argparse
import concurrent.futures
import difflib
import os
import re
import shlex
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LANG_TIMEOUT = 30      # seconds per .ember file (the mandelbrot test is the slowest)
SESSION_TIMEOUT = 180  # a script runs several ember processes or a kernel
# Folders of self-checking scripts; only files named test_*.py run, so a
# folder can hold helpers too.
SCRIPT_FOLDERS = ("session", "kernel", "repl", "gpu")
SKIP_STATUS = 77       # a script that cannot run here (no GPU) exits 77, saying why last
UNIT_TIMEOUT = 60
SHORT_DIFF = 12        # lines of diff shown per failure without -v

# The expectation comments.  Order matters only in that each regex is
# specific enough not to match the others ("expect error line:" is not
# "expect error:", and "expect:" needs the colon right after "expect").
EXPECT_RE = re.compile(r"#\s*expect: ?(.*)$")
EXPECT_ERROR_RE = re.compile(r"#\s*expect error: ?(.*)$")
EXPECT_ERROR_LINE_RE = re.compile(r"#\s*expect error line: *(\d+)\s*$")
EXPECT_RUNTIME_RE = re.compile(r"#\s*expect runtime error: ?(.*)$")
SKIP_RE = re.compile(r"^#\s*skip: ?(.*)$")
RUN_RE = re.compile(r"^#\s*run: ?(.*)$")


class Result:
    """The outcome of one test: status is 'pass', 'fail' or 'skip'."""

    def __init__(self, name, status, reason="", detail=""):
        self.name = name
        self.status = status
        self.reason = reason
        self.detail = detail  # a diff or an excerpt of stderr; may be long


# ---------------------------------------------------------------- lang tests

class Spec:
    """What a .ember file expects, read from its comments."""

    def __init__(self, path):
        self.args = []
        self.stdout = []          # expected stdout lines, in file order
        self.errors = []          # compile-error substrings of stderr
        self.error_lines = []     # file line numbers the diagnostics must name
        self.runtime_errors = []  # runtime-error substrings of stderr
        self.skip = None
        with open(path, encoding="utf-8") as f:
            lines = f.read().split("\n")
        if lines and RUN_RE.match(lines[0]):
            self.args = shlex.split(RUN_RE.match(lines[0]).group(1))
        for line in lines:
            self._scan(line)

    def _scan(self, line):
        m = SKIP_RE.match(line)
        if m:
            self.skip = m.group(1).strip() or "skipped"
        m = EXPECT_RE.search(line)
        if m:
            self.stdout.append(m.group(1).rstrip())
        m = EXPECT_ERROR_RE.search(line)
        if m:
            self.errors.append(m.group(1).rstrip())
        m = EXPECT_ERROR_LINE_RE.search(line)
        if m:
            self.error_lines.append(int(m.group(1)))
        m = EXPECT_RUNTIME_RE.search(line)
        if m:
            self.runtime_errors.append(m.group(1).rstrip())

    def status(self):
        """The exit status the program must end with."""
        if self.errors or self.error_lines:
            return 1
        if self.runtime_errors:
            return 2
        return 0


def diff(expected, actual):
    return "\n".join(difflib.unified_diff(
        expected, actual, "expected", "actual", lineterm="", n=2))


def run_lang(path, ember):
    name = os.path.relpath(path, ROOT)
    spec = Spec(path)
    if spec.skip:
        return Result(name, "skip", spec.skip)
    cmd = [ember, "run"] + spec.args + [path]
    try:
        p = subprocess.run(cmd, cwd=ROOT, capture_output=True,
                           timeout=LANG_TIMEOUT)
    except subprocess.TimeoutExpired:
        return Result(name, "fail", "timed out after %d s" % LANG_TIMEOUT)
    except OSError as e:
        return Result(name, "fail", "cannot run %s: %s" % (ember, e.strerror))
    out = p.stdout.decode("utf-8", "replace")
    err = p.stderr.decode("utf-8", "replace")
    return check_lang(name, spec, p.returncode, out, err)


def check_lang(name, spec, rc, out, err):
    actual = [line.rstrip() for line in out.split("\n")]
    if actual and actual[-1] == "" and out.endswith("\n"):
        actual.pop()
    if actual == [""] and not out:
        actual = []
    detail = []  # what a failure shows: the stdout diff, then stderr
    if actual != spec.stdout:
        detail.append(diff(spec.stdout, actual))
    if err.strip():
        detail.append("stderr:\n" + "\n".join(err.splitlines()[:200]))
    detail = "\n".join(detail)
    if rc < 0:
        return Result(name, "fail", "killed by signal %d" % -rc, detail)
    want = spec.status()
    if rc != want:
        what = {0: "success", 1: "a compile error", 2: "a runtime error"}[want]
        return Result(name, "fail", "exit status %d, expected %d (%s)"
                      % (rc, want, what), detail)
    for text in spec.errors + spec.runtime_errors:
        if text not in err:
            return Result(name, "fail", "stderr lacks %r" % text, detail)
    for n in spec.error_lines:
        # FILE:LINE:COL: -- the line must be followed by a column.
        if not re.search(r":%d:\d+:" % n, err):
            return Result(name, "fail", "no diagnostic at line %d" % n, detail)
    if actual != spec.stdout:
        return Result(name, "fail", "stdout differs", detail)
    return Result(name, "pass")


# ------------------------------------------------------ unit and session tests

def run_program(name, cmd, timeout, env=None):
    try:
        p = subprocess.run(cmd, cwd=ROOT, capture_output=True,
                           timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return Result(name, "fail", "timed out after %d s" % timeout)
    except OSError as e:
        return Result(name, "fail", "cannot run: %s" % e.strerror)
    if p.returncode == 0:
        return Result(name, "pass")
    text = (p.stdout + p.stderr).decode("utf-8", "replace")
    if p.returncode == SKIP_STATUS:
        lines = p.stdout.decode("utf-8", "replace").strip().splitlines()
        return Result(name, "skip", lines[-1] if lines else "skipped")
    reason = ("killed by signal %d" % -p.returncode if p.returncode < 0
              else "exit status %d" % p.returncode)
    return Result(name, "fail", reason, text)


def unit_tests(build):
    """Every build/test_* executable, plus the missing ones that
    tests/unit/*.c says should have been built."""
    names = set()
    unit_dir = os.path.join(ROOT, "tests", "unit")
    if os.path.isdir(unit_dir):
        names |= {f[:-2] for f in os.listdir(unit_dir) if f.endswith(".c")}
    if os.path.isdir(build):
        names |= {f for f in os.listdir(build) if f.startswith("test_")
                  and os.path.isfile(os.path.join(build, f))
                  and os.access(os.path.join(build, f), os.X_OK)}
    return sorted(os.path.join(build, n) for n in names)


def run_unit(path):
    name = os.path.relpath(path, ROOT)
    if not os.path.exists(path):
        return Result(name, "fail", "not built")
    return run_program(name, [path], UNIT_TIMEOUT)


def run_session(path, ember):
    env = dict(os.environ, EMBER=ember)
    return run_program(os.path.relpath(path, ROOT),
                       [sys.executable, path, "--ember", ember],
                       SESSION_TIMEOUT, env)


def find(dirpath, suffix):
    found = []
    for base, dirs, files in os.walk(dirpath):
        dirs.sort()
        found += [os.path.join(base, f) for f in sorted(files)
                  if f.endswith(suffix)]
    return found


# ---------------------------------------------------------------------- main

def report(result, verbose):
    print("FAIL %s: %s" % (result.name, result.reason))
    if not result.detail:
        return
    lines = result.detail.splitlines()
    # a unittest script says what failed after its list of tests: show that
    firsts = [i for i, l in enumerate(lines) if l.startswith(("FAIL:", "ERROR:"))]
    if not verbose and firsts:
        lines = lines[firsts[0]:firsts[0] + 3 * SHORT_DIFF]
    elif not verbose and len(lines) > SHORT_DIFF:
        lines = lines[:SHORT_DIFF] + ["... (%d more lines; -v shows all)"
                                      % (len(lines) - SHORT_DIFF)]
    for line in lines:
        print("    " + line)


def main():
    ap = argparse.ArgumentParser(description="Run Ember's tests.")
    ap.add_argument("-k", metavar="SUBSTR", default="",
                    help="run only tests whose path contains SUBSTR")
    ap.add_argument("-v", action="store_true",
                    help="show the whole diff of every failure")
    ap.add_argument("--ember", default=os.path.join(ROOT, "build", "ember"),
                    help="the ember binary (default build/ember)")
    ap.add_argument("-j", type=int, default=min(4, max(2, os.cpu_count() or 2)),
                    help="parallel jobs (default 2-4, by CPU count)")
    args = ap.parse_args()
    ember = os.path.abspath(args.ember)
    build = os.path.dirname(ember)

    jobs = []  # (callable, argument...) in report order
    for path in unit_tests(build):
        jobs.append((run_unit, path))
    for path in find(os.path.join(ROOT, "tests", "lang"), ".ember"):
        jobs.append((run_lang, path, ember))
    for folder in SCRIPT_FOLDERS:
        for path in find(os.path.join(ROOT, "tests", folder), ".py"):
            if os.path.basename(path).startswith("test_"):
                jobs.append((run_session, path, ember))
    jobs = [j for j in jobs if args.k in os.path.relpath(j[1], ROOT)]

    with concurrent.futures.ThreadPoolExecutor(max(1, args.j)) as pool:
        futures = [pool.submit(j[0], *j[1:]) for j in jobs]
        results = [f.result() for f in futures]

    counts = {"pass": 0, "fail": 0, "skip": 0}
    for r in results:
        counts[r.status] += 1
        if r.status == "fail":
            report(r, args.v)
    summary = "%d passed, %d failed" % (counts["pass"], counts["fail"])
    if counts["skip"]:
        summary += ", %d skipped" % counts["skip"]
    print(summary)
    return 1 if counts["fail"] else 0


if __name__ == "__main__":
    sys.exit(main())
