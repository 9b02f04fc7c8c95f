"""The web chat: its page, and the endpoints its script posts to.

The page never says who it is: the conversation is the server's HttpOnly, SameSite=Strict cookie
(bot/services/web_conversations.py), issued with the first message and replaced by "Start
again". An invite link carries its code after ``#`` (``/chat#invite=CODE``), which browsers never
send to a server, so codes stay out of server and proxy logs; the page's script posts the code
as the first message.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.templating import Jinja2Templates

from bot.channels.rest import valid_unicode
from bot.http_guards.cookies import cookie_secure
from bot.http_guards.request_limits import loads_limited
from bot.messages import IncomingMessage, Reply
from bot.services import web_conversations

WEB_CHANNEL = "web"
COOKIE = "carebot_chat"
COOKIE_PATH = "/chat"
MESSAGES_PATH = "/chat/messages"
NEW_CONVERSATION_PATH = "/chat/new"
REPLIES_PATH = "/chat/replies"
templates = Jinja2Templates(directory=str(Path(__file__).resolve().parent / "templates"))


MANIFEST_PATH = "/chat/manifest.webmanifest"
# Where "Exit this page" goes if the council has not chosen: GOV.UK's own choice.
DEFAULT_QUICK_EXIT_URL = "https://www.bbc.co.uk/weather"
# The home-screen name if the council has not chosen one: neutral, like the icon.
DEFAULT_HOME_SCREEN_NAME = "Chat"


async def chat_page(request: Request) -> Response:
    content = request.app.state.carebot.content
    context = {
        "exit_url": content.authority.get("quick_exit_url") or DEFAULT_QUICK_EXIT_URL,
        "manifest_url": MANIFEST_PATH,
        "title": "carebot",
        "messages_url": MESSAGES_PATH,
        "new_conversation_url": NEW_CONVERSATION_PATH,
        "replies_url": REPLIES_PATH,
        "static": "/static",
    }
    response = templates.TemplateResponse(request, "chat.html", context)
    response.headers["Cache-Control"] = "no-store"
    return response


async def manifest(request: Request) -> Response:
    """The web app manifest, so the chat can be added to a phone's home screen under the
    council's neutral name with a plain icon (``content/local_authorities/<la>.yml``)."""
    name = (request.app.state.carebot.content.authority.get("home_screen_name")
            or DEFAULT_HOME_SCREEN_NAME)
    body = {
        "name": name,
        "short_name": name,
        "start_url": "/chat",
        "scope": "/chat",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#1d4f91",
        "icons": [
            {"src": f"/static/icon-{size}.png", "sizes": f"{size}x{size}", "type": "image/png"}
            for size in (192, 512)
        ],
    }
    return JSONResponse(body, media_type="application/manifest+json")


async def chat_messages(request: Request) -> Response:
    """``POST {"message": str}`` -> ``[{"text", "buttons"?}]``, in this browser's conversation."""
    services = request.app.state.carebot
    assistant = services.assistant
    if assistant is None:
        return JSONResponse({"error": "carebot is starting up. Please try again soon."}, 503)
    if not _is_json(request):
        return JSONResponse({"error": "The body must be JSON."}, 415)
    text = _message(await request.body())
    if text is None:
        return JSONResponse({"error": 'The body must be {"message": "..."}.'}, 400)
    conversation = await asyncio.to_thread(
        web_conversations.for_message, services.settings.database_url, services.keys,
        request.cookies.get(COOKIE),
    )
    replies = await assistant.handle(
        IncomingMessage(WEB_CHANNEL, conversation.channel_user_id, text,
                        source_address=request.client.host if request.client else None))
    response = JSONResponse(_as_json(replies), headers={"Cache-Control": "no-store"})
    if conversation.token:
        _set_cookie(request, response, conversation.token)
    return response


async def waiting_replies(request: Request) -> Response:
    """``POST {}`` -> ``[{"text"}]``: replies from the IRO waiting for this browser's
    conversation, shown when the page opens (the web chat cannot send them unasked). Without
    a live conversation, nothing, and none is started."""
    if not _is_json(request):  # as "Start again": a page on another site cannot take them
        return JSONResponse({"error": "The body must be JSON."}, 415)
    services = request.app.state.carebot
    if services.assistant is None:
        return JSONResponse({"error": "carebot is starting up. Please try again soon."}, 503)
    channel_user_id = await asyncio.to_thread(
        web_conversations.current, services.settings.database_url, services.keys,
        request.cookies.get(COOKIE),
    )
    replies = [] if channel_user_id is None else await services.assistant.replies_from_iro(
        WEB_CHANNEL, channel_user_id)
    return JSONResponse(_as_json(replies), headers={"Cache-Control": "no-store"})


async def new_conversation(request: Request) -> Response:
    """"Start again": the old cookie stops working at once and a new conversation begins."""
    if not _is_json(request):  # so a form on another site cannot end someone's conversation
        return JSONResponse({"error": "The body must be JSON."}, 415)
    services = request.app.state.carebot
    url, keys = services.settings.database_url, services.keys
    await asyncio.to_thread(web_conversations.end, url, keys, request.cookies.get(COOKIE))
    started = await asyncio.to_thread(web_conversations.start, url, keys)
    response = Response(status_code=204, headers={"Cache-Control": "no-store"})
    if started.token:
        _set_cookie(request, response, started.token)
    return response


def _is_json(request: Request) -> bool:
    """JSON only: a form or link on another site cannot send it without the browser asking this
    server first (a CORS preflight, which it never grants)."""
    return request.headers.get("content-type", "").split(";")[0].strip() == "application/json"


def _message(body: bytes) -> str | None:
    """The body's size was limited while it was read (bot/http_guards/request_limits.py)."""
    try:
        data = loads_limited(body)
    except (ValueError, UnicodeDecodeError):
        return None
    message = data.get("message") if isinstance(data, dict) else None
    return valid_unicode(message) if isinstance(message, str) else None


def _as_json(replies: list[Reply]) -> list[dict]:
    out = []
    for reply in replies:
        item: dict = {"text": reply.text}
        if reply.buttons:
            item["buttons"] = [{"title": b.title, "payload": b.payload} for b in reply.buttons]
        out.append(item)
    return out


def _set_cookie(request: Request, response: Response, token: str) -> None:
    # No max-age: the browser forgets it when it closes; the server ends it sooner when idle.
    response.set_cookie(COOKIE, token, path=COOKIE_PATH, httponly=True, samesite="strict",
                        secure=cookie_secure(request))
