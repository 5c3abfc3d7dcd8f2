#!/usr/bin/env bash
# Install Debian's dump1090-mutability for the feed tests (tests/surveillance/feeds/test_dump1090.py) when missing.
# Its package starts a daemon on install unless debconf's auto-start is preseeded to false: the tests run their own
# instance in --net-only mode on free ports, so no daemon is wanted.
set -euo pipefail
if [ -x /usr/bin/dump1090-mutability ]; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "dump1090-mutability dump1090-mutability/auto-start boolean false" | $SUDO debconf-set-selections
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends dump1090-mutability >/dev/null
/usr/bin/dump1090-mutability --help 2>&1 | head -n 1 || true
