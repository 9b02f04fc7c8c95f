"""/iro/set-password/<token>: where a member of staff chooses their own password, with the
one-time link an admin (or ``carebot user``) gave them (``bot.staff.accounts``).

Opening the link changes nothing (mail scanners open links); choosing the password uses it up
and ends any old sessions. A used, expired, replaced or made-up link is the same 404.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from bot.services.passwords import MIN_PASSWORD_CHARS, hash_password
from bot.staff import accounts, sessions
from bot.staff.csrf import FIELD, csrf_ok, csrf_token
from bot.staff.password_checks import PASSWORD_CHECKS, RETRY_AFTER_SECONDS, Busy
from bot.staff.web import read_form, render, session_secret, set_cookie
from db.engine import session_scope

GONE = ("This link has been used, has expired or was replaced by a newer one. "
        "Ask your admin to send you a new link.")


async def set_password(request: Request) -> Response:
    link = request.path_params["token"]
    secret = session_secret(request)
    token = request.cookies.get(sessions.COOKIE)
    database_url = request.app.state.carebot.settings.database_url

    def holder() -> str | None:
        with session_scope(database_url) as db:
            user = accounts.account_for_link(db, link)
            return None if user is None else user.display_name

    form = await read_form(request)
    if request.method == "POST" and not csrf_ok(secret, token, form.get(FIELD)):
        return _page(request, secret, token, None, "That form had expired. Please go back, "
                     "reload the page and try again.", 403)
    name = await run_in_threadpool(holder)
    if name is None:
        return _page(request, secret, token, None, GONE, 404)
    if request.method == "GET":
        return _page(request, secret, token, name, None, 200)
    password = form.get("password", "")
    if len(password) < MIN_PASSWORD_CHARS:
        return _page(request, secret, token, name,
                     f"Choose a password of at least {MIN_PASSWORD_CHARS} characters.", 400)
    if form.get("confirm", "") != password:
        return _page(request, secret, token, name, "The two passwords were different.", 400)
    try:
        async with PASSWORD_CHECKS.admitted():
            new_hash = await PASSWORD_CHECKS.run(hash_password, password)
    except Busy:
        response = _page(request, secret, token, name,
                         "This is busy just now. Please try again in a few seconds.", 503)
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    def use() -> bool:
        with session_scope(database_url) as db:
            return accounts.set_password_from_link(db, link, new_hash) is not None

    if not await run_in_threadpool(use):
        return _page(request, secret, token, None, GONE, 404)
    return RedirectResponse("/iro/login?password_set=1", status_code=303)


def _page(request: Request, secret: bytes, token: str | None, name: str | None,
          error: str | None, status: int) -> Response:
    token = token or sessions.new_token()
    response = render(request, "staff/set_password.html", {
        "title": "Choose your password" if name else "Link not working",
        "name": name,
        "error": error,
        "min_chars": MIN_PASSWORD_CHARS,
        "csrf_field": FIELD,
        "csrf_token": csrf_token(secret, token),
    }, status)
    set_cookie(request, response, token)
    return response
