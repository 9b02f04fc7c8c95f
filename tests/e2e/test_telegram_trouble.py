"""Telegram trouble: flood control, server errors, slow answers and repeated updates.

The stand-in Bot API (tests/support/fake_bot_api.py) is made to answer 429 with retry_after,
5xx, or too slowly; replies must still reach the chat exactly once, and an update that arrives
twice must be answered once.
"""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut

from bot.channels.telegram.channel import SECRET_HEADER, TelegramChannel
from bot.channels.telegram.delivery import MAX_SEND_ATTEMPTS, RecentIds
from tests.e2e.test_telegram_channel import (
    WEBHOOK_SECRET,
    as_shown,
    start_webhook_channel,
    webhook_client,
)
from tests.support.fake_bot_api import (
    FakeBotApi,
    command_update,
    new_user_id,
    server_error,
    shown,
    slow_answer,
    text_update,
    too_many_requests,
)


async def delivered_when_settled(bot_api: FakeBotApi, chat_id: int, timeout: float = 15):
    """Wait for the first message to reach ``chat_id`` and for the bot to finish every update
    (its retries included, so any duplicate has arrived too); return all."""
    deadline = time.monotonic() + timeout
    while not bot_api.delivered(chat_id):
        assert time.monotonic() < deadline, f"nothing delivered; calls: {bot_api.all_calls()}"
        await asyncio.sleep(0.02)
    await bot_api.settled(timeout)
    return bot_api.delivered(chat_id)


async def fast_retrying_channel(telegram_channel, **overrides) -> TelegramChannel:
    channel = await telegram_channel(**overrides)
    channel.delivery.retry_base_delay = 0.05  # the backoff's shape is the same, only quicker
    return channel


def help_text(assistant) -> str:
    return assistant.command_text("help").text


@pytest.mark.anyio
async def test_flood_control_is_honoured_and_the_reply_arrives_once(
    bot_api, telegram_channel, assistant
):
    await telegram_channel()
    user_id = new_user_id()
    bot_api.inject("sendMessage", too_many_requests(retry_after=1))

    bot_api.push_update(command_update("help", user_id))
    delivered = await delivered_when_settled(bot_api, user_id)

    assert [m["text"] for m in delivered] == [help_text(assistant)]
    attempts = [c for c in bot_api.all_calls() if c.method == "sendMessage"]
    assert len(attempts) == 2
    assert attempts[1].at - attempts[0].at >= 0.95, "waited for Telegram's retry_after"


@pytest.mark.anyio
async def test_server_errors_are_retried_with_backoff_and_the_reply_arrives_once(
    bot_api, telegram_channel, assistant
):
    await fast_retrying_channel(telegram_channel)
    user_id = new_user_id()
    bot_api.inject("sendMessage", server_error(500), server_error(502), server_error(503))

    bot_api.push_update(command_update("help", user_id))
    delivered = await delivered_when_settled(bot_api, user_id)

    assert [m["text"] for m in delivered] == [help_text(assistant)]
    attempts = [c.at for c in bot_api.all_calls() if c.method == "sendMessage"]
    assert len(attempts) == 4
    gaps = [later - earlier for earlier, later in zip(attempts, attempts[1:])]
    assert gaps[2] > gaps[0], "each wait is longer than the one before"


@pytest.mark.anyio
async def test_a_slow_answer_is_not_resent_so_the_child_never_sees_a_reply_twice(
    bot_api, telegram_channel, assistant, caplog
):
    channel = await fast_retrying_channel(telegram_channel)
    channel.delivery.send_read_timeout = 0.3
    user_id = new_user_id()
    bot_api.inject("sendMessage", slow_answer(1.0))  # Telegram took it, but answers late

    bot_api.push_update(command_update("help", user_id))
    delivered = await delivered_when_settled(bot_api, user_id)  # any retry would be made by now

    assert [m["text"] for m in bot_api.delivered(user_id)] == [help_text(assistant)]
    assert len(delivered) == 1
    assert len(bot_api.calls_to_chat("sendMessage", user_id)) == 1
    assert "may have arrived; not resent" in caplog.text

    bot_api.push_update(command_update("privacy", user_id))  # the chat carries on
    await bot_api.wait_for(
        "sendMessage", lambda p: p.get("chat_id") == user_id and p["text"] != help_text(assistant)
    )


