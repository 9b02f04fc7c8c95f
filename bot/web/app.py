"""The Starlette application behind ``carebot serve``.

The server accepts connections at once and loads the Rasa model in the background (it takes
~30 s), so ``/health`` can honestly say 503 until the assistant can answer.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from bot.channel_contract import ChannelRegistry
from bot.channels.rest import rest_webhook
from bot.config import Settings
from bot.consultation.reminders import send_due_reminders
from bot.http_guards.request_limits import MAX_BODY_BYTES
from bot.http_guards.security_headers import SecurityHeadersMiddleware
from bot.knowledge.content import Content
from bot.knowledge.topics import TopicLibrary
from bot.messages import Reply
from bot.nlu.parse_process import ParseProcess, one_blas_thread
from bot.pipeline import Assistant
from bot.rasa_runtime import RasaRuntime
from bot.safety.screen import SafetyScreen
from bot.services.app_context import AppContext, install_app_context
from bot.services.local_settings import load_overrides
from bot.staff.routes import staff_mount
from bot.training import latest_model
from bot.web.channels import CHANNELS, ChannelSetup, register_channels, webhook_routes
from bot.web.chat import (
    MANIFEST_PATH,
    MESSAGES_PATH,
    NEW_CONVERSATION_PATH,
    REPLIES_PATH,
    chat_messages,
    chat_page,
    manifest,
    new_conversation,
    waiting_replies,
)
from db.encryption import DataKeys
from db.engine import ping
from db.migrate import upgrade_to_head
from db.tracker_store import EncryptedSQLTrackerStore

log = logging.getLogger(__name__)

WEB_DIR = Path(__file__).resolve().parent


@dataclass
class Services:
    """Everything a request handler may need, built once per process."""

    settings: Settings
    keys: DataKeys
    content: Content
    topics: TopicLibrary
    assistant: Assistant | None = None
    channels: ChannelRegistry = field(default_factory=ChannelRegistry)
    reminders: asyncio.Task | None = None
    parser: ParseProcess | None = None
    startup_error: str | None = None
    screen: SafetyScreen | None = None
    _screen_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def safety_screen(self) -> SafetyScreen:
        """The screen the assistant uses; the dashboard needs it too, to make invite codes."""
        with self._screen_lock:
            if self.screen is None:
                self.screen = SafetyScreen(self.content.safeguarding_lexicon)
            return self.screen


def load_runtime(
    settings: Settings, keys: DataKeys, content: Content, model: Path
) -> RasaRuntime:
    # Read at every save, so a retention changed on the dashboard applies to new messages.
    store = EncryptedSQLTrackerStore(settings.database_url, keys, lambda: content.retention)
    return RasaRuntime.load(model, store)


async def _load_runtime_and_parser(services: Services) -> RasaRuntime:
    """The model in this process, and (by default) in the understanding process beside it.

    Both load at the same time, on the machine's two cores; /health turns 200 once both can
    answer.
    """
    settings = services.settings
    model = latest_model(settings.rasa_project_dir, settings.models_dir)
    if settings.nlu_in_child_process:
        services.parser = ParseProcess(model, settings.log_level)
    warm = asyncio.create_task(services.parser.start()) if services.parser else None
    try:
        runtime = await asyncio.to_thread(
            load_runtime, settings, services.keys, services.content, model
        )
        if warm is not None:
            await warm
    finally:
        if warm is not None and not warm.done():
            warm.cancel()
    runtime.parser = services.parser
    one_blas_thread()
    return runtime


async def _start_assistant(
    app: Starlette, runtime: RasaRuntime | None, setups: Sequence[ChannelSetup]
) -> None:
    services: Services = app.state.carebot
    settings = services.settings
    try:
        if runtime is None:
            runtime = await _load_runtime_and_parser(services)
        screen = await asyncio.to_thread(services.safety_screen)
        services.assistant = Assistant(
            runtime=runtime,
            content=services.content,
            keys=services.keys,
            screen=screen,
            database_url=settings.database_url,
            topics=services.topics,
            max_message_chars=settings.max_message_chars,
            channels=services.channels,
        )
        register_channels(services.channels, setups, settings, services.assistant)
        await services.channels.start_all()
        if services.channels.messaging_first():
            services.reminders = asyncio.create_task(_remind_every(services))
        log.info("carebot is ready")
    except Exception as exc:  # keep serving /health with the reason rather than dying silently
        services.startup_error = type(exc).__name__  # details go to the log, not to /health
        log.exception("carebot could not start the assistant")


REMINDER_CHECK_EVERY_S = 15 * 60


async def _remind_every(services: Services) -> None:
    """Send the one reminder people agreed to, checking every 15 minutes, on the channel they
    redeemed their invite on (one that can message first; the registry refuses the others)."""

    async def send(channel: str, address: str, text: str) -> None:
        await services.channels.send(channel, address, [Reply(text)])

    while True:
        try:
            await send_due_reminders(
                services.settings.database_url, services.keys, services.content, send
            )
        except Exception:  # e.g. the database is down: try again at the next check
            log.exception("reminder check failed")
        await asyncio.sleep(REMINDER_CHECK_EVERY_S)


def create_app(
    settings: Settings, keys: DataKeys, runtime: RasaRuntime | None = None,
    channels: Sequence[ChannelSetup] = CHANNELS,
) -> Starlette:
    """The whole carebot web process. Pass ``runtime`` to reuse an already loaded model, and
    ``channels`` to run others than carebot's own (tests)."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await asyncio.to_thread(upgrade_to_head, settings.database_url)
        starting = asyncio.create_task(_start_assistant(app, runtime, channels))
        try:
            yield
        finally:
            starting.cancel()
            if app.state.carebot.reminders is not None:
                app.state.carebot.reminders.cancel()
            await app.state.carebot.channels.stop_all()
            if app.state.carebot.parser is not None:
                await asyncio.to_thread(app.state.carebot.parser.close)

    app = Starlette(
        routes=[
            Route("/", lambda request: RedirectResponse("/chat")),
            Route("/health", health),
            Route("/chat", chat_page),
            Route(MANIFEST_PATH, manifest),
            Route(MESSAGES_PATH, chat_messages, methods=["POST"]),
            Route(NEW_CONVERSATION_PATH, new_conversation, methods=["POST"]),
            Route(REPLIES_PATH, waiting_replies, methods=["POST"]),
            Route("/webhooks/rest/webhook", rest_webhook, methods=["POST"]),
            *webhook_routes(channels),
            Route("/iro", lambda request: RedirectResponse("/iro/")),
            staff_mount(),
            Mount("/static", StaticFiles(directory=str(WEB_DIR / "static")), name="static"),
        ],
        middleware=[Middleware(SecurityHeadersMiddleware)],
        lifespan=lifespan,
        # Every body is counted while it is read and refused with 413 at the limit.
        max_body_size=MAX_BODY_BYTES,
    )
    # This app's own Content: the council file with the admin's changes from this database.
    content = Content(settings.content_dir, settings.local_authority,
                      overrides=partial(load_overrides, settings.database_url,
                                        settings.local_authority))
    topics = TopicLibrary(settings.content_dir / "topics")
    app.state.carebot = Services(settings=settings, keys=keys, content=content, topics=topics)
    install_app_context(AppContext(settings.database_url, keys, content, topics))
    return app


async def health(request: Request) -> JSONResponse:
    services: Services = request.app.state.carebot
    if services.startup_error:
        return JSONResponse({"status": "failed", "error": services.startup_error}, 503)
    if services.assistant is None:
        return JSONResponse({"status": "starting"}, 503)
    if not await asyncio.to_thread(ping, services.settings.database_url):
        return JSONResponse({"status": "database unreachable"}, 503)
    return JSONResponse({"status": "ok"})
