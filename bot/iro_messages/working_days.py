"""Working days, Monday to Friday: when a message to an IRO counts as overdue, and how soon
after a review its letter was sent.

Bank holidays are not counted out: a message can show as overdue a day early over a bank
holiday, never a day late, and a letter counts a bank holiday as a working day it could have
been sent on.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

# The council's own days: a letter sent at 00:30 in June is sent that day, not the day before.
COUNCIL_TIME = ZoneInfo("Europe/London")
# A message not answered within this many working days shows as overdue to the IRO and
# their manager (issue 18).
REPLY_WITHIN_WORKING_DAYS = 3
# The IRO's letter after a review is expected within this many working days of it (issue 18).
LETTER_WITHIN_WORKING_DAYS = 20


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


def working_days_after(start: date, end: date) -> int:
    """How many working days after ``start`` the day ``end`` is: 0 on the same day (or any
    day before the next working day), 1 on the next working day, and so on."""
    days = 0
    day = start
    while day < end:
        day += timedelta(days=1)
        days += day.weekday() < 5
    return days
