"""The IRO's letter after a review, as data: its template, how it reads in the chat, who it is
saved for and how soon after the review it went; and the report's figure, letters sent within
20 working days, on a small data set worked out by hand."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from bot.config import REPO_ROOT
from bot.iro_messages.letter_figures import LetterFigures, letter_figures
from bot.iro_messages.letters import compose, headings, not_happy, send_letter
from bot.iro_messages.wording import from_iro
from bot.knowledge.content import Content
from bot.knowledge.readability import check, words_to_avoid
from db import models as m
from db.encryption import DataKeys, new_key_spec
from db.engine import session_scope
from db.migrate import upgrade_to_head
from db.time import utcnow

KEYS = DataKeys.parse(new_key_spec("l1"))
COUNCIL = Content(REPO_ROOT / "content", "demoshire")
UTC = timezone.utc
KEPT = timedelta(days=999)
PARTS = {"talked_about": "Your school.", "decided": "You stay at your school.",
         "next_steps": "I will ring you in June.", "not_happy": "Tell me or your carer."}


def test_the_template_has_the_four_headings_in_order() -> None:
    assert list(headings(COUNCIL).values()) == [
        "What we talked about", "What was decided", "What happens next",
        "Who to tell if you're not happy",
    ]
    assert compose(COUNCIL, PARTS) == (
        "What we talked about\nYour school.\n\nWhat was decided\nYou stay at your school.\n\n"
        "What happens next\nI will ring you in June.\n\n"
        "Who to tell if you're not happy\nTell me or your carer."
    )


@pytest.mark.parametrize("role", list(m.ConsultationRole))
def test_who_to_tell_starts_with_the_councils_advocacy_and_complaints_contacts(role) -> None:
    text = not_happy(COUNCIL, role)
    council = COUNCIL.authority
    for value in (council["advocacy"]["provider"], council["advocacy"]["phone"],
                  council["advocacy"]["email"], council["complaints"]["phone"],
                  council["complaints"]["email"]):
        assert value in text, (role, value)
    # the template itself passes the gates the IRO's words are checked against
    assert check(text, words_to_avoid(REPO_ROOT / "content"),
                 young_reader=role == m.ConsultationRole.CHILD).passes


def test_a_letter_reads_in_the_chat_with_its_own_words_and_how_to_reply() -> None:
    letter = compose(COUNCIL, PARTS)
    child = from_iro(COUNCIL, kind=m.MessageKind.LETTER, role=m.ConsultationRole.CHILD,
                     iro_name="Sam Lee", text=letter)
    assert child.startswith("A letter from your IRO, Sam Lee, about your review:\n\n" + letter)
    assert child.endswith(COUNCIL.say("letter_end", iro_name="Sam Lee").text)
    assert "/message_iro" in child.split(letter)[1]
    carer = from_iro(COUNCIL, kind=m.MessageKind.LETTER, role=m.ConsultationRole.CARER,
                     iro_name="Sam Lee", text=letter)
    assert carer.startswith("A letter from Sam Lee, the IRO, about the review:\n\n" + letter)
    reply = from_iro(COUNCIL, kind=m.MessageKind.MESSAGE, role=m.ConsultationRole.CHILD,
                     iro_name="Sam Lee", text="See you soon.")
    assert reply == "You have a reply from your IRO, Sam Lee:\nSee you soon."


@pytest.fixture
def database(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'letters.db'}"
    upgrade_to_head(url)
    return url


def people(session, *, iro_name: str = "Xena") -> tuple[m.StaffUser, m.LocalAuthority]:
    authority = m.LocalAuthority(code="testshire", name="Testshire")
    team = m.IroTeam(local_authority=authority, name="Team")
    iro = m.StaffUser(username=iro_name.lower(), display_name=iro_name, role=m.StaffRole.IRO,
                      team=team, password_hash="-")
    session.add_all([authority, team, iro])
    session.flush()
    return iro, authority


def redeemed(session, review: m.Review, role: str, user: m.ChatUser | None) -> None:
    """An invite to ``review`` in ``role``, used by ``user`` (None: never used)."""
    session.add(m.Invite(code_hash=f"h-{role}-{user.user_key if user else 'unused'}",
                         review=review, role=m.ConsultationRole(role),
                         expires_at=utcnow() + KEPT, redeemed_at=utcnow() if user else None,
                         redeemed_by_id=user.id if user else None))


def test_a_letter_is_saved_for_each_linked_reader_and_dated_from_the_review(database) -> None:
    with session_scope(database) as session:
        iro, authority = people(session)
        child = m.Child(local_authority_id=authority.id, iro=iro, case_reference="L-1",
                        first_name_enc=KEYS.encrypt("Rae"))
        # a week ago: whatever today is, that is 5 working days
        review = m.Review(child=child, scheduled_for=utcnow() - timedelta(days=7))
        rae, mum, dad = (m.ChatUser(user_key=k, delete_after=utcnow() + KEPT)
                         for k in ("rae", "mum", "dad"))
        session.add_all([child, review, rae, mum, dad])
        session.flush()
        written = m.IroThread(review=review, chat_user=rae, role=m.ConsultationRole.CHILD,
                              reply_address_enc=KEYS.encrypt("telegram:55"),
                              delete_after=utcnow() + KEPT,
                              messages=[m.IroMessage(body_enc=KEYS.encrypt("hi"),
                                                     delete_after=utcnow() + KEPT)])
        session.add(written)
        redeemed(session, review, "child", rae)
        redeemed(session, review, "parent", mum)
        redeemed(session, review, "parent", dad)
        redeemed(session, review, "parent", None)  # never used: nobody to send to
        session.flush()

        (to_rae,) = send_letter(session, KEYS, review, m.ConsultationRole.CHILD,
                                staff_user_id=iro.id, text="Dear Rae")
        assert (to_rae.address, to_rae.kind, to_rae.role) == (
            "telegram:55", m.MessageKind.LETTER, m.ConsultationRole.CHILD)
        assert [(x.kind, x.staff_user_id, KEYS.decrypt(x.body_enc)) for x in written.messages] == [
            (m.MessageKind.MESSAGE, None, "hi"), (m.MessageKind.LETTER, iro.id, "Dear Rae")]
        assert written.messages[0].answered_at is None  # a letter is not a reply to them

        to_parents = send_letter(session, KEYS, review, m.ConsultationRole.PARENT,
                                 staff_user_id=iro.id, text="Dear parent")
        assert [x.address for x in to_parents] == [None, None]  # they never wrote: no address
        threads = session.scalars(select(m.IroThread).where(
            m.IroThread.chat_user_id.in_([mum.id, dad.id]))).all()
        assert sorted(t.role.value for t in threads) == ["parent", "parent"]
        assert all("Dear parent" not in t.messages[0].body_enc for t in threads)  # sealed
        assert all(KEYS.decrypt(t.messages[0].body_enc) == "Dear parent" for t in threads)

        assert send_letter(session, KEYS, review, m.ConsultationRole.CARER,
                           staff_user_id=iro.id, text="Dear carer") == []
        sent = session.scalars(select(m.ReviewLetter).order_by(m.ReviewLetter.id)).all()
        assert [(r.role.value, r.recipients, r.working_days_after) for r in sent] == [
            ("child", 1, 5), ("parent", 2, 5)]


def day(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(hour=10, tzinfo=UTC)


NOW = day("2025-10-01")  # a Wednesday
START, END = day("2025-01-01"), day("2026-01-01")


def test_letters_within_twenty_working_days_worked_out_by_hand(database) -> None:
    with session_scope(database) as session:
        xena, authority = people(session)
        yusuf = m.StaffUser(username="yusuf", display_name="Yusuf", role=m.StaffRole.IRO,
                            team=xena.team, password_hash="-")
        session.add(yusuf)

        def review(iro: m.StaffUser, when: str, *letters: tuple[str, int],
                   status: str = "scheduled") -> None:
            child = m.Child(local_authority_id=authority.id, iro=iro,
                            case_reference=f"F-{when}-{iro.username}",
                            first_name_enc=KEYS.encrypt("Sam"))
            held = m.Review(child=child, scheduled_for=day(when), status=status)
            session.add_all([child, held])
            session.flush()
            for role, days in letters:
                session.add(m.ReviewLetter(
                    review_id=held.id, role=m.ConsultationRole(role), staff_user_id=iro.id,
                    sent_at=day(when) + timedelta(days=days), review_date=day(when),
                    working_days_after=days, recipients=1))

        review(xena, "2025-03-03", ("child", 5))  # in time
        review(xena, "2025-04-01", ("child", 30), ("parent", 25))  # the first went late
        review(xena, "2025-05-01")  # none, long overdue
        review(xena, "2025-06-02", ("child", 20))  # on the last day: in time
        review(xena, "2025-09-02")  # none, and 21 working days have passed: due
        review(xena, "2025-09-03")  # none, 20 working days passed: today still in time
        review(xena, "2025-09-29")  # none, two days ago: still in time
        review(xena, "2025-09-30", ("carer", 0))  # the carer's version went the same day
        review(xena, "2025-07-01", ("child", 1), status="cancelled")
        review(xena, "2025-11-01")  # not held yet
        review(xena, "2024-12-01", ("child", 1))  # before the period
        review(yusuf, "2025-03-03", ("child", 1))  # another IRO's child
        session.flush()

        figures = letter_figures(session, xena.id, START, END, NOW)
        assert figures == LetterFigures(reviews_held=8, letters_due=6, sent_within=3)
        assert figures.within_pct == 50.0
        assert letter_figures(session, yusuf.id, START, END, NOW).within_pct == 100.0
        assert letter_figures(session, yusuf.id, START, day("2025-02-01"), NOW) == LetterFigures()
        assert LetterFigures().within_pct is None
