"""The Rasa REST channel contract over Starlette.

``POST {"sender": str, "message": str}`` -> ``[{"recipient_id", "text", "buttons"?}]``.
Bad input is refused with a 400 and a JSON error before anything reaches the assistant, so
nothing is stored for it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import JSONResponse

from bot.channels.messages import IncomingMessage, Reply

MAX_BODY_BYTES = 64 * 1024
MAX_SENDER_CHARS = 128


class BadRequest(ValueError):
    """The request does not follow the REST channel contract."""


@dataclass(frozen=True)
class RestRequest:
    sender: str
    message: str


def parse_rest_body(body: bytes, max_message_chars: int) -> RestRequest:
    if len(body) > MAX_BODY_BYTES:
        raise BadRequest("The request is too large.")
    try:
        data = json.loads(body)
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
    if len(message) > max_message_chars:
        raise BadRequest(f'"message" must be at most {max_message_chars} characters.')
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
    state = request.app.state
    assistant = state.carebot.assistant
    if assistant is None:
        return JSONResponse({"error": "carebot is starting up. Please try again soon."}, 503)
    try:
        parsed = parse_rest_body(await request.body(), assistant.max_message_chars)
    except BadRequest as exc:
        return JSONResponse({"error": str(exc)}, status_code=400)
    # The web chat page is a client of this same endpoint, so both are the "web" channel.
    replies = await assistant.handle(IncomingMessage("web", parsed.sender, parsed.message))
    return JSONResponse(replies_as_json(parsed.sender, replies))
