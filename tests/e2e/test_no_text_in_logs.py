"""A marker typed into any channel never reaches a log or the console, and is stored only sealed."""

from __future__ import annotations

import logging
import uuid
from pathlib import Path

import httpx
import pytest

from tests.support.carebot_process import CarebotServer, demo_env
from tests.support.database import everything_stored
from tests.support.fake_bot_api import FakeBotApi, edited_message_update, new_user_id, text_update


@pytest.mark.anyio
async def test_a_marker_sent_on_every_channel_is_in_no_log_and_only_sealed_at_rest(
    live_server_url: str, bot_api: FakeBotApi, telegram_channel, base_settings,
    caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str], rest_auth,
) -> None:
    caplog.set_level(logging.DEBUG)  # everything any library logs, at its most talkative
    marker = f"canary{uuid.uuid4().hex[:10]}"
    disclosure_marker = f"{marker}x"

    async with httpx.AsyncClient(timeout=30) as client:
        for sender, text in [
            (f"rest-{marker}", f"hello {marker}"),  # REST
            (f"rest2-{marker}", f"{disclosure_marker} my uncle hurts me"),  # an alert
        ]:
            response = await client.post(
                f"{live_server_url}/webhooks/rest/webhook", headers=rest_auth,
                json={"sender": sender, "message": text},
            )
            assert response.status_code == 200
    async with httpx.AsyncClient(timeout=30) as web_chat:  # the web chat page's path
        response = await web_chat.post(f"{live_server_url}/chat/messages",
                                       json={"message": f"who is my iro {marker}"})
        assert response.status_code == 200

    await telegram_channel()
    user_id = new_user_id()
    bot_api.push_update(text_update(f"are you a robot {marker}", user_id))
    await bot_api.wait_for("sendMessage", lambda p: p.get("chat_id") == user_id)
    bot_api.push_update(edited_message_update(f"hello again {marker}", user_id))
    await bot_api.wait_for(
        "sendMessage", lambda p: p.get("chat_id") == user_id and "again" not in p.get("text", ""),
        timeout=10,
    )

    assert caplog.records, "the test must see the logs to prove anything"
    assert marker not in caplog.text
    for record in caplog.records:
        assert marker not in record.getMessage()
        assert marker not in str(record.args)

    printed = capfd.readouterr()  # anything printed straight to stdout/stderr (e.g. structlog)
    assert marker not in printed.out and marker not in printed.err

    stored = everything_stored(base_settings.database_url)
    assert marker.encode() not in stored
    assert disclosure_marker.encode() not in stored


def test_a_marker_sent_to_carebot_serve_is_in_no_output_of_it_or_its_understanding_process(
    tmp_path: Path, trained_model: Path,
) -> None:
    """`carebot serve` parses in a child process; neither process may print what people type,
    even at DEBUG."""
    output = tmp_path / "serve.log"
    env = {**demo_env(tmp_path / "data"), "CAREBOT_LOG_LEVEL": "DEBUG", "CAREBOT_NLU_PROCESS": "1"}
    server = CarebotServer(env, output=output).start()
    marker = f"canary{uuid.uuid4().hex[:10]}"
    try:
        assert server.say(f"rest-{marker}", f"who is my iro {marker}")
        assert server.say(f"rest2-{marker}", f"what is an advocate {marker}")
        disclosure = server.say(f"rest3-{marker}", f"{marker} my uncle hurts me")
        assert "0800 1111" in disclosure[0]["text"]
    finally:
        server.stop()

    printed = output.read_text()
    assert "message handled" in printed, "the test must see the server's DEBUG logs"
    assert marker not in printed
    # A newcomer reads carebot's own lines: no other package's warnings (their source lines
    # name site-packages), from either process.
    assert "site-packages" not in printed, printed[:2000]
    stored = everything_stored(f"sqlite:///{tmp_path / 'data' / 'carebot.db'}")
    assert marker.encode() not in stored
