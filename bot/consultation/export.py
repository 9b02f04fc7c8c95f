"""The submitted views for one review, decrypted for the case record, and as CSV rows.

The export itself (JSON or CSV, audit-logged, with the review's messages to the IRO for whoever
may read them) is ``bot/staff/case_record.py``, where this capability and the messages meet.

Only answers people confirmed and sent are exported; answers still in progress are theirs
until they send them. The carer's name and address (placement details) are left out unless
the caller explicitly asks for them: a default that included them once showed a foster
placement to a parent.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.consultation.answers import consultation_state
from bot.consultation.form import load_form
from db.encryption import DataKeys
from db.models import Consultation, ConsultationRole, Review
from db.time import as_utc

ROLE_ORDER = list(ConsultationRole)  # the child first, then parents, then carers
CSV_COLUMNS = [
    "review_id", "case_reference", "review_date", "role", "submitted_at",
    "question_key", "question", "answer", "skipped",
]


def review_views(
    session: Session, keys: DataKeys, content_dir: Path, review_id: int,
    *, include_placement: bool = False,
) -> dict[str, Any]:
    """Everything sent for ``review_id``: the child's, then the parents', then the carers'
    answers, each in form order.

    ``placement_details`` is only present when ``include_placement`` is true.
    """
    review = session.get(Review, review_id)
    if review is None:
        raise LookupError(f"there is no review {review_id}")
    consultations = sorted(
        session.scalars(
            select(Consultation)
            .where(Consultation.review_id == review_id, Consultation.submitted_at.is_not(None))
            .order_by(Consultation.submitted_at)
        ),
        key=lambda c: ROLE_ORDER.index(c.role),
    )
    sent = []
    for consultation in consultations:
        state = consultation_state(session, keys, consultation.id)
        form = load_form(content_dir, consultation.role)
        answers = []
        for question in form.questions:
            answer = state.answers.get(question.key)
            answers.append({
                "key": question.key,
                "question": question.label,
                "answer": answer.text if answer else None,
                "skipped": answer is None or answer.skipped,
            })
        sent.append({
            "role": consultation.role.value,
            "submitted_at": as_utc(consultation.submitted_at).isoformat(),
            "advocate_requested": consultation.advocate_requested,
            "chair_wish": consultation.chair_wish,
            "answers": answers,
        })
    views: dict[str, Any] = {
        "review_id": review.id,
        "case_reference": review.child.case_reference,
        "child": keys.decrypt(review.child.first_name_enc),
        "iro": review.child.iro.display_name,
        "review_date": as_utc(review.scheduled_for).isoformat(),
        "consultations": sent,
    }
    if include_placement:
        sealed = review.child.placement_details_enc
        views["placement_details"] = keys.decrypt(sealed) if sealed else None
    return views


def answer_rows(views: dict[str, Any]) -> Iterator[dict[str, object]]:
    """One CSV row (``CSV_COLUMNS``) for each question of each sent consultation in ``views``."""
    for consultation in views["consultations"]:
        for answer in consultation["answers"]:
            yield {
                "review_id": views["review_id"],
                "case_reference": views["case_reference"],
                "review_date": views["review_date"],
                "role": consultation["role"],
                "submitted_at": consultation["submitted_at"],
                "question_key": answer["key"],
                "question": answer["question"],
                "answer": answer["answer"] or "",
                "skipped": "yes" if answer["skipped"] else "no",
            }
