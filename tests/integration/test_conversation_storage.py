"""Conversations live in the database, sealed, and survive a restart of the assistant."""

import uuid
from datetime import timedelta

import pytest
from rasa.shared.core.events import UserUttered
from sqlalchemy import delete, select

from bot.messages import IncomingMessage
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


def _store(base_settings, data_keys, runtime: RasaRuntime) -> EncryptedSQLTrackerStore:
    return EncryptedSQLTrackerStore(
        base_settings.database_url, data_keys, timedelta(days=90), runtime.agent.domain
    )


def _texts(tracker) -> list[str]:
    return [e.text for e in tracker.events if e.type_name == "user"]


@pytest.mark.anyio
async def test_a_kept_tracker_is_not_used_once_another_process_has_added_to_the_conversation(
    runtime: RasaRuntime, base_settings, data_keys
):
    """Two stores on one database are two workers: each must see what the other saved."""
    ours, theirs = (_store(base_settings, data_keys, runtime) for _ in range(2))
    key = f"shared-{uuid.uuid4()}"
    tracker = await ours.get_or_create_tracker(key)
    tracker.update(UserUttered("first"))
    await ours.save(tracker)  # ours now keeps this tracker in memory

    other = await theirs.retrieve(key)
    other.update(UserUttered("second"))
    await theirs.save(other)

    assert _texts(await ours.retrieve(key)) == ["first", "second"]


@pytest.mark.anyio
async def test_a_turn_that_fails_before_saving_leaves_nothing_in_memory(
    runtime: RasaRuntime, base_settings, data_keys
):
    store = _store(base_settings, data_keys, runtime)
    key = f"failed-{uuid.uuid4()}"
    tracker = await store.get_or_create_tracker(key)
    tracker.update(UserUttered("saved"))
    await store.save(tracker)

    during = await store.retrieve(key)
    during.update(UserUttered("never saved"))  # the turn fails here: no save

    assert _texts(await store.retrieve(key)) == ["saved"]


@pytest.mark.anyio
async def test_erased_conversations_are_not_served_from_memory(
    assistant: Assistant, runtime: RasaRuntime, base_settings, data_keys
):
    user = f"erase-{uuid.uuid4()}"
    key = data_keys.user_key("web", user)
    await assistant.handle(IncomingMessage("web", user, "hello"))
    await assistant.handle(IncomingMessage("web", user, "/delete_confirm"))

    assert await runtime.agent.tracker_store.retrieve(key) is None
    # ...and erased by another process (carebot purge) while a tracker is kept: not served.
    store = _store(base_settings, data_keys, runtime)
    tracker = await store.get_or_create_tracker(key)
    tracker.update(UserUttered("kept"))
    await store.save(tracker)
    with session_scope(base_settings.database_url) as session:
        session.execute(delete(ConversationEvent).where(ConversationEvent.conversation_key == key))
    assert await store.retrieve(key) is None


@pytest.mark.anyio
async def test_only_the_most_recent_conversations_are_kept(
    runtime: RasaRuntime, base_settings, data_keys
):
    store = _store(base_settings, data_keys, runtime)
    store._recent.size = 3
    for n in range(5):
        tracker = await store.get_or_create_tracker(f"lru-{n}-{uuid.uuid4()}")
        await store.save(tracker)
    assert len(store._recent._kept) == 3
