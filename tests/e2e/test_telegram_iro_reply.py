"""Message my IRO over Telegram, end to end: a child redeems an invite from a deep link and
writes to their IRO; the IRO signs in to the dashboard, reads it and replies; the reply
arrives at once as a sendMessage, and is not shown again with the child's next message.

Real python-telegram-bot against the offline stand-in Bot API, the real assistant and model;
the dashboard is the real app, called in this test's event loop so that it sends through the
running channel.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from bot.services.app_context import install_app_context
from bot.web.app import create_app
from db.engine import session_scope
from db.models import IroMessage, StaffUser
from tests.support.fake_bot_api import FakeBotApi, new_user_id, start_update, text_update
from tests.support.phrases import tagged_phrase
from tests.support.reviews import make_invite, make_review
from tests.support.staff import CSRF_FIELD, UnusedRuntime

IRO_PASSWORD = "a-long-test-password"  # tests/support/reviews.py


async def said_to(bot_api: FakeBotApi, user_id: int, update: dict[str, Any], expected: str
                  ) -> str:
    """Push an update; what the bot has sent this user since, once it includes ``expected``."""
    before = len(bot_api.calls_to_chat("sendMessage", user_id))
    bot_api.push_update(update)
    deadline = time.monotonic() + 30
    while True:
        new = [m["text"] for m in bot_api.calls_to_chat("sendMessage", user_id)[before:]]
        if any(expected in text for text in new):
            return "\n".join(new)
        assert time.monotonic() < deadline, f"no {expected!r} in {new}"
        await asyncio.sleep(0.02)


class Dashboard:
    """A browser on the staff dashboard: keeps the cookie, sends the last page's CSRF field."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http
        self.csrf = ""

    async def get(self, path: str) -> httpx.Response:
        response = await self.http.get(path)
        found = CSRF_FIELD.search(response.text)
        self.csrf = found.group(1) if found else self.csrf
        return response

    async def post(self, path: str, data: dict[str, str]) -> httpx.Response:
        return await self.http.post(path, data={**data, "csrf_token": self.csrf})


@asynccontextmanager
async def signed_in_iro(
    base_settings: Any, data_keys: Any, assistant: Any, chat_app_context: Any, iro_name: str
) -> AsyncIterator[Dashboard]:
    """The dashboard in process, signed in as the review's IRO, sharing the assistant that
    runs the Telegram channel (so a reply can go out on it)."""
    app = create_app(base_settings, data_keys, runtime=UnusedRuntime())  # type: ignore[arg-type]
    install_app_context(chat_app_context)  # the chat's own, which create_app replaced
    app.state.carebot.assistant = assistant  # the one running the Telegram channel
    with session_scope(base_settings.database_url) as session:
        username = session.scalars(select(StaffUser.username).where(
            StaffUser.display_name == iro_name)).one()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as http:
        iro = Dashboard(http)
        await iro.get("/iro/login")
        signed_in = await iro.post("/iro/login", {"username": username, "password": IRO_PASSWORD})
        assert signed_in.status_code == 303
        yield iro


@pytest.mark.anyio
async def test_an_iros_reply_reaches_the_child_on_telegram_at_once(
    bot_api, telegram_channel, base_settings, data_keys, assistant, chat_app_context
):
    await telegram_channel()
    db = base_settings.database_url
    made = make_review(db, data_keys, child_name="Jordan")
    user_id = new_user_id()
    code = make_invite(db, data_keys, made.review_id, "child")
    await said_to(bot_api, user_id, start_update(user_id, payload=code), made.iro_name)
    await said_to(bot_api, user_id, text_update("/message_iro", user_id), "not for emergencies")
    words = tagged_phrase("can my nan come to my review")
    await said_to(bot_api, user_id, text_update(words, user_id), "sent your message")

    async with signed_in_iro(base_settings, data_keys, assistant, chat_app_context,
                             made.iro_name) as iro:
        inbox = (await iro.get("/iro/messages")).text
        thread = "/iro/messages/" + inbox.split('href="/iro/messages/')[1].split('"')[0]
        assert words in (await iro.get(thread)).text

        before = len(bot_api.calls_to_chat("sendMessage", user_id))
        reply = tagged_phrase("yes, ask her to come at ten")
        sent = await iro.post(f"{thread}/reply", {"reply": reply})
        assert sent.status_code == 303 and sent.headers["location"] == f"{thread}?sent=now"
        arrived = bot_api.calls_to_chat("sendMessage", user_id)[before:]
        assert [m["text"] for m in arrived] == [
            assistant.content.say("reply_from_iro", iro_name=made.iro_name).text + "\n" + reply
        ]
        shown = (await iro.get(sent.headers["location"])).text
        assert "Your reply has been sent to Jordan in the chat." in shown
        assert ": delivered" in shown

    with session_scope(db) as session:
        (delivered,) = session.scalars(select(IroMessage.delivered_at).where(
            IroMessage.staff_user_id.is_not(None),
            IroMessage.thread_id == int(thread.rsplit("/", 1)[1])))
        assert delivered is not None
    later = await said_to(bot_api, user_id, text_update("what is an advocate", user_id), "")
    assert reply not in later  # shown once: it is not waiting for this message
