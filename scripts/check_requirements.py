"""Refuse requirement lines that install only on one machine.

A lock line such as ``Flask @ file:///tmp/dl/flask-3.1.3-py3-none-any.whl`` (what ``pip freeze`` writes for a
package installed from a local wheel) installs only where that file exists, so a new machine's ``make test``
fails in its first minute while the machine that made the lock stays green. This check runs in the test suite
and at the end of ``make lock``; it needs only the standard library.

Usage: ``python scripts/check_requirements.py FILE...``. A file named ``*.lock`` must pin every package
exactly (``Name==version``, ``--hash=`` options allowed); other requirement files may use ranges, but every
line still names a registry package.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

NAME = r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?"
EXTRAS = r"(?:\[[A-Za-z0-9._,\s-]+\])?"
VERSION = r"[A-Za-z0-9.+!*-]+"
HASHES = r"(?:\s+--hash=sha(?:256|384|512):[0-9a-f]+)*"
MARKER = r"(?:\s*;\s*[^@#]+)?"
PINNED = re.compile(rf"^{NAME}{EXTRAS}=={VERSION}{MARKER}{HASHES}$")
SPEC = r"(?:===|==|~=|!=|<=|>=|<|>)\s*" + VERSION
RANGED = re.compile(rf"^{NAME}{EXTRAS}\s*(?:{SPEC}(?:\s*,\s*{SPEC})*)?{MARKER}{HASHES}$")

# Why a line is refused, checked in this order; the first that matches is reported.
REASONS = (
    (re.compile(r"^(-e|--editable)\b"), "an editable install"),
    (re.compile(r"^(-r|-c|--requirement|--constraint|-f|--find-links|-i|--index-url|--extra-index-url)\b"),
     "an option that points pip elsewhere"),
    (re.compile(r"\b(git|hg|svn|bzr)\+"), "a VCS reference"),
    (re.compile(r"file:"), "a file: URL"),
    (re.compile(r"https?://"), "an http(s) URL"),
    (re.compile(r"@"), "a direct reference (Name @ ...)"),
    (re.compile(r"^(\.{0,2}/|~|[A-Za-z]:\\)|\.(whl|tar\.gz|zip)\b"), "a local path"),
)


def problems(path: Path) -> list[str]:
    """Every refused line of one requirements file, as ``file:line: reason: text``."""
    exact = path.suffix == ".lock"
    found = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        reason = next((why for pattern, why in REASONS if pattern.search(line)), None)
        if reason is None and not (PINNED if exact else RANGED).match(line):
            reason = "not an exact Name==version pin" if exact else "not a registry requirement"
        if reason:
            found.append(f"{path}:{number}: {reason}: {line}")
    return found


def main(argv: list[str]) -> int:
    """Print every refused line of the named files; exit 1 when there is one."""
    if not argv:
        print("usage: check_requirements.py FILE...", file=sys.stderr)
        return 2
    found = [problem for name in argv for problem in problems(Path(name))]
    for problem in found:
        print(problem, file=sys.stderr)
    if found:
        hint = "Pin each package by name (Name==version): a path or URL installs only where it exists."
        print(hint, file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
