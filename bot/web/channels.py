"""The channels ``carebot serve`` runs.

Adding a channel is a module in ``bot/channels/`` (a class following ``Channel`` in
bot/channel_contract.py), one ``ChannelSetup`` in ``CHANNELS`` below, and its settings in
bot/config.py. The web app builds each channel once the assistant is ready, registers and
starts it, mounts its webhook, sends reminders through it if it can message first, and stops
it at shutdown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.channel_contract import Channel, ChannelRegistry, Webhook
from bot.channels.request_response import RequestResponseChannel
from bot.channels.rest import REST_CHANNEL
from bot.channels.telegram import CHANNEL as TELEGRAM
from bot.channels.telegram import WEBHOOK_PATH as TELEGRAM_WEBHOOK_PATH
from bot.config import Settings
from bot.http_guards.request_limits import TELEGRAM_MAX_BODY_BYTES
from bot.pipeline import Assistant
from bot.web.chat import WEB_CHANNEL

BuildChannel = Callable[[Settings, Assistant], Channel | None]


@dataclass(frozen=True)
class ChannelSetup:
    """How the web app runs one channel."""

    name: str
    # The channel, or None when its settings are not set (it is then not run at all).
    build: BuildChannel
    # Where its webhook is mounted (POST); the route answers 404 while the channel is not
    # running. None for a channel with no webhook.
    webhook_path: str | None = None
    # A body limit other than the app's, for a webhook whose updates need more room.
    webhook_max_body: int | None = None


def _rest(settings: Settings, assistant: Assistant) -> Channel:
    return RequestResponseChannel(REST_CHANNEL)


def _web_chat(settings: Settings, assistant: Assistant) -> Channel:
    return RequestResponseChannel(WEB_CHANNEL)


def _telegram(settings: Settings, assistant: Assistant) -> Channel | None:
    """Telegram when ``TELEGRAM_BOT_TOKEN`` is set; python-telegram-bot is loaded only then."""
    if not settings.telegram_bot_token:
        return None
    from bot.channels.telegram.channel import TelegramChannel

    return TelegramChannel(settings, assistant)


CHANNELS: tuple[ChannelSetup, ...] = (
    ChannelSetup(REST_CHANNEL, _rest),
    ChannelSetup(WEB_CHANNEL, _web_chat),
    ChannelSetup(TELEGRAM, _telegram, webhook_path=TELEGRAM_WEBHOOK_PATH,
                 webhook_max_body=TELEGRAM_MAX_BODY_BYTES),
)


def register_channels(channels: ChannelRegistry, setups: Iterable[ChannelSetup],
                      settings: Settings, assistant: Assistant) -> None:
    """Build and register every channel whose settings are set, in the order given."""
    for setup in setups:
        channel = setup.build(settings, assistant)
        if channel is None:
            continue
        if channel.name != setup.name:
            raise ValueError(f"the setup for {setup.name!r} built a channel named {channel.name!r}")
        channels.register(channel)


def webhook_routes(setups: Iterable[ChannelSetup]) -> list[Route]:
    """A route for each channel with a webhook, declared before any channel runs."""
    return [
        Route(setup.webhook_path, _webhook_endpoint(setup.name), methods=["POST"],
              max_body_size=setup.webhook_max_body)
        for setup in setups if setup.webhook_path is not None
    ]


def _webhook_endpoint(name: str) -> Webhook:
    """Hands the request to the running channel's webhook."""

    async def endpoint(request: Request) -> Response:
        webhook = request.app.state.carebot.channels.webhook(name)
        if webhook is None:
            return JSONResponse({"error": f"{name.capitalize()} is not enabled"}, status_code=404)
        return await webhook(request)

    return endpoint
