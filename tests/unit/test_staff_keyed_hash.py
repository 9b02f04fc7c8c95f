"""Staff sessions, CSRF fields and throttle counters share one keyed hash, and it gives the
hashes already stored (sessions in the database survive an upgrade)."""

from __future__ import annotations

import hashlib
import hmac

from bot.staff.csrf import csrf_token
from bot.staff.keyed_hash import labelled_hash
from bot.staff.sessions import audit_name, token_hash
from bot.staff.throttle import throttle_keys

SECRET = b"s" * 32


def old(label: bytes, value: str) -> str:
    return hmac.new(SECRET, label + value.encode(), hashlib.sha256).hexdigest()


def test_the_hashes_are_the_ones_stored_before() -> None:
    assert token_hash(SECRET, "tok") == old(b"session:", "tok")
    assert csrf_token(SECRET, "tok") == old(b"csrf:", "tok")
    assert audit_name(SECRET, "Bob") == "unknown:" + old(b"audit-username:", "bob")[:16]
    assert throttle_keys(SECRET, "bob", "203.0.113.9")["account"] == old(
        b"sign-in-throttle:", "account\0bob")


def test_a_label_keeps_one_kind_of_hash_from_standing_in_for_another() -> None:
    assert labelled_hash(SECRET, "session", "x") != labelled_hash(SECRET, "csrf", "x")
