#!/usr/bin/env bash
# Set up everything on a fresh machine (Python 3.11 + pip) and serve this repo's notes with
# live reload at http://127.0.0.1:8000/. Extra arguments go to `mkdocs serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${KBSITE_VENV:-.venv}
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet -e .
exec "$VENV/bin/mkdocs" serve "$@"
