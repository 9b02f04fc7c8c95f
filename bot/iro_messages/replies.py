"""The IRO's side of a thread, as data: a reply, and what it answers.

Who may read or reply to a thread is decided in ``bot/staff/access.py``; these functions are
called only after that check.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.iro_messages.chat import KEPT_FOR
from db.encryption import DataKeys
from db.models import ConsultationRole, IroMessage, IroThread, MessageKind
from db.time import utcnow


@dataclass(frozen=True)
class SavedReply:
    """A message from the IRO, saved, to be delivered: a reply, or a letter after the review
    (``letters.send_letter``)."""

    message_id: int
    # Where to send it at once ("telegram:<chat id>"), or None: it waits for the person's
    # next message on any channel (the web chat shows it when its page opens).
    address: str | None
    kind: MessageKind
    role: ConsultationRole  # whom it was written for: the words around it depend on it


def save_reply(
    session: Session, keys: DataKeys, thread: IroThread, *, staff_user_id: int, text: str
) -> SavedReply:
    """Seal and save a reply; every earlier message from the person counts as answered."""
    now = utcnow()
    session.execute(
        update(IroMessage)
        .where(IroMessage.thread_id == thread.id, IroMessage.staff_user_id.is_(None),
               IroMessage.answered_at.is_(None))
        .values(answered_at=now)
    )
    reply = IroMessage(thread_id=thread.id, staff_user_id=staff_user_id,
                       body_enc=keys.encrypt(text), sent_at=now, delete_after=now + KEPT_FOR)
    session.add(reply)
    thread.delete_after = now + KEPT_FOR
    session.flush()
    address = keys.decrypt(thread.reply_address_enc) if thread.reply_address_enc else None
    return SavedReply(reply.id, address, MessageKind.MESSAGE, thread.role)


def mark_delivered(session: Session, message_id: int) -> None:
    """A reply that reached the person on their channel is not shown to them again."""
    session.execute(
        update(IroMessage).where(IroMessage.id == message_id, IroMessage.delivered_at.is_(None))
        .values(delivered_at=utcnow())
    )


def reply_waiting(session: Session, message_id: int) -> bool:
    """Whether a reply has not reached the person yet (it may have been shown with a message
    they sent while it was being saved)."""
    return session.scalar(
        select(IroMessage.id).where(IroMessage.id == message_id,
                                    IroMessage.delivered_at.is_(None))
    ) is not None