@pytest.mark.anyio
async def test_a_reply_telegram_keeps_refusing_is_given_up_and_the_next_one_arrives(
    bot_api, telegram_channel, assistant, caplog
):
    await fast_retrying_channel(telegram_channel)
    user_id = new_user_id()
    bot_api.inject("sendMessage", *[server_error(500)] * MAX_SEND_ATTEMPTS)

    bot_api.push_update(command_update("help", user_id))
    deadline = time.monotonic() + 15
    while len(bot_api.calls_to_chat("sendMessage", user_id)) < MAX_SEND_ATTEMPTS:
        assert time.monotonic() < deadline
        await asyncio.sleep(0.02)
    bot_api.push_update(command_update("privacy", user_id))
    delivered = await delivered_when_settled(bot_api, user_id)

    assert [shown(m) for m in delivered] == [as_shown(assistant.command_text("privacy").text)]
    assert len(bot_api.calls_to_chat("sendMessage", user_id)) == MAX_SEND_ATTEMPTS + 1
    assert "telegram reply not sent" in caplog.text


@pytest.mark.anyio
async def test_an_update_delivered_twice_by_get_updates_is_answered_once(
    bot_api, telegram_channel
):
    await telegram_channel()
    user_id = new_user_id()

    bot_api.push_update(text_update("hello", user_id), times=2)
    delivered = await delivered_when_settled(bot_api, user_id)

    assert len(delivered) == 1
    assert len(bot_api.calls_to_chat("sendChatAction", user_id)) == 1


@pytest.mark.anyio
async def test_a_webhook_update_retried_by_telegram_is_answered_once(
    bot_api, telegram_channel
):
    channel = await start_webhook_channel(telegram_channel)
    user_id = new_user_id()
    update = text_update("hello", user_id)

    async with webhook_client(channel) as client:
        for _ in range(3):
            response = await client.post(
                "/telegram/webhook", json=update, headers={SECRET_HEADER: WEBHOOK_SECRET}
            )
            assert response.status_code == 200  # Telegram must stop retrying
    delivered = await delivered_when_settled(bot_api, user_id)

    assert len(delivered) == 1


# ------------------------------------------------------------- the policy, unit by unit


def network_error(cause: Exception) -> NetworkError:
    error = TimedOut() if isinstance(cause, httpx.TimeoutException) else NetworkError("x")
    error.__cause__ = cause
    return error


@pytest.mark.parametrize(
    ("error", "resent"),
    [
        (RetryAfter(3), True),
        (RetryAfter(3600), False),  # longer than we make a person wait: give up, log
        (NetworkError("Internal Server Error"), True),  # a 5xx: Telegram did not take it
        (network_error(httpx.ConnectError("refused")), True),
        (network_error(httpx.ConnectTimeout("connect")), True),
        (network_error(httpx.PoolTimeout("pool")), True),
        (network_error(httpx.ReadTimeout("read")), False),  # sent; may have been delivered
        (network_error(httpx.RemoteProtocolError("closed")), False),
        (BadRequest("message text is empty"), False),  # sending again will not help
    ],
    ids=["429", "429-too-long", "5xx", "refused", "connect-timeout", "pool-timeout",
         "read-timeout", "dropped", "400"],
)
def test_which_failures_are_sent_again(
    error: Exception, resent: bool, test_settings, assistant
) -> None:
    channel = TelegramChannel(test_settings(telegram_bot_token="1:x"), assistant)
    assert (channel.delivery.retry_delay(error, attempt=1) is not None) is resent


def test_recent_update_ids_are_remembered_in_bounded_memory() -> None:
    recent = RecentIds(3)
    assert [recent.first_time(i) for i in (1, 2, 1, 3, 4)] == [True, True, False, True, True]
    assert recent.first_time(1), "the oldest id was forgotten to keep memory bounded"
    assert not recent.first_time(4)

