"""An IRO's reply, from the dashboard to the person, in the real app with the real model on
loopback: on the web chat it waits, and is shown when the page opens (without starting a
conversation for a browser that has none) or with the person's next message, once; where it
cannot be sent at once, the IRO is told it waits, and the person's next message shows it.
(Sent at once over Telegram: tests/e2e/test_telegram_iro_reply.py.)"""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import func, select

from bot.messages import IncomingMessage
from db.engine import session_scope
from db.models import IroMessage, IroThread, WebConversation
from tests.support.iro_threads import days_ago, reply_on_the_dashboard, the_iro, thread_from
from tests.support.phrases import tagged_phrase
from tests.support.reviews import make_invite, make_review

FROM_THE_IRO = "You have a reply from your IRO"


class WebPerson:
    """Someone on the web chat: the conversation is the server's cookie this client keeps."""

    def __init__(self, url: str) -> None:
        self.http = httpx.Client(base_url=url, timeout=60)

    def said(self, text: str) -> str:
        response = self.http.post("/chat/messages", json={"message": text})
        assert response.status_code == 200, response.text
        return "\n".join(r["text"] for r in response.json())

    def opens_the_page(self) -> list[str]:
        response = self.http.post("/chat/replies", json={})
        assert response.status_code == 200, response.text
        return [r["text"] for r in response.json()]


def writes_to_their_iro(url: str, database_url: str, keys) -> tuple[WebPerson, str, str]:
    """A child who redeemed an invite on the web chat and wrote to their IRO; (them, the
    IRO's name, what they wrote)."""
    made = make_review(database_url, keys)
    child = WebPerson(url)
    child.said(make_invite(database_url, keys, made.review_id))
    assert made.iro_name in child.said("/message_iro")
    words = tagged_phrase("can you help me with my school")
    assert "sent your message" in child.said(words)
    return child, made.iro_name, words


def conversations(database_url: str) -> int:
    with session_scope(database_url) as session:
        return session.scalar(select(func.count()).select_from(WebConversation))


def test_a_reply_waits_for_the_web_chat_and_is_shown_once_when_the_page_opens(
    live_server_url, base_settings, data_keys
):
    db = base_settings.database_url
    child, iro_name, words = writes_to_their_iro(live_server_url, db, data_keys)
    iro = the_iro(live_server_url, db, iro_name)
    assert "Messages waiting for your reply: 1" in iro.get("/iro/").text

    reply = tagged_phrase("yes I will ring your school tomorrow")
    thread, shown = reply_on_the_dashboard(iro, words, reply)
    assert "will see it the next time they use carebot" in shown and "not seen yet" in shown
    assert "Messages waiting for your reply" not in iro.get("/iro/").text

    before = conversations(db)
    stranger = httpx.post(f"{live_server_url}/chat/replies", json={}, timeout=60)
    assert stranger.status_code == 200 and stranger.json() == []
    assert "set-cookie" not in stranger.headers and conversations(db) == before
    assert httpx.post(f"{live_server_url}/chat/replies", data={"x": "1"}).status_code == 415

    (opened,) = child.opens_the_page()
    assert opened.startswith(f"{FROM_THE_IRO}, {iro_name}:") and opened.endswith(reply)
    assert child.opens_the_page() == []
    assert reply not in child.said("hello")
    shown = iro.get(thread).text
    assert ": delivered" in shown and "not seen yet" not in shown


def test_a_reply_is_shown_with_the_persons_next_message_on_the_web_chat(
    live_server_url, base_settings, data_keys
):
    db = base_settings.database_url
    child, iro_name, words = writes_to_their_iro(live_server_url, db, data_keys)
    reply = tagged_phrase("thank you for telling me")
    reply_on_the_dashboard(the_iro(live_server_url, db, iro_name), words, reply)

    said = child.said("what is an advocate")
    assert said.startswith(f"{FROM_THE_IRO}, {iro_name}:")  # before the answer to the question
    assert reply in said and len(said) > len(said.split(reply)[0]) + len(reply)  # answered too
    assert reply not in child.said("hello")


@pytest.mark.anyio
async def test_a_reply_that_cannot_be_sent_at_once_waits_and_the_iro_is_told(
    live_server_url, base_settings, data_keys, assistant
):
    """The thread has a Telegram address, but this app runs no Telegram: sending fails."""
    db = base_settings.database_url
    made = make_review(db, data_keys)
    telegram_id = "424242"
    words = tagged_phrase("please can we talk")
    thread = thread_from(db, data_keys, made.review_id, "child", ((words, days_ago(1)),),
                         reply_address=f"telegram:{telegram_id}",
                         user_key=data_keys.user_key("telegram", telegram_id))
    reply = tagged_phrase("of course, on Monday")
    _, shown = reply_on_the_dashboard(the_iro(live_server_url, db, made.iro_name), words, reply)
    assert "Your reply is saved" in shown and "the next time they use carebot" in shown
    with session_scope(db) as session:
        waiting = session.scalars(select(IroMessage).join(IroThread).where(
            IroThread.id == thread, IroMessage.staff_user_id.is_not(None))).one()
        assert waiting.delivered_at is None

    replies = await assistant.handle(IncomingMessage("telegram", telegram_id, "hello"))
    said = "\n".join(r.text for r in replies)
    assert f"{FROM_THE_IRO}, {made.iro_name}:" in said and reply in said
