"""The web chat page, driven in a real browser against the real carebot app.

Uses Debian's Chromium (scripts/ensure-test-tools.sh installs it), never Playwright's own
browser download. `live_server_url` comes from tests/conftest.py: the base URL of a running
carebot with a trained Rasa model.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Request, Route, expect

from bot.consultation.form import load_form
from db.models import ConsultationRole
from tests.support.browser import chromium, serious_axe_violations
from tests.support.reviews import make_invite, make_review

pytestmark = [pytest.mark.slow, pytest.mark.browser]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
WEBHOOK_PATH = "/chat/messages"
COOKIE = "carebot_chat"
REPLY_TIMEOUT_MS = 15_000
PHONE = {"width": 320, "height": 640}
DESKTOP = {"width": 1280, "height": 800}

expect.set_options(timeout=REPLY_TIMEOUT_MS)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


def new_page(browser: Browser, viewport: dict[str, int] = DESKTOP,
             bypass_csp: bool = False) -> Page:
    """A page in a fresh browser profile (no cookies, empty storage). ``bypass_csp`` only to
    let a test inject axe-core: the page's own policy is tested with it on."""
    context = browser.new_context(viewport=viewport, bypass_csp=bypass_csp)
    context.set_default_timeout(REPLY_TIMEOUT_MS)
    return context.new_page()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    page = new_page(browser)
    yield page
    page.context.close()


@pytest.fixture
def phone_page(browser: Browser) -> Iterator[Page]:
    page = new_page(browser, PHONE)
    yield page
    page.context.close()


def open_chat(page: Page, base_url: str, query: str = "") -> Page:
    page.goto(f"{base_url}/chat{query}")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    return page


def message_box(page: Page):
    return page.get_by_role("textbox", name="Your message")


def bot_bubbles(page: Page):
    return page.locator(".msg--bot .bubble")


def user_bubbles(page: Page):
    return page.locator(".msg--user .bubble")


def webhook_requests(page: Page) -> list[dict]:
    """Every message the page sends from now on, as the JSON bodies it posted."""
    sent: list[dict] = []

    def record(request: Request) -> None:
        if request.method == "POST" and request.url.endswith(WEBHOOK_PATH):
            sent.append(json.loads(request.post_data or "{}"))

    page.on("request", record)
    return sent


def say(page: Page, text: str) -> None:
    """Types text and presses Enter, then waits until carebot has answered."""
    replies_before = bot_bubbles(page).count()
    message_box(page).fill(text)
    message_box(page).press("Enter")
    expect(bot_bubbles(page)).not_to_have_count(replies_before)
    expect(page.locator("#typing")).to_be_empty()


def conversation_cookie(page: Page) -> dict | None:
    """The browser's conversation cookie (the test can read it; the page's script cannot)."""
    return next((c for c in page.context.cookies() if c["name"] == COOKIE), None)


def conversation_token(page: Page) -> str | None:
    cookie = conversation_cookie(page)
    return cookie["value"] if cookie else None


def has_no_sideways_scroll(page: Page) -> bool:
    return page.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def test_typing_hello_and_pressing_enter_shows_my_message_and_a_reply(page, live_server_url):
    open_chat(page, live_server_url)

    say(page, "hello")

    expect(user_bubbles(page).last).to_have_text("hello")
    expect(bot_bubbles(page).first).not_to_be_empty()
    expect(message_box(page)).to_have_value("")
    log = page.get_by_role("log")
    expect(log).to_contain_text("You said: hello")
    expect(log).to_contain_text("carebot said:")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "chat.png"), full_page=True)


def test_shift_enter_starts_a_new_line_instead_of_sending(page, live_server_url):
    open_chat(page, live_server_url)
    sent = webhook_requests(page)

    box = message_box(page)
    box.press_sequentially("first line")
    box.press("Shift+Enter")
    box.press_sequentially("second line")

    expect(box).to_have_value("first line\nsecond line")
    assert sent == []


