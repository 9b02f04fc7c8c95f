"""Trusted integrations: the only callers of the REST endpoint.

Each has a name and a bearer token made by ``carebot integration add NAME`` and printed once;
only a keyed hash of the token is stored. A revoked token stops working at the next request.
The ``sender`` ids an integration sends are its own: they are namespaced by its name, so
integration A's sender "123" is not integration B's "123", nor anyone on the web chat.
"""

from __future__ import annotations

import logging
import re
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from db.encryption import DataKeys
from db.engine import session_scope
from db.models import Integration
from db.time import as_utc, utcnow

log = logging.getLogger(__name__)

TOKEN_PREFIX = "cbi_"  # lets secret scanners and people recognise a leaked token
_LABEL = b"integration-token"
_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,59}$")
MAX_TOKEN_CHARS = 100


class IntegrationError(ValueError):
    """The integration cannot be added or revoked as asked."""


@dataclass(frozen=True)
class IntegrationInfo:
    name: str
    created_at: datetime
    revoked_at: datetime | None


def add_integration(database_url: str, keys: DataKeys, name: str) -> str:
    """A new token for ``name`` (shown once). A revoked name can be given a new token and keeps
    its conversations; a name with a working token must be revoked first."""
    if not _NAME.match(name):
        raise IntegrationError(
            "an integration name is 1-60 lower-case letters, digits, '.', '_' or '-'")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token_hash = keys.keyed_hash(_LABEL, token)
    now = utcnow()
    with session_scope(database_url) as session:
        row = session.scalar(select(Integration).where(Integration.name == name))
        if row is None:
            session.add(Integration(name=name, token_hash=token_hash, created_at=now))
        elif row.revoked_at is None:
            raise IntegrationError(
                f"integration {name!r} already has a token; revoke it first to make a new one")
        else:
            row.token_hash, row.created_at, row.revoked_at = token_hash, now, None
    return token


def revoke_integration(database_url: str, name: str) -> None:
    with session_scope(database_url) as session:
        row = session.scalar(select(Integration).where(Integration.name == name))
        if row is None:
            raise IntegrationError(f"there is no integration called {name!r}")
        if row.revoked_at is None:
            row.revoked_at = utcnow()


def list_integrations(database_url: str) -> list[IntegrationInfo]:
    with session_scope(database_url) as session:
        rows = session.scalars(select(Integration).order_by(Integration.name))
        return [IntegrationInfo(r.name, as_utc(r.created_at),
                                as_utc(r.revoked_at) if r.revoked_at else None) for r in rows]


def integration_for(database_url: str, keys: DataKeys, token: str | None) -> str | None:
    """The name of the live integration this bearer token belongs to, or None."""
    if not token or len(token) > MAX_TOKEN_CHARS:
        return None
    with session_scope(database_url) as session:
        return session.scalar(select(Integration.name).where(
            Integration.token_hash.in_(keys.keyed_hashes(_LABEL, token)),
            Integration.revoked_at.is_(None),
        ))


class IntegrationTokens:
    """Checks bearer tokens against the database at every request (so a revocation works at
    once), remembering the tokens that passed, so that while the database is down a known
    integration's messages still reach the pipeline, which gives a disclosure the signposting
    and anything else "please try again"."""

    def __init__(self, database_url: str, keys: DataKeys, remember: int = 1000) -> None:
        self.database_url = database_url
        self.keys = keys
        self.remember = remember
        self._known: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()

    def name_for(self, token: str | None) -> str | None:
        try:
            name = integration_for(self.database_url, self.keys, token)
        except SQLAlchemyError:
            log.warning("integration tokens could not be read; using the last known ones")
            with self._lock:
                return self._known.get(self.keys.keyed_hash(_LABEL, token)) if token else None
        if name is not None and token:
            with self._lock:
                self._known[self.keys.keyed_hash(_LABEL, token)] = name
                self._known.move_to_end(self.keys.keyed_hash(_LABEL, token))
                while len(self._known) > self.remember:
                    self._known.popitem(last=False)
        return name


def bearer_token(authorization: str | None) -> str | None:
    """The token in an ``Authorization: Bearer <token>`` header, if there is one."""
    scheme, _, token = (authorization or "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None
