"""Pre-review consultation in the chat, through the real assistant, model and database.

The words asserted here are read from content/forms/, never typed into the test, so a
council can change them and these tests still say whether the flow works.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from bot.consultation.answers import submit
from bot.consultation.form import load_form, load_shared
from bot.consultation.invites import AttemptLimiter, code_hash
from bot.messages import IncomingMessage, Reply
from bot.pipeline import Assistant
from bot.privacy.purge import purge_expired
from bot.privacy.user_data import held_data
from bot.services.rate_limit import RateLimiter
from bot.staff.case_record import export_review
from db.engine import session_scope
from db.models import (
    Alert,
    Audience,
    AuditEntry,
    ChatUser,
    Consultation,
    ConsultationAnswer,
    ConsultationRole,
    Invite,
    Review,
)
from db.time import as_utc, utcnow
from tests.support.phrases import tagged_phrase
from tests.support.reviews import make_invite, make_review


@pytest.fixture
def chat(assistant: Assistant) -> Assistant:
    """The session's assistant with room for a whole form in a minute (tests type fast)."""
    return dataclasses.replace(
        assistant, rate_limiter=RateLimiter(max_messages=500), code_attempts=AttemptLimiter()
    )


@pytest.fixture
def shared(base_settings):
    return load_shared(base_settings.content_dir)


@pytest.fixture
def child_form(base_settings):
    return load_form(base_settings.content_dir, ConsultationRole.CHILD)


@pytest.fixture
def parent_form(base_settings):
    return load_form(base_settings.content_dir, ConsultationRole.PARENT)


@pytest.fixture
def carer_form(base_settings):
    return load_form(base_settings.content_dir, ConsultationRole.CARER)


class Person:
    """One person in the web chat, keeping what carebot said to them."""

    def __init__(self, assistant: Assistant, channel: str = "web") -> None:
        self.assistant = assistant
        self.channel = channel
        self.id = f"c-{uuid.uuid4()}"

    async def say(self, text: str) -> list[Reply]:
        return await self.assistant.handle(IncomingMessage(self.channel, self.id, text))

    async def said_text(self, text: str) -> str:
        return "\n".join(r.text for r in await self.say(text))


def question_text(form, key: str, iro_name: str, child_name: str = "Robin") -> str:
    return form.question(key).text.replace("{iro_name}", iro_name).replace(
        "{child_name}", child_name)


def answers_of(database_url: str, review_id: int) -> dict[str, ConsultationAnswer]:
    with session_scope(database_url) as session:
        rows = session.scalars(
            select(ConsultationAnswer)
            .join(Consultation)
            .where(Consultation.review_id == review_id)
        ).all()
        session.expunge_all()
        return {a.question_key: a for a in rows}


def consultation_of(database_url: str, review_id: int) -> Consultation:
    with session_scope(database_url) as session:
        row = session.scalars(select(Consultation).where(Consultation.review_id == review_id)).one()
        session.expunge(row)
        return row


