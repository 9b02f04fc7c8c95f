"""The one reminder: if someone's answers are not sent 5 days before the review.

Only for people who agreed to it when their invite was made, and only on a channel that can
send a message first (Telegram; a web page cannot). Each consultation is claimed before the
message goes out, so a reminder is sent at most once even if two workers run this together.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from bot.consultation.answers import consultation_state
from bot.consultation.form import load_shared
from bot.knowledge.content import Content
from db.encryption import DataKeys
from db.engine import session_scope
from db.models import Consultation, Invite, Review
from db.time import utcnow

log = logging.getLogger(__name__)

REMIND_BEFORE = timedelta(days=5)

Send = Callable[[str, str, str], Awaitable[None]]  # (channel, channel id, text)


@dataclass(frozen=True)
class DueReminder:
    consultation_id: int
    channel: str
    address: str
    text: str


def claim_due_reminders(
    database_url: str, keys: DataKeys, content: Content, now: datetime | None = None
) -> list[DueReminder]:
    """Reminders due now, each marked sent in the same transaction (at most once)."""
    now = now or utcnow()
    shared = load_shared(content.content_dir)
    due: list[DueReminder] = []
    with session_scope(database_url) as session:
        rows = session.execute(
            select(Consultation.id, Invite.reminder_address_enc)
            .join(Invite, Invite.id == Consultation.invite_id)
            .join(Review, Review.id == Consultation.review_id)
            .where(
                Consultation.submitted_at.is_(None),
                Consultation.reminder_sent_at.is_(None),
                Invite.reminder_opt_in.is_(True),
                Invite.reminder_address_enc.is_not(None),
                Review.scheduled_for > now,
                Review.scheduled_for <= now + REMIND_BEFORE,
            )
        ).all()
        for consultation_id, address_enc in rows:
            claimed = session.execute(
                update(Consultation)
                .where(Consultation.id == consultation_id, Consultation.reminder_sent_at.is_(None))
                .values(reminder_sent_at=now)
            ).rowcount
            if claimed != 1:
                continue
            channel, _, address = keys.decrypt(address_enc).partition(":")
            state = consultation_state(session, keys, consultation_id)
            text = content.fill(shared.texts["reminder"], **state.placeholders())
            due.append(DueReminder(consultation_id, channel, address, text))
    return due


async def send_due_reminders(
    database_url: str, keys: DataKeys, content: Content, send: Send, now: datetime | None = None
) -> int:
    """Send what is due; a failed send is logged and not retried (one reminder, never two)."""
    sent = 0
    for reminder in claim_due_reminders(database_url, keys, content, now):
        try:
            await send(reminder.channel, reminder.address, reminder.text)
            sent += 1
        except Exception:
            log.exception("reminder could not be sent consultation=%s", reminder.consultation_id)
    if sent:
        log.info("reminders sent count=%d", sent)
    return sent
