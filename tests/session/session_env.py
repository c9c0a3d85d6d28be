"""Shared by the session tests (not a test itself: no test_ prefix): the
repository root and the ember binary under test -- `--ember PATH` (what
tests/run_tests.py passes), else $EMBER, else build/ember."""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def ember_path():
    args = sys.argv[1:]
    if "--ember" in args:
        return args[args.index("--ember") + 1]
    return os.environ.get("EMBER", os.path.join(ROOT, "build", "ember"))
