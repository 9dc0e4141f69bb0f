#!/usr/bin/env bash
# Makes .venv, the Quick start's virtual environment, unless a working one is there (so both Quick start
# commands may run in either order, in a fresh shell or one after the other). A venv, because Debian's
# and Ubuntu's own Python refuses `pip install` outside one (externally-managed-environment).
# Uses `python3` from PATH (3.11 or newer; set PYTHON=/path/to/python to choose another). Debian and
# Ubuntu ship `python3 -m venv` apart, in python3-venv: installed with apt-get when missing
# (needs root or sudo). Then activate it in your shell: `. .venv/bin/activate`.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ -x .venv/bin/python ] && .venv/bin/python -m pip --version >/dev/null 2>&1; then
  exit 0
fi
if ! command -v "$PYTHON" >/dev/null 2>&1; then
  echo "venv: $PYTHON not found; install Python 3.11 or newer (Debian: apt-get install python3 python3-venv)" >&2
  exit 1
fi
"$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else
  "venv: quizgen needs Python 3.11 or newer; " + sys.executable + " is " + sys.version.split()[0])'
rm -rf .venv  # a venv left half-made (no pip) by an earlier failed try
if ! "$PYTHON" -m venv .venv 2>/dev/null; then
  rm -rf .venv
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "venv: '$PYTHON -m venv' failed; install your system's venv support for Python, then run this again" >&2
    exit 1
  fi
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "venv: '$PYTHON -m venv' needs python3-venv; installing it with apt-get"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends python3-venv
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
echo "venv: made .venv ($(.venv/bin/python --version))"
