"""Not sure: the question answered, a warm check-in with buttons, a possible concern for the
duty role; "I'm not OK" (or any further concern) escalates to the signposting and an urgent
alert. The model's concern score is set by the test so the outcome does not depend on how a
particular training run scores a particular sentence; everything else is real."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlalchemy import select

import bot.pipeline
from bot.messages import IncomingMessage
from bot.pipeline import Assistant
from bot.safety.triage import MODEL_NOTICED
from db.engine import session_scope
from db.models import Alert, AlertPriority, ChatUser
from tests.integration.test_safeguarding_path import assert_signposting
from tests.support.checkin import CHECKIN


def alerts_of(database_url: str, user_key: str) -> list[Alert]:
    with session_scope(database_url) as session:
        return list(session.scalars(
            select(Alert).join(ChatUser, Alert.chat_user_id == ChatUser.id)
            .where(ChatUser.user_key == user_key).order_by(Alert.id)
        ))


@pytest.fixture
def model_not_sure(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bot.pipeline, "concern_score", lambda parse: MODEL_NOTICED + 0.05)


@pytest.fixture
def model_calm(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bot.pipeline, "concern_score", lambda parse: 0.0)


@pytest.mark.anyio
async def test_not_sure_answers_the_question_then_checks_in(
    assistant: Assistant, model_not_sure: None, base_settings, data_keys
) -> None:
    sender = f"ns-{uuid.uuid4()}"
    replies = await assistant.handle(IncomingMessage("web", sender, "how often are my reviews"))
    texts = [r.text for r in replies]
    assert "6 months" in " ".join(texts[:-1])  # the question is answered first
    assert texts[-1] == CHECKIN
    assert [b.title for b in replies[-1].buttons] == [
        "I'm OK", "I'm not OK", "I want to talk to someone"]
    assert not any("Thank you for telling me" in t for t in texts)
    alerts = alerts_of(base_settings.database_url, data_keys.user_key("web", sender))
    assert [a.priority for a in alerts] == [AlertPriority.POSSIBLE.value]
    assert data_keys.decrypt(alerts[0].text_enc) == "how often are my reviews"


@pytest.mark.anyio
async def test_im_not_ok_escalates_to_signposting_and_makes_the_concern_urgent(
    assistant: Assistant, model_not_sure: None, base_settings, data_keys
) -> None:
    sender = f"nok-{uuid.uuid4()}"
    await assistant.handle(IncomingMessage("web", sender, "how often are my reviews"))
    replies = await assistant.handle(IncomingMessage("web", sender, "/checkin_not_ok"))
    assert_signposting(replies[0].text)
    alerts = alerts_of(base_settings.database_url, data_keys.user_key("web", sender))
    assert [a.priority for a in alerts] == [AlertPriority.URGENT.value] * 2
    assert alerts[0].escalated_at is not None  # the check-in's concern, now urgent


@pytest.mark.anyio
async def test_im_ok_is_thanked_and_the_possible_concern_stays_for_duty(
    assistant: Assistant, model_not_sure: None, base_settings, data_keys
) -> None:
    sender = f"ok-{uuid.uuid4()}"
    await assistant.handle(IncomingMessage("web", sender, "how often are my reviews"))
    replies = await assistant.handle(IncomingMessage("web", sender, "/checkin_ok"))
    assert "Thank you for letting me know" in replies[0].text and "0800 1111" in replies[0].text
    alerts = alerts_of(base_settings.database_url, data_keys.user_key("web", sender))
    assert [(a.priority, a.acknowledged_at) for a in alerts] == [
        (AlertPriority.POSSIBLE.value, None)]


@pytest.mark.anyio
async def test_a_further_concern_after_a_check_in_gets_the_signposting(
    assistant: Assistant, model_not_sure: None, base_settings, data_keys
) -> None:
    sender = f"again-{uuid.uuid4()}"
    await assistant.handle(IncomingMessage("web", sender, "how often are my reviews"))
    replies = await assistant.handle(IncomingMessage("web", sender, "who is my IRO"))
    assert_signposting(replies[0].text)


@pytest.mark.anyio
@pytest.mark.parametrize("text", ["/help my dad hits me", "/mydata he hits me"])
async def test_a_command_with_worrying_words_is_answered_and_still_checked_in(
    assistant: Assistant, model_not_sure: None, base_settings, data_keys, text: str
) -> None:
    """A command answers without the model, but what the screen noticed is never lost."""
    sender = f"cmd-{uuid.uuid4()}"
    replies = await assistant.handle(IncomingMessage("web", sender, text))
    assert len(replies) == 2 and replies[-1].text == CHECKIN
    alerts = alerts_of(base_settings.database_url, data_keys.user_key("web", sender))
    assert [a.priority for a in alerts] == [AlertPriority.POSSIBLE.value]


@pytest.mark.anyio
async def test_a_slowed_down_message_with_worrying_words_still_records_the_check_in(
    assistant: Assistant, model_not_sure: None, base_settings, data_keys,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sender = f"slow-{uuid.uuid4()}"
    monkeypatch.setattr(assistant.rate_limiter, "allow", lambda key: False)
    replies = await assistant.handle(IncomingMessage("web", sender, "my dad hits me"))
    assert replies[-1].text == CHECKIN
    alerts = alerts_of(base_settings.database_url, data_keys.user_key("web", sender))
    assert [a.priority for a in alerts] == [AlertPriority.POSSIBLE.value]


@pytest.mark.anyio
async def test_an_ordinary_question_gets_no_check_in(
    assistant: Assistant, model_calm: None, base_settings, data_keys
) -> None:
    sender = f"calm-{uuid.uuid4()}"
    replies = await assistant.handle(IncomingMessage("web", sender, "how often are my reviews"))
    assert all(r.text != CHECKIN for r in replies)
    assert alerts_of(base_settings.database_url, data_keys.user_key("web", sender)) == []


@pytest.mark.anyio
async def test_a_clear_disclosure_still_gets_the_signposting_at_once(assistant: Assistant) -> None:
    replies = await assistant.handle(
        IncomingMessage("web", f"clear-{uuid.uuid4()}", "my foster dad hits me with a belt"))
    assert_signposting(replies[0].text)


def test_the_check_in_over_rest_has_its_buttons(
    live_server_url: str, model_not_sure: None, rest_auth: dict[str, str]
) -> None:
    sender = f"rest-{uuid.uuid4()}"
    url = f"{live_server_url}/webhooks/rest/webhook"
    body = httpx.post(url, json={"sender": sender, "message": "can i see my file"},
                      headers=rest_auth, timeout=30).json()
    assert body[-1]["text"] == CHECKIN
    assert [b["payload"] for b in body[-1]["buttons"]] == [
        "/checkin_ok", "/checkin_not_ok", "/checkin_talk"]
    escalated = httpx.post(url, json={"sender": sender, "message": "/checkin_talk"},
                           headers=rest_auth, timeout=30).json()
    assert_signposting(escalated[0]["text"])
