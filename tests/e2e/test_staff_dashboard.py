"""The staff dashboard in a real browser (Debian's Chromium via Playwright), checked by axe-core.

Signs in as a demo IRO, reads a consulted review, acknowledges an alert and exports; every
main page is checked with axe-core (no serious or critical violations) and screenshotted into
test-artifacts/. axe-core comes from the npm registry at test-install time
(scripts/ensure-test-tools.sh); nothing is downloaded while the tests or the app run.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from bot.safety.alerts import raise_alert
from tests.support.browser import serious_axe_violations
from tests.support.staff import PASSWORDS

pytestmark = [pytest.mark.slow, pytest.mark.browser]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PLACEMENT = "14 Elm Road"


def open_page(browser: Browser, width: int = 1280, bypass_csp: bool = True) -> Page:
    # axe is injected as a script tag, which the pages' strict CSP would (rightly) refuse:
    # the checking context bypasses CSP; test_pages_run_no_script_and_break_no_csp does not.
    context = browser.new_context(viewport={"width": width, "height": 900},
                                  bypass_csp=bypass_csp, accept_downloads=True)
    context.set_default_timeout(15_000)
    return context.new_page()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    fresh = open_page(browser)
    try:
        yield fresh
    finally:
        fresh.context.close()


def sign_in(page: Page, staff_url: str, username: str) -> None:
    page.goto(f"{staff_url}/iro/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORDS[username])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def check_accessible(page: Page, name: str) -> None:
    """axe-core on the page as it is: no serious or critical violations; keep a screenshot."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"staff-{name}.png"), full_page=True)
    bad = serious_axe_violations(page)
    assert bad == [], f"{name}: {bad}"
    expect(page.get_by_role("main")).to_have_count(1)
    expect(page.get_by_role("heading", level=1)).to_have_count(1)


def test_an_iro_signs_in_reads_views_acknowledges_an_alert_and_exports(page, staff_url):
    page.goto(f"{staff_url}/iro/login")
    check_accessible(page, "login")
    sign_in(page, staff_url, "iro.amara")

    expect(page.get_by_role("heading", level=1)).to_have_text("Your upcoming reviews")
    jade_row = page.get_by_role("row").filter(has_text="DEMO-001")
    expect(jade_row.get_by_role("cell").nth(1)).to_have_text("Yes")  # child consulted
    expect(page.get_by_role("heading", name="Urgent alerts to act on (1)")).to_be_visible()
    check_accessible(page, "reviews")

    jade_row.get_by_role("link", name="Jade").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review for Jade")
    expect(page.get_by_text("Moving schools again.")).to_be_visible()
    expect(page.get_by_text("Jade asked for an advocate.")).to_be_visible()
    expect(page.locator(".answer--skipped").first).to_contain_text("Skipped")
    check_accessible(page, "review")

    page.get_by_role("button", name="Acknowledge alert about Jade").click()
    expect(page.get_by_text("Acknowledged", exact=False).first).to_be_visible()
    expect(page.get_by_role("button", name="Acknowledge alert about Jade")).to_have_count(0)

    with page.expect_download() as download:
        page.get_by_role("button", name="Export views").click()
    exported = Path(download.value.path()).read_text(encoding="utf-8")
    assert "Moving schools again." in exported
    assert PLACEMENT not in exported

    page.get_by_role("button", name="Mark as read").click()
    expect(page.get_by_text("All views marked as read.")).to_be_visible()

    page.get_by_role("button", name="Open print view").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Views for Jade's review")
    expect(page.get_by_text("Placement details are not included.")).to_be_visible()
    assert PLACEMENT not in page.content()
    page.emulate_media(media="print")
    expect(page.get_by_role("button", name="Sign out")).to_be_hidden()
    page.emulate_media(media="screen")
    check_accessible(page, "print")


def test_other_main_pages_pass_axe(page, staff_url, staff_settings, data_keys):
    sign_in(page, staff_url, "iro.amara")
    page.goto(f"{staff_url}/iro/alerts")
    check_accessible(page, "alerts")
    page.goto(f"{staff_url}/iro/search?q=jade")
    expect(page.get_by_role("link", name="Jade").first).to_be_visible()
    check_accessible(page, "search")
    page.goto(f"{staff_url}/iro/reviews/999999")
    check_accessible(page, "not-found")
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, staff_url, "manager.cath")
    page.goto(f"{staff_url}/iro/reports")
    expect(page.get_by_role("img", name="Consultation before reviews")).to_be_visible()
    expect(page.get_by_role("table").first).to_contain_text("75% (3 of 4)")
    check_accessible(page, "report")
    page.get_by_role("button", name="Sign out").click()

    for n in range(12):  # one person saying it again and again: a "Read all" link
        raise_alert(staff_settings.database_url, data_keys, user_key="e2e-repeats",
                    channel="web", text=f"it happened again ({n})", categories=("test",))
    sign_in(page, staff_url, "duty.dev")
    page.goto(f"{staff_url}/iro/alerts")
    page.get_by_role("link", name="Read all 11 messages folded into this alert").click()
    expect(page.get_by_text("it happened again (1)")).to_be_visible()
    check_accessible(page, "alert-messages")


def test_admin_pages_pass_axe_and_a_settings_error_is_linked_to_its_field(page, staff_url):
    sign_in(page, staff_url, "admin.ali")
    page.get_by_role("link", name="Local settings").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Local settings")
    check_accessible(page, "settings")
    phone = page.get_by_label("IRO team phone")
    phone.fill("not a number")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_role("alert")).to_contain_text("nothing was saved")
    expect(phone).to_have_attribute("aria-invalid", "true")
    expect(phone).to_have_accessible_description(re.compile("enter a UK phone number"))
    check_accessible(page, "settings-error")
    page.get_by_role("link", name=re.compile("IRO team phone: enter")).click()
    expect(phone).to_be_focused()
    page.goto(f"{staff_url}/iro/admin/users")
    check_accessible(page, "users")


def test_pages_run_no_script_and_break_no_csp(browser, staff_url):
    page = open_page(browser, bypass_csp=False)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, staff_url, "iro.ben")
    page.get_by_role("link", name="Amira").first.click()
    page.goto(f"{staff_url}/iro/reports")
    assert errors == []
    page.context.close()


def test_on_a_320px_phone_nothing_scrolls_sideways(browser, staff_url):
    page = open_page(browser, width=320)
    sign_in(page, staff_url, "iro.ben")
    for path in ("/iro/", "/iro/alerts", "/iro/reports"):
        page.goto(f"{staff_url}{path}")
        wide = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert wide <= 0, f"{path} scrolls sideways by {wide}px"
    page.get_by_role("link", name="Reviews").click()
    page.get_by_role("link", name="Amira").first.click()
    check_accessible(page, "review-320px")
    page.context.close()

    page = open_page(browser, width=320)
    sign_in(page, staff_url, "admin.ali")
    page.goto(f"{staff_url}/iro/admin/settings")
    wide = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert wide <= 0, f"/iro/admin/settings scrolls sideways by {wide}px"
    check_accessible(page, "settings-320px")
    page.context.close()
