#!/usr/bin/python3
"""Debian's jupyter_kernel_test (0.4.5) against the Ember kernel.

Every attribute the suite offers is set, except three that need language
features Ember does not have yet, each said below. One kernel serves the
whole class (the suite's design); setUpClass defines `square` first so
completion, inspection and the pager have a user function to find.

Run by tests/run_tests.py with `--ember PATH`; exits 0 when all pass.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kernel_env  # noqa: E402

kernel_env.setup()

import jupyter_kernel_test as jkt  # noqa: E402

DEFINITIONS = '''\
fn square(x: Int) -> Int:
    """The square of x."""
    return x * x
'''


class EmberKernelTests(jkt.KernelTests):
    kernel_name = kernel_env.KERNEL
    language_name = "ember"
    file_extension = ".ember"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        reply = cls.kc.execute_interactive(DEFINITIONS, timeout=30, output_hook=lambda m: None)
        assert reply["content"]["status"] == "ok", reply["content"]

    code_hello_world = 'print("hello, world")'
    code_stderr = 'from sys import stderr\nprint("oops", file=stderr)'

    code_display_data = [
        {"code": 'display("<b>bold</b>", "text/html")', "mime": "text/html"},
        {"code": "display(6 * 7)", "mime": "text/plain"},
    ]
    code_clear_output = "clear_output()"

    completion_samples = [
        {"text": "pri", "matches": {"print"}},
        {"text": "squ", "matches": {"square"}},
        {"text": "time.n", "matches": {"now"}},
        {"text": "import ti", "matches": {"time"}},
        # cursor_pos counts code points: the spec's own example, 4-byte characters
        {"text": "var \U00028b4e\U00028b4e\U00028b4e = 10\n\U00028b4e\U00028b4e",
         "matches": {"\U00028b4e\U00028b4e\U00028b4e"}},
    ]

    complete_code_samples = [
        "1",
        'print("hello, world")',
        "fn f(x: Int) -> Int:\n    return x * 2\n\n",
        "var x = 1\nx += 2",
    ]
    incomplete_code_samples = [
        'print("""hello',
        "fn f(x: Int) -> Int:",
        "fn f(x: Int) -> Int:\n    return x * 2",
        "(1 +",
        "for i in range(3):\n    if i:",
    ]
    invalid_code_samples = ["import = 7q", "1 +* 2", "print(1))"]

    code_page_something = "square?"
    code_generate_error = "print(1 // 0)"

    code_execute_result = [
        {"code": "1+2+3", "result": "6"},
        {"code": "square(7)", "result": "49"},
        {"code": "0.1 + 0.2", "result": "0.30000000000000004"},
        {"code": '"ab" * 2', "result": "'abab'"},
    ]
    code_history_pattern = "1?2*"
    supported_history_operations = ("tail", "range", "search")

    code_inspect_sample = "square"


if __name__ == "__main__":
    kernel_env.run_tests(EmberKernelTests)
