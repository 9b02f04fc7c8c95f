"""Conversations live in the database, sealed, and survive a restart of the assistant."""

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.channels.messages import IncomingMessage
from bot.pipeline import Assistant
from bot.rasa_runtime import RasaRuntime
from db.engine import session_scope
from db.models import ConversationEvent
from db.tracker_store import EncryptedSQLTrackerStore


@pytest.mark.anyio
async def test_what_a_user_types_is_stored_only_as_ciphertext(assistant: Assistant, base_settings):
    marker = f"zebra-{uuid.uuid4().hex[:8]}"
    await assistant.handle(IncomingMessage("web", f"user-{marker}", f"hello {marker}"))
    with session_scope(base_settings.database_url) as session:
        stored = session.scalars(select(ConversationEvent.data_enc)).all()
        keys = session.scalars(select(ConversationEvent.conversation_key)).all()
    assert stored
    assert not any(marker in value for value in stored)
    assert not any(marker in key for key in keys)  # the channel id is hashed too


@pytest.mark.anyio
async def test_a_restarted_assistant_carries_on_the_same_conversation(
    assistant: Assistant, runtime: RasaRuntime, base_settings, data_keys
):
    user = f"restart-{uuid.uuid4()}"
    await assistant.handle(IncomingMessage("web", user, "hello"))
    await assistant.handle(IncomingMessage("web", user, "are you a robot"))
    conversation = data_keys.user_key("web", user)

    fresh_store = EncryptedSQLTrackerStore(
        base_settings.database_url, data_keys, timedelta(days=90), runtime.agent.domain
    )
    tracker = await fresh_store.retrieve(conversation)
    assert tracker is not None
    intents = [e.intent_name for e in tracker.events if e.type_name == "user"]
    assert intents == ["greet", "bot_challenge"]


@pytest.mark.anyio
async def test_events_are_appended_not_rewritten(assistant: Assistant, base_settings, data_keys):
    user = f"append-{uuid.uuid4()}"
    conversation = data_keys.user_key("web", user)

    def count() -> int:
        with session_scope(base_settings.database_url) as session:
            return len(session.scalars(select(ConversationEvent.id).where(
                ConversationEvent.conversation_key == conversation)).all())

    await assistant.handle(IncomingMessage("web", user, "hello"))
    after_one = count()
    await assistant.handle(IncomingMessage("web", user, "bye"))
    after_two = count()
    assert 0 < after_one < after_two < 2 * after_one + 4
