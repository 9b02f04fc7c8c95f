"""When a cookie carebot sets is Secure."""

from __future__ import annotations

from starlette.requests import Request


def cookie_secure(request: Request) -> bool:
    """Secure exactly when carebot is published over https (CAREBOT_PUBLIC_URL), never from
    the request's Host header, which the client (or a proxy that rewrites it) chooses."""
    return request.app.state.carebot.settings.public_url.startswith("https://")
