"""When a message to an IRO counts as overdue: three working days, weekends not counted."""

from datetime import datetime, timezone

from bot.iro_messages.working_days import add_working_days, is_overdue


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
