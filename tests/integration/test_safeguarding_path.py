"""A possible disclosure always gets the fixed signposting and an urgent alert, stored first."""

from __future__ import annotations

import dataclasses
import uuid

import httpx
import pytest
from sqlalchemy import select

from bot.messages import IncomingMessage
from bot.pipeline import Assistant
from db.engine import session_scope
from db.models import Alert, ChatUser
from tests.support.integrations import rest_user_key

SIGNPOSTING_MUSTS = ["999", "0800 1111", "85258", "116 123", "computer", "A person from"]


def alerts_for(database_url: str, user_key: str) -> list[Alert]:
    with session_scope(database_url) as session:
        return list(session.scalars(
            select(Alert).join(ChatUser, Alert.chat_user_id == ChatUser.id)
            .where(ChatUser.user_key == user_key)
        ))


def assert_signposting(text: str) -> None:
    for must in SIGNPOSTING_MUSTS:
        assert must in text, must
    assert "may need to tell" in text or "may need to share" in text  # never a promise of secrecy
    assert "secret" not in text.lower() and "confidential" not in text.lower()


def test_a_disclosure_over_rest_gets_signposting_and_a_sealed_alert(
    live_server_url: str, base_settings, data_keys, rest_auth
) -> None:
    sender = f"child-{uuid.uuid4()}"
    marker = f"stepdad-{uuid.uuid4().hex[:6]}"
    response = httpx.post(
        f"{live_server_url}/webhooks/rest/webhook", headers=rest_auth,
        json={"sender": sender, "message": f"my {marker} comes in my room at night"},
        timeout=30,
    )
    assert response.status_code == 200
    assert_signposting(response.json()[0]["text"])

    alerts = alerts_for(base_settings.database_url, rest_user_key(data_keys, sender))
    assert len(alerts) == 1
    assert marker not in alerts[0].text_enc
    assert marker in data_keys.decrypt(alerts[0].text_enc)
    assert alerts[0].acknowledged_at is None


@pytest.mark.anyio
@pytest.mark.parametrize("prefix", ["/greet ", "/restart ", '/greet{"a": 1} '])
async def test_slash_injection_does_not_skip_the_screen(assistant: Assistant, prefix: str) -> None:
    replies = await assistant.handle(
        IncomingMessage("web", f"inj-{uuid.uuid4()}", prefix + "i want to kill myself")
    )
    assert_signposting(replies[0].text)


@pytest.mark.anyio
async def test_a_disclosure_too_long_to_answer_is_still_screened(assistant: Assistant) -> None:
    text = "blah " * 1200 + " he hits me every night"
    replies = await assistant.handle(IncomingMessage("web", f"long-{uuid.uuid4()}", text))
    assert_signposting(replies[0].text)


@pytest.mark.anyio
async def test_a_parent_disclosure_gets_the_parent_signposting(
    assistant: Assistant, base_settings, data_keys
) -> None:
    sender = f"parent-{uuid.uuid4()}"
    key = data_keys.user_key("web", sender)
    await assistant.handle(IncomingMessage("web", sender, "hello"))
    with session_scope(base_settings.database_url) as session:
        user = session.scalar(select(ChatUser).where(ChatUser.user_key == key))
        user.audience = "parent"
    replies = await assistant.handle(IncomingMessage("web", sender, "my partner strangled me"))
    assert "0808 800 5000" in replies[0].text  # NSPCC line for adults
    assert_signposting(replies[0].text)
    assert len(alerts_for(base_settings.database_url, key)) == 1


@pytest.mark.anyio
async def test_after_a_disclosure_the_chat_does_not_carry_on_as_if_nothing_happened(
    assistant: Assistant,
) -> None:
    """On Telegram, whose history already shows the conversation on the person's phone; the web
    chat does not add the reminder (tests/security/test_security_chat_identity.py)."""
    sender = str(uuid.uuid4().int % 10**12)
    await assistant.handle(IncomingMessage("telegram", sender, "i dont feel safe at home"))
    replies = await assistant.handle(IncomingMessage("telegram", sender, "hello"))
    assert any("999" in r.text for r in replies[1:])


@pytest.mark.anyio
async def test_if_the_screen_breaks_the_user_still_gets_signposting(
    assistant: Assistant, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(text: str) -> None:
        raise RuntimeError("lexicon unavailable")

    monkeypatch.setattr(assistant.screen, "check", broken)
    replies = await assistant.handle(IncomingMessage("web", f"b-{uuid.uuid4()}", "hello there"))
    assert_signposting(replies[0].text)
    assert "safety screen failed" in caplog.text


@pytest.mark.anyio
async def test_if_the_database_is_down_the_user_still_gets_signposting(
    assistant: Assistant, caplog: pytest.LogCaptureFixture
) -> None:
    # nothing listens on port 1: every connection is refused at once
    unreachable = dataclasses.replace(
        assistant, database_url="postgresql://carebot:x@127.0.0.1:1/carebot"
    )
    replies = await unreachable.handle(
        IncomingMessage("web", f"db-{uuid.uuid4()}", "my dad beats me")
    )
    assert_signposting(replies[0].text)
    assert "could NOT be stored" in caplog.text
