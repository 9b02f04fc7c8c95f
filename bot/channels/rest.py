"""The Rasa REST channel contract over Starlette.

``POST {"sender": str, "message": str}`` -> ``[{"recipient_id", "text", "buttons"?}]``.
Bad input is refused with a 400 and a JSON error before anything reaches the assistant, so
nothing is stored for it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import JSONResponse

from bot.http_guards.request_limits import loads_limited
from bot.messages import IncomingMessage, Reply
from bot.services.integrations import IntegrationTokens, bearer_token

MAX_SENDER_CHARS = 128
REST_CHANNEL = "rest"


class BadRequest(ValueError):
    """The request does not follow the REST channel contract."""


@dataclass(frozen=True)
class RestRequest:
    sender: str
    message: str


def parse_rest_body(body: bytes) -> RestRequest:
    """The sender and message, or BadRequest saying what is wrong.

    The body's size was limited while it was read (bot/http_guards/request_limits.py). The message's
    length is not checked here: the assistant screens every message for a disclosure before it
    refuses one as too long, so a child who writes a lot is still heard.
    """
    try:
        data = loads_limited(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest("The body must be JSON.") from exc
    if not isinstance(data, dict):
        raise BadRequest('The body must be a JSON object like {"sender": "...", "message": "..."}.')
    sender, message = data.get("sender"), data.get("message")
    if not isinstance(sender, str) or not sender.strip():
        raise BadRequest('"sender" must be a non-empty string.')
    if len(sender) > MAX_SENDER_CHARS:
        raise BadRequest(f'"sender" must be at most {MAX_SENDER_CHARS} characters.')
    if not isinstance(message, str):
        raise BadRequest('"message" must be a string.')
    return RestRequest(sender=valid_unicode(sender), message=valid_unicode(message))


def valid_unicode(text: str) -> str:
    """JSON can carry lone surrogates ("\\ud800") that are not text and cannot be stored or
    hashed; each becomes U+FFFD, as a broken character would show in any other text."""
    if not any("\ud800" <= char <= "\udfff" for char in text):
        return text
    return "".join("\ufffd" if "\ud800" <= char <= "\udfff" else char for char in text)


def replies_as_json(recipient_id: str, replies: list[Reply]) -> list[dict]:
    out = []
    for reply in replies:
        item: dict = {"recipient_id": recipient_id, "text": reply.text}
        if reply.buttons:
            item["buttons"] = [{"title": b.title, "payload": b.payload} for b in reply.buttons]
        out.append(item)
    return out


async def rest_webhook(request: Request) -> JSONResponse:
    """For trusted integrations only: a bearer token from ``carebot integration add`` is checked
    before the body is read. The sender is the integration's own id for the person, namespaced
    by the integration's name (the web chat has its own endpoint, bot/web/chat.py)."""
    services = request.app.state.carebot
    tokens = getattr(request.app.state, "integration_tokens", None)
    if tokens is None:
        tokens = request.app.state.integration_tokens = IntegrationTokens(
            services.settings.database_url, services.keys)
    token = bearer_token(request.headers.get("authorization"))
    integration = await asyncio.to_thread(tokens.name_for, token)
    if integration is None:
        return JSONResponse(
            {"error": "This endpoint needs an integration's token: "
                      "Authorization: Bearer <token> (carebot integration add NAME)."},
            status_code=401, headers={"WWW-Authenticate": 'Bearer realm="carebot"'},
        )
    assistant = services.assistant
    if assistant is None:
        return JSONResponse({"error": "carebot is starting up. Please try again soon."}, 503)
    try:
        parsed = parse_rest_body(await request.body())
    except BadRequest as exc:
        return JSONResponse({"error": str(exc)}, status_code=400)
    message = IncomingMessage(REST_CHANNEL, f"{integration}:{parsed.sender}", parsed.message)
    replies = await assistant.handle(message)
    return JSONResponse(replies_as_json(parsed.sender, replies))
