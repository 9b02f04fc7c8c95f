"""Messages between a person and their IRO, in a real browser (Debian's Chromium):

- the web chat: a child writes to their IRO; the IRO replies on the dashboard; when the child
  opens the chat page again the reply is there, saying it is from their IRO; a browser with no
  conversation is given none by opening the page;
- the IRO's inbox and thread pages: axe-core finds no serious or critical violations (the
  reply error too), and nothing scrolls sideways at 320 px.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.test_chat_page import bot_bubbles, conversation_cookie, new_page, open_chat, say
from tests.e2e.test_staff_dashboard import check_accessible, open_page, sign_in
from tests.support.iro_threads import (
    child_of,
    days_ago,
    reply_on_the_dashboard,
    the_iro,
    thread_from,
)
from tests.support.phrases import tagged_phrase
from tests.support.reviews import make_invite, make_review

pytestmark = [pytest.mark.slow, pytest.mark.browser]

LONG_WORD = "a" * 120  # no place to break: the page must wrap it, not scroll


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    fresh = new_page(browser)
    yield fresh
    fresh.context.close()


def test_a_reply_from_the_iro_is_there_when_the_child_opens_the_chat_again(
    page, browser, live_server_url, base_settings, data_keys
):
    db = base_settings.database_url
    made = make_review(db, data_keys)
    open_chat(page, live_server_url, f"#invite={make_invite(db, data_keys, made.review_id)}")
    expect(bot_bubbles(page).first).to_contain_text(made.iro_name)
    say(page, "/message_iro")
    words = tagged_phrase("I would like to see you before my review")
    say(page, words)
    expect(bot_bubbles(page).last).to_contain_text("sent your message")

    reply = tagged_phrase("I will visit you on Thursday after school")
    reply_on_the_dashboard(the_iro(live_server_url, db, made.iro_name), words, reply)

    page.reload()
    expect(page.get_by_text("You have a reply from your IRO")).to_be_visible()
    expect(bot_bubbles(page)).to_have_count(1)
    expect(bot_bubbles(page).first).to_contain_text(made.iro_name)
    expect(bot_bubbles(page).first).to_contain_text(reply)
    with page.expect_response(lambda r: r.url.endswith("/chat/replies")) as asked:
        page.reload()
    assert asked.value.ok and asked.value.json() == []  # shown once
    expect(page.locator("#log-hint")).to_be_visible()
    expect(bot_bubbles(page)).to_have_count(0)

    stranger = new_page(browser)
    with stranger.expect_response(lambda r: r.url.endswith("/chat/replies")) as asked:
        open_chat(stranger, live_server_url)
    assert asked.value.ok and asked.value.json() == []
    assert conversation_cookie(stranger) is None  # opening the page started nothing
    stranger.context.close()


@pytest.fixture(scope="module")
def threads(staff_settings, data_keys) -> dict[str, int]:
    """Amara's messages: an overdue one from a child, an answered one from a parent."""
    db = staff_settings.database_url
    overdue = thread_from(db, data_keys, child_of(db, data_keys, "iro.amara", "Wren"), "child",
                          (("Can you come and see me?", days_ago(10)),
                           (f"Please {LONG_WORD}", days_ago(9))))
    recent = thread_from(db, data_keys, child_of(db, data_keys, "iro.amara", "Xan"), "parent",
                         (("Thank you for the call.", days_ago(0.1)),))
    return {"overdue": overdue, "recent": recent}


def sideways(page: Page) -> int:
    return page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth")


def test_the_inbox_and_a_thread_pass_axe_and_a_reply_is_sent_from_the_form(
    browser, staff_url, threads
):
    page = open_page(browser)
    sign_in(page, staff_url, "iro.amara")
    expect(page.get_by_role("heading", name="Messages waiting for your reply: 3")).to_be_visible()
    page.get_by_role("link", name="Read your messages").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your messages")
    wren = page.get_by_role("row").filter(has_text="Wren")
    expect(wren).to_contain_text("Overdue")
    check_accessible(page, "messages")

    wren.get_by_role("link", name="Wren").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Messages from Wren")
    expect(page.get_by_text("Can you come and see me?")).to_be_visible()
    check_accessible(page, "thread")

    page.get_by_role("button", name="Send reply").click()
    expect(page.get_by_role("alert")).to_contain_text("Write your reply before sending it.")
    box = page.get_by_label("Your reply to Wren")
    expect(box).to_have_attribute("aria-invalid", "true")
    check_accessible(page, "thread-error")

    box.fill("Yes. I will come on Tuesday at four.")
    page.get_by_role("button", name="Send reply").click()
    expect(page.get_by_role("status")).to_contain_text("Your reply is saved")
    expect(page.get_by_text("Yes. I will come on Tuesday at four.")).to_be_visible()
    page.context.close()


def test_on_a_320px_phone_the_inbox_and_a_thread_do_not_scroll_sideways(
    browser, staff_url, threads
):
    page = open_page(browser, width=320)
    sign_in(page, staff_url, "iro.amara")
    for path in ("/iro/messages", f"/iro/messages/{threads['overdue']}",
                 f"/iro/messages/{threads['recent']}"):
        page.goto(f"{staff_url}{path}")
        assert sideways(page) <= 0, f"{path} scrolls sideways by {sideways(page)}px"
    check_accessible(page, "thread-320px")
    page.context.close()
