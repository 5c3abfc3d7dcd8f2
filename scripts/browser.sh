#!/usr/bin/env bash
# Install Debian's Chromium for the browser tests (tests/web/test_browser.py) when it is missing.
# Playwright's own browser download is not used: the tests launch /usr/bin/chromium through executable_path.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
/usr/bin/chromium --version