@pytest.mark.anyio
async def test_child_redeems_skips_stops_resumes_changes_an_answer_and_sends(
    chat, base_settings, data_keys, shared, child_form
):
    db = base_settings.database_url
    made = make_review(db, data_keys, child_name="Robin")
    code = make_invite(db, data_keys, made.review_id, "child")
    child = Person(chat)
    first_phrase = tagged_phrase("my room is cosy", 6)
    second_phrase = tagged_phrase("I love my new bike", 6)

    welcome = await child.say(f"hi, my code is {code.lower()}")
    assert "Robin" in welcome[0].text and made.iro_name in welcome[0].text
    first = welcome[-1]
    assert first.text == child_form.questions[0].text
    assert shared.skip_title in [b.title for b in first.buttons]

    reply = await child.say(first_phrase)  # saved at once, next question asked
    assert reply[-1].text == question_text(child_form, "school", made.iro_name)
    assert data_keys.decrypt(answers_of(db, made.review_id)["home"].answer_enc) == first_phrase

    await child.say(shared.skip_title)
    assert (await child.say("stop"))[-1].text == shared.texts["paused"]
    assert consultation_of(db, made.review_id).submitted_at is None

    # Later: carry on from the first question not answered.
    assert (await child.say("carry on"))[-1].text == question_text(
        child_form, "health", made.iro_name
    )
    for key in child_form.keys[2:]:
        answer = {"advocate": "Yes please", "chairing": "Together with my IRO"}.get(key, "skip")
        reply = await child.say(answer)
        if key == "advocate":
            assert reply[0].text == shared.texts["advocate_noted"].replace(
                "{iro_name}", made.iro_name
            )
    summary = "\n".join(r.text for r in reply)
    assert first_phrase in summary and shared.texts["skipped"] in summary

    menu = await child.say("change")
    assert menu[-1].text == shared.texts["change_which"]
    assert len(menu[-1].buttons) == len(child_form.questions)
    asked = await child.say(menu[-1].buttons[0].payload)
    assert asked[-1].text == child_form.questions[0].text
    summary = "\n".join(r.text for r in await child.say(second_phrase))
    assert second_phrase in summary and first_phrase not in summary

    sent = await child.said_text("send")
    assert made.iro_name in sent and "sent" in sent
    consultation = consultation_of(db, made.review_id)
    assert consultation.submitted_at is not None
    assert consultation.advocate_requested is True
    assert consultation.chair_wish == "co_chair"

    stored = answers_of(db, made.review_id)
    assert set(stored) == set(child_form.keys)
    assert stored["school"].skipped and stored["school"].answer_enc is None
    assert second_phrase not in stored["home"].answer_enc  # ciphertext only
    assert data_keys.decrypt(stored["home"].answer_enc) == second_phrase

    with session_scope(db) as session:
        exported = json.loads(export_review(
            session, data_keys, base_settings.content_dir, made.review_id, "json", actor="test"
        ))
    assert exported["consultations"][0]["role"] == "child"
    assert second_phrase in json.dumps(exported)
    with session_scope(db) as session:
        audit = session.scalars(
            select(AuditEntry).where(AuditEntry.target_id == str(made.review_id))
        ).all()
        assert [a.action for a in audit] == ["export_json"]


@pytest.mark.anyio
async def test_parent_answers_the_parent_questions_and_sends(
    chat, base_settings, data_keys, shared, parent_form
):
    db = base_settings.database_url
    made = make_review(db, data_keys, child_name="Alex")
    parent = Person(chat)
    phrase = tagged_phrase("more visits please", 6)

    welcome = await parent.say(make_invite(db, data_keys, made.review_id, "parent"))
    assert "Alex" in welcome[0].text
    assert welcome[-1].text == parent_form.questions[0].text
    for key in parent_form.keys:
        await parent.say({"family_time": phrase, "attend": "Yes, online"}.get(key, "skip"))
    assert made.iro_name in await parent.said_text("send")

    consultation = consultation_of(db, made.review_id)
    assert consultation.role == ConsultationRole.PARENT and consultation.submitted_at
    stored = answers_of(db, made.review_id)
    assert data_keys.decrypt(stored["family_time"].answer_enc) == phrase
    with session_scope(db) as session:
        csv_text = export_review(
            session, data_keys, base_settings.content_dir, made.review_id, "csv", actor="test"
        )
    assert phrase in csv_text and ",parent," in csv_text


