#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests (test/e2e/webui.test.ts drives it with playwright-core, which
# never downloads a browser of its own). Idempotent: does nothing when Chromium is already there.
set -euo pipefail

CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"

if [ -x "$CHROMIUM" ]; then
  echo "install-browser: $CHROMIUM is present"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-browser: no Chromium at $CHROMIUM and not root, so nothing installed." >&2
  echo "  Debian/Ubuntu: sudo apt-get install -y chromium" >&2
  echo "  elsewhere: install Chromium or Chrome and set CHROMIUM_PATH to its executable" >&2
  exit 1
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-browser: no Chromium at $CHROMIUM and no apt-get; install Chromium and set CHROMIUM_PATH" >&2
  exit 1
fi

echo "install-browser: installing Debian's chromium ..."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium >/dev/null
"$CHROMIUM" --version
