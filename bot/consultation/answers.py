"""Consultation answers in the database: saved as they are given, sent once when confirmed.

The database, not the Rasa tracker, is the record: each answer is committed before the next
question is asked, so a restart (or a crash) loses nothing already said, and a person who
comes back later carries on where they stopped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.consultation.form import ADVOCATE_KEY, ConsultationForm
from db.encryption import DataKeys
from db.models import ChatUser, Consultation, ConsultationAnswer, ConsultationRole, Review
from db.time import as_utc, utcnow

SENT_RETENTION = timedelta(days=400)  # a reporting year, plus time to write the report
CHAIRING_KEY = "chairing"


@dataclass(frozen=True)
class Answer:
    text: str | None
    skipped: bool


@dataclass(frozen=True)
class ConsultationState:
    consultation_id: int
    role: ConsultationRole
    review_id: int
    review_date: datetime
    child_name: str
    iro_name: str
    submitted_at: datetime | None
    answers: dict[str, Answer] = field(default_factory=dict)

    def next_question(self, form: ConsultationForm) -> str | None:
        return next((k for k in form.keys if k not in self.answers), None)

    def placeholders(self) -> dict[str, str]:
        values = {
            "child_name": self.child_name,
            "iro_name": self.iro_name,
            "review_date": f"{self.review_date:%A %-d %B}",
        }
        if self.submitted_at is not None:
            values["sent_date"] = f"{self.submitted_at:%-d %B}"
        return values


def current_consultation(
    session: Session, keys: DataKeys, user_key: str
) -> ConsultationState | None:
    """This person's consultation for their next review (unsent ones first), if any."""
    rows = session.execute(
        select(Consultation, Review)
        .join(Review, Review.id == Consultation.review_id)
        .join(ChatUser, ChatUser.id == Consultation.chat_user_id)
        .where(ChatUser.user_key == user_key, Review.scheduled_for >= utcnow())
        .order_by(Consultation.submitted_at.is_not(None), Review.scheduled_for)
    ).first()
    if rows is None:
        return None
    return _state(session, keys, rows[0])


def consultation_state(session: Session, keys: DataKeys, consultation_id: int) -> ConsultationState:
    return _state(session, keys, session.get_one(Consultation, consultation_id))


def _state(session: Session, keys: DataKeys, consultation: Consultation) -> ConsultationState:
    review = consultation.review
    answers = {
        a.question_key: Answer(
            None if a.answer_enc is None else keys.decrypt(a.answer_enc), a.skipped
        )
        for a in session.scalars(
            select(ConsultationAnswer).where(
                ConsultationAnswer.consultation_id == consultation.id
            )
        )
    }
    return ConsultationState(
        consultation_id=consultation.id,
        role=consultation.role,
        review_id=review.id,
        review_date=as_utc(review.scheduled_for),
        child_name=keys.decrypt(review.child.first_name_enc),
        iro_name=review.child.iro.display_name,
        submitted_at=as_utc(consultation.submitted_at) if consultation.submitted_at else None,
        answers=answers,
    )


def save_answer(
    session: Session,
    keys: DataKeys,
    *,
    consultation_id: int,
    form: ConsultationForm,
    question_key: str,
    text: str | None,
) -> bool:
    """Store (or replace) one answer; ``text=None`` means skipped. False once sent.

    The advocacy and chairing wishes are also kept as plain flags, so the IRO's list and the
    annual figures can count them without decrypting anyone's words.
    """
    consultation = session.get_one(Consultation, consultation_id)
    if consultation.submitted_at is not None:
        return False
    question = form.question(question_key)
    answer = session.scalar(
        select(ConsultationAnswer).where(
            ConsultationAnswer.consultation_id == consultation_id,
            ConsultationAnswer.question_key == question_key,
        )
    )
    if answer is None:
        answer = ConsultationAnswer(consultation_id=consultation_id, question_key=question_key)
        session.add(answer)
    answer.answer_enc = None if text is None else keys.encrypt(text)
    answer.skipped = text is None
    answer.answered_at = utcnow()
    choice = question.choice_for(text) if text is not None and question.choices else None
    if question_key == ADVOCATE_KEY:
        consultation.advocate_requested = choice == "yes"
    if question_key == CHAIRING_KEY:
        consultation.chair_wish = choice
    session.flush()
    return True


def submit(session: Session, consultation_id: int) -> bool:
    """Mark the consultation sent. True only for the call that sent it (double taps: once).

    Sent views become part of what the IRO service reports on for the year, so they are kept
    for SENT_RETENTION after sending rather than the chat's shorter retention.
    """
    now = utcnow()
    sent = session.execute(
        update(Consultation)
        .where(Consultation.id == consultation_id, Consultation.submitted_at.is_(None))
        .values(submitted_at=now, delete_after=now + SENT_RETENTION)
    ).rowcount
    return sent == 1