@pytest.mark.anyio
async def test_carer_redeems_answers_skips_stops_carries_on_and_sends(
    chat, base_settings, data_keys, shared, carer_form
):
    db = base_settings.database_url
    made = make_review(db, data_keys, child_name="Jordan")
    carer = Person(chat)
    worry = tagged_phrase("homework battles most evenings", 6)
    support = tagged_phrase("a short break in the holidays", 6)

    def asked(key: str) -> str:
        return question_text(carer_form, key, made.iro_name, "Jordan")

    welcome = await carer.say(make_invite(db, data_keys, made.review_id, "carer"))
    assert "Jordan" in welcome[0].text and made.iro_name in welcome[0].text
    assert welcome[-1].text == asked("home")
    titles = [b.title for b in welcome[-1].buttons]
    assert titles == [*carer_form.question("home").quick_replies, shared.skip_title]
    with session_scope(db) as session:  # the chat answers them as a carer from now on
        user = session.scalars(select(ChatUser).where(
            ChatUser.user_key == data_keys.user_key("web", carer.id))).one()
        assert user.audience == Audience.CARER

    assert (await carer.say(titles[0]))[-1].text == asked("school")  # a quick reply
    assert (await carer.say(shared.skip_title))[-1].text == asked("health")
    assert (await carer.say("stop"))[-1].text == shared.texts["paused"]
    assert consultation_of(db, made.review_id).submitted_at is None

    assert (await carer.say("carry on"))[-1].text == asked("health")
    for key in carer_form.keys[2:]:
        reply = await carer.say({"worries": worry, "support": support}.get(key, "skip"))
    summary = "\n".join(r.text for r in reply)
    assert worry in summary and support in summary and shared.texts["skipped"] in summary
    assert carer_form.question("support").label in summary

    sent = await carer.said_text("send")
    with session_scope(db) as session:
        when = as_utc(session.get_one(Review, made.review_id).scheduled_for)
    assert sent == chat.content.fill(shared.texts["sent_carer"], iro_name=made.iro_name,
                                     child_name="Jordan", review_date=f"{when:%A %-d %B}")
    consultation = consultation_of(db, made.review_id)
    assert consultation.role == ConsultationRole.CARER and consultation.submitted_at
    assert consultation.advocate_requested is False and consultation.chair_wish is None
    stored = answers_of(db, made.review_id)
    assert set(stored) == set(carer_form.keys)
    assert data_keys.decrypt(stored["home"].answer_enc) == titles[0]
    assert stored["school"].skipped and stored["family_time"].skipped
    assert data_keys.decrypt(stored["support"].answer_enc) == support

    with session_scope(db) as session:
        exported = json.loads(export_review(
            session, data_keys, base_settings.content_dir, made.review_id, "json", actor="test"
        ))
    (views,) = exported["consultations"]
    answers = {a["key"]: a for a in views["answers"]}
    assert views["role"] == "carer" and answers["worries"]["answer"] == worry
    assert answers["support"]["question"] == carer_form.question("support").label
    assert answers["school"]["skipped"] is True
    assert "can't be changed" in await carer.said_text("carry on")


@pytest.mark.anyio
async def test_a_carers_disclosure_mid_form_alerts_for_the_review_with_the_adults_reply(
    chat, base_settings, data_keys, shared, carer_form
):
    db = base_settings.database_url
    made = make_review(db, data_keys, child_name="Jordan")
    carer = Person(chat)
    await carer.say(make_invite(db, data_keys, made.review_id, "carer"))
    await carer.say("She is settled and happy")  # home answered; now asked about school

    replies = await carer.say("she told me her stepdad hits her")
    assert replies[0].text == chat.content.signposting("parent")
    assert replies[-1].text == shared.texts["paused_after_concern"]
    with session_scope(db) as session:
        alert = session.scalars(select(Alert).where(Alert.review_id == made.review_id)).one()
        assert "stepdad" not in alert.text_enc
    assert set(answers_of(db, made.review_id)) == {"home"}
    resumed = await carer.say("carry on")
    assert resumed[0].text == question_text(carer_form, "school", made.iro_name, "Jordan")


@pytest.mark.anyio
async def test_sending_twice_stores_one_submission(chat, base_settings, data_keys, child_form):
    db = base_settings.database_url
    made = make_review(db, data_keys)
    child = Person(chat)
    await child.say(make_invite(db, data_keys, made.review_id))
    for _ in child_form.keys:
        await child.say("skip")
    await child.say("send")
    first_sent_at = consultation_of(db, made.review_id).submitted_at

    again = await child.said_text("send")  # a double tap, or the button pressed again later
    assert "can't be changed" in again
    assert consultation_of(db, made.review_id).submitted_at == first_sent_at
    assert "can't be changed" in await child.said_text("carry on")


def test_concurrent_submissions_count_once(base_settings, data_keys):
    db = base_settings.database_url
    made = make_review(db, data_keys)
    with session_scope(db) as session:
        consultation = Consultation(
            review_id=made.review_id, chat_user_id=_a_chat_user(session), role="child",
            delete_after=utcnow() + timedelta(days=30),
        )
        session.add(consultation)
        session.flush()
        consultation_id = consultation.id

    def send_once(_: int) -> bool:
        with session_scope(db) as session:
            return submit(session, consultation_id)

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(send_once, range(16)))
    assert results.count(True) == 1


