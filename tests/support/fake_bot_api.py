"""A stand-in Telegram Bot API server on loopback, so Telegram tests run with no internet.

It is a real HTTP server (Starlette under uvicorn in a background thread) speaking the Bot API
the way python-telegram-bot uses it: ``POST /bot<token>/<method>`` with form-encoded, JSON or
multipart parameters, answering ``{"ok": true, "result": ...}`` with realistic objects and
Telegram's own errors where a test could trip over them (empty or over-long message text,
callback data over 64 bytes, ``getUpdates`` while a webhook is set, a wrong token).

Point the bot at it with ``TELEGRAM_API_BASE_URL`` / ``Settings.telegram_api_base_url`` =
:attr:`FakeBotApi.base_url`. Feed it updates with :meth:`FakeBotApi.push_update` (built with the
``*_update`` helpers below: real Update JSON) and assert on :meth:`FakeBotApi.calls` and
:meth:`FakeBotApi.wait_for`.

Trouble on demand: :meth:`FakeBotApi.inject` makes the next calls of a method fail as Telegram
can (429 with ``retry_after``, 5xx) or answer slowly (the message is delivered, the answer comes
late, as when a client times out after Telegram took the message).
:meth:`FakeBotApi.delivered` lists the messages that really reached a chat.
"""

from __future__ import annotations

import asyncio
import email.parser
import email.policy
import html
import itertools
import json
import socket
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

DEFAULT_TOKEN = "123456789:AAFakeTokenForOfflineTests_0123456789"
BOT_ID = 123456789
BOT_USERNAME = "carebot_test_bot"
MAX_TEXT_UTF16 = 4096
MAX_CALLBACK_DATA_BYTES = 64
# The longest a getUpdates long poll is held open, whatever ``timeout`` the client asks for,
# so that stopping a polling bot in a test takes about a second, not Telegram's 50
# (and no time at all after :meth:`FakeBotApi.end_long_polls`).
MAX_LONG_POLL_SECONDS = 1.0

# Parameters that are plain strings even when they look like JSON ("123", "true"). Every other
# form value is JSON-encoded by the client (python-telegram-bot sends ints, bools, lists and
# objects as JSON text inside form fields), so it is decoded here.
STRING_PARAMS = frozenset(
    {
        "text", "caption", "url", "secret_token", "callback_query_id", "action", "parse_mode",
        "inline_message_id", "ip_address", "emoji", "language_code", "description",
        "short_description", "name", "title", "query", "certificate", "business_connection_id",
    }
)

Params = dict[str, Any]
Predicate = Callable[[Params], bool]


@dataclass(frozen=True)
class Fault:
    """How one call goes wrong: an error status (with ``retry_after`` for 429), or a slow
    answer after ``delay`` seconds (the call itself succeeds, as Telegram's would)."""

    status: int = 0
    retry_after: int | None = None
    delay: float = 0.0


# The tags Telegram reads in parse_mode HTML (core.telegram.org/bots/api#html-style).
TELEGRAM_HTML_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span",
                      "tg-spoiler", "a", "tg-emoji", "code", "pre", "blockquote"}
TELEGRAM_ENTITIES = {"lt", "gt", "amp", "quot"}


