"""Staff sign-in: argon2id passwords, throttling, server-side sessions with an idle timeout.

A sign-in is three steps so that no database transaction is open while argon2 runs
(``bot/staff/signin.py`` drives them): ``prepare`` (a short read: is this attempt slowed down,
and which hash to check), the check itself in ``bot.staff.password_checks``, and ``finish`` (a
short write: count the failure or start the session, and audit it). Unknown usernames,
disabled accounts, accounts still waiting for their first password and wrong passwords all do
exactly one argon2 check against a hash with the same cost, and answer the same.

The browser holds a random token in an HttpOnly, SameSite=Strict cookie (Secure when
CAREBOT_PUBLIC_URL is https); the database holds only a keyed hash of it, so signing out (or
a 30-minute pause) really ends the session, and a copy of the database cannot be used to sign
in.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.services.audit import record
from bot.services.passwords import hash_password, password_matches
from bot.staff import throttle
from bot.staff.keyed_hash import labelled_hash
from db.models import StaffSession, StaffUser
from db.time import as_utc, utcnow

COOKIE = "carebot_staff"
IDLE_TIMEOUT = timedelta(minutes=30)
MAX_SESSION = timedelta(hours=12)


@lru_cache(maxsize=1)
def dummy_hash() -> str:
    """Checked when there is no usable password, so the work done does not say why."""
    return hash_password(secrets.token_urlsafe(24))


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(secret: bytes, token: str) -> str:
    return labelled_hash(secret, "session", token)


def audit_name(secret: bytes, username: str) -> str:
    """How the audit log names a sign-in for a username nobody has: a keyed hash, so repeated
    tries at one name can be seen together but a password typed into the username box is
    never stored."""
    return f"unknown:{labelled_hash(secret, 'audit-username', username.casefold())[:16]}"


@dataclass(frozen=True)
class Attempt:
    """What ``prepare`` found; nothing here is stored."""

    username: str
    address: str
    keys: dict[str, str]
    check_hash: str | None = None  # the account's hash; None: check the dummy instead
    wait: timedelta | None = None  # slowed down: no password is checked at all


@dataclass(frozen=True)
class SignIn:
    staff: StaffUser | None
    token: str | None = None
    outcome: str = "failed"  # ok | failed | slowed
    wait: timedelta | None = None


def _account(session: Session, username: str) -> StaffUser | None:
    return session.scalar(select(StaffUser).where(StaffUser.username == username))


def prepare(session: Session, secret: bytes, username: str, address: str,
            now: datetime | None = None) -> Attempt:
    username = username.strip()[:80]
    keys = throttle.throttle_keys(secret, username, address)
    wait = throttle.wait_needed(session, keys, now or utcnow())
    if wait is not None:
        return Attempt(username, address, keys, wait=wait)
    staff = _account(session, username)
    return Attempt(username, address, keys,
                   check_hash=staff.password_hash if staff is not None else None)


def check_password(attempt: Attempt, password: str) -> bool:
    """The one argon2 check every attempt that is not slowed down makes (in the pool of
    ``bot.staff.password_checks``, with no database session open)."""
    return password_matches(attempt.check_hash or dummy_hash(), password)


def finish(session: Session, secret: bytes, attempt: Attempt, matched: bool,
           old_token: str | None, now: datetime | None = None) -> SignIn:
    """Count a failure, or start a session (ending the browser's old one); audit either."""
    now = now or utcnow()
    staff = _account(session, attempt.username)
    actor = staff.username if staff is not None else audit_name(secret, attempt.username)
    if attempt.wait is not None:
        record(session, actor=actor, action="sign_in", outcome="slowed", staff_user=staff)
        return SignIn(None, outcome="slowed", wait=attempt.wait)
    usable = (staff is not None and staff.disabled_at is None
              and staff.password_hash is not None and staff.password_hash == attempt.check_hash)
    if not (matched and usable):
        throttle.record_failure(session, attempt.keys, now)
        outcome = "disabled" if staff is not None and staff.disabled_at else "failed"
        record(session, actor=actor, action="sign_in", outcome=outcome, staff_user=staff)
        return SignIn(None)
    throttle.forgive(session, attempt.keys, now)
    sign_out(session, secret, old_token)  # a new session never reuses an old token
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
    if row.staff_user.disabled_at is not None:
        session.delete(row)
        return Current(None)
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


def sign_out_everywhere(session: Session, staff: StaffUser) -> int:
    """End every session of ``staff``; how many there were."""
    ended = session.execute(delete(StaffSession).where(StaffSession.staff_user_id == staff.id))
    return ended.rowcount or 0