def _a_chat_user(session) -> int:
    user = ChatUser(user_key=uuid.uuid4().hex, delete_after=utcnow() + timedelta(days=1))
    session.add(user)
    session.flush()
    return user.id


@pytest.mark.anyio
async def test_two_conversations_racing_with_one_code_make_one_set_of_answers(
    chat, base_settings, data_keys
):
    db = base_settings.database_url
    made = make_review(db, data_keys)
    code = make_invite(db, data_keys, made.review_id)
    first, second = Person(chat), Person(chat)
    await asyncio.gather(first.said_text(code), second.said_text(code))
    with session_scope(db) as session:
        rows = session.scalars(
            select(Consultation).where(Consultation.review_id == made.review_id)).all()
        assert len(rows) == 1
        invite = session.scalars(select(Invite).where(Invite.review_id == made.review_id)).one()
        assert invite.redeemed_by_id == rows[0].chat_user_id  # whoever has them holds the code


@pytest.mark.anyio
async def test_wrong_expired_used_and_past_codes_get_kind_messages(
    chat, base_settings, data_keys, shared
):
    db = base_settings.database_url
    codes = shared.codes
    made = make_review(db, data_keys)

    assert await Person(chat).said_text("ABCDE-23456") == codes["wrong"]

    expired = make_invite(db, data_keys, made.review_id)
    with session_scope(db) as session:
        session.execute(update(Invite).values(expires_at=utcnow() - timedelta(minutes=1))
                        .where(Invite.redeemed_at.is_(None), Invite.review_id == made.review_id))
    assert await Person(chat).said_text(expired) == codes["expired"]

    fresh = make_invite(db, data_keys, made.review_id)
    owner = Person(chat)
    await owner.say(fresh)
    # the owner using their own code again simply carries on, without a second welcome
    again = await owner.say(fresh)
    assert len(again) == 1 and again[0].text == load_form(
        base_settings.content_dir, ConsultationRole.CHILD
    ).questions[0].text
    with session_scope(db) as session:  # sent: the code does nothing from now on
        session.execute(update(Consultation).where(Consultation.review_id == made.review_id)
                        .values(submitted_at=utcnow()))
    assert await Person(chat).said_text(fresh) == codes["used"]

    past = make_review(db, data_keys)
    past_code = make_invite(db, data_keys, past.review_id)
    with session_scope(db) as session:
        session.execute(update(Review).where(Review.id == past.review_id)
                        .values(scheduled_for=utcnow() - timedelta(hours=1)))
    assert await Person(chat).said_text(past_code) == codes["review_passed"]


@pytest.mark.anyio
async def test_guessing_codes_is_stopped_after_five_wrong_tries(
    chat, base_settings, data_keys, shared
):
    made = make_review(base_settings.database_url, data_keys)
    real = make_invite(base_settings.database_url, data_keys, made.review_id)
    guesser = Person(chat)
    for n in range(5):
        assert await guesser.said_text(f"ABCDE-2345{n + 2}") == shared.codes["wrong"]
    assert await guesser.said_text(real) == shared.codes["too_many"]  # even a right one
    assert "Robin" in await Person(chat).said_text(real)  # someone else is not blocked


@pytest.mark.anyio
async def test_a_disclosure_inside_the_form_alerts_for_that_review_and_pauses(
    chat, base_settings, data_keys, shared, child_form
):
    db = base_settings.database_url
    made = make_review(db, data_keys)
    child = Person(chat)
    await child.say(make_invite(db, data_keys, made.review_id))
    await child.say("it's fine")  # home answered; now asked about school

    replies = await child.say("my carer hits me when I get home")
    assert chat.content.signposting("child") == replies[0].text
    assert replies[-1].text == shared.texts["paused_after_concern"]
    with session_scope(db) as session:
        alert = session.scalars(select(Alert).where(Alert.review_id == made.review_id)).one()
        assert "hits" not in alert.text_enc
    assert "school" not in answers_of(db, made.review_id)  # the disclosure is not an answer

    await child.say("hello")  # not taken as the school answer
    assert "school" not in answers_of(db, made.review_id)
    resumed = await child.say("carry on")
    assert resumed[0].text == question_text(child_form, "school", made.iro_name)


