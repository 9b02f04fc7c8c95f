"""The one keyed hash behind staff sessions, CSRF fields, sign-in throttling and the audit
log's unknown usernames."""

from __future__ import annotations

import hashlib
import hmac


def labelled_hash(secret: bytes, label: str, value: str) -> str:
    """HMAC-SHA256 of ``value`` under the staff secret, prefixed with what it is for
    ("session", "csrf"...), so one kind of hash can never stand in for another."""
    return hmac.new(secret, f"{label}:{value}".encode(), hashlib.sha256).hexdigest()
