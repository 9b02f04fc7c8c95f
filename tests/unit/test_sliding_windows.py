"""The one sliding-window counter behind the message rate limit, the invite-code try limits
and the alert-flood folding."""

from __future__ import annotations

from bot.sliding_windows import SlidingWindows


def test_events_count_within_the_window_and_expire_after_it() -> None:
    windows = SlidingWindows(window_s=60, max_keys=10)
    assert windows.count("a", now=0) == 0
    for t in (0, 10, 59):
        windows.add("a", now=t)
    assert windows.count("a", now=59.5) == 3
    assert windows.count("a", now=60) == 2  # the event at 0 is a whole window old
    assert windows.count("a", now=200) == 0
    assert windows.count("b", now=0) == 0


def test_the_table_forgets_the_least_recently_seen_key_first() -> None:
    windows = SlidingWindows(window_s=60, max_keys=2)
    windows.add("a", now=0)
    windows.add("b", now=1)
    windows.count("a", now=2)  # "a" seen again: "b" is now the oldest
    windows.add("c", now=3)
    assert len(windows) == 2
    assert windows.count("a", now=4) == 1
    assert windows.count("b", now=4) == 0
    assert windows.count("c", now=4) == 1


def test_one_loud_key_keeps_at_most_its_bound() -> None:
    windows = SlidingWindows(window_s=60, max_keys=2, max_per_key=5)
    for t in range(100):
        windows.add("loud", now=t / 10)
    assert windows.count("loud", now=10) == 5
