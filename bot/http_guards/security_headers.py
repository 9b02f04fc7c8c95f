"""Headers on every response: pages run no inline script and load nothing from elsewhere."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADERS = {
    b"content-security-policy": (
        b"default-src 'self'; img-src 'self' data:; object-src 'none'; "
        b"frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    b"x-content-type-options": b"nosniff",
    b"referrer-policy": b"no-referrer",
    b"x-frame-options": b"DENY",
}


class ResponseHeadersMiddleware:
    """Adds ``headers`` to every HTTP response; ``replace`` overrides what the handler set."""

    def __init__(self, app: ASGIApp, headers: dict[bytes, bytes], replace: bool = False) -> None:
        self.app = app
        self.headers = headers
        self.replace = replace

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                kept = [
                    (name, value) for name, value in message.get("headers", [])
                    if not (self.replace and name.lower() in self.headers)
                ]
                message["headers"] = kept + [
                    (name, value) for name, value in self.headers.items()
                    if self.replace or name not in present
                ]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class SecurityHeadersMiddleware(ResponseHeadersMiddleware):
    def __init__(self, app: ASGIApp) -> None:
        super().__init__(app, HEADERS)
