"""Fixtures for end-to-end tests: the stand-in Bot API and a running Telegram channel."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import pytest

from bot.channels.telegram import TelegramChannel
from tests.support.fake_bot_api import FakeBotApi


@pytest.fixture
def bot_api() -> Iterator[FakeBotApi]:
    """A fresh stand-in Bot API server on loopback for each test."""
    with FakeBotApi() as api:
        yield api


StartChannel = Callable[..., Awaitable[TelegramChannel]]


@pytest.fixture
async def telegram_channel(
    bot_api: FakeBotApi, assistant: Any, test_settings: Callable[..., Any]
) -> AsyncIterator[StartChannel]:
    """Start a real TelegramChannel against the stand-in; settings overrides select the mode.

    Every channel started here is stopped after the test, even when the test fails.
    """
    started: list[TelegramChannel] = []

    async def start(**overrides: Any) -> TelegramChannel:
        settings = test_settings(
            telegram_bot_token=bot_api.token,
            telegram_api_base_url=bot_api.base_url,
            **overrides,
        )
        channel = TelegramChannel(settings, assistant)
        await channel.start()
        started.append(channel)
        return channel

    yield start
    for channel in started:
        await channel.stop()