@pytest.mark.anyio
async def test_the_code_sent_again_from_a_new_conversation_carries_on_there_only(
    chat, base_settings, data_keys, shared, child_form
):
    """A new device, "Start again" or a web chat left for 30 minutes is a new conversation: the
    person's code takes their unsent answers there, and the conversation left behind (perhaps
    on a shared tablet) no longer reaches them."""
    db = base_settings.database_url
    made = make_review(db, data_keys, child_name="Alex")
    code = make_invite(db, data_keys, made.review_id)
    tablet, phone = Person(chat), Person(chat)
    await tablet.say(code)
    await tablet.say("it's fine")  # the first question answered

    replies = await phone.say(code)
    assert "Alex" in replies[0].text
    second = child_form.questions[1].key
    assert replies[-1].text == question_text(child_form, second, made.iro_name)
    questions = {question_text(child_form, q.key, made.iro_name) for q in child_form.questions}
    for text in ("carry on", "carry on"):  # the first may end the form the tablet was in
        left_behind = await tablet.said_text(text)
        assert made.iro_name not in left_behind and not questions & set(left_behind.split("\n"))
    assert left_behind == shared.texts["no_consultation"]
    assert len(answers_of(db, made.review_id)) == 1


@pytest.mark.anyio
async def test_carry_on_without_an_invite_explains_how_to_get_one(chat, shared):
    assert await Person(chat).said_text("carry on") == shared.texts["no_consultation"]


@pytest.mark.anyio
async def test_delete_erases_unsent_answers_and_the_code_stays_used(
    chat, base_settings, data_keys, shared
):
    db = base_settings.database_url
    made = make_review(db, data_keys)
    code = make_invite(db, data_keys, made.review_id, reminder_opt_in=True)
    child = Person(chat, channel="telegram")
    await child.say(code)
    await child.say("it's nice here")
    assert "haven't sent yet: 1\n" in await child.said_text("/mydata")
    assert held_data(db, data_keys.user_key("telegram", child.id)).answers_in_progress == 1

    await child.say("/delete")
    await child.say("/delete_confirm")

    assert answers_of(db, made.review_id) == {}
    with session_scope(db) as session:
        assert session.scalars(
            select(Consultation).where(Consultation.review_id == made.review_id)
        ).all() == []
        invite = session.scalars(select(Invite).where(Invite.review_id == made.review_id)).one()
        assert invite.redeemed_at is not None
        assert invite.redeemed_by_id is None and invite.reminder_address_enc is None
    assert await child.said_text(code) == shared.codes["used"]


def test_purge_removes_people_whose_time_is_up_even_if_they_used_a_code(
    base_settings, data_keys
):
    db = base_settings.database_url
    made = make_review(db, data_keys)
    code = make_invite(db, data_keys, made.review_id)
    with session_scope(db) as session:
        user = ChatUser(user_key=uuid.uuid4().hex, delete_after=utcnow() - timedelta(days=1))
        session.add(user)
        session.flush()
        session.execute(update(Invite).where(Invite.code_hash == code_hash(data_keys, code))
                        .values(redeemed_at=utcnow(), redeemed_by_id=user.id))
        user_id = user.id
    purge_expired(db)
    with session_scope(db) as session:
        assert session.get(ChatUser, user_id) is None
        invite = session.scalars(select(Invite).where(Invite.review_id == made.review_id)).one()
        assert invite.redeemed_at is not None and invite.redeemed_by_id is None


@pytest.mark.anyio
async def test_a_question_in_the_middle_of_the_form_is_answered_not_saved(
    chat, base_settings, data_keys, child_form
):
    db = base_settings.database_url
    made = make_review(db, data_keys)
    child = Person(chat)
    await child.say(make_invite(db, data_keys, made.review_id))
    replies = await child.say("what is an advocate?")
    assert "home" not in answers_of(db, made.review_id)
    assert len(replies) >= 2 and replies[-1].text == child_form.questions[0].text
    assert "advocate" in replies[0].text.lower()
