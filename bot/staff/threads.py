"""Messages from children, parents and carers to their IRO, as the dashboard shows them: the
IRO's inbox (oldest unanswered first), one thread's messages, and the counts a manager sees.

Which threads a member of staff may read or count is decided in ``access``; words are
decrypted only for threads ``threads_clause`` gives them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from bot.iro_messages.working_days import is_overdue
from bot.staff.access import counted_threads_clause, threads_clause
from bot.staff.web import LONDON
from db.encryption import DataKeys
from db.models import Child, IroMessage, IroThread, MessageKind, Review, StaffUser
from db.time import as_utc

# Who wrote, as the IRO reads it beside the child's first name.
WRITERS = {"child": "{child}", "parent": "{child}'s parent", "carer": "{child}'s carer"}


def overdue(sent_at: datetime, now: datetime) -> bool:
    """Unanswered for 3 working days, counted in the council's own days (London time)."""
    return is_overdue(as_utc(sent_at).astimezone(LONDON), as_utc(now).astimezone(LONDON))


@dataclass(frozen=True)
class ThreadLine:
    """One thread in the IRO's inbox."""

    id: int
    child: str
    writer: str  # "Jade", "Jade's parent", "Jade's carer"
    last_from_them: datetime | None  # None: a thread of letters from the IRO only, so far
    unanswered: int
    waiting_since: datetime | None  # their oldest unanswered message
    overdue: bool


def inbox(
    session: Session, keys: DataKeys, staff: StaffUser, now: datetime,
    review_id: int | None = None,
) -> list[ThreadLine]:
    """The threads with messages from the person that ``staff`` may read (one review's, if
    given): those waiting for a reply first, the longest waiting at the top; then the rest,
    the latest message first."""
    where = [] if review_id is None else [IroThread.review_id == review_id]
    lines = _lines(session, keys, staff, now, *where)
    waiting = sorted((t for t in lines if t.waiting_since), key=lambda t: t.waiting_since)
    answered = sorted((t for t in lines if not t.waiting_since),
                      key=lambda t: t.last_from_them, reverse=True)
    return waiting + answered


def thread_line(session: Session, keys: DataKeys, staff: StaffUser, thread: IroThread,
                now: datetime) -> ThreadLine:
    """One thread ``find_thread`` gave, as the inbox would show it; also a thread that holds
    only a letter from the IRO so far (the inbox lists threads once the person writes)."""
    (line,) = _lines(session, keys, staff, now, IroThread.id == thread.id, quiet_too=True)
    return line


def _lines(session: Session, keys: DataKeys, staff: StaffUser, now: datetime,
           *where: ColumnElement[bool], quiet_too: bool = False) -> list[ThreadLine]:
    from_them = IroMessage.staff_user_id.is_(None)
    unanswered = (
        select(IroMessage.thread_id, func.count().label("count"),
               func.min(IroMessage.sent_at).label("since"))
        .where(from_them, IroMessage.answered_at.is_(None))
        .group_by(IroMessage.thread_id).subquery()
    )
    latest = (
        select(IroMessage.thread_id, func.max(IroMessage.sent_at).label("at"))
        .where(from_them).group_by(IroMessage.thread_id).subquery()
    )
    query = (
        select(IroThread, unanswered.c.count, unanswered.c.since, latest.c.at)
        .join(latest, latest.c.thread_id == IroThread.id, isouter=quiet_too)
        .outerjoin(unanswered, unanswered.c.thread_id == IroThread.id)
        .where(threads_clause(staff), *where)
    )
    lines = []
    for thread, count, since, last in session.execute(query):
        child = keys.decrypt(thread.review.child.first_name_enc)
        lines.append(ThreadLine(
            id=thread.id, child=child,
            writer=WRITERS[thread.role.value].format(child=child),
            last_from_them=None if last is None else as_utc(last), unanswered=count or 0,
            waiting_since=None if since is None else as_utc(since),
            overdue=since is not None and overdue(since, now),
        ))
    return lines


@dataclass(frozen=True)
class Said:
    """One message of a thread, for the IRO reading it."""

    at: datetime
    by: str
    from_staff: bool
    text: str
    waiting: bool  # a reply that has not reached the person yet
    letter: bool  # the IRO's letter after the review


def thread_messages(keys: DataKeys, thread: IroThread, writer: str) -> list[Said]:
    """Every message of a thread ``find_thread`` gave, oldest first, decrypted."""
    return [
        Said(at=as_utc(m.sent_at),
             by=m.staff_user.display_name if m.staff_user is not None else writer,
             from_staff=m.staff_user_id is not None, text=keys.decrypt(m.body_enc),
             waiting=m.staff_user_id is not None and m.delivered_at is None,
             letter=m.kind == MessageKind.LETTER)
        for m in thread.messages
    ]


@dataclass(frozen=True)
class Unanswered:
    """How many messages wait for a reply, and how many of those are overdue."""

    messages: int = 0
    overdue: int = 0


def unanswered_by_iro(session: Session, staff: StaffUser, now: datetime) -> dict[int, Unanswered]:
    """Counts only, never words: per IRO (by id) of the threads ``staff`` may count."""
    rows = session.execute(
        select(Child.iro_id, IroMessage.sent_at)
        .join(IroThread, IroThread.id == IroMessage.thread_id)
        .join(Review, Review.id == IroThread.review_id)
        .join(Child, Child.id == Review.child_id)
        .where(counted_threads_clause(staff), IroMessage.staff_user_id.is_(None),
               IroMessage.answered_at.is_(None))
    ).all()
    waiting = Counter(iro_id for iro_id, _ in rows)
    late = Counter(iro_id for iro_id, sent_at in rows if overdue(sent_at, now))
    return {iro_id: Unanswered(count, late[iro_id]) for iro_id, count in waiting.items()}


def unanswered_total(session: Session, staff: StaffUser, now: datetime) -> Unanswered:
    counts = unanswered_by_iro(session, staff, now).values()
    return Unanswered(sum(c.messages for c in counts), sum(c.overdue for c in counts))
