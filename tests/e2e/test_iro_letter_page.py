"""The IRO's letter after a review, in a real browser (Debian's Chromium): from the review page
to the letter, its check's warning, an error linked to its field, and sending as it is; axe-core
finds no serious or critical violations on each, and at 320 px nothing scrolls sideways."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.test_iro_message_pages import sideways
from tests.e2e.test_staff_dashboard import check_accessible, open_page, sign_in
from tests.support.letters import held_review

pytestmark = [pytest.mark.slow, pytest.mark.browser]

LONG_WORD = "a" * 120  # no place to break: the page must wrap it, not scroll
JARGON = ("Your placement will continue, and contact with your mother will be facilitated by "
          "the multi-agency professionals responsible for comprehensive arrangements.")


@pytest.fixture(scope="module")
def review(staff_settings, data_keys) -> int:
    """A review of Amara's held two days ago, with a child, a parent and a carer linked."""
    review_id, _ = held_review(staff_settings.database_url, data_keys, "iro.amara", "Wren",
                               {"child": 1, "parent": 1, "carer": 1})
    return review_id


def test_the_letter_page_its_warning_and_its_error_pass_axe_and_the_letter_is_sent(
    browser, staff_url, review
):
    page = open_page(browser)
    sign_in(page, staff_url, "iro.amara")
    page.goto(f"{staff_url}/iro/reviews/{review}")
    expect(page.get_by_role("heading", name="Letter after the review")).to_be_visible()
    page.get_by_role("link", name="Letter to Wren").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Letter to Wren after the review")
    expect(page.get_by_label("Who to tell if you're not happy")).to_contain_text("advocate")
    check_accessible(page, "letter")

    page.get_by_label("What we talked about").fill("We talked about your school.")
    page.get_by_label("What was decided").fill(JARGON)
    page.get_by_role("button", name="Send the letter", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("Write something under")
    box = page.get_by_label("What happens next")
    expect(box).to_have_attribute("aria-invalid", "true")
    page.get_by_role("link", name="Write something under \u201cWhat happens next\u201d.").click()
    expect(box).to_be_focused()
    check_accessible(page, "letter-error")

    box.fill("I will visit you in June.")
    page.get_by_role("button", name="Send the letter", exact=True).click()
    warning = page.get_by_role("status")
    expect(warning).to_contain_text("Before you send: please look at this")
    expect(warning).to_contain_text("try \u201chome, where you live\u201d")
    check_accessible(page, "letter-warning")

    page.get_by_role("button", name="Send the letter as it is").click()
    expect(page.get_by_role("status")).to_contain_text("Your letter is sent.")
    expect(page.get_by_text("Letters you have sent")).to_be_visible()
    check_accessible(page, "letter-sent")
    page.context.close()


def test_on_a_320px_phone_the_letter_pages_do_not_scroll_sideways(browser, staff_url, review):
    page = open_page(browser, width=320)
    sign_in(page, staff_url, "iro.amara")
    page.goto(f"{staff_url}/iro/reviews/{review}")
    assert sideways(page) <= 0, f"the review page scrolls sideways by {sideways(page)}px"
    page.goto(f"{staff_url}/iro/reviews/{review}/letter/parent")
    page.get_by_label("What we talked about").fill(f"Please {LONG_WORD} placement.")
    page.get_by_role("button", name="Check the letter").click()
    expect(page.get_by_role("status")).to_contain_text("placement")
    assert sideways(page) <= 0, f"the letter's check scrolls sideways by {sideways(page)}px"
    check_accessible(page, "letter-320px")
    page.context.close()
