"""The report's figure for letters after reviews: how many were sent within 20 working days.

Definitions (for the report page to show):
- **reviews held**: reviews of the IRO's children (the child's IRO now, as every report
  figure) scheduled in the period whose date has passed, not cancelled;
- **letter due**: held reviews whose letter has been sent, or whose 20 working days are over
  without one (the rest still have time, and are counted in neither part of the rate);
- **letter within 20 working days**: held reviews whose first letter (to the child, or the
  version for a parent or a carer when that went first) was sent no more than 20 working days
  after the review's date (``ReviewLetter.working_days_after``, counted when it was sent).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.iro_messages.working_days import (
    COUNCIL_TIME,
    LETTER_WITHIN_WORKING_DAYS,
    working_days_after,
)
from db.models import Child, Review, ReviewLetter
from db.time import as_utc


@dataclass(frozen=True)
class LetterFigures:
    reviews_held: int = 0
    letters_due: int = 0
    sent_within: int = 0

    @property
    def within_pct(self) -> float | None:
        """The share of letters due that were sent in time, to one decimal place; None when
        no letter is due yet."""
        if self.letters_due == 0:
            return None
        return round(100 * self.sent_within / self.letters_due, 1)

    def __add__(self, other: LetterFigures) -> LetterFigures:
        """The figures of two IROs together (a team's total)."""
        return LetterFigures(self.reviews_held + other.reviews_held,
                             self.letters_due + other.letters_due,
                             self.sent_within + other.sent_within)


def letter_figures(session: Session, iro_id: int, start: datetime, end: datetime,
                   now: datetime) -> LetterFigures:
    """Letters after the reviews of ``iro_id``'s children held from ``start`` (inclusive) to
    ``end`` (exclusive), as they stand at ``now``."""
    first_letter = (
        select(ReviewLetter.review_id,
               func.min(ReviewLetter.working_days_after).label("days"))
        .group_by(ReviewLetter.review_id).subquery()
    )
    rows = session.execute(
        select(Review.scheduled_for, first_letter.c.days)
        .join(Child, Child.id == Review.child_id)
        .outerjoin(first_letter, first_letter.c.review_id == Review.id)
        .where(Child.iro_id == iro_id, Review.scheduled_for >= start,
               Review.scheduled_for < min(end, now), Review.status != "cancelled")
    ).all()
    today = as_utc(now).astimezone(COUNCIL_TIME).date()
    held = due = within = 0
    for scheduled_for, days in rows:
        held += 1
        if days is not None:
            due += 1
            within += days <= LETTER_WITHIN_WORKING_DAYS
        else:
            review_day = as_utc(scheduled_for).astimezone(COUNCIL_TIME).date()
            due += working_days_after(review_day, today) > LETTER_WITHIN_WORKING_DAYS
    return LetterFigures(held, due, within)
