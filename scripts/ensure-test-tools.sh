#!/usr/bin/env bash
# Makes sure the tools the browser tests need are present:
# - Debian's Chromium at /usr/bin/chromium (Playwright drives it; we never run
#   `playwright install`, which downloads browsers from outside the package registries);
# - axe-core (the accessibility checker the staff dashboard tests inject), a pinned version
#   from the npm registry, in a cache folder ($CAREBOT_TEST_TOOLS, default ~/.cache/carebot-test-tools).
set -euo pipefail

CHROMIUM=/usr/bin/chromium
AXE_VERSION=4.10.2
TOOLS="${CAREBOT_TEST_TOOLS:-$HOME/.cache/carebot-test-tools}"
AXE="$TOOLS/node_modules/axe-core/axe.min.js"

ensure_axe() {
    if [[ -f "$AXE" ]] && grep -q "axe v$AXE_VERSION" "$AXE"; then
        return 0
    fi
    if ! command -v npm >/dev/null; then
        echo "The accessibility tests need npm to fetch axe-core $AXE_VERSION (apt-get install npm)." >&2
        exit 1
    fi
    echo "Installing axe-core $AXE_VERSION for the accessibility tests (first time only)..."
    mkdir -p "$TOOLS"
    npm install --prefix "$TOOLS" --no-save --no-audit --no-fund --loglevel=error \
        "axe-core@$AXE_VERSION" >/dev/null
    [[ -f "$AXE" ]] || { echo "axe-core was installed but $AXE is missing." >&2; exit 1; }
}

ensure_chromium() {
    if [[ -x "$CHROMIUM" ]]; then
        return 0
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
}

ensure_chromium
ensure_axe