class _TelegramHtml(HTMLParser):
    """Reads a message as Telegram does in parse_mode HTML: known tags only, and only the
    four named entities; raises ValueError otherwise. ``text`` is what the person sees."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag not in TELEGRAM_HTML_TAGS:
            raise ValueError(f"Unsupported start tag \"{tag}\"")

    def handle_endtag(self, tag: str) -> None:
        if tag not in TELEGRAM_HTML_TAGS:
            raise ValueError(f"Unsupported end tag \"{tag}\"")

    def handle_data(self, data: str) -> None:
        if "<" in data or ">" in data:
            raise ValueError("unescaped < or >")
        self.parts.append(data)

    def handle_entityref(self, name: str) -> None:
        if name not in TELEGRAM_ENTITIES:
            raise ValueError(f"Unsupported entity \"&{name};\"")
        self.parts.append(html.unescape(f"&{name};"))

    def handle_charref(self, name: str) -> None:
        self.parts.append(html.unescape(f"&#{name};"))

    @property
    def text(self) -> str:
        return "".join(self.parts)


def shown(params: Params) -> str:
    """The text a sendMessage call shows the person: its HTML read as Telegram reads it when
    parse_mode is HTML (ValueError if Telegram would refuse it), else the text as sent."""
    text = str(params.get("text", ""))
    if str(params.get("parse_mode", "")).upper() != "HTML":
        return text
    reader = _TelegramHtml()
    reader.feed(text)
    reader.close()
    return reader.text


def too_many_requests(retry_after: int = 1) -> Fault:
    return Fault(status=429, retry_after=retry_after)


def server_error(status: int = 500) -> Fault:
    return Fault(status=status)


def slow_answer(delay: float) -> Fault:
    return Fault(delay=delay)


@dataclass(frozen=True)
class ApiCall:
    """One request the bot made: method name as sent, decoded parameters, when (monotonic)."""

    method: str
    params: Params
    at: float


class FakeBotApi:
    """The stand-in server. Use as a context manager, or call :meth:`start` and :meth:`stop`."""

    def __init__(self, token: str = DEFAULT_TOKEN, bot_username: str = BOT_USERNAME) -> None:
        self.token = token
        self.bot_username = bot_username
        self._lock = threading.Lock()
        self._calls: list[ApiCall] = []
        self._updates: list[dict[str, Any]] = []
        self._faults: dict[str, list[Fault]] = {}
        self._delivered: list[Params] = []
        self._bots_handled: list[Callable[[], Awaitable[object]]] = []
        self._message_ids = itertools.count(1)
        self.webhook_url: str = ""
        self._holding_polls = True
        self.webhook_secret: str | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.port: int = 0
        self.app = Starlette(
            routes=[
                Route("/bot{token}/{method}", self._endpoint, methods=["GET", "POST"]),
                Route("/{path:path}", self._not_found, methods=["GET", "POST"]),
            ]
        )

    # ------------------------------------------------------------------ server

    @property
    def base_url(self) -> str:
        """What ``TELEGRAM_API_BASE_URL`` should be: no trailing slash, no ``/bot``."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FakeBotApi:
        """Listen on a free loopback port and return once requests are being served."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            self.app,
            log_config=None,
            log_level="warning",
            access_log=False,
            lifespan="off",
            http="h11",
            ws="none",  # Rasa pins an old ``websockets`` that uvicorn's auto-detection trips on
            timeout_graceful_shutdown=2,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run,
            kwargs={"sockets": [sock]},
            name="fake-bot-api",
            daemon=True,
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("fake Bot API server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._server = None
        self._thread = None

    def __enter__(self) -> FakeBotApi:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # ------------------------------------------------------------- test side API

    def push_update(self, update: dict[str, Any], times: int = 1) -> dict[str, Any]:
        """Queue an update for ``getUpdates`` (as if a user had just sent it); ``times`` > 1
        queues the very same update again, as Telegram does when it redelivers."""
        if "update_id" not in update:
            update = {"update_id": next(_update_ids), **update}
        with self._lock:
            self._updates.extend([update] * times)
        return update

    def inject(self, method: str, *faults: Fault) -> None:
        """The next calls of ``method`` go wrong in this order, one fault per call."""
        with self._lock:
            self._faults.setdefault(method.lower(), []).extend(faults)

    def delivered(self, chat_id: int) -> list[Params]:
        """Messages that reached ``chat_id`` (``sendMessage`` calls that Telegram accepted)."""
        with self._lock:
            return [m for m in self._delivered if m.get("chat_id") == chat_id]

    def all_calls(self) -> list[ApiCall]:
        with self._lock:
            return list(self._calls)

    def calls(self, method: str, predicate: Predicate | None = None) -> list[Params]:
        """Parameters of every call to ``method`` (matching ``predicate``), oldest first."""
        wanted = method.lower()
        return [
            call.params
            for call in self.all_calls()
            if call.method.lower() == wanted and (predicate is None or predicate(call.params))
        ]

    def calls_to_chat(self, method: str, chat_id: int) -> list[Params]:
        return self.calls(method, lambda params: params.get("chat_id") == chat_id)

    def pending_updates(self) -> int:
        with self._lock:
            return len(self._updates)

    def end_long_polls(self) -> None:
        """From now on ``getUpdates`` answers at once, the poll in flight too: a polling bot
        being stopped waits for its last poll to come back, which need not take a second."""
        with self._lock:
            self._holding_polls = False

    def watch_bot(self, all_handled: Callable[[], Awaitable[object]]) -> None:
        """How to wait for the bot under test to finish every update it has taken: for a
        python-telegram-bot ``Application``, ``application.update_queue.join`` (an update
        counts as done once its handler returns, its replies and their retries sent)."""
        self._bots_handled.append(all_handled)

    async def settled(self, timeout: float = 15) -> None:
        """Wait until the bot has taken every pushed update (long polling confirms them with
        the next ``getUpdates`` offset; a webhook update is taken when the POST returns) and
        handled each to its end. Whatever the bot will ever send about them has then been
        sent, so a test can assert that nothing more came without sleeping to see."""
        if not self._bots_handled:
            raise AssertionError("no bot to wait for: start one with watch_bot")

        async def all_taken_and_handled() -> None:
            while self.pending_updates():
                await asyncio.sleep(0.01)
            for handled in self._bots_handled:
                await handled()

        try:
            await asyncio.wait_for(all_taken_and_handled(), timeout)
        except asyncio.TimeoutError:  # TimeoutError itself from Python 3.11
            raise AssertionError(
                f"the bot was still busy after {timeout}s; pending updates: "
                f"{self.pending_updates()}, calls seen: {[c.method for c in self.all_calls()]}"
            ) from None

    async def wait_for(
        self, method: str, predicate: Predicate | None = None, timeout: float = 10
    ) -> Params:
        """The first call to ``method`` matching ``predicate``, waiting up to ``timeout`` s.

        Async, so the bot under test keeps running on the same event loop while we wait.
        """
        deadline = time.monotonic() + timeout
        while (found := self._first_or_deadline(method, predicate, deadline, timeout)) is None:
            await asyncio.sleep(0.01)
        return found

    def wait_for_blocking(
        self, method: str, predicate: Predicate | None = None, timeout: float = 10
    ) -> Params:
        """:meth:`wait_for` for synchronous tests whose bot runs in another thread or process."""
        deadline = time.monotonic() + timeout
        while (found := self._first_or_deadline(method, predicate, deadline, timeout)) is None:
            time.sleep(0.01)
        return found

    def _first_or_deadline(
        self, method: str, predicate: Predicate | None, deadline: float, timeout: float
    ) -> Params | None:
        found = self.calls(method, predicate)
        if found:
            return found[0]
        if time.monotonic() > deadline:
            raise AssertionError(self._timeout_message(method, timeout))
        return None

    def _timeout_message(self, method: str, timeout: float) -> str:
        seen = [call.method for call in self.all_calls()]
        return f"no matching {method} call within {timeout}s; calls seen: {seen}"

    # ----------------------------------------------------------------- HTTP side

    async def _not_found(self, request: Request) -> JSONResponse:
        return _fail(404, "Not Found")

    async def _endpoint(self, request: Request) -> JSONResponse:
        if request.path_params["token"] != self.token:
            return _fail(401, "Unauthorized")
        method = request.path_params["method"]
        try:
            params = await _read_params(request)
        except ValueError:
            return _fail(400, "Bad Request: can't parse request parameters")
        with self._lock:
            self._calls.append(ApiCall(method, params, time.monotonic()))
            faults = self._faults.get(method.lower())
            fault = faults.pop(0) if faults else Fault()
        if fault.status == 429:
            return _fail(429, f"Too Many Requests: retry after {fault.retry_after}",
                         retry_after=fault.retry_after)
        if fault.status:
            return _fail(fault.status, "Internal Server Error")
        handler = getattr(self, f"_api_{method.lower()}", None)
        if handler is None:
            return _fail(404, "Not Found: method not found")
        answer = await handler(params)
        await asyncio.sleep(fault.delay)  # done already; only the answer is late
        return answer

    # ------------------------------------------------------------- Bot API methods

    async def _api_getme(self, params: Params) -> JSONResponse:
        return _ok(self.bot_user())

    async def _api_getupdates(self, params: Params) -> JSONResponse:
        with self._lock:
            webhook_set = bool(self.webhook_url)
        if webhook_set:
            return _fail(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = _as_int(params.get("offset"), 0)
        limit = min(max(_as_int(params.get("limit"), 100), 1), 100)
        wait = min(max(float(_as_int(params.get("timeout"), 0)), 0.0), MAX_LONG_POLL_SECONDS)
        deadline = time.monotonic() + wait
        while True:
            with self._lock:
                if offset:
                    # Telegram forgets every update before ``offset``: they are confirmed.
                    self._updates = [u for u in self._updates if u["update_id"] >= offset]
                ready = self._updates[:limit]
                holding = self._holding_polls
            if ready or not holding or time.monotonic() >= deadline:
                return _ok(ready)
            await asyncio.sleep(0.02)

    async def _api_sendmessage(self, params: Params) -> JSONResponse:
        chat_id = params.get("chat_id")
        text = params.get("text")
        if chat_id is None:
            return _fail(400, "Bad Request: chat_id is empty")
        if not isinstance(text, str) or not text.strip():
            return _fail(400, "Bad Request: message text is empty")
        try:
            visible = shown(params)
        except ValueError as exc:
            return _fail(400, f"Bad Request: can't parse entities: {exc}")
        if len(visible.encode("utf-16-le")) // 2 > MAX_TEXT_UTF16:
            return _fail(400, "Bad Request: message is too long")
        markup = params.get("reply_markup")
        if markup is not None and not _valid_markup(markup):
            return _fail(400, "Bad Request: BUTTON_DATA_INVALID")
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "from": self.bot_user(),
            "chat": _chat_for(chat_id),
            "date": int(time.time()),
            "text": visible,
        }
        if markup:
            message["reply_markup"] = markup
        with self._lock:
            self._delivered.append(params)
        return _ok(message)

    async def _api_sendchataction(self, params: Params) -> JSONResponse:
        if params.get("chat_id") is None or not params.get("action"):
            return _fail(400, "Bad Request: chat_id or action is empty")
        return _ok(True)

    async def _api_answercallbackquery(self, params: Params) -> JSONResponse:
        if not params.get("callback_query_id"):
            return _fail(400, "Bad Request: query is too old and response timeout expired")
        return _ok(True)

    async def _api_setwebhook(self, params: Params) -> JSONResponse:
        with self._lock:
            self.webhook_url = str(params.get("url") or "")
            self.webhook_secret = params.get("secret_token")
        return _ok(True)

    async def _api_deletewebhook(self, params: Params) -> JSONResponse:
        with self._lock:
            self.webhook_url = ""
            self.webhook_secret = None
            if params.get("drop_pending_updates") is True:
                self._updates.clear()
        return _ok(True)

    async def _api_getwebhookinfo(self, params: Params) -> JSONResponse:
        with self._lock:
            return _ok(
                {
                    "url": self.webhook_url,
                    "has_custom_certificate": False,
                    "pending_update_count": len(self._updates),
                }
            )

    async def _api_setmycommands(self, params: Params) -> JSONResponse:
        return _ok(True)

    async def _api_deletemycommands(self, params: Params) -> JSONResponse:
        return _ok(True)

    async def _api_editmessagereplymarkup(self, params: Params) -> JSONResponse:
        return _ok(True)

    async def _api_close(self, params: Params) -> JSONResponse:
        return _ok(True)

    async def _api_logout(self, params: Params) -> JSONResponse:
        return _ok(True)

    def bot_user(self) -> dict[str, Any]:
        return {
            "id": int(self.token.split(":", 1)[0]) if self.token[:1].isdigit() else BOT_ID,
            "is_bot": True,
            "first_name": "Carebot (test)",
            "username": self.bot_username,
            "can_join_groups": False,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }


def _ok(result: Any) -> JSONResponse:
    return JSONResponse({"ok": True, "result": result})


def _fail(code: int, description: str, retry_after: int | None = None) -> JSONResponse:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return JSONResponse(body, status_code=code)


async def _read_params(request: Request) -> Params:
    """Query string plus body, whichever way the client encoded it."""
    raw: dict[str, Any] = dict(request.query_params)
    body = await request.body()
    content_type = request.headers.get("content-type", "")
    if body:
        if content_type.startswith("application/json"):
            data = json.loads(body)
            if not isinstance(data, dict):
                raise ValueError("JSON body is not an object")
            raw.update(data)
        elif content_type.startswith("multipart/form-data"):
            raw.update(_parse_multipart(body, content_type))
        else:
            raw.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    return {key: _decode(key, value) for key, value in raw.items()}


def _parse_multipart(body: bytes, content_type: str) -> dict[str, Any]:
    """multipart/form-data (what python-telegram-bot sends when uploading files)."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    fields: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        payload = part.get_payload(decode=True) or b""
        if part.get_filename():
            fields[str(name)] = {"filename": part.get_filename(), "size": len(payload)}
        else:
            fields[str(name)] = payload.decode("utf-8")
    return fields


