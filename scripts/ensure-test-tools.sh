#!/usr/bin/env bash
# Makes sure the tools the browser tests need are present:
# - Debian's Chromium at /usr/bin/chromium (Playwright drives it; we never run
#   `playwright install`, which downloads browsers from outside the package registries);
# - axe-core (the accessibility checker the staff dashboard tests inject), a pinned version
#   from the npm registry, in a cache folder ($CAREBOT_TEST_TOOLS, default ~/.cache/carebot-test-tools).
set -euo pipefail

CHROMIUM=/usr/bin/chromium
AXE_VERSION=4.10.2
# The registry's sha512 of axe-core 4.10.2's tarball; npm checks the download against the
# integrity it records, and this checks that record, so a changed tarball stops the tests.
AXE_INTEGRITY="sha512-RE3mdQ7P3FRSe7eqCWoeQ/Z9QXrtniSjp1wUjt5nRC3WIpz5rSCve6o3fsZ2aCpJtrZjSZgjwXAoTO5k4tEI0w=="
TOOLS="${CAREBOT_TEST_TOOLS:-$HOME/.cache/carebot-test-tools}"
AXE="$TOOLS/node_modules/axe-core/axe.min.js"

axe_is_pinned() {
    [[ -f "$AXE" ]] && grep -q "axe v$AXE_VERSION" "$AXE" &&
        grep -qF "\"integrity\": \"$AXE_INTEGRITY\"" "$TOOLS/node_modules/.package-lock.json"
}

ensure_axe() {
    if axe_is_pinned; then
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
    axe_is_pinned || { echo "axe-core $AXE_VERSION is missing or not the pinned tarball." >&2; exit 1; }
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
