"""Safeguarding alerts: stored durably before the user is answered.

Urgent alerts come with the fixed signposting (a disclosure). Possible concerns come with a
check-in (the chat was not sure); the duty role reviews each one and escalates or closes it,
and the person escalates it themselves by saying they are not OK or by saying anything else
that worries the screen soon after (``CHECKIN_WINDOW``).

The reply never depends on this succeeding: if the database is down the user still gets the
signposting or the check-in, and the failure is logged (without the text) for staff to chase.

Alerts are folded, never dropped, so nobody can flood the duty page: a person's repeats within
``FOLD_WINDOW`` go into their open alert (a count, the last time), and new sources over their
bound go into one "unusual volume" alert (``bot/safety/alert_flood.py``). Every folded message's
words are kept, sealed, one row each (``FoldedMessage``), so a real disclosure inside a long
flood can still be read; folding one costs one insert, however long the flood.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.safety.alert_flood import EVERYONE, AlertFlood, address_range
from db.chat_users import get_or_create_chat_user
from db.encryption import DataKeys
from db.engine import session_scope
from db.models import (
    Alert,
    AlertPriority,
    Audience,
    ChatUser,
    Consultation,
    FoldedMessage,
    Review,
)
from db.time import as_utc, utcnow

log = logging.getLogger(__name__)

ALERT_RETENTION = timedelta(days=365 * 2)  # an alert is part of the safeguarding record
CHECKIN_WINDOW = timedelta(hours=24)  # after a check-in, any further concern escalates
FOLD_WINDOW = timedelta(hours=1)  # a person's repeats within this go into their open alert
FOLDED_CHARS = 2000  # of each folded message (the first message's words are kept whole)
VOLUME_CATEGORY = "unusual_volume"


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
    address: str | None = None,
    flood: AlertFlood | None = None,
) -> RaisedAlert:
    """Store an alert (urgent: a disclosure; possible: the chat checked in), or fold it into
    the person's open alert, or (``flood`` over its bound for this source) into the volume
    alert. ``address`` is the sender's network address where the channel knows it."""
    try:
        with session_scope(database_url) as session:
            user = get_or_create_chat_user(session, user_key, ALERT_RETENTION)
            if priority == AlertPriority.URGENT:
                user.concern_raised_at = utcnow()
            else:
                user.checkin_at = utcnow()
            if review_id is None:
                review_id = _review_of(session, user.id)
            alert = _open_alert_of(session, user.id, review_id, priority)
            if alert is None and review_id is None and flood is not None:
                source = flood.fold_source(priority.value, address_range(address))
                if source is not None:
                    alert = _volume_alert(session, keys, priority, source, channel)
            if alert is None:
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
            else:
                _fold(session, keys, alert, text, categories, channel)
            session.flush()
            alert_id, audience, review_id = alert.id, user.audience, alert.review_id
            repeats = alert.repeats or 1
        log.warning(
            "%s safeguarding alert stored id=%s channel=%s categories=%s repeats=%s",
            "URGENT" if priority == AlertPriority.URGENT else "Possible-concern",
            alert_id, channel, ",".join(categories), repeats,
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


def _open_alert_of(
    session: Session, chat_user_id: int, review_id: int | None, priority: AlertPriority
) -> Alert | None:
    """This person's open alert of this kind, about the same review, still active within
    ``FOLD_WINDOW``: what their repeats fold into. An escalated possible concern is the
    check-in's record and stays as it is."""
    since = utcnow() - FOLD_WINDOW
    same_review = (Alert.review_id.is_(None) if review_id is None
                   else Alert.review_id == review_id)
    return session.scalar(
        select(Alert).where(
            Alert.chat_user_id == chat_user_id, same_review,
            Alert.priority == priority.value, Alert.acknowledged_at.is_(None),
            Alert.escalated_at.is_(None), Alert.fold_key.is_(None),
            func.coalesce(Alert.last_seen_at, Alert.created_at) >= since,
        ).order_by(Alert.id.desc()).limit(1)
    )


def volume_fold_key(keys: DataKeys, priority: AlertPriority, source: str) -> str:
    """What a volume alert folds: everyone ("urgent:all"), or one network, by keyed hash."""
    if source == EVERYONE:
        return f"{priority.value}:{EVERYONE}"
    return f"{priority.value}:range:{keys.keyed_hash(b'alert-range', source)[:40]}"


def _volume_alert(
    session: Session, keys: DataKeys, priority: AlertPriority, source: str, channel: str
) -> Alert:
    """The open volume alert for ``source``, or a new one (its first message is the one being
    folded, so it starts at zero repeats)."""
    fold_key = volume_fold_key(keys, priority, source)
    alert = session.scalar(
        select(Alert).where(Alert.fold_key == fold_key, Alert.acknowledged_at.is_(None),
                            Alert.priority == priority.value)
        .order_by(Alert.id.desc()).limit(1)
    )
    if alert is None:
        log.warning("unusual volume of safeguarding alerts: folding source=%s priority=%s",
                    "everyone" if source == EVERYONE else "one network", priority.value)
        alert = Alert(
            chat_user_id=None, review_id=None, channel=channel, categories=VOLUME_CATEGORY,
            text_enc=keys.encrypt(""), delete_after=utcnow() + ALERT_RETENTION,
            priority=priority.value, fold_key=fold_key, repeats=0,
        )
        session.add(alert)
    return alert


def _fold(
    session: Session, keys: DataKeys, alert: Alert, text: str, categories: tuple[str, ...],
    channel: str,
) -> None:
    """One more message into ``alert``: the count, the last time, and its words as a row of
    their own (sealed like the alert's own words, kept as long as the alert)."""
    now = utcnow()
    alert.repeats = (alert.repeats or 0) + 1
    alert.last_seen_at = now
    session.add(FoldedMessage(
        alert=alert, at=now, channel=channel, categories=",".join(categories)[:200],
        text_enc=keys.encrypt(text[:FOLDED_CHARS]), delete_after=alert.delete_after,
    ))


@dataclass(frozen=True)
class FoldedText:
    """A folded message as staff read it."""

    at: datetime
    channel: str
    categories: list[str]
    text: str


def folded_messages(
    session: Session, keys: DataKeys, alert_id: int, *, limit: int, offset: int = 0
) -> list[FoldedText]:
    """Messages folded into an alert, newest first, one page of them (one query)."""
    rows = session.scalars(
        select(FoldedMessage).where(FoldedMessage.alert_id == alert_id)
        .order_by(FoldedMessage.id.desc()).limit(limit).offset(offset)
    )
    return [FoldedText(as_utc(row.at), row.channel,
                       [c for c in row.categories.split(",") if c], keys.decrypt(row.text_enc))
            for row in rows]


def folded_count(session: Session, alert_id: int) -> int:
    """How many messages are folded into an alert (all of them are kept)."""
    return session.scalar(
        select(func.count(FoldedMessage.id)).where(FoldedMessage.alert_id == alert_id)) or 0


def escalate_checkin(
    database_url: str, keys: DataKeys, *, user_key: str, channel: str, text: str,
    categories: tuple[str, ...], address: str | None = None, flood: AlertFlood | None = None,
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
                       categories=categories, address=address, flood=flood)


def checked_in_recently(user: ChatUser) -> bool:
    """Whether this person was given a check-in within ``CHECKIN_WINDOW``."""
    return user.checkin_at is not None and utcnow() - as_utc(user.checkin_at) < CHECKIN_WINDOW
