#!/usr/bin/env bash
# Set up everything on a fresh machine (Python 3.11 + pip) and run the whole test suite.
# Installs: a virtual environment with kbsite and its test tools, and Debian's chromium for the
# browser tests (via apt-get, as root or with sudo). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${KBSITE_VENV:-.venv}
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet -e '.[test]'
if [ ! -x /usr/bin/chromium ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  echo "Installing Debian's chromium for the browser tests ..."
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
exec "$VENV/bin/python" -m pytest "$@"
