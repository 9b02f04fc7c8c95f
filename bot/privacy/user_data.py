"""People's rights over their data in the chat: see it (/mydata), erase it (/delete).

What a person has sent to their IRO (submitted consultation answers, messages to the IRO)
and safeguarding alerts are part of the council's care record and stay; everything else
carebot holds about them is erased at once. Each request is logged, dated and without
content, for staff.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update

from db.engine import session_scope
from db.models import (
    Alert,
    ChatUser,
    Consultation,
    ConsultationAnswer,
    ConversationEvent,
    DataRequest,
    Invite,
    IroMessage,
    IroThread,
)
from db.time import as_utc, utcnow


@dataclass(frozen=True)
class HeldData:
    since: datetime | None
    audience: str
    messages: int
    answers_in_progress: int
    answers_submitted: int
    delete_after: datetime | None
    messages_to_iro: int = 0


REQUEST_RETENTION = timedelta(days=365)  # long enough for staff to show requests were met


def record_request(database_url: str, user_key: str, kind: str) -> None:
    with session_scope(database_url) as session:
        session.add(DataRequest(
            user_key=user_key, kind=kind, delete_after=utcnow() + REQUEST_RETENTION))


def held_data(database_url: str, user_key: str) -> HeldData:
    with session_scope(database_url) as session:
        user = session.scalar(select(ChatUser).where(ChatUser.user_key == user_key))
        messages = session.scalar(
            select(func.count(ConversationEvent.id)).where(
                ConversationEvent.conversation_key == user_key,
                ConversationEvent.type_name == "user",
            )
        ) or 0
        if user is None:
            return HeldData(None, "unknown", messages, 0, 0, None)

        def answers(submitted: bool) -> int:
            status = Consultation.submitted_at.is_not(None) if submitted else (
                Consultation.submitted_at.is_(None))
            return session.scalar(
                select(func.count(ConsultationAnswer.id))
                .join(Consultation, ConsultationAnswer.consultation_id == Consultation.id)
                .where(Consultation.chat_user_id == user.id, status)
            ) or 0

        # Alerts are not counted: /mydata never says whether someone told us something, since
        # whoever holds the device may not be that person (docs/security.md, section 1).
        return HeldData(
            since=as_utc(user.created_at),
            audience=user.audience.value,
            messages=messages,
            answers_in_progress=answers(False),
            answers_submitted=answers(True),
            delete_after=as_utc(user.delete_after),
            messages_to_iro=session.scalar(
                select(func.count(IroMessage.id)).join(IroThread)
                .where(IroThread.chat_user_id == user.id, IroMessage.staff_user_id.is_(None))
            ) or 0,
        )


@dataclass(frozen=True)
class Erased:
    messages: int
    answers: int
    kept_submitted: bool
    kept_alerts: bool


def erase(database_url: str, user_key: str) -> Erased:
    """Erase everything not yet part of the care record, in one transaction."""
    with session_scope(database_url) as session:
        messages = session.execute(
            delete(ConversationEvent).where(ConversationEvent.conversation_key == user_key)
        ).rowcount or 0
        user = session.scalar(select(ChatUser).where(ChatUser.user_key == user_key))
        if user is None:
            return Erased(messages, 0, False, False)
        drafts = list(session.scalars(select(Consultation).where(
            Consultation.chat_user_id == user.id, Consultation.submitted_at.is_(None))))
        answers = sum(len(d.answers) for d in drafts)
        for draft in drafts:
            session.delete(draft)
        kept_submitted = bool(session.scalar(select(func.count(Consultation.id)).where(
            Consultation.chat_user_id == user.id, Consultation.submitted_at.is_not(None))))
        kept_alerts = bool(session.scalar(
            select(func.count(Alert.id)).where(Alert.chat_user_id == user.id)))
        # Messages to the IRO stay with the sent answers, but no longer say where a reply
        # could be sent at once: it waits until the person writes again.
        kept_submitted |= bool(session.execute(
            update(IroThread).where(IroThread.chat_user_id == user.id)
            .values(reply_address_enc=None)).rowcount)
        # A used code stays used, but no longer says who used it or where to remind them.
        forget = {"reminder_address_enc": None}
        if not (kept_submitted or kept_alerts):
            forget["redeemed_by_id"] = None
        session.execute(update(Invite).where(Invite.redeemed_by_id == user.id).values(**forget))
        if kept_submitted or kept_alerts:
            user.audience = "unknown"  # the link to the record stays; nothing else does
        else:
            session.delete(user)
        return Erased(messages, answers, kept_submitted, kept_alerts)
