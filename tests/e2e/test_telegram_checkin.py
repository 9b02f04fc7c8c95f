"""The safety check-in over Telegram: its buttons as an inline keyboard, and "I'm not OK"
pressed as a button escalating to the signposting and an urgent alert. The model's concern
score is set by the test (see tests/integration/test_safety_checkin.py)."""

from __future__ import annotations

import pytest

import bot.pipeline
from bot.safety.triage import MODEL_NOTICED
from tests.e2e.test_telegram_channel import assert_well_formed_keyboard, replies_to
from tests.integration.test_safeguarding_path import alerts_for, assert_signposting
from tests.integration.test_safety_checkin import CHECKIN
from tests.support.fake_bot_api import callback_query_update, new_user_id, shown, text_update


@pytest.mark.anyio
async def test_a_check_in_has_its_buttons_and_not_ok_escalates(
    bot_api, telegram_channel, monkeypatch, base_settings, data_keys
) -> None:
    monkeypatch.setattr(bot.pipeline, "concern_score", lambda parse: MODEL_NOTICED + 0.05)
    await telegram_channel()
    user_id = new_user_id()

    bot_api.push_update(text_update("how often are my reviews", user_id))
    sent = await replies_to(bot_api, user_id, count=2)
    checkin = sent[-1]
    assert checkin["text"] == CHECKIN
    assert_well_formed_keyboard(checkin)
    pressed = [row[0]["callback_data"] for row in checkin["reply_markup"]["inline_keyboard"]]
    assert pressed == ["/checkin_ok", "/checkin_not_ok", "/checkin_talk"]

    bot_api.push_update(callback_query_update("/checkin_not_ok", user_id))
    sent = await replies_to(bot_api, user_id, count=len(sent) + 1)
    assert_signposting(sent[-1]["text"])
    # sent as HTML Telegram accepts (the stand-in refuses what Telegram refuses), lists as bullets
    assert sent[-1]["parse_mode"] == "HTML" and "\u2022 " in shown(sent[-1])
    alerts = alerts_for(base_settings.database_url, data_keys.user_key("telegram", str(user_id)))
    assert [a.priority for a in alerts] == ["urgent", "urgent"]
