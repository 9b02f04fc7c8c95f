"""Sign-in throttling with an injected clock: delays double, stop at their cap, and a day
without failures forgets them; a success forgives the person but not the address."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.staff.throttle import (
    RULES,
    address_of,
    delay_after,
    forgive,
    record_failure,
    throttle_keys,
    wait_needed,
)
from db.engine import session_scope
from db.migrate import upgrade_to_head
from db.time import utcnow

SECRET = b"test-secret"


@pytest.fixture
def db(tmp_path):
    url = f"sqlite:///{tmp_path / 'throttle.db'}"
    upgrade_to_head(url)
    return lambda: session_scope(url)


def test_delays_double_from_one_second_and_stop_at_the_cap():
    pair = RULES["pair"]
    assert [delay_after(n, pair).total_seconds() for n in range(4, 9)] == [0, 1, 2, 4, 8]
    assert delay_after(1000, pair) == pair.cap


def test_the_fifth_failure_makes_the_pair_wait_and_a_day_later_it_is_forgotten(db):
    keys = throttle_keys(SECRET, "iro.amara", "203.0.113.9")
    now = utcnow()
    with db() as session:
        for _ in range(5):
            assert wait_needed(session, keys, now) is None
            record_failure(session, keys, now)
        assert wait_needed(session, keys, now) == timedelta(seconds=1)
        assert wait_needed(session, keys, now + timedelta(seconds=1)) is None
        record_failure(session, keys, now + timedelta(seconds=1))  # the sixth: 2 s
        assert wait_needed(session, keys, now + timedelta(seconds=2)) == timedelta(seconds=1)
        later = now + timedelta(days=1, seconds=10)
        record_failure(session, keys, later)  # counted from one again
        assert wait_needed(session, keys, later) is None


def test_a_success_forgives_the_person_but_not_the_address(db):
    now = utcnow()
    with db() as session:
        for n in range(20):
            record_failure(session, throttle_keys(SECRET, f"someone.{n}", "192.0.2.1"), now)
        mine = throttle_keys(SECRET, "iro.ben", "192.0.2.1")
        assert wait_needed(session, mine, now) == timedelta(seconds=1)  # the address waits
        forgive(session, mine, now)
        assert wait_needed(session, mine, now) == timedelta(seconds=1)


def test_usernames_count_the_same_whatever_their_case_and_ipv6_counts_by_64():
    assert throttle_keys(SECRET, "IRO.Amara ", "a") == throttle_keys(SECRET, "iro.amara", "a")
    same_64 = address_of("2001:db8:1:2::5")
    assert same_64 == address_of("2001:db8:1:2:ffff::1") == "2001:db8:1:2::/64"
    assert address_of("::ffff:198.51.100.7") == "198.51.100.7"
    assert address_of(None) == "unknown"
