"""People can see and erase what carebot holds about them; expired data is purged."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.messages import IncomingMessage
from bot.pipeline import Assistant
from bot.privacy.purge import purge_expired
from bot.safety.alerts import raise_alert
from bot.services.rate_limit import RateLimiter
from db.engine import session_scope
from db.models import Alert, ChatUser, ConversationEvent, DataRequest, FoldedMessage
from db.time import utcnow


def say(assistant: Assistant, user: str, text: str):
    return assistant.handle(IncomingMessage("web", user, text))


def count(database_url: str, model, *where) -> int:
    with session_scope(database_url) as session:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


@pytest.mark.anyio
async def test_privacy_explains_and_is_logged_as_a_dated_request(
    assistant, base_settings, data_keys
):
    user = f"p-{uuid.uuid4()}"
    replies = await say(assistant, user, "/privacy")
    assert "delete our chat after 90 days" in replies[0].text
    assert "may need to tell someone" in replies[0].text
    key = data_keys.user_key("web", user)
    assert count(base_settings.database_url, DataRequest, DataRequest.user_key == key,
                 DataRequest.kind == "privacy") == 1


@pytest.mark.anyio
async def test_mydata_says_what_is_held(assistant, base_settings):
    user = f"m-{uuid.uuid4()}"
    await say(assistant, user, "hello")
    await say(assistant, user, "are you a robot")
    text = (await say(assistant, user, "/mydata"))[0].text
    assert "messages from you: 2" in text
    assert "/delete" in text


@pytest.mark.anyio
async def test_delete_asks_first_then_erases_the_chat(assistant, base_settings, data_keys):
    user = f"d-{uuid.uuid4()}"
    key = data_keys.user_key("web", user)
    await say(assistant, user, "hello")
    asked = (await say(assistant, user, "/delete"))[0]
    assert {b.payload for b in asked.buttons} == {"/delete_confirm", "/delete_cancel"}
    assert count(base_settings.database_url, ConversationEvent,
                 ConversationEvent.conversation_key == key) > 0

    done = (await say(assistant, user, "/delete_confirm"))[0]
    assert "deleted our chat" in done.text
    assert count(base_settings.database_url, ConversationEvent,
                 ConversationEvent.conversation_key == key) == 0
    assert count(base_settings.database_url, ChatUser, ChatUser.user_key == key) == 0
    assert count(base_settings.database_url, DataRequest, DataRequest.user_key == key,
                 DataRequest.kind == "delete") == 2  # asked, then confirmed


@pytest.mark.anyio
async def test_cancelling_a_delete_keeps_everything(assistant, base_settings, data_keys):
    user = f"c-{uuid.uuid4()}"
    key = data_keys.user_key("web", user)
    await say(assistant, user, "hello")
    await say(assistant, user, "/delete")
    assert "haven't deleted" in (await say(assistant, user, "/delete_cancel"))[0].text
    assert count(base_settings.database_url, ConversationEvent,
                 ConversationEvent.conversation_key == key) > 0


@pytest.mark.anyio
async def test_a_safeguarding_alert_stays_in_the_record_after_delete(
    assistant, base_settings, data_keys
):
    user = f"k-{uuid.uuid4()}"
    key = data_keys.user_key("web", user)
    await say(assistant, user, "my dad hits me")
    done = (await say(assistant, user, "/delete_confirm"))[0]
    assert "care record" in done.text
    with session_scope(base_settings.database_url) as session:
        user_row = session.scalar(select(ChatUser).where(ChatUser.user_key == key))
        assert session.scalar(select(func.count(Alert.id)).where(
            Alert.chat_user_id == user_row.id)) == 1


def test_purge_removes_only_what_is_past_its_date(base_settings, data_keys) -> None:
    now = utcnow()
    old_key, new_key = f"old-{uuid.uuid4().hex}", f"new-{uuid.uuid4().hex}"
    with session_scope(base_settings.database_url) as session:
        for key, when in ((old_key, now - timedelta(days=1)), (new_key, now + timedelta(days=30))):
            session.add(ChatUser(user_key=key[:64], delete_after=when))
            session.add(ConversationEvent(
                conversation_key=key[:64], type_name="user", timestamp=0.0,
                data_enc=data_keys.encrypt("{}"), delete_after=when,
            ))
    purged = purge_expired(base_settings.database_url)
    assert purged.conversation_events >= 1 and purged.chat_users >= 1
    assert count(base_settings.database_url, ChatUser, ChatUser.user_key == old_key[:64]) == 0
    assert count(base_settings.database_url, ChatUser, ChatUser.user_key == new_key[:64]) == 1
    assert count(base_settings.database_url, ConversationEvent,
                 ConversationEvent.conversation_key == new_key[:64]) == 1


def test_folded_messages_are_purged_with_their_alert_and_not_before(
    base_settings, data_keys
) -> None:
    url = base_settings.database_url

    def alert_with_repeats() -> int:
        user = uuid.uuid4().hex
        for n in range(3):  # the first is the alert, two more fold into it
            raised = raise_alert(url, data_keys, user_key=user, channel="web",
                                 text=f"again {n}", categories=("test",))
        return raised.alert_id

    old, kept = alert_with_repeats(), alert_with_repeats()
    with session_scope(url) as session:
        session.get(Alert, old).delete_after = utcnow() - timedelta(days=1)
    purge_expired(url)
    assert count(url, Alert, Alert.id == old) == 0
    assert count(url, FoldedMessage, FoldedMessage.alert_id == old) == 0
    assert count(url, FoldedMessage, FoldedMessage.alert_id == kept) == 2


def test_the_rate_limit_allows_a_burst_then_refuses_until_the_window_passes() -> None:
    limiter = RateLimiter(max_messages=3, per_seconds=60)
    assert [limiter.allow("a", now=t) for t in (0, 1, 2, 3)] == [True, True, True, False]
    assert limiter.allow("b", now=3)  # other people are not affected
    assert limiter.allow("a", now=61)


@pytest.mark.anyio
async def test_a_flooding_sender_is_slowed_but_a_disclosure_still_gets_help(assistant) -> None:
    import dataclasses

    limited = dataclasses.replace(assistant, rate_limiter=RateLimiter(max_messages=2))
    user = f"f-{uuid.uuid4()}"
    await say(limited, user, "hi")
    await say(limited, user, "hi")
    assert "very fast" in (await say(limited, user, "hi"))[0].text
    assert "0800 1111" in (await say(limited, user, "i want to kill myself"))[0].text
