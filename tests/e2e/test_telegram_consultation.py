"""The consultation over Telegram: deep link, buttons, stop and carry on, send; one reminder.

Real python-telegram-bot against the offline stand-in Bot API, the real assistant and model.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from bot.consultation.form import load_form, load_shared
from bot.consultation.reminders import send_due_reminders
from bot.messages import Reply
from db.engine import session_scope
from db.models import Consultation, ConsultationRole, Invite
from tests.support.fake_bot_api import (
    FakeBotApi,
    callback_query_update,
    new_user_id,
    start_update,
    text_update,
)
from tests.support.reviews import make_invite, make_review


async def exchange(bot_api: FakeBotApi, user_id: int, update: dict[str, Any]) -> list[dict]:
    """Push one update; the messages the bot sent back (once it has finished with it)."""
    before = len(bot_api.calls_to_chat("sendMessage", user_id))
    bot_api.push_update(update)
    await bot_api.wait_for(
        "sendMessage", lambda p: len(bot_api.calls_to_chat("sendMessage", user_id)) > before
    )
    await bot_api.settled()
    return bot_api.calls_to_chat("sendMessage", user_id)[before:]


def buttons(message: dict) -> dict[str, str]:
    """Button title -> callback data, from a sent message's inline keyboard."""
    markup = message.get("reply_markup") or {"inline_keyboard": []}
    return {row[0]["text"]: row[0]["callback_data"] for row in markup["inline_keyboard"]}


@pytest.mark.anyio
async def test_a_parent_gives_views_over_telegram_from_a_deep_link(
    bot_api, telegram_channel, base_settings, data_keys
):
    await telegram_channel()
    db = base_settings.database_url
    form = load_form(base_settings.content_dir, ConsultationRole.PARENT)
    shared = load_shared(base_settings.content_dir)
    made = make_review(db, data_keys, child_name="Morgan")
    code = make_invite(db, data_keys, made.review_id, "parent")
    user_id = new_user_id()

    welcome = await exchange(bot_api, user_id, start_update(user_id, payload=code.replace("-", "")))
    assert "Morgan" in welcome[0]["text"] and made.iro_name in welcome[0]["text"]
    assert welcome[-1]["text"] == form.questions[0].text

    skip = buttons(welcome[-1])[shared.skip_title]
    asked = await exchange(bot_api, user_id, callback_query_update(skip, user_id, "Skip"))
    assert asked[-1]["text"] == form.questions[1].text
    await exchange(bot_api, user_id, text_update("We agree with the plan", user_id))
    paused = await exchange(bot_api, user_id, text_update("stop", user_id))
    assert paused[-1]["text"] == shared.texts["paused"]

    resumed = await exchange(bot_api, user_id, text_update("carry on", user_id))
    assert resumed[-1]["text"] == form.questions[2].text
    for _ in form.keys[2:]:
        last = await exchange(bot_api, user_id, text_update("skip", user_id))
    send = buttons(last[-1])
    assert any(made.iro_name in title for title in send)
    sent = await exchange(
        bot_api, user_id, callback_query_update(next(iter(send.values())), user_id, "Send")
    )
    assert made.iro_name in sent[-1]["text"]
    with session_scope(db) as session:
        consultation = session.scalars(
            select(Consultation).where(Consultation.review_id == made.review_id)
        ).one()
        assert consultation.submitted_at is not None
        assert consultation.role == ConsultationRole.PARENT


@pytest.mark.anyio
async def test_one_reminder_goes_to_those_who_asked_and_only_once(
    bot_api, telegram_channel, base_settings, data_keys, assistant
):
    channel = await telegram_channel()
    db = base_settings.database_url
    made = make_review(db, data_keys, days_ahead=4)
    wants_reminder = make_invite(db, data_keys, made.review_id, "child", reminder_opt_in=True)
    user_id = new_user_id()
    await exchange(bot_api, user_id, start_update(user_id, payload=wants_reminder))
    with session_scope(db) as session:
        invite = session.scalars(select(Invite).where(Invite.review_id == made.review_id)).one()
        assert str(user_id) not in (invite.reminder_address_enc or "")  # sealed

    no_reminder = make_review(db, data_keys, days_ahead=4)
    other_user = new_user_id()
    await exchange(bot_api, other_user, start_update(
        other_user, payload=make_invite(db, data_keys, no_reminder.review_id, "child")
    ))

    async def send(channel_name: str, address: str, text: str) -> None:
        assert channel_name == "telegram"
        await channel.send(address, [Reply(text)])

    before = len(bot_api.calls_to_chat("sendMessage", user_id))
    first = await send_due_reminders(db, data_keys, assistant.content, send)
    second = await send_due_reminders(db, data_keys, assistant.content, send)
    assert (first, second) == (1, 0)
    reminders = bot_api.calls_to_chat("sendMessage", user_id)[before:]
    assert len(reminders) == 1 and made.iro_name in reminders[0]["text"]
    to_other = bot_api.calls_to_chat("sendMessage", other_user)
    assert to_other and all(m["text"] != reminders[0]["text"] for m in to_other)
