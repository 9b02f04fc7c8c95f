#!/usr/bin/env bash
# Makes sure the tools the browser tests need are present.
# Today that is Debian's Chromium at /usr/bin/chromium (Playwright drives it; we never run
# `playwright install`, which downloads browsers from outside the package registries).
set -euo pipefail

CHROMIUM=/usr/bin/chromium

if [[ -x "$CHROMIUM" ]]; then
    exit 0
fi

if [[ "$(id -u)" -ne 0 ]]; then
    cat >&2 <<MSG
The browser tests need Chromium at $CHROMIUM, and it is not installed.
Install it with:

    sudo apt-get update && sudo apt-get install -y chromium

then run the tests again.
MSG
    exit 1
fi

echo "Installing Chromium for the browser tests (first time only)..."
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null

if [[ ! -x "$CHROMIUM" ]]; then
    echo "Chromium was installed but $CHROMIUM is missing; the browser tests cannot run." >&2
    exit 1
fi
echo "Chromium is ready: $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"
