"""The IRO's letter after a review, as data: its template, who it goes to, and sending it.

The IRO writes one letter to the child, and a version for the parents and one for the carers,
under four headings (``content/chat.yml``: ``letter_headings``); the last starts with the
council's advocacy service and complaints contacts. A letter goes to everyone linked to the
review in that role by a redeemed invite: it is saved, sealed, as a message from the IRO in
each person's thread with the IRO (made for them if they have never written), marked as a
letter, and reaches them exactly as a reply does (``replies.SavedReply``). Each sending is
recorded, without words, with the working days since the review (``ReviewLetter``).

Who may write one is decided in ``bot/staff/access.py``; these functions run after that check.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.iro_messages.chat import KEPT_FOR
from bot.iro_messages.replies import SavedReply
from bot.iro_messages.working_days import COUNCIL_TIME, working_days_after
from bot.knowledge.content import Content, ContentError
from db.encryption import DataKeys
from db.models import (
    ConsultationRole,
    Invite,
    IroMessage,
    IroThread,
    MessageKind,
    Review,
    ReviewLetter,
)
from db.time import as_utc, utcnow

# The form's fields, in the order of the headings.
SECTIONS = ("talked_about", "decided", "next_steps", "not_happy")
# The longest letter, headings included: a short letter, in one chat message on every channel
# with the words above and below it (Telegram splits at 4,096).
LETTER_LIMIT = 3000


def headings(content: Content) -> dict[str, str]:
    """Each part of the letter and its heading, in order."""
    lines = [line.strip() for line in content.say("letter_headings").text.splitlines()]
    lines = [line for line in lines if line]
    if len(lines) != len(SECTIONS):
        raise ContentError(f"letter_headings in content/chat.yml needs {len(SECTIONS)} lines, "
                           f"one heading each; it has {len(lines)}")
    return dict(zip(SECTIONS, lines))


def not_happy(content: Content, role: ConsultationRole) -> str:
    """What the letter says under "Who to tell if you're not happy" to begin with: the
    council's advocacy and complaints contacts, in words for the child or for an adult."""
    key = "letter_not_happy" if role == ConsultationRole.CHILD else "letter_not_happy_adult"
    return content.say(key).text


def compose(content: Content, parts: Mapping[str, str]) -> str:
    """The letter as the person reads it: each heading, then what the IRO wrote under it."""
    return "\n\n".join(f"{heading}\n{parts[key].strip()}"
                       for key, heading in headings(content).items())


def readers(session: Session, review_id: int, role: ConsultationRole) -> list[int]:
    """The chat users a letter for ``role`` goes to: those who redeemed an invite to this
    review in that role and still have a chat identity."""
    return list(session.scalars(
        select(Invite.redeemed_by_id).distinct()
        .where(Invite.review_id == review_id, Invite.role == role,
               Invite.redeemed_by_id.is_not(None))
        .order_by(Invite.redeemed_by_id)
    ))


def send_letter(
    session: Session, keys: DataKeys, review: Review, role: ConsultationRole, *,
    staff_user_id: int, text: str,
) -> list[SavedReply]:
    """Save the letter, sealed, in the thread of each of its readers, and record when it was
    sent relative to the review; what to deliver, one per reader (none: nobody to send to,
    and nothing is saved)."""
    users = readers(session, review.id, role)
    if not users:
        return []
    now = utcnow()
    threads = {t.chat_user_id: t for t in session.scalars(
        select(IroThread).where(IroThread.review_id == review.id,
                                IroThread.chat_user_id.in_(users)))}
    letters = []
    for user_id in users:
        thread = threads.get(user_id)
        if thread is None:  # they have never written: the letter starts the thread
            thread = IroThread(review_id=review.id, chat_user_id=user_id, role=role,
                               created_at=now)
            session.add(thread)
        thread.delete_after = now + KEPT_FOR
        letter = IroMessage(staff_user_id=staff_user_id, kind=MessageKind.LETTER,
                            body_enc=keys.encrypt(text), sent_at=now,
                            delete_after=now + KEPT_FOR)
        thread.messages.append(letter)
        letters.append((thread, letter))
    review_day = as_utc(review.scheduled_for).astimezone(COUNCIL_TIME).date()
    session.add(ReviewLetter(
        review_id=review.id, role=role, staff_user_id=staff_user_id, sent_at=now,
        review_date=review.scheduled_for, recipients=len(users),
        working_days_after=working_days_after(review_day, now.astimezone(COUNCIL_TIME).date()),
    ))
    session.flush()
    return [SavedReply(letter.id, _address(keys, thread), MessageKind.LETTER, role)
            for thread, letter in letters]


def _address(keys: DataKeys, thread: IroThread) -> str | None:
    return keys.decrypt(thread.reply_address_enc) if thread.reply_address_enc else None


@dataclass(frozen=True)
class SentLetter:
    """A letter sent for one role, for the IRO: when, how soon, to how many."""

    sent_at: datetime
    working_days_after: int
    recipients: int


def letters_sent(session: Session, review_id: int, role: ConsultationRole) -> list[SentLetter]:
    """The letters sent for ``role`` after this review, oldest first (no words)."""
    return [SentLetter(as_utc(r.sent_at), r.working_days_after, r.recipients)
            for r in session.scalars(
                select(ReviewLetter).where(ReviewLetter.review_id == review_id,
                                           ReviewLetter.role == role)
                .order_by(ReviewLetter.id))]


@dataclass(frozen=True)
class LetterInThread:
    """Where the latest letter for a role went: the thread, and whether it reached them."""

    thread_id: int
    delivered: bool


def letter_threads(session: Session, review_id: int, role: ConsultationRole
                   ) -> list[LetterInThread]:
    """The threads of this review's ``role`` readers that hold a letter, and whether the latest
    letter in each has reached them."""
    latest: dict[int, bool] = {}
    for thread_id, delivered_at in session.execute(
        select(IroMessage.thread_id, IroMessage.delivered_at)
        .join(IroThread, IroThread.id == IroMessage.thread_id)
        .where(IroThread.review_id == review_id, IroThread.role == role,
               IroMessage.kind == MessageKind.LETTER)
        .order_by(IroMessage.id)
    ):
        latest[thread_id] = delivered_at is not None
    return [LetterInThread(t, d) for t, d in latest.items()]


@dataclass(frozen=True)
class LetterSummary:
    """One version of a review's letter, for the review page: who can get it, and when the
    last one was sent."""

    role: ConsultationRole
    readers: int
    last_sent: datetime | None


def letter_summary(session: Session, review_id: int) -> list[LetterSummary]:
    """The child's letter, then the parents' and the carers' versions (no words)."""
    sent = dict(session.execute(
        select(ReviewLetter.role, func.max(ReviewLetter.sent_at))
        .where(ReviewLetter.review_id == review_id).group_by(ReviewLetter.role)
    ).all())
    return [LetterSummary(role, len(readers(session, review_id, role)),
                          None if sent.get(role) is None else as_utc(sent[role]))
            for role in ConsultationRole]
