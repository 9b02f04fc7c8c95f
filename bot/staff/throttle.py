"""Sign-in throttling: growing delays per address, per username and per pair of both.

A hard lock after five failures let anyone lock anyone out. Here, failures slow down only
whoever is failing: the pair (this username from this address) after 5, the address (any
usernames) after 20, the username from anywhere after 20, each doubling from one second up to
its cap. A colleague signing in from the office is never held up by someone guessing from
elsewhere; someone guessing from many addresses still meets the per-username delay, capped at
five minutes so it can never become a lock-out.

Counters live in the database (``sign_in_throttles``), so every worker sees them, and are known
only by a keyed hash of what they count: an unknown username is counted exactly like a real
one (the answer never says which exist), and nothing anyone typed is stored. A day without a
failure forgets a counter.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.staff.keyed_hash import labelled_hash
from db.models import SignInThrottle
from db.time import as_utc

FIRST_DELAY = timedelta(seconds=1)
FORGET_AFTER = timedelta(days=1)


@dataclass(frozen=True)
class Rule:
    free: int  # failures before the first delay
    cap: timedelta  # the longest delay


RULES = {
    "pair": Rule(free=5, cap=timedelta(minutes=15)),
    "address": Rule(free=20, cap=timedelta(hours=1)),
    "account": Rule(free=20, cap=timedelta(minutes=5)),
}


def address_of(host: str | None) -> str:
    """Who is asking, as the throttle counts them: an IPv4 address, or an IPv6 /64 (one
    household or device can hold a whole /64). ``carebot serve`` takes the address from the
    proxy's X-Forwarded-For when the proxy is trusted (docs/deploy.md)."""
    if not host:
        return "unknown"
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return host[:100]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{ip}/64", strict=False))
    return str(ip)


def throttle_keys(secret: bytes, username: str, address: str) -> dict[str, str]:
    """The counters one attempt touches, by kind, as keyed hashes."""
    name = username.strip().casefold()

    def key(text: str) -> str:
        return labelled_hash(secret, "sign-in-throttle", text)

    return {
        "pair": key(f"pair\0{name}\0{address}"),
        "address": key(f"address\0{address}"),
        "account": key(f"account\0{name}"),
    }


def delay_after(failures: int, rule: Rule) -> timedelta:
    if failures < rule.free:
        return timedelta(0)
    return min(FIRST_DELAY * 2 ** min(failures - rule.free, 30), rule.cap)


def wait_needed(session: Session, keys: dict[str, str], now: datetime) -> timedelta | None:
    """How long this attempt must wait before any password is checked, or None."""
    rows = session.scalars(
        select(SignInThrottle).where(SignInThrottle.key_hash.in_(keys.values()))
    )
    waits = [as_utc(row.blocked_until) - now for row in rows
             if row.blocked_until is not None and as_utc(row.blocked_until) > now]
    return max(waits) if waits else None


def record_failure(session: Session, keys: dict[str, str], now: datetime) -> None:
    for kind, key_hash in keys.items():
        row = _row(session, key_hash, now)
        if now - as_utc(row.last_failed_at) > FORGET_AFTER:
            row.failures = 0
        row.failures += 1
        row.last_failed_at = now
        delay = delay_after(row.failures, RULES[kind])
        row.blocked_until = now + delay if delay else None
        row.delete_after = now + FORGET_AFTER + RULES[kind].cap
    session.flush()


def forgive(session: Session, keys: dict[str, str], now: datetime) -> None:
    """After a successful sign-in: this person's own counters go (never the address's: signing
    in to one's own account must not reset a count of guesses at other people's)."""
    session.execute(delete(SignInThrottle).where(
        SignInThrottle.key_hash.in_([keys["pair"], keys["account"]])
    ))
    session.execute(delete(SignInThrottle).where(SignInThrottle.delete_after < now))


def _row(session: Session, key_hash: str, now: datetime) -> SignInThrottle:
    query = select(SignInThrottle).where(SignInThrottle.key_hash == key_hash).with_for_update()
    row = session.scalar(query)
    if row is not None:
        return row
    try:
        with session.begin_nested():  # another worker may count the same key first
            row = SignInThrottle(key_hash=key_hash, failures=0, last_failed_at=now,
                                 delete_after=now + FORGET_AFTER)
            session.add(row)
        return row
    except IntegrityError:
        return session.scalar(query)
