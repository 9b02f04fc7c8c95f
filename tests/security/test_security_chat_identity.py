"""Chat identities that can't be borrowed (issue 16, part 1). One test per finding; each
failed on the code before the fix (see docs/security.md, section 1).

Everything here runs against the real app: the web chat page in Debian's Chromium, the REST
endpoint and the web chat endpoint over HTTP on loopback, the real trained model, pipeline and
database. Nothing under test is stood in for.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect
from starlette.testclient import TestClient

from bot.consultation.form import load_form, load_shared
from bot.consultation.invites import invite_links
from bot.messages import IncomingMessage
from bot.pipeline import Assistant
from bot.web.app import create_app
from db.models import ConsultationRole
from tests.support.browser import chromium
from tests.support.integrations import rest_headers, revoke
from tests.support.reviews import make_invite, make_review

REPLY_TIMEOUT_MS = 20_000
DISCLOSURE = "my carer hits me when I get home"


def rest(base_url: str, sender: str, text: str, headers: dict[str, str] | None = None
         ) -> httpx.Response:
    return httpx.post(f"{base_url}/webhooks/rest/webhook", headers=headers or {},
                      json={"sender": sender, "message": text}, timeout=60)


def integration_name(purpose: str) -> str:
    return f"{purpose}-{uuid.uuid4().hex[:8]}"


# ---- the web chat: whoever can see what the page sees cannot take over its conversation ----


@pytest.fixture
def browser() -> Iterator[Browser]:
    """Closed after its test: Playwright's own event loop must not outlive it (the async tests
    here run theirs)."""
    with chromium() as browser:
        yield browser


def bot_said(page: Page) -> str:
    return "\n".join(page.locator(".msg--bot .bubble").all_inner_texts())


def say(page: Page, text: str) -> None:
    before = page.locator(".msg--bot .bubble").count()
    box = page.get_by_role("textbox", name="Your message")
    box.fill(text)
    box.press("Enter")
    expect(page.locator(".msg--bot .bubble")).not_to_have_count(before)
    expect(page.locator("#typing")).to_be_empty()


def what_the_page_can_see(page: Page) -> dict:
    """Everything the page's own script (or anyone at the keyboard with dev tools' console, or
    an extension) can read: its local and session storage and its readable cookies."""
    return page.evaluate("""() => ({
        local: Object.assign({}, window.localStorage),
        session: Object.assign({}, window.sessionStorage),
        cookie: document.cookie,
    })""")


def put_on_page(page: Page, seen: dict) -> None:
    page.evaluate("""(seen) => {
        for (const [k, v] of Object.entries(seen.local)) window.localStorage.setItem(k, v);
        for (const [k, v] of Object.entries(seen.session)) window.sessionStorage.setItem(k, v);
        for (const c of seen.cookie.split("; ").filter(Boolean)) document.cookie = c + "; path=/";
    }""", seen)


def test_another_browser_with_all_the_page_can_see_cannot_carry_on_a_childs_answers(
    browser: Browser, live_server_url: str, base_settings, data_keys
) -> None:
    """The finding: the web chat's identity was an id in localStorage that the page sent as
    `sender`; whoever copied it could say "carry on" and read the child's review questions,
    with their IRO's name. Now it is an HttpOnly cookie the page never sees."""
    made = make_review(base_settings.database_url, data_keys, child_name="Jordan")
    code = make_invite(base_settings.database_url, data_keys, made.review_id)
    link, _ = invite_links(code, live_server_url, None)
    shared = load_shared(base_settings.content_dir)

    child = browser.new_context()
    child.set_default_timeout(REPLY_TIMEOUT_MS)
    child_page = child.new_page()
    child_page.goto(link)
    expect(child_page.locator(".msg--bot .bubble").first).to_contain_text("Jordan")
    say(child_page, "my room is nice and quiet")  # answers the first question
    seen = what_the_page_can_see(child_page)

    other = browser.new_context()
    other.set_default_timeout(REPLY_TIMEOUT_MS)
    other_page = other.new_page()
    other_page.goto(f"{live_server_url}/chat")
    put_on_page(other_page, seen)
    other_page.reload()
    say(other_page, "carry on")

    said = bot_said(other_page)
    assert said == shared.texts["no_consultation"].strip()
    assert "Jordan" not in said and made.iro_name not in said
    child.close()
    other.close()


