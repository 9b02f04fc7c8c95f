"""A channel of the tests' own, to show what adding one takes: this module and one
``ChannelSetup`` (docs/architecture.md, "Common changes"; the settings are none).

People post ``{"sender": str, "message": str}`` to ``POST /postbox/webhook``; carebot's replies,
and anything it says first, land in the sender's box.
"""

from __future__ import annotations

import json
from collections import defaultdict

from starlette.requests import Request
from starlette.responses import Response

from bot.messages import IncomingMessage, Reply
from bot.pipeline import Assistant
from bot.web.channels import ChannelSetup

POSTBOX = "postbox"


class PostboxChannel:
    name = POSTBOX
    can_message_first = True  # a box takes post whenever it comes
    history_on_device = True  # and keeps it, like a Telegram chat

    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant
        self.boxes: defaultdict[str, list[str]] = defaultdict(list)
        self.running = False

    async def start(self) -> None:
        self.running = True

    async def stop(self) -> None:
        self.running = False

    async def send(self, address: str, replies: list[Reply]) -> None:
        self.boxes[address].extend(reply.text for reply in replies)

    async def webhook(self, request: Request) -> Response:
        post = json.loads(await request.body())
        sender = post["sender"]
        async with self.assistant.turn(POSTBOX, sender):  # the replies posted in order too
            replies = await self.assistant.handle(IncomingMessage(POSTBOX, sender, post["message"]))
            await self.send(sender, replies)
        return Response(status_code=204)


POSTBOX_SETUP = ChannelSetup(
    POSTBOX, lambda settings, assistant: PostboxChannel(assistant), webhook_path="/postbox/webhook"
)
