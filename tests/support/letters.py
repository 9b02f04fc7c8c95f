"""Reviews that have happened, with people linked to them, for tests of the IRO's letter after
the review: written straight into the database (invites used by chat users of the test's own),
or a review made upcoming for a chat test whose date is then moved into the past."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import update

from db.encryption import DataKeys
from db.engine import session_scope
from db.models import ChatUser, ConsultationRole, Invite, Review
from db.time import utcnow
from tests.support.iro_threads import child_of

KEPT = timedelta(days=400)


def held_review(
    database_url: str, keys: DataKeys, iro_username: str, name: str, readers: dict[str, int],
    *, days_ago: float = 2,
) -> tuple[int, dict[str, list[str]]]:
    """A child of this IRO's whose review was ``days_ago``, with ``readers`` people per role
    ("child", "parent", "carer") who used an invite to it; (the review's id, each role's
    chat users' keys)."""
    review_id = child_of(database_url, keys, iro_username, name)
    keys_by_role: dict[str, list[str]] = {}
    now = utcnow()
    with session_scope(database_url) as session:
        for role, count in readers.items():
            for _ in range(count):
                user = ChatUser(user_key=uuid.uuid4().hex, created_at=now, last_seen_at=now,
                                delete_after=now + KEPT)
                session.add(user)
                session.flush()
                session.add(Invite(code_hash=uuid.uuid4().hex, review_id=review_id,
                                   role=ConsultationRole(role), expires_at=now + KEPT,
                                   redeemed_at=now, redeemed_by_id=user.id))
                keys_by_role.setdefault(role, []).append(user.user_key)
    review_happened(database_url, review_id, days_ago=days_ago)
    return review_id, keys_by_role


def review_happened(database_url: str, review_id: int, *, days_ago: float = 2) -> None:
    """Move the review's date into the past: invites are used before a review, the letter
    is written after it."""
    with session_scope(database_url) as session:
        session.execute(update(Review).where(Review.id == review_id)
                        .values(scheduled_for=utcnow() - timedelta(days=days_ago)))
