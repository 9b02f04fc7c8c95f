"""The Telegram channel: a python-telegram-bot ``Application``, started and stopped by the web
app's lifespan, behind the channel contract (bot/channel_contract.py).

Two modes: long polling (the default, no public URL needed), ``getUpdates`` in a background
task; or webhook (``TELEGRAM_WEBHOOK_URL`` set), Telegram POSTing updates to
:meth:`TelegramChannel.webhook`, which the web app mounts at ``POST /telegram/webhook``.
"""

from __future__ import annotations

import hmac
import logging
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from telegram import BotCommand, Update
from telegram.error import InvalidToken, TelegramError
from telegram.ext import Application

from bot.channels.telegram import CHANNEL
from bot.channels.telegram.delivery import Delivery
from bot.channels.telegram.handlers import UpdateHandlers
from bot.http_guards.request_limits import loads_limited
from bot.messages import Reply

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.pipeline import Assistant

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Only the update kinds we handle; Telegram then does not send us the rest at all.
ALLOWED_UPDATES = [Update.MESSAGE, Update.EDITED_MESSAGE, Update.CALLBACK_QUERY]
# Libraries that log whole updates or request parameters (message text, locations) at DEBUG,
# or the bot token inside request URLs at INFO.
CONTENT_LOGGING_LIBRARIES = ("telegram", "httpx", "httpcore")


class TelegramStartError(RuntimeError):
    """Telegram could not be reached or refused the token. The message never holds the token
    (python-telegram-bot's own ``InvalidToken`` message does), so it is safe to log or show."""


class TelegramChannel:
    """The Telegram side of carebot."""

    name = CHANNEL
    can_message_first = True  # a bot may write to anyone who has started a chat with it
    history_on_device = True  # the conversation stays in the person's Telegram app

    def __init__(self, settings: Settings, assistant: Assistant) -> None:
        if not settings.telegram_bot_token:
            raise ValueError("TelegramChannel needs settings.telegram_bot_token")
        self.settings = settings
        self.webhook_mode = bool(settings.telegram_webhook_url)
        self.application = self._build_application()
        self.delivery = Delivery(self.application.bot)
        self.menu = [BotCommand(c, d) for c, d in assistant.content.menu]
        UpdateHandlers(assistant, self.delivery).add_to(self.application)

    def _build_application(self) -> Application:
        base = self.settings.telegram_api_base_url.rstrip("/")
        builder = (
            Application.builder()
            .token(self.settings.telegram_bot_token or "")
            .base_url(f"{base}/bot")
            .base_file_url(f"{base}/file/bot")
            # Different people are answered concurrently; one person's messages stay in
            # order through their turn in the assistant (handlers.py).
            .concurrent_updates(True)
        )
        if self.webhook_mode:
            builder = builder.updater(None)
        return builder.build()

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
            await self._show_menu()
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

    async def _show_menu(self) -> None:
        """Telegram's command menu: the chat's commands, so nobody has to remember them. A
        menu that could not be set is logged, never a reason not to start."""
        try:
            await self.application.bot.set_my_commands(self.menu)
        except TelegramError:
            log.warning("telegram command menu not set; the commands still work when typed")

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

    # ------------------------------------------------------------------- sending

    async def send(self, address: str, replies: list[Reply]) -> None:
        """Message someone first (the one reminder): ``address`` is their Telegram user id,
        which is also the id of their private chat with the bot."""
        await self.delivery.send_replies(int(address), replies)

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
            data = loads_limited(await request.body())  # size limited while read (its route)
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
