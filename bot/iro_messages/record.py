"""A review's messages between people and their IRO, decrypted for the case record.

Who may have them is decided in ``bot/staff/access.py`` (the child's IRO now), or by running
``carebot export``; this module only reads them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.encryption import DataKeys
from db.models import ConsultationRole, IroThread
from db.time import as_utc

ROLE_ORDER = list(ConsultationRole)  # the child's thread first, then parents', then carers'


@dataclass(frozen=True)
class RecordedMessage:
    sent_at: datetime
    by: str  # the person's role ("child", "parent", "carer"), or the name of the IRO who replied
    text: str
    kind: str = "message"  # or "letter": the IRO's letter after the review


@dataclass(frozen=True)
class RecordedThread:
    id: int
    role: str  # the person's
    messages: list[RecordedMessage]


def review_threads(session: Session, keys: DataKeys, review_id: int) -> list[RecordedThread]:
    """Every thread about ``review_id``, each with its messages oldest first."""
    threads = sorted(
        session.scalars(select(IroThread).where(IroThread.review_id == review_id)),
        key=lambda t: (ROLE_ORDER.index(t.role), t.id),
    )
    return [
        RecordedThread(thread.id, thread.role.value, [
            RecordedMessage(
                sent_at=as_utc(m.sent_at),
                by=m.staff_user.display_name if m.staff_user is not None else thread.role.value,
                text=keys.decrypt(m.body_enc),
                kind=m.kind.value,
            )
            for m in thread.messages
        ])
        for thread in threads
    ]
