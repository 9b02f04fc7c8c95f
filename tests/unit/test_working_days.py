"""When a message to an IRO counts as overdue: three working days, weekends not counted; and
how many working days after a review its letter was sent."""

from datetime import date, datetime, timezone

from bot.iro_messages.working_days import add_working_days, is_overdue, working_days_after


def at(day: int, hour: int = 10) -> datetime:
    return datetime(2026, 12, day, hour, tzinfo=timezone.utc)  # 1 December 2026 is a Tuesday


def test_three_working_days_skip_the_weekend() -> None:
    assert add_working_days(at(3), 3) == at(8)  # Thursday -> the next Tuesday


def test_a_message_sent_at_the_weekend_counts_from_monday() -> None:
    assert add_working_days(at(5, 22), 3) == datetime(2026, 12, 10, tzinfo=timezone.utc)


def test_overdue_only_once_three_working_days_have_passed() -> None:
    assert not is_overdue(at(1), at(3, 23))
    assert is_overdue(at(1), at(4, 10))
    assert not is_overdue(at(4), at(8, 9))  # Friday -> Wednesday morning
    assert is_overdue(at(4), at(9, 10))


def test_a_letter_counts_the_working_days_after_the_review_day() -> None:
    tuesday = date(2026, 12, 1)
    assert working_days_after(tuesday, tuesday) == 0
    assert working_days_after(tuesday, date(2026, 12, 2)) == 1
    assert working_days_after(tuesday, date(2026, 12, 8)) == 5  # the weekend not counted
    assert working_days_after(tuesday, date(2026, 12, 29)) == 20
    assert working_days_after(tuesday, date(2026, 12, 30)) == 21
    saturday = date(2026, 12, 5)
    assert working_days_after(saturday, date(2026, 12, 6)) == 0  # Sunday: none yet
    assert working_days_after(saturday, date(2026, 12, 7)) == 1
