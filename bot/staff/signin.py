"""The sign-in form at /iro/login and signing out."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from bot.services.audit import record
from bot.staff import sessions
from bot.staff.csrf import FIELD, csrf_ok, csrf_token
from bot.staff.web import read_form, render, safe_next, session_secret, set_cookie
from db.engine import session_scope

FAILED = (
    "That username and password did not match, or the account is locked for 15 minutes "
    "after too many tries. Check them and try again, or ask your admin."
)


async def login(request: Request) -> Response:
    secret = session_secret(request)
    token = request.cookies.get(sessions.COOKIE)
    if request.method == "GET":
        return _form(request, secret, token, error=None, status=200)
    form = await read_form(request)
    if not csrf_ok(secret, token, form.get(FIELD)):
        return _form(request, secret, token, "That form had expired. Please try again.", 403,
                     next_url=form.get("next"))
    database_url = request.app.state.carebot.settings.database_url

    def attempt() -> sessions.SignIn:
        with session_scope(database_url) as db:
            sessions.sign_out(db, secret, token)  # a new session never reuses an old token
            return sessions.sign_in(
                db, secret, form.get("username", ""), form.get("password", "")
            )

    result = await run_in_threadpool(attempt)
    if result.token is None:
        return _form(request, secret, token, FAILED, 400, form.get("username", ""),
                     form.get("next"))
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
