"""The sign-in form at /iro/login and signing out.

A sign-in holds a place among the password checks first (``password_checks``: 503 and "try
again shortly" when they are all taken), then runs ``sessions.prepare``, the argon2 check and
``sessions.finish`` as three separate steps, so no database transaction (and no place in
SQLite's write queue, which the chat shares) is held while argon2 runs.
"""

from __future__ import annotations

import math

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from bot.services.audit import record
from bot.staff import sessions
from bot.staff.csrf import FIELD, csrf_ok, csrf_token
from bot.staff.password_checks import PASSWORD_CHECKS, RETRY_AFTER_SECONDS, Busy
from bot.staff.throttle import address_of
from bot.staff.web import read_form, render, safe_next, session_secret, set_cookie
from db.engine import session_scope

FAILED = (
    "That username and password did not match. Check them and try again, or ask your admin "
    "(an admin can also send you a link to set a new password)."
)
BUSY = "Sign-in is busy just now. Please try again in a few seconds."


def _slowed(seconds: int) -> str:
    wait = f"{seconds} seconds" if seconds < 120 else f"{-(-seconds // 60)} minutes"
    return f"Too many tries that did not match. Please wait {wait}, then try again."


async def login(request: Request) -> Response:
    secret = session_secret(request)
    token = request.cookies.get(sessions.COOKIE)
    if request.method == "GET":
        return _form(request, secret, token, error=None, status=200)
    form = await read_form(request)
    if not csrf_ok(secret, token, form.get(FIELD)):
        return _form(request, secret, token, "That form had expired. Please try again.", 403,
                     next_url=form.get("next"))
    username, password = form.get("username", ""), form.get("password", "")
    database_url = request.app.state.carebot.settings.database_url
    address = address_of(request.client.host if request.client else None)

    def prepare() -> sessions.Attempt:
        with session_scope(database_url) as db:
            return sessions.prepare(db, secret, username, address)

    def finish(attempt: sessions.Attempt, matched: bool) -> sessions.SignIn:
        with session_scope(database_url) as db:
            return sessions.finish(db, secret, attempt, matched, token)

    try:
        async with PASSWORD_CHECKS.admitted():
            attempt = await run_in_threadpool(prepare)
            matched = attempt.wait is None and await PASSWORD_CHECKS.run(
                sessions.check_password, attempt, password)
            result = await run_in_threadpool(finish, attempt, matched)
    except Busy:
        response = _form(request, secret, token, BUSY, 503, username, form.get("next"))
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    if result.outcome == "slowed" and result.wait is not None:
        seconds = max(1, math.ceil(result.wait.total_seconds()))
        response = _form(request, secret, token, _slowed(seconds), 429, username,
                         form.get("next"))
        response.headers["Retry-After"] = str(seconds)
        return response
    if result.token is None:
        return _form(request, secret, token, FAILED, 400, username, form.get("next"))
    response = RedirectResponse(safe_next(form.get("next")), status_code=303)
    set_cookie(request, response, result.token)
    return response


def _form(request: Request, secret: bytes, token: str | None, error: str | None, status: int,
          username: str = "", next_url: str | None = None) -> Response:
    token = token or sessions.new_token()  # a browser's pre-sign-in token, for the CSRF field
    response = render(request, "staff/login.html", {
        "title": "Sign in",
        "error": error,
        "username": username[:80],
        "next": safe_next(next_url or request.query_params.get("next")),
        "timed_out": request.query_params.get("timed_out") == "1",
        "signed_out": request.query_params.get("signed_out") == "1",
        "password_set": request.query_params.get("password_set") == "1",
        "csrf_field": FIELD,
        "csrf_token": csrf_token(secret, token),
    }, status)
    set_cookie(request, response, token)
    return response


async def logout(request: Request) -> Response:
    secret = session_secret(request)
    token = request.cookies.get(sessions.COOKIE)
    form = await read_form(request)
    if not csrf_ok(secret, token, form.get(FIELD)):
        return RedirectResponse("/iro/", status_code=303)
    database_url = request.app.state.carebot.settings.database_url

    def end() -> None:
        with session_scope(database_url) as db:
            current = sessions.current_staff(db, secret, token)
            if current.staff is not None:
                record(db, actor=f"staff:{current.staff.username}", action="sign_out",
                       staff_user=current.staff)
            sessions.sign_out(db, secret, token)

    await run_in_threadpool(end)
    response = RedirectResponse("/iro/login?signed_out=1", status_code=303)
    response.delete_cookie(sessions.COOKIE, path="/iro")
    return response