def _decode(key: str, value: Any) -> Any:
    if not isinstance(value, str) or key in STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _as_int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _chat_for(chat_id: Any) -> dict[str, Any]:
    if isinstance(chat_id, int) and chat_id > 0:
        return {"id": chat_id, "type": "private", "first_name": "Test"}
    if isinstance(chat_id, int):
        return {"id": chat_id, "type": "supergroup", "title": "Test group"}
    return {"id": -1001234567890, "type": "channel", "title": str(chat_id)}


def _valid_markup(markup: Any) -> bool:
    """Telegram's checks on an inline keyboard: rows of buttons, callback data 1-64 bytes."""
    if not isinstance(markup, dict):
        return False
    rows = markup.get("inline_keyboard")
    if rows is None:
        return True  # another keyboard kind; not checked here
    for row in rows:
        for button in row:
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode("utf-8")) <= 64:
                return False
            if not button.get("text"):
                return False
    return True


# --------------------------------------------------------------------------------------
# Update JSON, shaped like what Telegram really sends (Bot API 9.x).

_update_ids = itertools.count(851_000_001)
_message_ids = itertools.count(1001)
_user_ids = itertools.count(610_000_001)
_query_ids = itertools.count(4_388_000_000_000_000_001)


def new_user_id() -> int:
    """A Telegram user id no other test has used, so conversations never mix."""
    return next(_user_ids)


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def telegram_user(user_id: int) -> dict[str, Any]:
    return {
        "id": user_id,
        "is_bot": False,
        "first_name": "Sam",
        "last_name": "Example",
        "username": f"sam_example_{user_id}",
        "language_code": "en",
    }


