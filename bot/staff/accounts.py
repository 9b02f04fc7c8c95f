"""What an admin (on the dashboard) or the server's operator (``carebot user ...``) can do to a
staff account: give it a one-time set-password link, disable and enable it, force a password
reset, and sign it out everywhere. Every act is audited, with the account as its target.

Nobody chooses another person's password: an admin who could would be able to sign in as a
new IRO, manager or duty account and read children's views and alert text. The link's token is
random (256 bits) and stored only as a SHA-256 hash (a keyed hash adds nothing to a random
token, and the CLI has no session secret); it works once, for 72 hours.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.services.audit import record
from bot.staff.sessions import sign_out_everywhere
from db.models import StaffUser
from db.time import as_utc, utcnow

LINK_LIFETIME = timedelta(hours=72)
LINK_PATH = "/iro/set-password/"


def _link_hash(token: str) -> str:
    return hashlib.sha256(b"set-password:" + token.encode()).hexdigest()


def _audit(session: Session, action: str, target: StaffUser, actor: str,
           by: StaffUser | None) -> None:
    record(session, actor=actor, action=action, target_type="staff_user",
           target_id=str(target.id), staff_user=by)


def issue_link(session: Session, user: StaffUser, public_url: str,
               now: datetime | None = None) -> str:
    """A new one-time set-password link for ``user`` (any older link stops working)."""
    token = secrets.token_urlsafe(32)
    user.password_token_hash = _link_hash(token)
    user.password_token_expires_at = (now or utcnow()) + LINK_LIFETIME
    session.flush()
    return f"{public_url.rstrip('/')}{LINK_PATH}{token}"


def account_for_link(session: Session, token: str, now: datetime | None = None
                     ) -> StaffUser | None:
    """The enabled account this unexpired, unused link belongs to, or None."""
    if not token or len(token) > 100:
        return None
    user = session.scalar(
        select(StaffUser).where(StaffUser.password_token_hash == _link_hash(token))
    )
    if user is None or user.disabled_at is not None or user.password_token_expires_at is None:
        return None
    if as_utc(user.password_token_expires_at) <= (now or utcnow()):
        return None
    return user


def set_password_from_link(session: Session, token: str, password_hash: str,
                           now: datetime | None = None) -> StaffUser | None:
    """Use the link (once): the new password, every old session ended."""
    user = account_for_link(session, token, now)
    if user is None:
        return None
    user.password_hash = password_hash
    user.password_token_hash = None
    user.password_token_expires_at = None
    sign_out_everywhere(session, user)
    _audit(session, "set_password", user, f"staff:{user.username}", user)
    return user


def disable(session: Session, user: StaffUser, actor: str, by: StaffUser | None = None) -> None:
    """No sign-in, no sessions, no working link, until an admin enables the account again."""
    user.disabled_at = user.disabled_at or utcnow()
    user.password_token_hash = None
    user.password_token_expires_at = None
    sign_out_everywhere(session, user)
    _audit(session, "disable_staff_user", user, actor, by)


def enable(session: Session, user: StaffUser, actor: str, by: StaffUser | None = None) -> None:
    user.disabled_at = None
    _audit(session, "enable_staff_user", user, actor, by)


def force_reset(session: Session, user: StaffUser, public_url: str, actor: str,
                by: StaffUser | None = None) -> str:
    """The old password stops working and every session ends; the person sets a new one with
    the link this returns."""
    user.password_hash = None
    sign_out_everywhere(session, user)
    link = issue_link(session, user, public_url)
    _audit(session, "reset_staff_password", user, actor, by)
    return link


def sign_out_all(session: Session, user: StaffUser, actor: str,
                 by: StaffUser | None = None) -> int:
    ended = sign_out_everywhere(session, user)
    _audit(session, "sign_out_everywhere", user, actor, by)
    return ended