def test_the_conversation_is_remembered_when_the_page_is_reloaded(page, live_server_url):
    open_chat(page, live_server_url)
    assert conversation_token(page) is None  # the server gives one with the first message
    say(page, "hello")
    cookie = conversation_cookie(page)
    assert cookie and cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert page.evaluate("() => document.cookie") == ""
    assert page.evaluate("() => window.localStorage.length") == 0

    page.reload()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    sent = webhook_requests(page)
    say(page, "hello")

    assert conversation_token(page) == cookie["value"]
    assert sent[-1] == {"message": "hello"}  # the page never says who it is


def test_start_again_asks_first_then_gives_a_new_conversation(page, live_server_url):
    open_chat(page, live_server_url)
    say(page, "hello")
    first = conversation_token(page)
    assert first

    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Start again").click()
    assert conversation_token(page) == first
    expect(user_bubbles(page)).to_have_count(1)

    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_response(lambda r: r.url.endswith("/chat/new")) as started:
        page.get_by_role("button", name="Start again").click()
    assert started.value.status == 204
    expect(user_bubbles(page)).to_have_count(0)
    expect(bot_bubbles(page)).to_have_count(0)
    assert conversation_token(page) not in (None, first)
    say(page, "hello")  # and the new conversation answers


def test_quick_reply_buttons_appear_and_pressing_one_sends_it(page, live_server_url):
    open_chat(page, live_server_url)
    quick_replies = page.locator(".quick-replies .quick-reply")
    replies: list[list[dict]] = []
    for text in ("what can you do", "help", "hello"):
        with page.expect_response(lambda r: r.url.endswith(WEBHOOK_PATH)) as response:
            say(page, text)
        replies.append(response.value.json())
        if quick_replies.count():
            break
    with_buttons = [message["buttons"] for message in replies[-1] if message.get("buttons")]
    assert with_buttons, f"none of carebot's replies had buttons: {replies}"
    expect(quick_replies.first).to_be_visible()
    box = quick_replies.first.bounding_box()
    assert box and box["height"] >= 44, "quick replies must be easy to tap"

    chosen = with_buttons[-1][0]
    group = page.locator(".quick-replies").last
    group_handle = group.element_handle()
    sent = webhook_requests(page)
    group.get_by_role("button", name=chosen["title"], exact=True).first.click()

    expect(user_bubbles(page).last).to_have_text(chosen["title"])
    expect(page.locator("#typing")).to_be_empty()
    assert sent and sent[0]["message"] == chosen["payload"]
    assert not group_handle.evaluate("el => el.isConnected"), "used quick replies should go"


def test_an_invite_link_sends_its_code_as_the_first_message(page, live_server_url):
    sent = webhook_requests(page)

    open_chat(page, live_server_url, "#invite=ABC123")

    expect(bot_bubbles(page).first).not_to_be_empty()
    assert sent[0] == {"message": "ABC123"}
    expect(user_bubbles(page)).to_have_count(0)
    assert "ABC123" not in page.url, "a used invite code should leave the address bar"


def test_a_real_invite_link_opens_the_review_questions_with_a_skip_button(
    page, live_server_url, base_settings, data_keys
):
    made = make_review(base_settings.database_url, data_keys, child_name="Rowan")
    code = make_invite(base_settings.database_url, data_keys, made.review_id)
    form = load_form(base_settings.content_dir, ConsultationRole.CHILD)

    open_chat(page, live_server_url, f"#invite={code.replace('-', '')}")

    expect(bot_bubbles(page).first).to_contain_text("Rowan")
    expect(bot_bubbles(page).last).to_have_text(form.questions[0].text)
    page.get_by_role("button", name="Skip", exact=True).click()
    expect(bot_bubbles(page).last).to_have_text(form.questions[1].text)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "chat-consultation.png"), full_page=True)


def test_while_waiting_it_says_carebot_is_typing(page, live_server_url):
    open_chat(page, live_server_url)
    held: list[Route] = []
    page.route(f"**{WEBHOOK_PATH}", lambda route: held.append(route))

    message_box(page).fill("hello")
    page.get_by_role("button", name="Send").click()

    expect(page.get_by_role("status")).to_have_text("carebot is typing…")
    held[0].continue_()
    expect(bot_bubbles(page).first).not_to_be_empty()
    expect(page.get_by_role("status")).to_be_empty()


