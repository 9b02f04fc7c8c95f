"""Channels that answer in the response to each request: REST and the web chat.

Their endpoints are the web app's routes (bot/channels/rest.py, bot/web/chat.py), which call
``Assistant.handle`` and return its replies; these objects tell the rest of carebot what such a
channel can do: it cannot message anyone first, and its conversation is not kept on the
person's own device (a web page or an integration's screen may be someone else's later).
"""

from __future__ import annotations

from bot.channel_contract import CannotMessageFirst
from bot.messages import Reply


class RequestResponseChannel:
    """A channel whose every reply is the answer to a request."""

    can_message_first = False
    history_on_device = False
    webhook = None  # its routes are declared with the web app's own

    def __init__(self, name: str) -> None:
        self.name = name

    async def start(self) -> None:
        """Nothing to start: its routes answer as soon as the assistant is ready."""

    async def stop(self) -> None:
        """Nothing to stop: requests in progress finish with the server."""

    async def send(self, address: str, replies: list[Reply]) -> None:
        raise CannotMessageFirst(f"{self.name} answers requests; it cannot message anyone first")
