"""Invite codes: how a child, parent or carer is linked to one review, and nobody else can be.

A code is 10 characters from an alphabet without look-alikes (no 0/O, 1/I/L, U), about 49
bits, always mixing letters and digits so that no ordinary word is ever read as a code. A
code is also one the safety screen passes in every form it may be sent in: the screen reads
digits as letters ("5" as "s") and text-speak ("kms"), and about one random code in 170 would
otherwise be taken for a disclosure, giving the child the signposting instead of their review
and staff a false alert. Only a keyed hash of the code is stored, so a copy of the database
cannot be used to redeem one, and a code is looked up by that hash (under every data key, so
codes outlive a key rotation): the database compares hashes an attacker cannot choose, so how
long a lookup takes says nothing about how close a guess was. A code works once, for a limited
time; redeeming it links the chat user to the review. Sent again from another conversation
before the answers are sent, it moves them there (a new device, or the web chat after "Start
again"), and the conversation left behind no longer reaches them.
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.consultation.form import AUDIENCE
from bot.safety.screen import SafetyScreen
from bot.sliding_windows import SlidingWindows
from db.encryption import DataKeys
from db.models import (
    ChatUser,
    Consultation,
    ConsultationRole,
    Invite,
    Review,
    StaffUser,
)
from db.time import as_utc, utcnow

ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"
CODE_LENGTH = 10
DEFAULT_VALID_FOR = timedelta(days=21)
# A code-shaped token: 10 letters and digits, optionally split 5-5 by a dash, standing alone
# (not part of a longer word). A space between the halves is accepted only when the code is the
# whole message, so "hello ABCD2..." is never read as a code.
_CODE_IN_TEXT = re.compile(r"(?<![A-Za-z0-9-])([A-Za-z0-9]{5})-?([A-Za-z0-9]{5})(?![A-Za-z0-9-])")
_CODE_ALONE = re.compile(r"^(?:/start\s+)?([A-Za-z0-9]{5})\s?([A-Za-z0-9]{5})$", re.IGNORECASE)


class RedeemOutcome(str, Enum):
    OK = "ok"
    ALREADY_MINE = "already_mine"  # the same person using their own code again: carry on
    WRONG = "wrong"
    EXPIRED = "expired"
    USED = "used"
    REVIEW_PASSED = "review_passed"
    TOO_MANY = "too_many"


@dataclass(frozen=True)
class NewInvite:
    invite_id: int
    code: str
    expires_at: datetime
    telegram_link: str | None
    web_link: str


@dataclass(frozen=True)
class Redeemed:
    outcome: RedeemOutcome
    consultation_id: int | None = None
    role: ConsultationRole | None = None


def new_code(is_clear: Callable[[str], bool]) -> str:
    """A random code with at least one letter and one digit, shown as ``ABCDE-23456``.

    ``is_clear`` turns down codes that would be read as something else (see
    :func:`screen_passes_code`); the few turned down cost nothing but another draw.
    """
    while True:
        raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
        if any(c.isdigit() for c in raw) and any(c.isalpha() for c in raw):
            code = f"{raw[:5]}-{raw[5:]}"
            if is_clear(code):
                return code


def screen_passes_code(screen: SafetyScreen) -> Callable[[str], bool]:
    """Whether the safety screen lets a code through however it is sent.

    The forms are those the channels produce: typed with or without the dash or with a space,
    and as ``/start <code>`` from a Telegram deep link or the web chat's invite link.
    """

    def is_clear(code: str) -> bool:
        plain = normalise_code(code)
        forms = (code, plain, f"{plain[:5]} {plain[5:]}", f"/start {plain}")
        return not any(screen.check(text).is_concern for text in forms)

    return is_clear


def normalise_code(code: str) -> str:
    return re.sub(r"[\s-]", "", code).upper()


CODE_HASH_LABEL = b"invite-code"


def code_hash(keys: DataKeys, code: str) -> str:
    """A keyed hash: the stored value is useless without the data key."""
    return keys.keyed_hash(CODE_HASH_LABEL, normalise_code(code))


def find_code(text: str, *, alone: bool = False) -> str | None:
    """The invite code in a message (alone, or inside a sentence unless ``alone``), if any."""
    whole = _CODE_ALONE.match(text.strip()) or _CODE_IN_TEXT.fullmatch(text.strip())
    if whole is None and alone:
        return None
    for match in [whole] if whole else _CODE_IN_TEXT.finditer(text):
        raw = (match.group(1) + match.group(2)).upper()
        if any(c.isdigit() for c in raw) and any(c.isalpha() for c in raw):
            return raw
    return None


def invite_links(code: str, web_base_url: str, telegram_bot: str | None) -> tuple[str, str | None]:
    plain = normalise_code(code)
    # After "#": browsers never send it, so the code stays out of server and proxy logs.
    web = f"{web_base_url.rstrip('/')}/chat#invite={quote(plain)}"
    telegram = f"https://t.me/{telegram_bot}?start={plain}" if telegram_bot else None
    return web, telegram


def create_invite(
    session: Session,
    keys: DataKeys,
    screen: SafetyScreen,
    *,
    review_id: int,
    role: ConsultationRole,
    web_base_url: str,
    telegram_bot: str | None = None,
    created_by: StaffUser | None = None,
    valid_for: timedelta = DEFAULT_VALID_FOR,
    reminder_opt_in: bool = False,
) -> NewInvite:
    """A new single-use code for ``role`` at an upcoming review. The code is shown once."""
    review = session.get(Review, review_id)
    if review is None:
        raise LookupError(f"there is no review {review_id}")
    if as_utc(review.scheduled_for) < utcnow():
        raise ValueError(f"review {review_id} has already happened")
    code = new_code(screen_passes_code(screen))
    invite = Invite(
        code_hash=code_hash(keys, code),
        review_id=review.id,
        role=role,
        created_by_id=created_by.id if created_by else None,
        expires_at=utcnow() + valid_for,
        reminder_opt_in=reminder_opt_in,
    )
    session.add(invite)
    session.flush()
    web, telegram = invite_links(code, web_base_url, telegram_bot)
    return NewInvite(invite.id, code, invite.expires_at, telegram, web)


def redeem(
    session: Session,
    keys: DataKeys,
    *,
    code: str,
    chat_user: ChatUser,
    retention: timedelta,
    reminder_address: str | None = None,
) -> Redeemed:
    """Link ``chat_user`` to the code's review, once. The caller commits the session.

    The invite row is claimed with a conditional UPDATE, so two people racing with one code
    cannot both win: the loser's update matches no row.
    """
    hashes = keys.keyed_hashes(CODE_HASH_LABEL, normalise_code(code))
    invite = session.scalar(select(Invite).where(Invite.code_hash.in_(hashes)))
    if invite is None:
        return Redeemed(RedeemOutcome.WRONG)
    if invite.redeemed_at is not None:
        if invite.redeemed_by_id == chat_user.id:
            mine = _consultation_for(session, invite, chat_user)
            if mine is not None:
                return Redeemed(RedeemOutcome.ALREADY_MINE, mine.id, invite.role)
        return _carry_on_elsewhere(session, keys, invite, chat_user, reminder_address)
    now = utcnow()
    if as_utc(invite.review.scheduled_for) < now:
        return Redeemed(RedeemOutcome.REVIEW_PASSED)
    if as_utc(invite.expires_at) < now:
        return Redeemed(RedeemOutcome.EXPIRED)
    claimed = session.execute(
        Invite.__table__.update()
        .where(Invite.id == invite.id, Invite.redeemed_at.is_(None))
        .values(redeemed_at=now, redeemed_by_id=chat_user.id)
    ).rowcount
    if claimed != 1:
        return Redeemed(RedeemOutcome.USED)
    if invite.reminder_opt_in and reminder_address:
        invite.reminder_address_enc = keys.encrypt(reminder_address)
    consultation = _consultation_for(session, invite, chat_user)
    if consultation is None:
        consultation = Consultation(
            review_id=invite.review_id,
            chat_user_id=chat_user.id,
            role=invite.role,
            invite_id=invite.id,
            delete_after=as_utc(invite.review.scheduled_for) + retention,
        )
        session.add(consultation)
    chat_user.audience = AUDIENCE[invite.role]
    try:
        session.flush()
    except IntegrityError:  # the same person redeemed a second code for the same review/role
        session.rollback()
        return Redeemed(RedeemOutcome.USED)
    return Redeemed(RedeemOutcome.OK, consultation.id, invite.role)


def _carry_on_elsewhere(
    session: Session, keys: DataKeys, invite: Invite, chat_user: ChatUser,
    reminder_address: str | None,
) -> Redeemed:
    """A used code sent again from another conversation (a new device, or the web chat after
    "Start again" or 30 minutes away): the unsent answers move to this conversation, and the
    one that had them can no longer see them. Once the answers are sent, or the code or the
    review has passed, the code does nothing."""
    now = utcnow()
    if as_utc(invite.review.scheduled_for) < now:
        return Redeemed(RedeemOutcome.REVIEW_PASSED)
    if as_utc(invite.expires_at) < now:
        return Redeemed(RedeemOutcome.EXPIRED)
    draft = session.scalar(select(Consultation).where(
        Consultation.invite_id == invite.id, Consultation.submitted_at.is_(None)))
    if draft is None or _consultation_for(session, invite, chat_user) is not None:
        return Redeemed(RedeemOutcome.USED)
    moved = session.execute(  # two conversations racing with one code: one wins
        Invite.__table__.update()
        .where(Invite.id == invite.id, Invite.redeemed_by_id == invite.redeemed_by_id)
        .values(redeemed_by_id=chat_user.id)
    ).rowcount
    if moved != 1:
        return Redeemed(RedeemOutcome.USED)
    draft.chat_user_id = chat_user.id
    invite.reminder_address_enc = (
        keys.encrypt(reminder_address) if invite.reminder_opt_in and reminder_address else None)
    chat_user.audience = AUDIENCE[invite.role]
    session.flush()
    return Redeemed(RedeemOutcome.OK, draft.id, invite.role)


def _consultation_for(session: Session, invite: Invite, user: ChatUser) -> Consultation | None:
    return session.scalar(
        select(Consultation).where(
            Consultation.review_id == invite.review_id,
            Consultation.chat_user_id == user.id,
            Consultation.role == invite.role,
        )
    )


ALL_TRIES = "all"  # the one key under which every failed code is counted


class AttemptLimiter:
    """Failed invite codes, limited so codes cannot be found by guessing, without letting
    guessers shut invites off for everyone else.

    - Per person: ``per_person`` failed codes an ``window_s``; then even a right code waits.
    - Per code: ``per_code`` failed tries of one code, from anyone (a used or expired code
      passed around); then that code waits.
    - Everyone (the slow backstop): after ``overall`` failed codes in a window (guessing from
      many chat ids), each person's allowance drops to ``storm_per_person``. A person who has
      not failed yet is always checked, so a child with the right code always gets in, while
      each guessing id gets one guess a window.

    A refused try is never checked against the database. In memory per process, like the
    message rate limit; the tables are bounded (least recently seen forgotten first).
    """

    def __init__(
        self, per_person: int = 5, overall: int = 100, window_s: float = 3600.0,
        max_people: int = 50_000, per_code: int = 10, storm_per_person: int = 1,
    ) -> None:
        self.per_person = per_person
        self.per_code = per_code
        self.overall = overall
        self.storm_per_person = storm_per_person
        self.window_s = window_s
        self._people = SlidingWindows(window_s, max_keys=max_people)
        self._codes = SlidingWindows(window_s, max_keys=max_people)
        self._everyone = SlidingWindows(window_s, max_keys=1, max_per_key=overall * 10)
        self._lock = threading.Lock()

    def blocked(self, key: str, code_key: str | None = None, now: float | None = None) -> bool:
        """Whether this person may not try a code now (``code_key``: the code's keyed hash)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            storm = self._everyone.count(ALL_TRIES, now) >= self.overall
            allowed = self.storm_per_person if storm else self.per_person
            if self._people.count(key, now) >= allowed:
                return True
            return code_key is not None and self._codes.count(code_key, now) >= self.per_code

    def failed(self, key: str, code_key: str | None = None, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        with self._lock:
            self._everyone.add(ALL_TRIES, now)
            self._people.add(key, now)
            if code_key is not None:
                self._codes.add(code_key, now)