def private_chat(user_id: int) -> dict[str, Any]:
    return {
        "id": user_id,
        "first_name": "Sam",
        "last_name": "Example",
        "username": f"sam_example_{user_id}",
        "type": "private",
    }


def group_chat(chat_id: int = -1001987654321) -> dict[str, Any]:
    return {"id": chat_id, "title": "Year 10 chat", "type": "supergroup"}


def _message(user_id: int, chat: dict[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
    return {
        "message_id": next(_message_ids),
        "from": telegram_user(user_id),
        "chat": chat or private_chat(user_id),
        "date": int(time.time()),
        **fields,
    }


def _update(**fields: Any) -> dict[str, Any]:
    return {"update_id": next(_update_ids), **fields}


def text_update(
    text: str, user_id: int, chat: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A message with text; a leading ``/command`` gets its ``bot_command`` entity as Telegram
    adds it (offsets and lengths in UTF-16 code units)."""
    fields: dict[str, Any] = {"text": text}
    if text.startswith("/"):
        command = text.split(maxsplit=1)[0]
        fields["entities"] = [{"offset": 0, "length": _utf16(command), "type": "bot_command"}]
    return _update(message=_message(user_id, chat, **fields))


def command_update(command: str, user_id: int, payload: str | None = None) -> dict[str, Any]:
    """``/help``, ``/privacy``... or ``/start <payload>`` as sent by a deep link."""
    text = f"/{command}" if payload is None else f"/{command} {payload}"
    return text_update(text, user_id)


def start_update(user_id: int, payload: str | None = None) -> dict[str, Any]:
    """What a tap on ``https://t.me/<bot>?start=<payload>`` (or the Start button) sends."""
    return command_update("start", user_id, payload)


def edited_message_update(text: str, user_id: int, message_id: int | None = None) -> dict:
    message = _message(user_id, text=text, edit_date=int(time.time()))
    if message_id is not None:
        message["message_id"] = message_id
    message["date"] -= 30
    return _update(edited_message=message)


def callback_query_update(
    data: str, user_id: int, button_title: str = "Tell me more"
) -> dict[str, Any]:
    """A press on an inline keyboard button under one of the bot's earlier messages."""
    bot_message = {
        "message_id": next(_message_ids),
        "from": {"id": BOT_ID, "is_bot": True, "first_name": "Carebot (test)",
                 "username": BOT_USERNAME},
        "chat": private_chat(user_id),
        "date": int(time.time()) - 10,
        "text": "Here are some things I can help with.",
        "reply_markup": {
            "inline_keyboard": [[{"text": button_title, "callback_data": data}]]
        },
    }
    return _update(
        callback_query={
            "id": str(next(_query_ids)),
            "from": telegram_user(user_id),
            "message": bot_message,
            "chat_instance": "-3148912345678901234",
            "data": data,
        }
    )


def sticker_update(user_id: int) -> dict[str, Any]:
    sticker = {
        "file_id": "CAACAgIAAxkBAAEBsticker0123456789",
        "file_unique_id": "AgADsticker01",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
        "emoji": "\U0001F600",
        "set_name": "TestStickers",
        "file_size": 23456,
        "thumbnail": {
            "file_id": "AAMCAgADGQEAAQGthumb0123456789",
            "file_unique_id": "AQADthumb01",
            "width": 128,
            "height": 128,
            "file_size": 4567,
        },
    }
    return _update(message=_message(user_id, sticker=sticker))


def photo_update(user_id: int, caption: str | None = None) -> dict[str, Any]:
    sizes = [
        {"file_id": f"AgACAgQAAxkBAAEBphoto{w}", "file_unique_id": f"AQADphoto{w}",
         "width": w, "height": w * 3 // 4, "file_size": w * 60}
        for w in (90, 320, 800, 1280)
    ]
    fields: dict[str, Any] = {"photo": sizes}
    if caption is not None:
        fields["caption"] = caption
    return _update(message=_message(user_id, **fields))


def voice_update(user_id: int) -> dict[str, Any]:
    voice = {
        "file_id": "AwACAgQAAxkBAAEBvoice0123456789",
        "file_unique_id": "AgADvoice01",
        "duration": 4,
        "mime_type": "audio/ogg",
        "file_size": 15873,
    }
    return _update(message=_message(user_id, voice=voice))


def location_update(
    user_id: int, latitude: float = 52.205337, longitude: float = 0.121817
) -> dict[str, Any]:
    location = {"latitude": latitude, "longitude": longitude}
    return _update(message=_message(user_id, location=location))


def live_location_edit_update(
    user_id: int, latitude: float = 52.205337, longitude: float = 0.121817
) -> dict[str, Any]:
    """A live location moving: Telegram sends these as edited messages every few seconds."""
    location = {
        "latitude": latitude,
        "longitude": longitude,
        "horizontal_accuracy": 12.5,
        "live_period": 900,
        "heading": 90,
    }
    message = _message(user_id, location=location, edit_date=int(time.time()))
    return _update(edited_message=message)


def long_text_update(user_id: int, length: int = 5000) -> dict[str, Any]:
    """A message longer than a chat message should be (Telegram itself caps user text at 4,096;
    a client or a forwarded update may still carry more)."""
    words = "I want to know about my review meeting and who will be there. "
    text = (words * (length // len(words) + 1))[:length]
    return text_update(text, user_id)


def emoji_text_update(user_id: int) -> dict[str, Any]:
    return text_update("hello \U0001F44B\U0001F3FD can you help me \U0001F642", user_id)
