#!/usr/bin/env bash
# Set up everything on a fresh machine (Python 3.11 + pip) and run the whole test suite.
# Installs: a virtual environment with kbsite and its test tools, and Debian's chromium and nodejs
# when missing (via apt-get, as root or with sudo). Extra arguments go to pytest.
# The suite runs on every core up to 4 (pytest-xdist, work stealing: one long test does not
# hold the rest back); KBSITE_TEST_WORKERS=0 runs it in one process.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${KBSITE_VENV:-.venv}
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet -e '.[test]'
# Debian packages: chromium for the browser tests, node to unit-test the search worker's JS.
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v node >/dev/null || missing+=(nodejs)
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  echo "Installing Debian packages for the tests: ${missing[*]} ..."
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
cores=$(nproc 2>/dev/null || echo 1); [ "$cores" -le 4 ] || cores=4
exec "$VENV/bin/python" -m pytest -n "${KBSITE_TEST_WORKERS:-$cores}" --dist worksteal "$@"
