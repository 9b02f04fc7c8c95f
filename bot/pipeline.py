"""The one road every message takes, whatever the channel.

channel adapter -> size and injection guards -> Rasa agent (custom actions in process) -> replies.
Adapters call :meth:`Assistant.handle`; they never talk to Rasa themselves.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from bot.channels.messages import IncomingMessage, Reply
from bot.content import Content
from bot.rasa_runtime import RasaRuntime
from db.encryption import DataKeys

log = logging.getLogger(__name__)


@dataclass
class Assistant:
    runtime: RasaRuntime
    content: Content
    keys: DataKeys
    max_message_chars: int = 4096

    async def handle(self, message: IncomingMessage) -> list[Reply]:
        started = time.perf_counter()
        user_key = self.keys.user_key(message.channel, message.channel_user_id)
        text = message.text.strip()
        if not text:
            return [self._say("empty_message")]
        if len(text) > self.max_message_chars:
            return [self._say("message_too_long", limit=str(self.max_message_chars))]
        replies = await self.runtime.respond(user_key, self.to_rasa_text(text), message.channel)
        log.info(
            "message handled channel=%s user=%s replies=%d ms=%.1f",
            message.channel, user_key[:8], len(replies), (time.perf_counter() - started) * 1000,
        )
        return replies or [self._say("fallback")]

    async def start(self, channel: str, channel_user_id: str, payload: str | None) -> list[Reply]:
        """A new conversation (Telegram ``/start``, optionally from a deep link)."""
        return [self._say("welcome")]

    def command_text(self, key: str) -> Reply:
        """Fixed texts for channel commands such as /help and /privacy."""
        return self._say(key)

    def to_rasa_text(self, text: str) -> str:
        """Stop user text from reaching Rasa as a literal ``/intent{...}``.

        Rasa treats text starting with ``/`` as an intent with entities, skipping NLU.
        Only the exact payloads of our own buttons may do that; anything else loses its
        leading slashes and is understood as words.
        """
        if text.startswith("/") and text not in self.content.button_payloads():
            return text.lstrip("/").strip() or "hello"
        return text

    def _say(self, key: str, **values: str) -> Reply:
        said = self.content.say(key, **values)
        return Reply(text=said.text, buttons=list(said.buttons))

