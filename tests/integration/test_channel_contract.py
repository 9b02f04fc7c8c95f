"""Adding a channel is one new module and one registration: the tests' own postbox channel
(tests/support/postbox_channel.py), added to carebot's channels in the real app with the real
model, is started and stopped with the app, its messages take the one road (safety screen
first), and what it can do (message first, keep history on the device) is what the pipeline
and the reminders go by."""

from __future__ import annotations

import time
import uuid

import httpx
import pytest

from bot.consultation.form import load_shared
from bot.web import app as web_app
from bot.web.app import create_app
from bot.web.channels import CHANNELS
from tests.integration.test_safeguarding_path import alerts_for
from tests.support.live_server import run_server
from tests.support.postbox_channel import POSTBOX, POSTBOX_SETUP
from tests.support.reviews import make_invite, make_review

DISCLOSURE = "my carer hits me when I get home"


def test_a_channel_added_by_one_registration_takes_the_one_road_and_sends_the_reminder(
    base_settings, data_keys, runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(web_app, "REMINDER_CHECK_EVERY_S", 0.1)  # not every 15 minutes
    db = base_settings.database_url
    made = make_review(db, data_keys, days_ahead=4)
    code = make_invite(db, data_keys, made.review_id, "child", reminder_opt_in=True)
    reminder_opening = load_shared(base_settings.content_dir).texts["reminder"].split("{")[0]
    told, invited = f"told-{uuid.uuid4()}", f"invited-{uuid.uuid4()}"
    app = create_app(base_settings, data_keys, runtime=runtime, channels=(*CHANNELS, POSTBOX_SETUP))

    with run_server(app) as url:
        content = app.state.carebot.content
        postbox = app.state.carebot.channels.get(POSTBOX)
        assert postbox.running

        def post(sender: str, text: str) -> list[str]:
            response = httpx.post(f"{url}/postbox/webhook", timeout=30,
                                  json={"sender": sender, "message": text})
            assert response.status_code == 204
            return postbox.boxes[sender]

        assert post(told, DISCLOSURE) == [content.signposting("unknown")]
        assert len(alerts_for(db, data_keys.user_key(POSTBOX, told))) == 1
        assert post(told, "hello")[-1] == content.after_concern()  # its history stays with them

        post(invited, code)
        deadline = time.monotonic() + 20
        while not any(text.startswith(reminder_opening) for text in postbox.boxes[invited]):
            assert time.monotonic() < deadline, f"no reminder: {postbox.boxes[invited]}"
            time.sleep(0.1)
        (reminder,) = [t for t in postbox.boxes[invited] if t.startswith(reminder_opening)]
        assert made.iro_name in reminder

    assert not postbox.running
