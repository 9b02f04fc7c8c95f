"""Working days, Monday to Friday: when a message to an IRO counts as overdue.

Bank holidays are not counted out: a message can show as overdue a day early over a bank
holiday, never a day late.
"""

from __future__ import annotations

from datetime import datetime, timedelta

# A message not answered within this many working days shows as overdue to the IRO and
# their manager (issue 18).
REPLY_WITHIN_WORKING_DAYS = 3


def add_working_days(start: datetime, days: int) -> datetime:
    """The moment ``days`` working days after ``start``. A message sent at the weekend
    counts from the start of Monday."""
    moment = start
    while moment.weekday() >= 5:  # Saturday or Sunday: start on Monday at midnight
        moment = (moment + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    added = 0
    while added < days:
        moment += timedelta(days=1)
        if moment.weekday() < 5:
            added += 1
    return moment


def is_overdue(sent_at: datetime, now: datetime) -> bool:
    return now >= add_working_days(sent_at, REPLY_WITHIN_WORKING_DAYS)
