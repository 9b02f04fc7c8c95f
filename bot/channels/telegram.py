"""Telegram channel: translates Telegram updates to the pipeline's messages and back.

Dialogue logic lives in :class:`bot.pipeline.Assistant`; this module only knows Telegram.
It runs a python-telegram-bot ``Application`` in one of two modes:

* long polling (the default, no public URL needed): ``getUpdates`` in a background task;
* webhook (``TELEGRAM_WEBHOOK_URL`` set): Telegram POSTs updates to :meth:`TelegramChannel.webhook`,
  which the web app mounts at ``POST /telegram/webhook``.

Privacy rules kept here: no message text, name, username or location is logged or stored;
logs carry update ids and timings only. The bot answers in private chats only, so nothing a
child says or is told is ever posted into a group.

Delivery (see :meth:`TelegramChannel.send_reliably`): a reply refused with 429 is sent again
after Telegram's ``retry_after``; one that certainly did not arrive (5xx, connection refused,
connect or pool timeout) is sent again with exponential backoff. A reply whose request reached
Telegram but whose answer never came back (read timeout, dropped connection) is *not* sent
again: the Bot API has no idempotency key, so a retry could show a child the same message twice,
and Telegram has almost always delivered it. An update seen before (same ``update_id``: a
webhook retried by Telegram, or getUpdates handing it out again) is not answered twice.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import random
import time
import weakref
from collections import deque
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from telegram import (
    Chat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.constants import ChatAction, MessageLimit
from telegram.error import BadRequest, InvalidToken, NetworkError, RetryAfter, TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.http_guards.request_limits import loads_limited
from bot.messages import Button, IncomingMessage, Reply

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.pipeline import Assistant

log = logging.getLogger(__name__)

CHANNEL = "telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Telegram's limits: message text (counted in UTF-16 code units) and callback data (bytes).
MAX_MESSAGE_LENGTH = int(MessageLimit.MAX_TEXT_LENGTH)
MAX_CALLBACK_DATA_BYTES = 64
# Only the update kinds we handle; Telegram then does not send us the rest at all.
ALLOWED_UPDATES = [Update.MESSAGE, Update.EDITED_MESSAGE, Update.CALLBACK_QUERY]
# Libraries that log whole updates or request parameters (message text, locations) at DEBUG,
# or the bot token inside request URLs at INFO.
CONTENT_LOGGING_LIBRARIES = ("telegram", "httpx", "httpcore")
# Sending replies: attempts per message, backoff between them, and the longest flood-control
# wait we honour before giving up on a message (Telegram's retry_after is usually seconds).
MAX_SEND_ATTEMPTS = 5
RETRY_BASE_DELAY_S = 0.5
RETRY_MAX_DELAY_S = 8.0
MAX_RETRY_AFTER_S = 60.0
SEND_READ_TIMEOUT_S = 10.0
# How many recent update ids are remembered to drop repeats (a few hours of a busy bot).
RECENT_UPDATES = 10_000
# httpx errors after which the request certainly never reached Telegram: safe to send again.
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)

# Everything a person can send that is not text we can read. Captioned media are answered
# by the caption handler first; ATTACHMENT catches kinds added to Telegram later.
NOT_TEXT = (
    filters.Sticker.ALL
    | filters.PHOTO
    | filters.VOICE
    | filters.AUDIO
    | filters.VIDEO
    | filters.VIDEO_NOTE
    | filters.ANIMATION
    | filters.Document.ALL
    | filters.CONTACT
    | filters.LOCATION
    | filters.VENUE
    | filters.POLL
    | filters.Dice.ALL
    | filters.STORY
    | filters.ATTACHMENT
)


class TelegramStartError(RuntimeError):
    """Telegram could not be reached or refused the token. The message never holds the token
    (python-telegram-bot's own ``InvalidToken`` message does), so it is safe to log or show."""


class TelegramChannel:
    """The Telegram side of carebot: started and stopped by the web app's lifespan."""

    def __init__(self, settings: Settings, assistant: Assistant) -> None:
        if not settings.telegram_bot_token:
            raise ValueError("TelegramChannel needs settings.telegram_bot_token")
        self.settings = settings
        self.assistant = assistant
        self.webhook_mode = bool(settings.telegram_webhook_url)
        self._user_locks: weakref.WeakValueDictionary[str, asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )
        self.recent_updates = RecentIds(RECENT_UPDATES)
        self.retry_base_delay = RETRY_BASE_DELAY_S
        self.send_read_timeout = SEND_READ_TIMEOUT_S
        self.application = self._build_application()

    def _build_application(self) -> Application:
        base = self.settings.telegram_api_base_url.rstrip("/")
        builder = (
            Application.builder()
            .token(self.settings.telegram_bot_token or "")
            .base_url(f"{base}/bot")
            .base_file_url(f"{base}/file/bot")
            # Different people are answered concurrently; one person's messages stay in
            # order through a per-user lock (see _user_lock).
            .concurrent_updates(True)
        )
        if self.webhook_mode:
            builder = builder.updater(None)
        application = builder.build()
        self._add_handlers(application)
        return application

    def _add_handlers(self, application: Application) -> None:
        private_only = filters.ChatType.PRIVATE
        new_message = filters.UpdateType.MESSAGE & private_only
        edited = filters.UpdateType.EDITED_MESSAGE & private_only
        application.add_handler(TypeHandler(Update, self._drop_repeats), group=-2)
        application.add_handler(TypeHandler(Update, self._private_chats_only), group=-1)
        application.add_handlers(
            [
                CommandHandler("start", self._on_start, filters=new_message),
                CommandHandler("help", self._on_help, filters=new_message),
                CommandHandler("privacy", self._on_privacy, filters=new_message),
                MessageHandler(new_message & filters.TEXT, self._on_text),
                MessageHandler(new_message & filters.CAPTION, self._on_caption),
                MessageHandler(new_message & NOT_TEXT, self._on_not_text),
                # Edited media without a caption (including live-location updates, which
                # arrive as edits every few seconds) get no reply.
                MessageHandler(edited & (filters.TEXT | filters.CAPTION), self._on_edit),
                CallbackQueryHandler(self._on_button),
            ]
        )
        application.add_error_handler(self._on_error)

    # ----------------------------------------------------------------- lifecycle

    async def start(self) -> None:
        """Connect to the Bot API (``getMe``) and start receiving updates.

        Polling mode fetches updates in a background task. Webhook mode registers the URL and
        secret with Telegram so that updates arrive at :meth:`webhook` instead.
        Raises :class:`TelegramStartError` if the token is wrong or the API unreachable.
        """
        quiet_content_logging()
        try:
            await self.application.initialize()
            if self.webhook_mode:
                await self.application.bot.set_webhook(
                    url=self.settings.telegram_webhook_url or "",
                    secret_token=self.settings.telegram_webhook_secret,
                    allowed_updates=ALLOWED_UPDATES,
                )
            await self.application.start()
            if not self.webhook_mode and self.application.updater is not None:
                await self.application.updater.start_polling(
                    allowed_updates=ALLOWED_UPDATES, drop_pending_updates=False
                )
        except TelegramError as exc:
            await self.stop()  # close HTTP connections opened before the failure
            raise TelegramStartError(self._start_failure(exc)) from None
        except BaseException:
            await self.stop()
            raise
        log.info("telegram channel started mode=%s", "webhook" if self.webhook_mode else "polling")

    async def stop(self) -> None:
        """Stop receiving, finish updates in progress, close HTTP connections.

        The webhook stays registered with Telegram, so updates sent while carebot restarts are
        queued by Telegram and delivered afterwards.
        """
        updater = self.application.updater
        if updater is not None and updater.running:
            await updater.stop()
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()
        # After a failed start the application never counted as initialized, but the bot's
        # HTTP clients were opened; this closes them (a no-op otherwise).
        await self.application.bot.shutdown()
        log.info("telegram channel stopped")

    def _start_failure(self, exc: TelegramError) -> str:
        base = self.settings.telegram_api_base_url
        if isinstance(exc, InvalidToken):
            return f"the Bot API at {base} rejected TELEGRAM_BOT_TOKEN"
        token = self.settings.telegram_bot_token or ""
        detail = str(exc).replace(token, "<token>") if token else str(exc)
        return f"could not start Telegram via {base}: {type(exc).__name__}: {detail}"

    # ------------------------------------------------------------------- webhook

    async def webhook(self, request: Request) -> Response:
        """``POST /telegram/webhook``: accept one update from Telegram.

        The secret header is checked before the body is read, so a stranger who finds the URL
        cannot make us parse anything. The update is queued and answered with 200 at once:
        Telegram retries (and eventually drops the webhook) when answers are slow.
        """
        expected = self.settings.telegram_webhook_secret
        given = request.headers.get(SECRET_HEADER)
        if not self.webhook_mode or not expected or given is None:
            return _error(403, "forbidden")
        if not hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8")):
            return _error(403, "forbidden")
        if not self.application.running:
            return _error(503, "not ready")
        try:
            data = loads_limited(await request.body())  # size limited while read (app.py)
        except ValueError:
            return _error(400, "not JSON")
        try:
            update = Update.de_json(data, self.application.bot) if isinstance(data, dict) else None
        except Exception:  # noqa: BLE001 - any malformed update is the sender's error, not ours
            update = None
        if update is None:
            return _error(400, "not a Telegram update")
        await self.application.update_queue.put(update)
        return Response(status_code=200)

    # ------------------------------------------------------------------ handlers

    async def _drop_repeats(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        """An update already seen (Telegram retrying a webhook, or getUpdates redelivering
        after a lost confirmation) is not answered again."""
        if self.recent_updates.first_time(update.update_id):
            return
        log.info("telegram update ignored update_id=%s reason=repeat", update.update_id)
        raise ApplicationHandlerStop

    async def _private_chats_only(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        """Ignore groups and channels: a reply there would show a child's conversation to others."""
        chat = update.effective_chat
        if chat is not None and chat.type == Chat.PRIVATE and update.effective_user is not None:
            return
        if update.callback_query is not None:
            await update.callback_query.answer()
        log.info("telegram update ignored update_id=%s reason=not-private", update.update_id)
        raise ApplicationHandlerStop

    async def _on_start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """``/start`` or a deep link ``t.me/<bot>?start=<payload>``."""
        chat_id, user_id = _ids(update)
        payload = " ".join(context.args or []) or None
        async with self._user_lock(user_id):
            await self._typing(chat_id)
            replies = await self.assistant.start(CHANNEL, user_id, payload)
            await self.send_replies(chat_id, replies)

    async def _on_help(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        await self._converse(update, "/help")

    async def _on_privacy(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        # through the assistant, like /mydata and /delete, so the request is logged for staff
        await self._converse(update, "/privacy")

    async def _on_text(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        message = _message(update)
        await self._converse(update, message.text or "")

    async def _on_caption(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        """A caption is the person's words: answer them, then say the media itself is unread."""
        message = _message(update)
        await self._converse(update, message.caption or "", then_not_text=True)

    async def _on_edit(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        """An edited message is answered as what the person now says."""
        message = _message(update)
        await self._converse(update, message.text or message.caption or "", is_edit=True)

    async def _on_not_text(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        """Stickers, photos, voice, locations...: kindly say we only read text.

        Nothing from the message is passed on or logged: a location in particular must never
        leave this function.
        """
        log.info("telegram non-text message update_id=%s", update.update_id)
        await self._say_fixed(update, "non_text")

    async def _on_button(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        """A button press: always answer the query (or the button spins), then treat the
        payload as something the person said."""
        query = update.callback_query
        if query is None:
            return
        await query.answer()
        if not query.data:
            return
        await self._converse(update, query.data, is_button=True)

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log failures by update id and error type; the update's content stays out of logs."""
        update_id = update.update_id if isinstance(update, Update) else None
        error = context.error
        log.error(
            "telegram update failed update_id=%s error=%s",
            update_id,
            type(error).__name__,
            exc_info=error,
        )

    # ------------------------------------------------------------------- helpers

    async def _converse(
        self,
        update: Update,
        text: str,
        *,
        is_button: bool = False,
        is_edit: bool = False,
        then_not_text: bool = False,
    ) -> None:
        """Hand the person's words to the assistant and send its replies back."""
        chat_id, user_id = _ids(update)
        started = time.perf_counter()
        async with self._user_lock(user_id):
            await self._typing(chat_id)
            incoming = IncomingMessage(
                CHANNEL, user_id, text, is_button=is_button, is_edit=is_edit
            )
            replies = await self.assistant.handle(incoming)
            if then_not_text:
                replies = [*replies, self.assistant.command_text("non_text")]
            await self.send_replies(chat_id, replies)
        log.info(
            "telegram update answered update_id=%s replies=%d ms=%.1f",
            update.update_id,
            len(replies),
            (time.perf_counter() - started) * 1000,
        )

    async def _say_fixed(self, update: Update, key: str) -> None:
        """Send one of the assistant's fixed texts (no understanding needed)."""
        chat_id, user_id = _ids(update)
        async with self._user_lock(user_id):
            await self.send_replies(chat_id, [self.assistant.command_text(key)])

    def _user_lock(self, user_id: str) -> asyncio.Lock:
        """One lock per person, so their messages are answered in the order they were sent
        while other people's are answered at the same time."""
        lock = self._user_locks.get(user_id)
        if lock is None:
            lock = asyncio.Lock()
            self._user_locks[user_id] = lock
        return lock

    async def _typing(self, chat_id: int) -> None:
        """Show "typing..." while the assistant thinks; a failure here must not cost the reply."""
        try:
            await self.application.bot.send_chat_action(chat_id, ChatAction.TYPING)
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
                        chat_id=chat_id, text=part, reply_markup=markup if last else None
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
                return await self.application.bot.send_message(
                    **message, read_timeout=self.send_read_timeout
                )
            except TelegramError as exc:
                last = attempt == MAX_SEND_ATTEMPTS
                delay = None if last else self._retry_delay(exc, attempt)
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

    def _retry_delay(self, exc: TelegramError, attempt: int) -> float | None:
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


def inline_keyboard(buttons: list[Button]) -> InlineKeyboardMarkup | None:
    """Rasa buttons as a Telegram inline keyboard, one button per row (easy to tap on a phone).

    Telegram rejects a whole message whose callback data exceeds 64 bytes, so such a button is
    dropped (and logged without its text) rather than losing the reply.
    """
    rows: list[list[InlineKeyboardButton]] = []
    for position, button in enumerate(buttons):
        size = len(button.payload.encode("utf-8"))
        if size > MAX_CALLBACK_DATA_BYTES or size == 0:
            log.warning(
                "telegram button dropped: callback data is %d bytes (limit %d) position=%d",
                size,
                MAX_CALLBACK_DATA_BYTES,
                position,
            )
            continue
        rows.append([InlineKeyboardButton(text=button.title, callback_data=button.payload)])
    return InlineKeyboardMarkup(rows) if rows else None


def split_text(text: str, limit: int = MAX_MESSAGE_LENGTH) -> list[str]:
    """Cut ``text`` into parts Telegram accepts, preferring paragraph, then line, then word breaks.

    Telegram counts length in UTF-16 code units (an emoji can count as two), so that is what is
    measured here. A part is never cut inside a character. Whitespace at the cuts is dropped
    (Telegram would trim it anyway) and empty parts are skipped, because Telegram refuses to
    send an empty message.
    """
    if limit < 2:
        raise ValueError("limit must be at least 2")
    parts: list[str] = []
    rest = text.strip()
    while rest:
        if _utf16_len(rest) <= limit:
            parts.append(rest)
            break
        end = _fit(rest, limit)
        cut, skip = _best_cut(rest, end)
        part = rest[:cut].rstrip()
        if part:
            parts.append(part)
        rest = rest[cut + skip :].lstrip()
    return parts


def _best_cut(text: str, end: int) -> tuple[int, int]:
    """Where to cut within ``text[:end]``: (index, separator length to skip).

    A break in the second half of the window is preferred so that parts stay large; failing
    that any break will do; failing that (one enormous word) a hard cut at ``end``.
    """
    window = text[: end + 1]  # a break right after the last character that fits is ideal
    for minimum in (end // 2, 1):
        for separator in ("\n\n", "\n", " "):
            index = window.rfind(separator)
            if index >= minimum:
                return index, len(separator)
    return end, 0


def _fit(text: str, limit: int) -> int:
    """The largest ``n`` such that ``text[:n]`` is at most ``limit`` UTF-16 code units."""
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return index
    return len(text)


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _ids(update: Update) -> tuple[int, str]:
    """(chat id to answer in, the person's Telegram user id as the pipeline's user id)."""
    user = update.effective_user
    chat = update.effective_chat
    if user is None:
        raise ValueError("update has no user")
    chat_id = chat.id if chat is not None else user.id
    return chat_id, str(user.id)


def _message(update: Update) -> Message:
    message = update.effective_message
    if message is None:
        raise ValueError("update has no message")
    return message


def _error(status: int, error: str) -> Response:
    return JSONResponse({"error": error}, status_code=status)


def quiet_content_logging() -> None:
    """Keep library loggers at WARNING or above.

    python-telegram-bot logs whole updates and request parameters at DEBUG (message text,
    locations) and httpx logs request URLs, which contain the bot token, at INFO. A carebot log
    must contain neither, whatever level the rest of the application logs at.
    """
    for name in CONTENT_LOGGING_LIBRARIES:
        library_logger = logging.getLogger(name)
        if library_logger.level < logging.WARNING:  # NOTSET (0) too: it would follow the root
            library_logger.setLevel(logging.WARNING)
