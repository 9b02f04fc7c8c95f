"""What a channel is, and the registry of the channels one process runs.

A channel (Telegram, REST, the web chat) turns its own messages into ``IncomingMessage`` for
``Assistant.handle`` and the replies back into its own format. What the rest of carebot needs
to know about it is here, so the pipeline can ask about a channel by name without naming
one: whether it can message someone first (the one reminder before a review), and whether its
history stays on the person's own device (the reminder of 999 and Childline after a
disclosure). This module sits below the pipeline and above ``bot.messages``, so both the
pipeline and the channels import it (pyproject.toml [tool.importlinter]).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

from starlette.requests import Request
from starlette.responses import Response

from bot.messages import Reply

Webhook = Callable[[Request], Awaitable[Response]]


class CannotMessageFirst(RuntimeError):
    """Asked to send to someone on a channel that only answers requests, or that is not
    running here."""


class Channel(Protocol):
    """One way people talk to carebot. Adding a channel is a module with a class like this,
    one ``ChannelSetup`` in ``bot/web/channels.py`` and its settings in ``bot/config.py``."""

    @property
    def name(self) -> str:
        """The channel's name in ``IncomingMessage.channel``, alerts and reminder addresses."""

    @property
    def can_message_first(self) -> bool:
        """Whether ``send`` can reach someone who has not just written (a reminder)."""

    @property
    def history_on_device(self) -> bool:
        """Whether the conversation stays on the person's own device anyway (their Telegram
        history), so a later reply may mention what they said; on a web page or an
        integration's screen someone else may be reading by then."""

    @property
    def webhook(self) -> Webhook | None:
        """The endpoint that receives the channel's updates, mounted by the web app at the
        path its ``ChannelSetup`` names; None for a channel with no webhook."""

    async def start(self) -> None:
        """Begin receiving; raises if the channel cannot (a wrong token, say)."""

    async def stop(self) -> None:
        """Stop receiving, finish what is in progress, close connections."""

    async def send(self, address: str, replies: list[Reply]) -> None:
        """Send ``replies`` to ``address`` (the channel's own id for the person) unasked;
        raises ``CannotMessageFirst`` on a channel that cannot."""


class ChannelRegistry:
    """The channels this process runs, by name.

    The web app registers and starts them once the assistant is ready, and stops them at
    shutdown; the pipeline asks it what a channel can do, and the reminder loop sends
    through it. A channel not registered here can neither message first nor keep history on
    a device, which is the safe answer for both.
    """

    def __init__(self) -> None:
        self._channels: dict[str, Channel] = {}
        self._running: list[Channel] = []

    def register(self, channel: Channel) -> None:
        if channel.name in self._channels:
            raise ValueError(f"a channel named {channel.name!r} is registered already")
        self._channels[channel.name] = channel

    def get(self, name: str) -> Channel | None:
        return self._channels.get(name)

    async def start_all(self) -> None:
        """Start the channels not yet running, in the order they were registered.

        A channel that fails to start raises here and tidies up after itself; those started
        before it are running, and ``stop_all`` stops them.
        """
        for channel in self._channels.values():
            if channel not in self._running:
                await channel.start()
                self._running.append(channel)

    async def stop_all(self) -> None:
        """Stop the running channels, the last started first."""
        while self._running:
            await self._running.pop().stop()

    def can_message_first(self, name: str) -> bool:
        channel = self.get(name)
        return channel is not None and channel.can_message_first

    def history_on_device(self, name: str) -> bool:
        channel = self.get(name)
        return channel is not None and channel.history_on_device

    def messaging_first(self) -> list[str]:
        """The running channels that can message someone first (the reminders need one)."""
        return [channel.name for channel in self._running if channel.can_message_first]

    def webhook(self, name: str) -> Webhook | None:
        """The webhook of a running channel; None while it is not running (not configured,
        still starting, or failed to start)."""
        channel = self._running_named(name)
        return None if channel is None else channel.webhook

    async def send(self, name: str, address: str, replies: list[Reply]) -> None:
        """Send unasked on the running channel ``name``."""
        channel = self._running_named(name)
        if channel is None or not channel.can_message_first:
            raise CannotMessageFirst(f"no way to send a message first on {name}")
        await channel.send(address, replies)

    def _running_named(self, name: str) -> Channel | None:
        return next((channel for channel in self._running if channel.name == name), None)
