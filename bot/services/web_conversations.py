"""Web chat conversations the server issues: whoever holds the cookie holds the conversation.

The page never chooses who it is. The server gives the browser a long random token (an HttpOnly,
SameSite=Strict cookie the page's script cannot read), stores only a keyed hash of it, and
derives the conversation's id from that hash. A conversation ends after 30 minutes without a
message, after 12 hours at most, or when the person presses "Start again"; the next message then
starts a new one. Someone who picks up the device later gets a new, empty conversation; the
person who was answering their review questions sends their invite code again to carry on.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import SQLAlchemyError

from db.encryption import DataKeys
from db.engine import session_scope
from db.models import WebConversation
from db.time import as_utc, utcnow

log = logging.getLogger(__name__)

IDLE_TIMEOUT = timedelta(minutes=30)
MAX_CONVERSATION = timedelta(hours=12)
# last_seen_at is written at most this often, not on every message.
TOUCH_EVERY = timedelta(minutes=1)
_LABEL = b"web-conversation"
MAX_TOKEN_CHARS = 100  # ours are 43; anything much longer was not made here


@dataclass(frozen=True)
class Conversation:
    """``channel_user_id`` is what the pipeline hashes into the conversation key; ``token`` is
    set only when a new conversation was started (the caller sets it as the cookie)."""

    channel_user_id: str
    token: str | None = None


def current_or_new(
    database_url: str, keys: DataKeys, token: str | None, now: datetime | None = None
) -> Conversation:
    """The live conversation this cookie token belongs to, or a new one."""
    now = now or utcnow()
    if token and len(token) <= MAX_TOKEN_CHARS:
        found = _find_live(database_url, keys, token, now)
        if found is not None:
            return Conversation(found)
    return start(database_url, keys, now)


def current(
    database_url: str, keys: DataKeys, token: str | None, now: datetime | None = None
) -> str | None:
    """The channel id of the live conversation this cookie token belongs to; None (and no new
    conversation) without one: opening the page starts nothing."""
    if not token or len(token) > MAX_TOKEN_CHARS:
        return None
    return _find_live(database_url, keys, token, now or utcnow())


def start(database_url: str, keys: DataKeys, now: datetime | None = None) -> Conversation:
    token = secrets.token_urlsafe(32)
    token_hash = keys.keyed_hash(_LABEL, token)
    now = now or utcnow()
    with session_scope(database_url) as session:
        session.add(WebConversation(token_hash=token_hash, created_at=now, last_seen_at=now,
                                    delete_after=now + MAX_CONVERSATION))
    return Conversation(token_hash, token)


def end(database_url: str, keys: DataKeys, token: str | None) -> None:
    """"Start again": this token no longer opens anything."""
    if not token:
        return
    with session_scope(database_url) as session:
        session.execute(delete(WebConversation).where(
            WebConversation.token_hash.in_(keys.keyed_hashes(_LABEL, token))))


def purge_ended(database_url: str) -> int:
    """Forget conversations that ended by time (run by ``carebot purge``)."""
    now = utcnow()
    with session_scope(database_url) as session:
        return session.execute(delete(WebConversation).where(
            (WebConversation.delete_after < now)
            | (WebConversation.last_seen_at < now - IDLE_TIMEOUT)
        )).rowcount or 0


def _find_live(database_url: str, keys: DataKeys, token: str, now: datetime) -> str | None:
    with session_scope(database_url) as session:
        row = session.scalar(select(WebConversation).where(
            WebConversation.token_hash.in_(keys.keyed_hashes(_LABEL, token))))
        if row is None:
            return None
        if as_utc(row.last_seen_at) + IDLE_TIMEOUT < now or as_utc(row.delete_after) < now:
            session.delete(row)
            return None
        if as_utc(row.last_seen_at) + TOUCH_EVERY < now:
            row.last_seen_at = now
        return row.token_hash


def for_message(database_url: str, keys: DataKeys, token: str | None) -> Conversation:
    """As :func:`current_or_new`; while the database cannot be reached, the conversation the
    token would have (or a new one), so the pipeline can still give a disclosure the
    signposting and everything else "please try again"."""
    try:
        return current_or_new(database_url, keys, token)
    except SQLAlchemyError:
        log.warning("web conversations could not be read; answering without one")
        if token and len(token) <= MAX_TOKEN_CHARS:
            return Conversation(keys.keyed_hash(_LABEL, token))
        token = secrets.token_urlsafe(32)
        return Conversation(keys.keyed_hash(_LABEL, token), token)
