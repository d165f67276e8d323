#!/usr/bin/env bash
# Debian's headless Chromium for the report's browser test (tests/test_report.py).
# Where it cannot be installed, say why and go on: that test then skips with the reason.
set -uo pipefail
if [ -x /usr/bin/chromium ]; then
  echo "install-browser: $(/usr/bin/chromium --version 2>/dev/null) already installed"
  exit 0
fi
if [ "$(id -u)" = 0 ]; then SUDO=""; elif sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
  echo "install-browser: not root and no passwordless sudo; the browser test will be skipped"
  exit 0
fi
if ! command -v apt-get >/dev/null; then
  echo "install-browser: no apt-get (not Debian); the browser test will be skipped"
  exit 0
fi
if $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null; then
  echo "install-browser: installed $(/usr/bin/chromium --version 2>/dev/null)"
else
  echo "install-browser: apt-get could not install chromium; the browser test will be skipped"
fi
exit 0