def test_when_a_message_fails_to_send_it_says_sorry_and_keeps_what_i_typed(page, live_server_url):
    open_chat(page, live_server_url)
    page.route(
        f"**{WEBHOOK_PATH}",
        lambda route: route.fulfill(status=500, json={"error": "Something went wrong"}),
    )

    message_box(page).fill("please keep this")
    message_box(page).press("Enter")

    expect(page.get_by_role("log")).to_contain_text("Sorry, that didn't send")
    expect(message_box(page)).to_have_value("please keep this")
    expect(user_bubbles(page)).to_have_count(0)


def test_on_a_320px_phone_nothing_scrolls_sideways(phone_page, live_server_url):
    page = open_chat(phone_page, live_server_url)
    assert has_no_sideways_scroll(page)

    say(page, "what can you do")
    say(page, "a-very-long-word-without-any-spaces-" * 8)

    assert has_no_sideways_scroll(page)
    expect(page.get_by_role("button", name="Send")).to_be_in_viewport()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "chat-320px.png"))


def test_the_page_has_landmarks_and_labels_for_screen_readers(page, live_server_url):
    open_chat(page, live_server_url)

    expect(page.get_by_role("main")).to_have_count(1)
    expect(page.get_by_role("heading", level=1)).not_to_be_empty()
    expect(page.get_by_role("log")).to_have_attribute("aria-live", "polite")
    expect(message_box(page)).to_have_attribute("maxlength", "4096")
    expect(page.get_by_role("button", name="Send")).to_be_visible()
    expect(page.get_by_text("computer program")).to_be_visible()
    expect(page.get_by_text("999")).to_be_visible()


def test_the_page_loads_nothing_from_other_sites_and_logs_no_errors(page, live_server_url):
    errors: list[str] = []
    other_sites: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on(
        "request",
        lambda r: None if r.url.startswith(live_server_url) else other_sites.append(r.url),
    )

    open_chat(page, live_server_url)
    say(page, "hello")

    assert other_sites == []
    assert errors == [], "script errors or Content-Security-Policy violations"


EXIT_URL = "https://www.bbc.co.uk/weather"


def neutral_site(page: Page) -> list[str]:
    """The quick exit's neutral site, answered in the browser (the tests have no internet);
    returns the addresses the page went to there."""
    visited: list[str] = []

    def answer(route: Route) -> None:
        visited.append(route.request.url)
        route.fulfill(status=200, content_type="text/html",
                      body="<!doctype html><title>Weather</title><h1>Weather</h1>")

    page.route("https://www.bbc.co.uk/**", answer)
    return visited


def came_from(page: Page, base_url: str) -> None:
    """Something in the tab's history before the chat, as when a child follows a link."""
    page.goto(f"{base_url}/health")


@pytest.mark.parametrize("how", ["button", "shift three times"])
def test_quick_exit_leaves_at_once_and_back_does_not_return_to_the_chat(
    page, live_server_url, how
):
    visited = neutral_site(page)
    came_from(page, live_server_url)
    open_chat(page, live_server_url)
    say(page, "hello")
    cookie = conversation_token(page)

    if how == "button":
        page.get_by_role("link", name="Exit this page").click()
    else:
        for _ in range(3):
            page.keyboard.press("Shift")
    page.wait_for_url(EXIT_URL)
    assert visited == [EXIT_URL]

    page.go_back()
    assert "/chat" not in page.url  # the chat page was replaced, not left in the history
    # the conversation is ended on the server too: the old cookie opens nothing
    page.context.add_cookies([{"name": COOKIE, "value": cookie or "", "url": live_server_url}])
    fresh = page.request.post(f"{live_server_url}/chat/replies", data="{}",
                              headers={"Content-Type": "application/json"})
    assert fresh.ok and fresh.json() == []


def test_the_welcome_hint_explains_the_quick_exit(page, live_server_url):
    open_chat(page, live_server_url)
    expect(page.locator("#log-hint")).to_contain_text("Shift key 3 times")
    expect(page.get_by_role("link", name="Exit this page")).to_have_attribute("href", EXIT_URL)


