"""`pip check`, except for the requirements that packages in requirements-nodeps.in declare but we never use.

Usage: ``python scripts/pip_check.py [requirements-nodeps.in]`` with the venv's Python. Any other broken or
missing requirement fails, exactly as plain `pip check` would.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

MISSING = re.compile(r"^(?P<package>\S+) \S+ requires (?P<requirement>\S+), which is not installed\.$")


def canonical(name: str) -> str:
    """A package name as PyPI compares them."""
    return re.sub(r"[-_.]+", "-", name).lower()


def weights_only(path: Path) -> set[str]:
    """The packages installed without their dependencies."""
    names = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            names.add(canonical(re.split(r"[=<>!~ ;\[]", line, maxsplit=1)[0]))
    return names


def main(argv: list[str]) -> int:
    """Runs pip check and reports what is broken beyond the allowed missing requirements."""
    default = Path(__file__).resolve().parents[1] / "requirements-nodeps.in"
    allowed = weights_only(Path(argv[0]) if argv else default)
    result = subprocess.run(
        [sys.executable, "-m", "pip", "check", "--disable-pip-version-check"], capture_output=True, text=True
    )
    broken = []
    for line in result.stdout.splitlines():
        match = MISSING.match(line.strip())
        if match and canonical(match["package"]) in allowed:
            continue
        if line.strip() and line.strip() != "No broken requirements found.":
            broken.append(line)
    for line in broken:
        print(line, file=sys.stderr)
    if broken:
        return 1
    print(f"pip check: no broken requirements (unused requirements of {', '.join(sorted(allowed))} allowed).")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
