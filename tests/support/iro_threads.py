"""Messages to an IRO for dashboard tests: written straight into the database (a child of the
IRO's own with an upcoming review, and a thread from the child, a parent or a carer, its
messages sent when the test says, so some are overdue); and the IRO of a review made by
``tests/support/reviews.py`` replying on the dashboard of a running carebot."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import httpx
from sqlalchemy import select

from db.encryption import DataKeys
from db.engine import session_scope
from db.models import ChatUser, Child, ConsultationRole, IroMessage, IroThread, Review, StaffUser
from db.time import utcnow
from tests.support.staff import StaffClient

KEPT = timedelta(days=400)
IRO_PASSWORD = "a-long-test-password"  # tests/support/reviews.py


def child_of(database_url: str, keys: DataKeys, iro_username: str, name: str) -> int:
    """A new child of this IRO's, with a review in two weeks; the review's id."""
    with session_scope(database_url) as session:
        iro = session.scalars(select(StaffUser).where(StaffUser.username == iro_username)).one()
        local_authority = session.scalars(select(Child.local_authority_id)).first()
        child = Child(local_authority_id=local_authority, iro=iro,
                      case_reference=f"MSG-{uuid.uuid4().hex[:8]}",
                      first_name_enc=keys.encrypt(name))
        review = Review(child=child, scheduled_for=utcnow() + timedelta(days=14))
        session.add_all([child, review])
        session.flush()
        return review.id


def thread_from(
    database_url: str, keys: DataKeys, review_id: int, role: str = "child",
    said: tuple[tuple[str, datetime], ...] = (), reply_address: str | None = None,
    user_key: str | None = None,
) -> int:
    """A thread from a new chat user (``user_key``, or a random one) in this role, with their
    messages (words, when sent), none answered yet; the thread's id."""
    now = utcnow()
    with session_scope(database_url) as session:
        user = ChatUser(user_key=user_key or uuid.uuid4().hex, created_at=now, last_seen_at=now,
                        delete_after=now + KEPT)
        thread = IroThread(
            review_id=review_id, chat_user=user, role=ConsultationRole(role), created_at=now,
            delete_after=now + KEPT,
            reply_address_enc=keys.encrypt(reply_address) if reply_address else None,
            messages=[IroMessage(body_enc=keys.encrypt(text), sent_at=at, delete_after=now + KEPT)
                      for text, at in said],
        )
        session.add_all([user, thread])
        session.flush()
        return thread.id


def messages_in(database_url: str, keys: DataKeys, thread_id: int) -> list[tuple[bool, str]]:
    """(from staff, words) for each message of the thread, oldest first."""
    with session_scope(database_url) as session:
        thread = session.get(IroThread, thread_id)
        return [(m.staff_user_id is not None, keys.decrypt(m.body_enc)) for m in thread.messages]


def days_ago(days: float) -> datetime:
    return utcnow() - timedelta(days=days)


def the_iro(url: str, database_url: str, iro_name: str) -> StaffClient:
    """The review's IRO, signed in to the dashboard of the running app."""
    with session_scope(database_url) as session:
        username = session.scalars(
            select(StaffUser.username).where(StaffUser.display_name == iro_name)).one()
    iro = StaffClient(http=httpx.Client(base_url=url, follow_redirects=False, timeout=60))
    assert iro.sign_in(username, IRO_PASSWORD).status_code == 303
    return iro


def reply_on_the_dashboard(iro: StaffClient, words: str, reply: str) -> tuple[str, str]:
    """Open the inbox, the thread with ``words`` (the IRO's only one), and reply; (the
    thread's page, the page the reply leads back to)."""
    inbox = iro.get("/iro/messages").text
    path = "/iro/messages/" + inbox.split('href="/iro/messages/')[1].split('"')[0]
    assert words in iro.get(path).text
    sent = iro.post(f"{path}/reply", {"reply": reply})
    assert sent.status_code == 303 and sent.headers["location"].startswith(f"{path}?sent=")
    return path, iro.get(sent.headers["location"]).text
