"""Message my IRO, the person's side, through the real pipeline and model: who reads it and
when is said first, the message is screened, sealed and saved in the thread, and the IRO's
reply reaches the person the next time they write."""

from __future__ import annotations

import dataclasses
import uuid

import pytest
from sqlalchemy import select

from bot.consultation.invites import AttemptLimiter
from bot.iro_messages.replies import save_reply
from bot.messages import IncomingMessage, Reply
from bot.pipeline import Assistant
from bot.privacy.user_data import held_data
from bot.services.rate_limit import RateLimiter
from db.engine import session_scope
from db.models import Alert, ChatUser, IroMessage, IroThread, Review, StaffUser
from tests.support.phrases import tagged_phrase
from tests.support.reviews import make_invite, make_review


@pytest.fixture
def chat(assistant: Assistant) -> Assistant:
    return dataclasses.replace(
        assistant, rate_limiter=RateLimiter(max_messages=500), code_attempts=AttemptLimiter()
    )


class Person:
    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant
        self.id = f"m-{uuid.uuid4()}"

    async def said(self, text: str) -> str:
        replies: list[Reply] = await self.assistant.handle(
            IncomingMessage("web", self.id, text))
        return "\n".join(r.text for r in replies)


async def linked_child(chat: Assistant, database_url: str, keys):
    """A child who redeemed an invite to a new review of their own."""
    made = make_review(database_url, keys)
    child = Person(chat)
    await child.said(make_invite(database_url, keys, made.review_id))
    return made, child


def thread_of(database_url: str, keys, review_id: int) -> list[tuple[bool, str]]:
    """(from staff, words) for each message of the review's one thread, oldest first."""
    with session_scope(database_url) as session:
        thread = session.scalars(select(IroThread).where(IroThread.review_id == review_id)).one()
        return [(m.staff_user_id is not None, keys.decrypt(m.body_enc)) for m in thread.messages]


def reply_as_the_iro(database_url: str, keys, review_id: int, text: str) -> str | None:
    with session_scope(database_url) as session:
        thread = session.scalars(select(IroThread).where(IroThread.review_id == review_id)).one()
        review = session.get(Review, review_id)
        iro = session.get(StaffUser, review.child.iro_id)
        return save_reply(session, keys, thread, staff_user_id=iro.id, text=text).address


@pytest.mark.anyio
async def test_a_child_messages_their_iro_and_hears_back_next_time(
    chat, base_settings, data_keys
):
    db = base_settings.database_url
    made, child = await linked_child(chat, db, data_keys)

    start = await child.said("/message_iro")
    assert made.iro_name in start
    assert "working days" in start and "999" in start and "not for emergencies" in start

    phrase = tagged_phrase("can we talk about my school")
    sent = await child.said(phrase)
    assert f"sent your message to {made.iro_name}" in sent
    assert thread_of(db, data_keys, made.review_id) == [(False, phrase)]
    with session_scope(db) as session:  # sealed at rest
        stored = session.scalars(select(IroMessage.body_enc)).all()
        assert all(phrase not in s for s in stored)

    # the window closes after one message: the next is answered as a question again
    assert "sent your message" not in await child.said("who is my iro")
    assert len(thread_of(db, data_keys, made.review_id)) == 1

    reply = tagged_phrase("yes let's talk on Tuesday")
    assert reply_as_the_iro(db, data_keys, made.review_id, reply) is None  # the web: no push
    next_turn = await child.said("hello")
    assert f"reply from your IRO, {made.iro_name}" in next_turn and reply in next_turn
    assert reply not in await child.said("hello")  # shown once


@pytest.mark.anyio
async def test_a_disclosure_written_to_the_iro_escalates_and_still_reaches_them(
    chat, base_settings, data_keys
):
    db = base_settings.database_url
    made, child = await linked_child(chat, db, data_keys)
    await child.said("/message_iro")

    said = await child.said("my carer hits me when i am late home")
    assert "999" in said and "sent your message" in said
    assert thread_of(db, data_keys, made.review_id)[0][1] == (
        "my carer hits me when i am late home")
    with session_scope(db) as session:
        user = session.scalars(select(ChatUser).where(
            ChatUser.user_key == data_keys.user_key("web", child.id))).one()
        assert session.scalars(select(Alert).where(Alert.chat_user_id == user.id)).all()


@pytest.mark.anyio
async def test_without_an_invite_the_chat_says_how_to_reach_the_iro_team(chat):
    person = Person(chat)
    said = await person.said("/message_iro")
    assert "code from your invite" in said and "01632" in said
    # nothing waits for a message: the next one is answered as a question
    assert "sent your message" not in await person.said("what is an advocate")


@pytest.mark.anyio
async def test_cancel_sends_nothing(chat, base_settings, data_keys):
    db = base_settings.database_url
    made, child = await linked_child(chat, db, data_keys)
    await child.said("/message_iro")
    assert "haven't sent anything" in await child.said("/message_iro_cancel")
    await child.said("what is an advocate")
    with session_scope(db) as session:
        assert session.scalars(select(IroThread).where(
            IroThread.review_id == made.review_id)).all() == []


@pytest.mark.anyio
async def test_mydata_counts_messages_to_the_iro_and_delete_keeps_them(
    chat, base_settings, data_keys
):
    db = base_settings.database_url
    made, child = await linked_child(chat, db, data_keys)
    await child.said("/message_iro")
    await child.said("please can you ring me")
    key = data_keys.user_key("web", child.id)
    assert held_data(db, key).messages_to_iro == 1
    assert "messages you have sent to your IRO: 1" in await child.said("/mydata")

    await child.said("/delete")
    await child.said("/delete_confirm")
    assert thread_of(db, data_keys, made.review_id) == [(False, "please can you ring me")]
