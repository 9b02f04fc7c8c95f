"""CSRF protection for every staff form: a hidden field tied to the browser's cookie token.

The field is a keyed hash of the cookie's random token, so a page on another site can neither
read nor forge it; a POST without the right field is refused (403) before anything happens.
"""

from __future__ import annotations

import hmac

from bot.staff.keyed_hash import labelled_hash

FIELD = "csrf_token"


def csrf_token(secret: bytes, cookie_token: str) -> str:
    return labelled_hash(secret, "csrf", cookie_token)


def csrf_ok(secret: bytes, cookie_token: str | None, submitted: str | None) -> bool:
    if not cookie_token or not submitted:
        return False
    return hmac.compare_digest(csrf_token(secret, cookie_token), submitted)
