"""The person's side of messages to their IRO, one database transaction each.

A person may write to the IRO of a review they are linked to by a redeemed invite (as the
child, a parent or a carer); the latest such review is the one they write about. "Message my
IRO" opens a short window in which their next message is the message; it is sealed at rest
like review answers, and kept as part of the care record (``/delete`` keeps it, as it keeps
sent answers). Replies reach them on a channel that can message first at once, and on every
channel the next time they write.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.chat_users import get_or_create_chat_user
from db.encryption import DataKeys
from db.engine import session_scope
from db.models import (
    ChatUser,
    ConsultationRole,
    Invite,
    IroMessage,
    IroThread,
    MessageKind,
    Review,
)
from db.time import as_utc, utcnow

# How long "message my IRO" waits for the message itself.
WRITING_WINDOW = timedelta(minutes=30)
# Kept as long as answers sent to the IRO (bot/consultation/answers.py, SENT_RETENTION): a
# reporting year, plus time to copy what matters into the case record.
KEPT_FOR = timedelta(days=400)


@dataclass(frozen=True)
class IroLink:
    """The review a person writes about, and who reads what they write."""

    review_id: int
    role: str
    iro_name: str


def linked_review(session: Session, user: ChatUser) -> IroLink | None:
    """The latest review this person is linked to by a redeemed invite, if any."""
    invite = session.scalar(
        select(Invite).join(Review, Invite.review_id == Review.id)
        .where(Invite.redeemed_by_id == user.id)
        .order_by(Review.scheduled_for.desc(), Invite.id.desc())
        .limit(1)
    )
    if invite is None:
        return None
    return IroLink(invite.review_id, invite.role.value, invite.review.child.iro.display_name)


def start_writing(database_url: str, user_key: str, retention: timedelta) -> IroLink | None:
    """Open the window for this person's message; None (and no window) if they are not
    linked to a review."""
    with session_scope(database_url) as session:
        user = get_or_create_chat_user(session, user_key, retention)
        link = linked_review(session, user)
        user.writing_to_iro_until = utcnow() + WRITING_WINDOW if link else None
        return link


def is_writing(database_url: str, user_key: str) -> bool:
    with session_scope(database_url) as session:
        until = session.scalar(
            select(ChatUser.writing_to_iro_until).where(ChatUser.user_key == user_key))
        return until is not None and as_utc(until) > utcnow()


def stop_writing(database_url: str, user_key: str) -> None:
    with session_scope(database_url) as session:
        user = session.scalar(select(ChatUser).where(ChatUser.user_key == user_key))
        if user is not None:
            user.writing_to_iro_until = None


@dataclass(frozen=True)
class Sent:
    iro_name: str


def send_to_iro(
    database_url: str, keys: DataKeys, *, user_key: str, text: str,
    reply_address: str | None, retention: timedelta,
) -> Sent | None:
    """Save the person's message in their thread with the IRO and close the window; None if
    they are no longer linked to a review (the window is closed either way).

    ``reply_address`` is kept (sealed) only on a channel that can message first, so a reply
    can be sent there at once; a message from another channel leaves an earlier one as it
    was, since the person may read replies on either."""
    with session_scope(database_url) as session:
        user = get_or_create_chat_user(session, user_key, retention)
        user.writing_to_iro_until = None
        link = linked_review(session, user)
        if link is None:
            return None
        now = utcnow()
        thread = session.scalar(select(IroThread).where(
            IroThread.review_id == link.review_id, IroThread.chat_user_id == user.id))
        if thread is None:
            thread = IroThread(review_id=link.review_id, chat_user_id=user.id, role=link.role,
                               created_at=now, delete_after=now + KEPT_FOR)
            session.add(thread)
        if reply_address is not None:
            thread.reply_address_enc = keys.encrypt(reply_address)
        thread.delete_after = now + KEPT_FOR
        thread.messages.append(IroMessage(
            body_enc=keys.encrypt(text), sent_at=now, delete_after=now + KEPT_FOR))
        return Sent(link.iro_name)


@dataclass(frozen=True)
class ReplyFromIro:
    iro_name: str
    text: str
    sent_at: datetime
    kind: MessageKind  # a reply, or a letter after the review
    role: ConsultationRole  # whom it was written for


def take_replies(database_url: str, keys: DataKeys, user_key: str) -> list[ReplyFromIro]:
    """Replies (and letters) from the IRO this person has not had yet, oldest first, marked as
    delivered: the caller shows them in the turn it is answering."""
    with session_scope(database_url) as session:
        waiting = list(session.scalars(
            select(IroMessage).join(IroThread).join(ChatUser)
            .where(ChatUser.user_key == user_key, IroMessage.staff_user_id.is_not(None),
                   IroMessage.delivered_at.is_(None))
            .order_by(IroMessage.id)
        ))
        now = utcnow()
        replies = []
        for reply in waiting:
            reply.delivered_at = now
            replies.append(ReplyFromIro(
                reply.staff_user.display_name, keys.decrypt(reply.body_enc),
                as_utc(reply.sent_at), reply.kind, reply.thread.role))
        return replies


def replies_waiting(session: Session, user: ChatUser) -> bool:
    """Whether a reply waits for this person: read with the person's state on every turn,
    so :func:`take_replies` (which writes) runs only when there is one."""
    return session.scalar(
        select(IroMessage.id).join(IroThread)
        .where(IroThread.chat_user_id == user.id, IroMessage.staff_user_id.is_not(None),
               IroMessage.delivered_at.is_(None))
        .limit(1)
    ) is not None
