"""Fixtures for end-to-end tests: the stand-in Bot API and a running Telegram channel; the
staff dashboard on loopback and a Chromium for its pages."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser

from bot.channel_contract import ChannelRegistry
from bot.channels.telegram.channel import TelegramChannel
from bot.web.app import create_app
from tests.support.browser import AXE, chromium
from tests.support.fake_bot_api import FakeBotApi
from tests.support.live_server import run_server
from tests.support.staff import UnusedRuntime


@pytest.fixture
def bot_api() -> Iterator[FakeBotApi]:
    """A fresh stand-in Bot API server on loopback for each test."""
    with FakeBotApi() as api:
        yield api


StartChannel = Callable[..., Awaitable[TelegramChannel]]


@pytest.fixture
async def telegram_channel(
    bot_api: FakeBotApi, assistant: Any, test_settings: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[StartChannel]:
    """Start a real TelegramChannel against the stand-in; settings overrides select the mode.

    It is registered and started as `carebot serve` does it, in the assistant's registry for
    this test; it is stopped after the test, even when the test fails.
    """
    channels = ChannelRegistry()
    monkeypatch.setattr(assistant, "channels", channels)

    async def start(**overrides: Any) -> TelegramChannel:
        settings = test_settings(
            telegram_bot_token=bot_api.token,
            telegram_api_base_url=bot_api.base_url,
            **overrides,
        )
        channel = TelegramChannel(settings, assistant)
        bot_api.watch_bot(channel.application.update_queue.join)
        channels.register(channel)
        await channels.start_all()
        return channel

    yield start
    bot_api.end_long_polls()  # stopping then needs no wait for the poll in flight
    await channels.stop_all()


@pytest.fixture(scope="module")
def staff_url(staff_settings: Any, data_keys: Any) -> Iterator[str]:
    """The staff dashboard on loopback, with no model (its pages need none)."""
    app = create_app(staff_settings, data_keys, runtime=UnusedRuntime())  # type: ignore[arg-type]
    with run_server(app, ready_path="/iro/login") as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Chromium, for pages checked with axe-core (a test module may bring its own)."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run scripts/ensure-test-tools.sh first")
    with chromium() as browser:
        yield browser
