"""`carebot purge`: remove every row whose delete-after date has passed.

Run daily (cron or a scheduler). Submitted consultations, alerts and messages to the IRO carry
their own, longer dates because they belong to the care record.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, exists, select, update

from bot.services.web_conversations import purge_ended
from db.engine import session_scope
from db.models import (
    Alert,
    ChatUser,
    Consultation,
    ConversationEvent,
    DataRequest,
    FoldedMessage,
    Invite,
    IroMessage,
    IroThread,
    SignInThrottle,
)
from db.time import utcnow


@dataclass(frozen=True)
class Purged:
    conversation_events: int
    consultations: int
    alerts: int
    chat_users: int


def purge_expired(database_url: str) -> Purged:
    now = utcnow()
    with session_scope(database_url) as session:
        events = session.execute(
            delete(ConversationEvent).where(ConversationEvent.delete_after < now)
        ).rowcount or 0
        expired = list(session.scalars(select(Consultation).where(Consultation.delete_after < now)))
        for consultation in expired:
            session.delete(consultation)
        expired_alerts = select(Alert.id).where(Alert.delete_after < now)
        session.execute(delete(FoldedMessage).where(  # with their alert, whatever the database
            (FoldedMessage.alert_id.in_(expired_alerts)) | (FoldedMessage.delete_after < now)))
        alerts = session.execute(delete(Alert).where(Alert.delete_after < now)).rowcount or 0
        session.execute(delete(DataRequest).where(DataRequest.delete_after < now))
        session.execute(delete(SignInThrottle).where(SignInThrottle.delete_after < now))
        expired_threads = select(IroThread.id).where(IroThread.delete_after < now)
        session.execute(delete(IroMessage).where(  # with their thread, whatever the database
            (IroMessage.thread_id.in_(expired_threads)) | (IroMessage.delete_after < now)))
        session.execute(delete(IroThread).where(IroThread.delete_after < now))
        session.flush()
        gone = (
            select(ChatUser.id)
            .where(
                ChatUser.delete_after < now,
                ~exists().where(Alert.chat_user_id == ChatUser.id),
                ~exists().where(Consultation.chat_user_id == ChatUser.id),
                ~exists().where(IroThread.chat_user_id == ChatUser.id),
            )
            .scalar_subquery()
        )
        # a used code stays used; it just no longer points at anyone
        session.execute(
            update(Invite).where(Invite.redeemed_by_id.in_(gone)).values(redeemed_by_id=None)
        )
        users = session.execute(delete(ChatUser).where(ChatUser.id.in_(gone))).rowcount or 0
    purge_ended(database_url)  # web chat cookies that no longer open anything
    return Purged(events, len(expired), alerts, users)