def test_signposting_numbers_are_links_to_call_or_text(page, live_server_url):
    open_chat(page, live_server_url)
    say(page, "my dad hits me and i am scared to go home")
    signposting = bot_bubbles(page).first
    expect(signposting.locator('a[href="tel:08001111"]')).to_have_text("0800 1111")
    expect(signposting.locator('a[href="tel:116123"]')).to_have_text("116 123")
    expect(signposting.locator('a[href="sms:85258?&body=SHOUT"]')).to_have_text("85258")
    expect(signposting.locator('a[href="tel:999"]').first).to_be_visible()
    # its "- " lines are a real list, with the numbers still links inside
    expect(signposting.locator("li").first).to_contain_text("Childline")
    expect(signposting.locator('li a[href="tel:08001111"]')).to_have_count(1)


SPOKEN = """() => {
    // The browser's speech engine, replaced at the API boundary: what it was asked to say.
    window.__spoken = [];
    window.speechSynthesis.speak = (u) => window.__spoken.push({text: u.text, lang: u.lang});
    window.speechSynthesis.cancel = () => {};
}"""


def test_read_aloud_speaks_a_reply_in_the_browser_and_sends_nothing(page, live_server_url):
    page.add_init_script(f"({SPOKEN})()")
    requests: list[str] = []
    open_chat(page, live_server_url)
    say(page, "/help")
    page.on("request", lambda r: requests.append(r.url))

    button = page.locator(".msg--bot").last.get_by_role("button", name="Read aloud")
    button.click()
    spoken = page.evaluate("() => window.__spoken")
    assert len(spoken) == 1 and spoken[0]["lang"] == "en-GB"
    assert "who is my IRO?" in spoken[0]["text"]
    expect(page.locator(".msg--bot").last.get_by_role("button", name="Stop reading")
           ).to_have_attribute("aria-pressed", "true")
    assert requests == []  # speech is the browser's own: nothing went to a server


def test_larger_text_is_kept_on_this_device(page, live_server_url):
    open_chat(page, live_server_url)
    size = "() => parseFloat(getComputedStyle(document.body).fontSize)"
    before = page.evaluate(size)
    page.get_by_role("button", name="Larger text").click()
    assert page.evaluate(size) > before
    page.reload()
    expect(page.get_by_role("button", name="Larger text")).to_have_attribute("aria-pressed", "true")
    assert page.evaluate(size) > before


def test_larger_text_leaves_nothing_to_scroll_sideways_on_a_phone(phone_page, live_server_url):
    open_chat(phone_page, live_server_url)
    phone_page.get_by_role("button", name="Larger text").click()
    say(phone_page, "/help")
    assert has_no_sideways_scroll(phone_page)


def test_the_chat_can_be_added_to_a_home_screen_under_a_neutral_name(page, live_server_url):
    open_chat(page, live_server_url)
    href = page.locator('link[rel="manifest"]').get_attribute("href")
    manifest = page.request.get(f"{live_server_url}{href}")
    assert manifest.ok and manifest.headers["content-type"].startswith("application/manifest+json")
    app = manifest.json()
    assert app["name"] == app["short_name"] == "Chat"  # the council's neutral name
    assert app["start_url"] == "/chat" and app["display"] == "standalone"
    for icon in app["icons"]:
        image = page.request.get(f"{live_server_url}{icon['src']}")
        assert image.ok and image.headers["content-type"] == "image/png"
        assert icon["sizes"] in ("192x192", "512x512")


def test_the_chat_page_weighs_under_100_kb(page, live_server_url):
    sizes: list[int] = []
    page.on("response", lambda r: sizes.append(len(r.body())) if r.request.resource_type in (
        "document", "stylesheet", "script") else None)
    open_chat(page, live_server_url)
    page.wait_for_load_state("networkidle")
    assert len(sizes) == 3 and sum(sizes) < 100_000


@pytest.mark.parametrize("width", [320, 360])
def test_the_chat_with_replies_has_no_serious_accessibility_problems(browser, live_server_url,
                                                                      width):
    page = new_page(browser, {"width": width, "height": 640}, bypass_csp=True)
    open_chat(page, live_server_url)
    say(page, "/help")
    say(page, "my dad hits me and i am scared to go home")  # the signposting, with its links
    assert serious_axe_violations(page) == []
    assert has_no_sideways_scroll(page)
    page.context.close()
