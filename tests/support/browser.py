"""Debian's Chromium under Playwright (never Playwright's own browser download)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

TOOLS = Path(os.environ.get("CAREBOT_TEST_TOOLS", Path.home() / ".cache" / "carebot-test-tools"))
AXE = TOOLS / "node_modules" / "axe-core" / "axe.min.js"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@contextmanager
def chromium() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/ensure-test-tools.sh first")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


def serious_axe_violations(page: Page) -> list[str]:
    """axe-core run on the page as it is now: its serious and critical violations, described."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run scripts/ensure-test-tools.sh first")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"] if v["impact"] in ("serious", "critical")
    ]
