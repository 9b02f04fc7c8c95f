"""What every staff page shares: who is signed in, CSRF on POST, roles, templates, 404s.

``staff_page(...)`` wraps a plain (synchronous) handler: it reads the form, opens one database
session for the request, resolves the signed-in member of staff (or sends them to sign in),
refuses a POST without the right CSRF field, checks the role, and runs the handler in a
worker thread. Every response under ``/iro`` carries ``Cache-Control: no-store``. A handler
whose work goes on outside its transaction (sending a reply on a channel) returns
``AfterCommit``.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp

from bot.http_guards.cookies import cookie_secure
from bot.http_guards.security_headers import ResponseHeadersMiddleware
from bot.services.audit import record
from bot.staff import sessions
from bot.staff.csrf import FIELD, csrf_ok, csrf_token
from db.engine import session_scope
from db.models import StaffRole, StaffUser
from db.time import as_utc

TEMPLATES = Jinja2Templates(
    directory=str(Path(__file__).resolve().parent.parent / "web" / "templates")
)
LONDON = ZoneInfo("Europe/London")


def _local(value: datetime | str) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return as_utc(value).astimezone(LONDON)


def _day(value: datetime | str | None) -> str:
    return "" if value is None else f"{_local(value):%a %-d %b %Y}"


def _when(value: datetime | str | None) -> str:
    return "" if value is None else f"{_local(value):%-d %b %Y, %H:%M}"


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:g}%"


def _duration(value: timedelta | None) -> str:
    if value is None:
        return "–"
    minutes = round(value.total_seconds() / 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"


TEMPLATES.env.filters["day"] = _day
TEMPLATES.env.filters["when"] = _when
TEMPLATES.env.globals["pct"] = _pct
TEMPLATES.env.globals["duration"] = _duration


def session_secret(request: Request) -> bytes:
    services = request.app.state.carebot
    if services.settings.session_secret:
        return services.settings.session_secret.encode()
    keys = services.keys
    return hmac.new(keys.keys[keys.active_id], b"staff-session-secret", hashlib.sha256).digest()


def set_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        sessions.COOKIE, token, path="/iro", httponly=True, samesite="strict",
        secure=cookie_secure(request),
    )


async def read_form(request: Request) -> dict[str, str]:
    """An ordinary HTML form post (urlencoded); the first value of each field.

    The body's size is limited while it is read, before this sees it
    (bot/http_guards/request_limits.py).
    """
    if request.method != "POST":
        return {}
    body = await request.body()
    form: dict[str, str] = {}
    for key, value in parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True):
        form.setdefault(key, value)
    return form


@dataclass
class StaffRequest:
    """One request from a signed-in member of staff."""

    request: Request
    db: Session
    staff: StaffUser
    form: dict[str, str]
    csrf: str

    @property
    def services(self) -> Any:
        return self.request.app.state.carebot

    @property
    def actor(self) -> str:
        return f"staff:{self.staff.username}"

    def audit(self, action: str, target_type: str | None = None,
              target_id: object = None, outcome: str = "ok") -> None:
        record(self.db, actor=self.actor, action=action, target_type=target_type,
               target_id=None if target_id is None else str(target_id), outcome=outcome,
               staff_user=self.staff)

    def render(self, template: str, context: dict[str, Any], status: int = 200) -> Response:
        return render(self.request, template, {
            "staff": self.staff, "csrf_field": FIELD, "csrf_token": self.csrf, **context,
        }, status)

    def not_found(self, action: str, target_type: str, target_id: object) -> Response:
        """404 for anything missing or not theirs, and the attempt goes in the audit log."""
        self.audit(action, target_type, target_id, outcome="denied")
        return self.render("staff/not_found.html", {"title": "Not found"}, 404)


def render(request: Request, template: str, context: dict[str, Any], status: int = 200) -> Response:
    return TEMPLATES.TemplateResponse(
        request, template, {"static": "/static", **context}, status_code=status
    )


@dataclass(frozen=True)
class AfterCommit:
    """What a handler returns when the rest of its work must run in the event loop once its
    transaction is committed and closed (sending a message on a channel): ``then`` gives the
    response. Awaiting it inside the transaction would hold SQLite's writer queue
    (``db/engine.py``), which the channel's own turn may need, while waiting for it."""

    then: Callable[[], Awaitable[Response]]


Handler = Callable[[StaffRequest], Response | AfterCommit]


def staff_page(*roles: StaffRole) -> Callable[[Handler], Callable[[Request], Any]]:
    """Wrap ``handler`` as a staff endpoint, open to ``roles`` (all roles when none given)."""

    def wrap(handler: Handler) -> Callable[[Request], Any]:
        async def endpoint(request: Request) -> Response:
            form = await read_form(request)
            secret = session_secret(request)
            token = request.cookies.get(sessions.COOKIE)
            done = await run_in_threadpool(_run, request, handler, roles, form, secret, token)
            return await done.then() if isinstance(done, AfterCommit) else done

        endpoint.__name__ = handler.__name__
        return endpoint

    return wrap


def _run(
    request: Request, handler: Handler, roles: tuple[StaffRole, ...], form: dict[str, str],
    secret: bytes, token: str | None,
) -> Response | AfterCommit:
    with session_scope(request.app.state.carebot.settings.database_url) as db:
        current = sessions.current_staff(db, secret, token)
        if current.staff is None or token is None:
            return to_sign_in(request, timed_out=current.timed_out)
        ctx = StaffRequest(request, db, current.staff, form, csrf_token(secret, token))
        if request.method == "POST" and not csrf_ok(secret, token, form.get(FIELD)):
            ctx.audit("csrf_refused", "page", request.url.path[:40], outcome="denied")
            return ctx.render("staff/problem.html", {
                "title": "That form has expired",
                "message": "Please go back, reload the page and try again.",
            }, 403)
        if roles and current.staff.role not in roles:
            ctx.audit("open_page", "page", request.url.path[:40], outcome="denied")
            return ctx.render("staff/problem.html", {
                "title": "Not part of your role",
                "message": "Your account cannot use this page.",
            }, 403)
        if not ids_in_range(request.path_params):
            return ctx.not_found("open_page", "page", request.url.path[:40])
        return handler(ctx)


# The largest id a row can have (a signed 64-bit integer, in SQLite and in PostgreSQL).
MAX_ID = 2**63 - 1


def ids_in_range(path_params: dict[str, Any]) -> bool:
    """An id in the URL that no row can have is "not found": the database would raise."""
    return all(not isinstance(v, int) or 0 <= v <= MAX_ID for v in path_params.values())


def to_sign_in(request: Request, timed_out: bool = False) -> Response:
    target = request.url.path
    if request.method == "GET" and request.url.query:
        target += "?" + request.url.query
    url = "/iro/login?next=" + quote(target, safe="")
    if timed_out:
        url += "&timed_out=1"
    return RedirectResponse(url, status_code=303)


def safe_next(value: str | None) -> str:
    """Only ever send someone back to a staff page on this site after signing in."""
    if value and value.startswith("/iro/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/iro/"


class NoStoreMiddleware(ResponseHeadersMiddleware):
    """Nothing under /iro may be kept by the browser or a proxy: pages carry personal data."""

    def __init__(self, app: ASGIApp) -> None:
        super().__init__(app, {b"cache-control": b"no-store", b"pragma": b"no-cache"}, True)
