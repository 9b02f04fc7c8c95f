"""Urgent safeguarding alerts: stored durably before the user is answered.

The fixed reply never depends on this succeeding: if the database is down the user still
gets the signposting, and the failure is logged (without the text) for staff to chase.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from bot.services.chat_users import get_or_create_chat_user
from db.encryption import DataKeys
from db.engine import session_scope
from db.models import Alert, Audience, Consultation, Review
from db.time import utcnow

log = logging.getLogger(__name__)

ALERT_RETENTION = timedelta(days=365 * 2)  # an alert is part of the safeguarding record


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
) -> RaisedAlert:
    try:
        with session_scope(database_url) as session:
            user = get_or_create_chat_user(session, user_key, ALERT_RETENTION)
            user.concern_raised_at = utcnow()
            if review_id is None:
                review_id = _review_of(session, user.id)
            alert = Alert(
                chat_user_id=user.id,
                review_id=review_id,
                channel=channel,
                categories=",".join(categories)[:200],
                text_enc=keys.encrypt(text),
                delete_after=utcnow() + ALERT_RETENTION,
            )
            session.add(alert)
            session.flush()
            alert_id, audience = alert.id, user.audience
        log.warning(
            "URGENT safeguarding alert stored id=%s channel=%s categories=%s",
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