def test_start_again_takes_only_json_and_gives_an_httponly_strict_cookie(
    base_settings, data_keys
) -> None:
    """Not a finding of its own: the cookie that replaced the localStorage id is out of the
    page's reach, and a form on another site cannot replace it."""
    client = TestClient(create_app(base_settings, data_keys))  # no model needed: no start-up
    assert client.post("/chat/new", data={"x": "1"}).status_code == 415
    assert "set-cookie" not in client.post("/chat/new", data={"x": "1"}).headers

    started = client.post("/chat/new", json={})
    assert started.status_code == 204
    cookie = started.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/chat" in cookie
    assert "expires" not in cookie and "max-age" not in cookie  # gone when the browser closes


# ---- REST: trusted integrations only, each with its own senders ----------------------------


def test_rest_without_a_live_integration_token_is_refused(
    live_server_url: str, base_settings, data_keys
) -> None:
    """The finding: the REST endpoint answered anyone, as any sender they chose."""
    name = integration_name("revoked")
    good = rest_headers(base_settings.database_url, data_keys, name)

    refused = [
        rest(live_server_url, "1", "hello"),
        rest(live_server_url, "1", "hello", {"Authorization": "Bearer cbi_not-a-real-token"}),
        rest(live_server_url, "1", "hello", {"Authorization": good["Authorization"][7:]}),
    ]
    assert rest(live_server_url, "1", "hello", good).status_code == 200
    revoke(base_settings.database_url, name)
    refused.append(rest(live_server_url, "1", "hello", good))

    assert [r.status_code for r in refused] == [401, 401, 401, 401]
    assert all(r.headers["www-authenticate"].startswith("Bearer") for r in refused)
    assert all("text" not in r.text for r in refused)  # no reply from the assistant


def test_two_integrations_using_the_same_sender_id_are_two_conversations(
    live_server_url: str, base_settings, data_keys
) -> None:
    """The finding: sender "123" was one conversation whoever sent it, so an easy id chosen by
    one caller could read another's child's review questions."""
    made = make_review(base_settings.database_url, data_keys, child_name="Casey")
    code = make_invite(base_settings.database_url, data_keys, made.review_id)
    first = rest_headers(base_settings.database_url, data_keys, integration_name("first"))
    second = rest_headers(base_settings.database_url, data_keys, integration_name("second"))
    sender = "123"

    welcome = rest(live_server_url, sender, code, first).json()
    assert "Casey" in welcome[0]["text"]
    other = rest(live_server_url, sender, "carry on", second)

    shared = load_shared(base_settings.content_dir)
    assert [m["text"] for m in other.json()] == [shared.texts["no_consultation"].strip()]
    questions = {q.text.replace("{iro_name}", made.iro_name)
                 for q in load_form(base_settings.content_dir, ConsultationRole.CHILD).questions}
    still_theirs = rest(live_server_url, sender, "fine thanks", first).json()
    assert still_theirs[0]["text"] in questions  # the first integration's "123" carries on


# ---- what a device shows must not say that someone disclosed -------------------------------


@pytest.mark.anyio
async def test_mydata_delete_and_later_replies_do_not_say_whether_someone_disclosed(
    assistant: Assistant,
) -> None:
    """The finding: on a shared device, /mydata ("times I told staff you might not be safe:
    1"), the 24-hour reminder after every reply, and /delete's answer told the next person
    that the child had disclosed something."""
    told, did_not = f"told-{uuid.uuid4()}", f"didnt-{uuid.uuid4()}"

    async def said(person: str, text: str) -> list[str]:
        return [r.text for r in await assistant.handle(IncomingMessage("web", person, text))]

    assert (await said(told, DISCLOSURE))[0] == assistant.content.signposting("unknown")
    await said(did_not, "/help")  # like the disclosure, answered without the dialogue

    for text in ("what is an IRO", "/mydata", "/delete_confirm"):
        after_disclosure, without = await said(told, text), await said(did_not, text)
        assert assistant.content.after_concern() not in after_disclosure, text
        assert after_disclosure == without, text


# ---- invite codes stay out of query strings (and so out of proxy logs) ---------------------


def test_invite_codes_never_travel_in_a_query_string(base_settings, data_keys) -> None:
    """The finding: invite links were /chat?invite=CODE, and the server put the code from the
    query string into the page, so codes landed in proxy and server logs."""
    made = make_review(base_settings.database_url, data_keys)
    code = make_invite(base_settings.database_url, data_keys, made.review_id).replace("-", "")

    link, _ = invite_links(code, "https://chat.example.org", None)
    assert code not in urlsplit(link).query and code in urlsplit(link).fragment
    assert urlsplit(link).query == ""

    app = create_app(base_settings, data_keys)  # the page needs no model: no start-up here
    page = TestClient(app).get(f"/chat?invite={code}")
    assert page.status_code == 200
    assert code not in page.text
