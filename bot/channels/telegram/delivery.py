"""Getting replies to Telegram exactly once, as far as the Bot API allows.

A reply refused with 429 is sent again after Telegram's ``retry_after``; one that certainly did
not arrive (5xx, connection refused, connect or pool timeout) is sent again with exponential
backoff. A reply whose request reached Telegram but whose answer never came back (read
timeout, dropped connection) is *not* sent again: the Bot API has no idempotency key, so a
retry could show a child the same message twice, and Telegram has almost always delivered it.
The other way round, an update seen before (same ``update_id``: a webhook retried by
Telegram, or getUpdates handing it out again) is recognised by :class:`RecentIds` and not
answered twice.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections import deque
from datetime import timedelta
from typing import Any

import httpx
from telegram import Bot, Message
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError

from bot.channels.telegram.formatting import as_html, inline_keyboard, split_text
from bot.messages import Reply

log = logging.getLogger(__name__)

# Attempts per message, backoff between them, and the longest flood-control wait we honour
# before giving up on a message (Telegram's retry_after is usually seconds).
MAX_SEND_ATTEMPTS = 5
RETRY_BASE_DELAY_S = 0.5
RETRY_MAX_DELAY_S = 8.0
MAX_RETRY_AFTER_S = 60.0
SEND_READ_TIMEOUT_S = 10.0
# httpx errors after which the request certainly never reached Telegram: safe to send again.
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


class Delivery:
    """Sends to Telegram chats through one bot. The retry timings are attributes so that
    tests can make the backoff quicker without changing its shape."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot
        self.retry_base_delay = RETRY_BASE_DELAY_S
        self.send_read_timeout = SEND_READ_TIMEOUT_S

    async def show_typing(self, chat_id: int) -> None:
        """Show "typing..." while the assistant thinks; a failure here must not cost the reply."""
        try:
            await self.bot.send_chat_action(chat_id, ChatAction.TYPING)
        except TelegramError as exc:
            log.warning("telegram typing indicator failed error=%s", type(exc).__name__)

    async def send_replies(self, chat_id: int, replies: list[Reply]) -> list[Message]:
        """Send each reply as one or more messages; buttons go under the last part."""
        sent: list[Message] = []
        for reply in replies:
            parts = split_text(reply.text)
            if not parts:
                continue
            markup = inline_keyboard(reply.buttons)
            for index, part in enumerate(parts):
                last = index == len(parts) - 1
                sent.append(
                    await self.send_reliably(
                        chat_id=chat_id, text=as_html(part), parse_mode=ParseMode.HTML,
                        reply_markup=markup if last else None,
                    )
                )
        return sent

    async def send_reliably(self, **message: Any) -> Message:
        """``sendMessage``, sent again when Telegram certainly did not take it (module doc).

        Raises the last error when the message could not be sent; the update's error handler
        logs it.
        """
        attempt = 1
        while True:
            try:
                return await self.bot.send_message(**message, read_timeout=self.send_read_timeout)
            except TelegramError as exc:
                last = attempt == MAX_SEND_ATTEMPTS
                delay = None if last else self.retry_delay(exc, attempt)
                if delay is None:
                    log.error(
                        "telegram reply not sent attempt=%d error=%s%s", attempt,
                        type(exc).__name__,
                        " (may have arrived; not resent)" if _maybe_delivered(exc) else "",
                    )
                    raise
                log.warning(
                    "telegram reply retried attempt=%d error=%s in_s=%.1f",
                    attempt, type(exc).__name__, delay,
                )
                await asyncio.sleep(delay)
                attempt += 1

    def retry_delay(self, exc: TelegramError, attempt: int) -> float | None:
        """Seconds to wait before sending again, or None when it must not be sent again."""
        if isinstance(exc, RetryAfter):
            wait = exc.retry_after
            seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
            return seconds if seconds <= MAX_RETRY_AFTER_S else None
        if isinstance(exc, BadRequest) or not isinstance(exc, NetworkError):
            return None  # a refusal (400, 403) will not change (BadRequest is a NetworkError)
        if _maybe_delivered(exc):
            return None
        backoff = min(RETRY_MAX_DELAY_S, self.retry_base_delay * 2 ** (attempt - 1))
        return backoff * random.uniform(0.5, 1.0)  # jitter: many chats do not retry in step


class RecentIds:
    """The last ``size`` ids seen, to recognise a repeat in constant time and bounded memory."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._order: deque[int] = deque()
        self._seen: set[int] = set()

    def first_time(self, item: int) -> bool:
        if item in self._seen:
            return False
        self._seen.add(item)
        self._order.append(item)
        if len(self._order) > self.size:
            self._seen.discard(self._order.popleft())
        return True


def _maybe_delivered(exc: TelegramError) -> bool:
    """A network error after the request went out: Telegram may well have delivered it.

    A NetworkError without an httpx cause is an HTTP error status (5xx) answered by Telegram,
    which means it did not take the message.
    """
    if not isinstance(exc, NetworkError):
        return False
    cause = exc.__cause__
    return isinstance(cause, httpx.HTTPError) and not isinstance(cause, NOT_SENT)
