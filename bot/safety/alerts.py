"""Safeguarding alerts: stored durably before the user is answered.

Urgent alerts come with the fixed signposting (a disclosure). Possible concerns come with a
check-in (the chat was not sure); the duty role reviews each one and escalates or closes it,
and the person escalates it themselves by saying they are not OK or by saying anything else
that worries the screen soon after (``CHECKIN_WINDOW``).

The reply never depends on this succeeding: if the database is down the user still gets the
signposting or the check-in, and the failure is logged (without the text) for staff to chase.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from bot.services.chat_users import get_or_create_chat_user
from db.encryption import DataKeys
from db.engine import session_scope
from db.models import Alert, AlertPriority, Audience, ChatUser, Consultation, Review
from db.time import as_utc, utcnow

log = logging.getLogger(__name__)

ALERT_RETENTION = timedelta(days=365 * 2)  # an alert is part of the safeguarding record
CHECKIN_WINDOW = timedelta(hours=24)  # after a check-in, any further concern escalates


@dataclass(frozen=True)
class RaisedAlert:
    alert_id: int | None
    stored: bool
    audience: Audience = Audience.UNKNOWN
    review_id: int | None = None


def _review_of(session, chat_user_id: int) -> int | None:  # noqa: ANN001 - a Session
    """The review this person is giving views for (their next one), so the alert reaches
    that child's IRO as well as the duty team."""
    return session.scalar(
        select(Consultation.review_id)
        .join(Review, Review.id == Consultation.review_id)
        .where(Consultation.chat_user_id == chat_user_id)
        .order_by((Review.scheduled_for >= utcnow()).desc(), Review.scheduled_for)
        .limit(1)
    )


def raise_alert(
    database_url: str,
    keys: DataKeys,
    *,
    user_key: str,
    channel: str,
    text: str,
    categories: tuple[str, ...],
    review_id: int | None = None,
    priority: AlertPriority = AlertPriority.URGENT,
) -> RaisedAlert:
    """Store an alert (urgent: a disclosure; possible: the chat checked in)."""
    try:
        with session_scope(database_url) as session:
            user = get_or_create_chat_user(session, user_key, ALERT_RETENTION)
            if priority == AlertPriority.URGENT:
                user.concern_raised_at = utcnow()
            else:
                user.checkin_at = utcnow()
            if review_id is None:
                review_id = _review_of(session, user.id)
            alert = Alert(
                chat_user_id=user.id,
                review_id=review_id,
                channel=channel,
                categories=",".join(categories)[:200],
                text_enc=keys.encrypt(text),
                delete_after=utcnow() + ALERT_RETENTION,
                priority=priority.value,
            )
            session.add(alert)
            session.flush()
            alert_id, audience = alert.id, user.audience
        log.warning(
            "%s safeguarding alert stored id=%s channel=%s categories=%s",
            "URGENT" if priority == AlertPriority.URGENT else "Possible-concern",
            alert_id, channel, ",".join(categories),
        )
        return RaisedAlert(
            alert_id=alert_id, stored=True, audience=audience, review_id=review_id
        )
    except Exception:
        log.exception(
            "URGENT safeguarding alert could NOT be stored channel=%s user=%s categories=%s",
            channel, user_key[:8], ",".join(categories),
        )
        return RaisedAlert(alert_id=None, stored=False)


def escalate_checkin(
    database_url: str, keys: DataKeys, *, user_key: str, channel: str, text: str,
    categories: tuple[str, ...],
) -> RaisedAlert:
    """The person said they are not OK, or said something worrying again, after a check-in.

    Their open possible concern from the check-in becomes urgent (staff read the words that
    started it); what they said now is stored as an urgent alert too. If the first cannot be
    found (deleted, too old), the new urgent alert stands alone.
    """
    try:
        with session_scope(database_url) as session:
            user = session.scalar(select(ChatUser).where(ChatUser.user_key == user_key))
            if user is not None:
                since = utcnow() - CHECKIN_WINDOW
                for possible in session.scalars(
                    select(Alert).where(
                        Alert.chat_user_id == user.id,
                        Alert.priority == AlertPriority.POSSIBLE.value,
                        Alert.acknowledged_at.is_(None),
                        Alert.created_at >= since,
                    )
                ):
                    possible.priority = AlertPriority.URGENT.value
                    possible.escalated_at = utcnow()
    except Exception:  # the new urgent alert below still goes in
        log.exception("could not escalate a possible concern user=%s", user_key[:8])
    return raise_alert(database_url, keys, user_key=user_key, channel=channel, text=text,
                       categories=categories)


def checked_in_recently(user: ChatUser) -> bool:
    """Whether this person was given a check-in within ``CHECKIN_WINDOW``."""
    return user.checkin_at is not None and utcnow() - as_utc(user.checkin_at) < CHECKIN_WINDOW
