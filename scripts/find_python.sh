#!/usr/bin/env bash
# Prints the path of a Python 3.10 interpreter (Rasa 3.6 needs >=3.8,<3.11), or explains what to install.
set -euo pipefail

is_310() { "$1" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 10) else 1)' 2>/dev/null; }

if [ -n "${PYTHON310:-}" ] && is_310 "$PYTHON310"; then echo "$PYTHON310"; exit 0; fi

if command -v python3.10 >/dev/null 2>&1 && is_310 "$(command -v python3.10)"; then
  command -v python3.10; exit 0
fi

if command -v pyenv >/dev/null 2>&1; then
  # A 3.10 may be installed in pyenv without being the selected version.
  for v in $(pyenv versions --bare 2>/dev/null | grep -E '^3\.10(\.[0-9]+)?$' | sort -t. -k3 -n -r); do
    candidate="$(PYENV_VERSION="$v" pyenv which python3.10 2>/dev/null || true)"
    if [ -n "$candidate" ] && is_310 "$candidate"; then echo "$candidate"; exit 0; fi
  done
fi

cat >&2 <<'MSG'
No Python 3.10 found. Rasa Open Source 3.6 runs on Python 3.8-3.10 only.
Install one of:
  - pyenv:  pyenv install 3.10.13
  - Debian/Ubuntu: apt-get install python3.10 python3.10-venv (deadsnakes PPA on Ubuntu)
or point PYTHON310 at an existing interpreter: make PYTHON310=/path/to/python3.10 run
MSG
exit 1
