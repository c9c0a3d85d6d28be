"""replterm.py -- drive `ember` through a pseudo-terminal, for the REPL tests.

Not a test itself (the runner runs only test_*.py). A test makes a Term,
types lines with run() and reads back what the REPL showed, with libedit's
cursor-movement sequences and carriage returns taken out. On a failure,
check() records the message and the end of the screen log so the report
says what the terminal looked like.
"""

import os
import re
import sys
import time

import pexpect

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TIMEOUT = 20                         # seconds for any one thing to appear
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
SGR = re.compile(r"\x1b\[[0-9;]*m")  # the colour sequences only


def ember_path():
    args = sys.argv[1:]
    if "--ember" in args:
        return args[args.index("--ember") + 1]
    return os.environ.get("EMBER", os.path.join(ROOT, "build", "ember"))


def clean(text):
    """The screen text without escape sequences and carriage returns."""
    return ANSI.sub("", text).replace("\r", "")


class Term:
    """One `ember` REPL on a pseudo-terminal."""

    def __init__(self, history="", color=False, env=None):
        e = dict(os.environ, TERM="xterm", EMBER_HISTORY=history)
        e.pop("NO_COLOR", None)
        if not color:
            e["NO_COLOR"] = "1"
        e.update(env or {})
        for k in [k for k, v in e.items() if v is None]:
            del e[k]
        self.started = time.monotonic()
        self.p = pexpect.spawn(ember_path(), [], env=e, encoding="utf-8",
                               timeout=TIMEOUT, dimensions=(40, 120))
        self.log = []
        self.p.logfile_read = self   # pexpect calls write() with what it read
        self.count = 1               # the In [n] number expected next

    def write(self, text):
        self.log.append(text)

    def flush(self):
        pass

    def screen(self):
        return "".join(self.log)

    def prompt(self, n=None, timeout=-1):
        """Wait for In [n] (the next expected number by default); returns
        the cleaned text shown since the last thing waited for."""
        n = self.count if n is None else n
        c = r"(?:\x1b\[[0-9;]*m)*"  # the prompt may be coloured
        self.p.expect(r"In \[{c}{n}{c}\]:{c} ".format(c=c, n=n), timeout=timeout)
        self.count = n
        return clean(self.p.before)

    def more(self):
        """Wait for a continuation prompt."""
        self.p.expect(r"\.\.\.:(?:\x1b\[[0-9;]*m)* ")
        return clean(self.p.before)

    def type(self, text):
        """Type a line and press Enter."""
        self.p.send(text + "\r")

    def run(self, *lines, advance=True):
        """Type the lines of one cell (each after its prompt), then return
        what the cell showed before the next In [n] prompt."""
        for i, line in enumerate(lines):
            self.type(line)
            if i + 1 < len(lines):
                self.more()
        if advance:
            self.count += 1
        return self.prompt()

    def interrupt(self):
        """Ctrl-C until the next In [n] prompt shows (a first one may land
        while the cell still compiles, when there is nothing to stop); returns
        the cleaned text shown meanwhile."""
        mark = len(self.log)
        self.count += 1
        for _ in range(30):
            self.p.sendintr()
            try:
                self.prompt(timeout=1)
                break
            except pexpect.TIMEOUT:
                continue
        else:
            raise pexpect.TIMEOUT("Ctrl-C did not bring the prompt back")
        return clean("".join(self.log[mark:]))

    def quit(self):
        """Ctrl-D; returns the exit status."""
        self.p.sendeof()
        self.p.expect(pexpect.EOF)
        self.p.close()
        return self.p.exitstatus

    def kill(self):
        if self.p.isalive():
            self.p.terminate(force=True)


class Checks:
    """Collects failures; report() prints them and gives the exit status."""

    def __init__(self):
        self.failures = []

    def check(self, ok, message, term=None):
        if not ok:
            tail = clean(term.screen())[-1500:] if term else ""
            self.failures.append(message + ("\n--- screen (end) ---\n" + tail
                                            if tail else ""))
        return ok

    def report(self):
        for f in self.failures:
            print("FAIL: " + f)
        return 1 if self.failures else 0


def main(test):
    """Run test(checks); a pexpect timeout or EOF is a failure, not a crash."""
    checks = Checks()
    try:
        test(checks)
    except (pexpect.TIMEOUT, pexpect.EOF) as e:
        checks.failures.append("the REPL did not show what was expected: %s\n%s"
                               % (type(e).__name__, clean(str(e))[-2000:]))
    return checks.report()
