"""Staff sign-in: argon2id passwords, lock-out, server-side sessions with an idle timeout.

The browser holds a random token in an HttpOnly, SameSite=Strict cookie (Secure outside
localhost); the database holds only a keyed hash of it, so signing out (or a 30-minute pause)
really ends the session, and a copy of the database cannot be used to sign in.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.services.audit import record
from bot.services.passwords import hash_password, password_matches
from db.models import StaffSession, StaffUser
from db.time import as_utc, utcnow

COOKIE = "carebot_staff"
IDLE_TIMEOUT = timedelta(minutes=30)
MAX_SESSION = timedelta(hours=12)
MAX_FAILED_SIGN_INS = 5
LOCK_FOR = timedelta(minutes=15)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Checked when the username is unknown, so the time taken does not say which exist."""
    return hash_password(secrets.token_urlsafe(24))


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(secret: bytes, token: str) -> str:
    return hmac.new(secret, b"session:" + token.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class SignIn:
    staff: StaffUser | None
    token: str | None = None
    outcome: str = "failed"  # ok | failed | locked


def sign_in(session: Session, secret: bytes, username: str, password: str) -> SignIn:
    """Check a username and password; on success start a session. Every attempt is audited."""
    now = utcnow()
    username = username.strip()[:80]
    staff = session.scalar(select(StaffUser).where(StaffUser.username == username))
    if staff is None:
        password_matches(_dummy_hash(), password)
        record(session, actor=username or "(blank)", action="sign_in", outcome="failed")
        return SignIn(None)
    if staff.locked_until is not None and as_utc(staff.locked_until) > now:
        record(session, actor=staff.username, action="sign_in", outcome="locked",
               staff_user=staff)
        return SignIn(None, outcome="locked")
    if not password_matches(staff.password_hash, password):
        staff.failed_logins = (staff.failed_logins or 0) + 1
        if staff.failed_logins >= MAX_FAILED_SIGN_INS:
            staff.locked_until = now + LOCK_FOR
            staff.failed_logins = 0
        record(session, actor=staff.username, action="sign_in", outcome="failed",
               staff_user=staff)
        return SignIn(None)
    staff.failed_logins = 0
    staff.locked_until = None
    session.execute(delete(StaffSession).where(StaffSession.delete_after < now))
    token = new_token()
    session.add(StaffSession(
        token_hash=token_hash(secret, token), staff_user_id=staff.id,
        created_at=now, last_seen_at=now, delete_after=now + MAX_SESSION,
    ))
    record(session, actor=staff.username, action="sign_in", staff_user=staff)
    session.flush()
    return SignIn(staff, token, "ok")


@dataclass(frozen=True)
class Current:
    staff: StaffUser | None
    timed_out: bool = False


def current_staff(session: Session, secret: bytes, token: str | None) -> Current:
    """Who this cookie belongs to, if the session is still alive (and keep it alive)."""
    if not token:
        return Current(None)
    row = session.scalar(
        select(StaffSession).where(StaffSession.token_hash == token_hash(secret, token))
    )
    if row is None:
        return Current(None)
    now = utcnow()
    if as_utc(row.last_seen_at) + IDLE_TIMEOUT < now or as_utc(row.delete_after) < now:
        session.delete(row)
        return Current(None, timed_out=True)
    row.last_seen_at = now
    return Current(row.staff_user)


def sign_out(session: Session, secret: bytes, token: str | None) -> None:
    if token:
        session.execute(
            delete(StaffSession).where(StaffSession.token_hash == token_hash(secret, token))
        )
