"""Figures for the annual report: consultation rates per IRO and team, alerts, and themes.

Definitions (also shown on the report page):
- **reviews held**: reviews scheduled in the period whose date has passed (not cancelled);
- **children consulted**: held reviews where the child's views were sent before the review;
- **parents consulted**: held reviews where a parent's views were sent before the review;
- **carers consulted**: the same for the child's foster or kinship carer;
- **asked for an advocate** and **want to chair or co-chair**: out of the children consulted;
- **alerts**: alerts raised in the period about these children's reviews; the median time to
  acknowledge is over those acknowledged;
- **messages** (``MessageFigures``): from children, parents and carers to the child's IRO now
  (after a reassignment, the covering IRO's): those received in the period; the median time to
  first reply, in clock hours (nights and weekends count), from the first message a reply
  answers (the person's first unanswered one) to that reply, over waits that began in the
  period and have been answered; and the messages unanswered for 3 working days now, whenever
  they were sent (``bot/iro_messages/working_days.py``, as the inbox shows them);
- **letters after reviews** (``LetterFigures``, bot/iro_messages/letter_figures.py): of the held
  reviews whose letter is due (sent, or 20 working days over), those whose first letter went
  within 20 working days of the review.

Themes are counted on demand from decrypted answers and never stored: the words of each
child's free-text answers are lemmatised (spaCy's blank English tokenizer with the lookup
lemmas of spacy-lookups-data; no trained model, so no noun-phrase parsing), stop words and
very common words are dropped, and single words and adjacent word pairs are counted once per
child. Only themes mentioned by at least ``MIN_CHILDREN_PER_THEME`` children are shown, so no
one child's words can be picked out.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path

import spacy
from spacy.language import Language
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.consultation.form import load_form
from bot.iro_messages.letter_figures import LetterFigures, letter_figures
from bot.staff.threads import overdue
from db.encryption import DataKeys
from db.models import (
    Alert,
    AlertPriority,
    Child,
    Consultation,
    ConsultationAnswer,
    ConsultationRole,
    IroMessage,
    IroThread,
    Review,
)
from db.time import as_utc

CHAIRING = {"chair", "co_chair"}
MIN_CHILDREN_PER_THEME = 2
# Words that say little about what matters to a child, on top of spaCy's stop words.
PLAIN_WORDS = {
    "want", "like", "think", "know", "get", "really", "thing", "lot", "bit", "okay", "ok",
    "yes", "no", "not", "just", "that", "all", "nothing", "good", "fine", "please", "thanks",
    "sometimes", "feel", "make", "go", "come", "say", "see",
}


class _Percent:
    """A percentage of one count over another, to one decimal place; None when out of 0."""

    def __init__(self, part: str, whole: str) -> None:
        self.part, self.whole = part, whole

    def __get__(self, rates: Rates, owner: type) -> float | None:
        whole = getattr(rates, self.whole)
        return None if whole == 0 else round(100 * getattr(rates, self.part) / whole, 1)


@dataclass
class MessageFigures:
    """Messages from children, parents and carers to an IRO, and how soon they were answered."""

    received: int = 0
    reply_waits: list[timedelta] = field(default_factory=list)
    overdue_now: int = 0

    @property
    def median_reply(self) -> timedelta | None:
        return statistics.median(self.reply_waits) if self.reply_waits else None

    def add(self, other: MessageFigures) -> None:
        self.received += other.received
        self.reply_waits.extend(other.reply_waits)
        self.overdue_now += other.overdue_now


@dataclass
class Rates:
    """One row of the report: an IRO, or the total for everyone in view."""

    label: str
    reviews_held: int = 0
    children_consulted: int = 0
    parents_consulted: int = 0
    carers_consulted: int = 0
    advocate_requested: int = 0
    want_to_chair: int = 0
    alerts: int = 0
    alerts_acknowledged: int = 0
    ack_times: list[timedelta] = field(default_factory=list)
    messages: MessageFigures = field(default_factory=MessageFigures)
    letters: LetterFigures = field(default_factory=LetterFigures)

    children_pct = _Percent("children_consulted", "reviews_held")
    parents_pct = _Percent("parents_consulted", "reviews_held")
    carers_pct = _Percent("carers_consulted", "reviews_held")
    advocate_pct = _Percent("advocate_requested", "children_consulted")
    chair_pct = _Percent("want_to_chair", "children_consulted")

    @property
    def median_ack(self) -> timedelta | None:
        return statistics.median(self.ack_times) if self.ack_times else None

    def add(self, other: Rates) -> None:
        for name in ("reviews_held", "children_consulted", "parents_consulted",
                     "carers_consulted", "advocate_requested", "want_to_chair", "alerts",
                     "alerts_acknowledged"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.ack_times.extend(other.ack_times)
        self.messages.add(other.messages)
        self.letters = self.letters + other.letters


@dataclass(frozen=True)
class Period:
    start: datetime  # inclusive
    end: datetime  # exclusive


def held_reviews(session: Session, iro_id: int, period: Period, now: datetime) -> list[Review]:
    return list(session.scalars(
        select(Review).join(Child, Child.id == Review.child_id).where(
            Child.iro_id == iro_id,
            Review.scheduled_for >= period.start,
            Review.scheduled_for < min(period.end, now),
            Review.status != "cancelled",
        )
    ))


def sent_before(session: Session, review: Review) -> list[Consultation]:
    """The consultations for ``review`` sent before the review took place."""
    return [
        c for c in session.scalars(
            select(Consultation).where(
                Consultation.review_id == review.id, Consultation.submitted_at.is_not(None)
            )
        )
        if as_utc(c.submitted_at) <= as_utc(review.scheduled_for)
    ]


def rates_for_iro(
    session: Session, iro_id: int, label: str, period: Period, now: datetime
) -> Rates:
    rates = Rates(label)
    for review in held_reviews(session, iro_id, period, now):
        rates.reviews_held += 1
        sent = sent_before(session, review)
        children = [c for c in sent if c.role == ConsultationRole.CHILD]
        if children:
            rates.children_consulted += 1
            rates.advocate_requested += any(c.advocate_requested for c in children)
            rates.want_to_chair += any(c.chair_wish in CHAIRING for c in children)
        rates.parents_consulted += any(c.role == ConsultationRole.PARENT for c in sent)
        rates.carers_consulted += any(c.role == ConsultationRole.CARER for c in sent)
    alerts = session.scalars(
        select(Alert).join(Review, Review.id == Alert.review_id)
        .join(Child, Child.id == Review.child_id)
        .where(Child.iro_id == iro_id, Alert.created_at >= period.start,
               Alert.created_at < period.end, Alert.priority == AlertPriority.URGENT.value)
    ).all()
    rates.alerts = len(alerts)
    for alert in alerts:
        if alert.acknowledged_at is not None:
            rates.alerts_acknowledged += 1
            rates.ack_times.append(as_utc(alert.acknowledged_at) - as_utc(alert.created_at))
    rates.messages = message_figures(session, iro_id, period, now)
    rates.letters = letter_figures(session, iro_id, period.start, period.end, now)
    return rates


def message_figures(session: Session, iro_id: int, period: Period, now: datetime
                    ) -> MessageFigures:
    """The messages to the IRO of ``iro_id``'s children (see the module's definitions).

    A reply answers every unanswered message before it in its thread, and they all get the
    reply's time as ``answered_at``: the messages one reply answered share a thread and an
    ``answered_at``, and the wait for that reply began at the first of them."""
    rows = session.execute(
        select(IroMessage.thread_id, IroMessage.sent_at, IroMessage.answered_at)
        .join(IroThread, IroThread.id == IroMessage.thread_id)
        .join(Review, Review.id == IroThread.review_id)
        .join(Child, Child.id == Review.child_id)
        .where(Child.iro_id == iro_id, IroMessage.staff_user_id.is_(None))
    ).all()
    figures = MessageFigures()
    wait_began: dict[tuple[int, datetime], datetime] = {}
    for thread_id, sent_at, answered_at in rows:
        sent = as_utc(sent_at)
        figures.received += period.start <= sent < period.end
        if answered_at is None:
            figures.overdue_now += overdue(sent, now)
        else:
            reply = (thread_id, as_utc(answered_at))
            wait_began[reply] = min(wait_began.get(reply, sent), sent)
    figures.reply_waits = [
        answered - began for (_, answered), began in wait_began.items()
        if period.start <= began < period.end
    ]
    return figures


def report_rows(
    session: Session, iros: Sequence[tuple[int, str]], period: Period, now: datetime,
    total_label: str = "Total",
) -> tuple[list[Rates], Rates]:
    """One row per IRO (id, name), and the total over them."""
    rows = [rates_for_iro(session, iro_id, name, period, now) for iro_id, name in iros]
    total = Rates(total_label)
    for row in rows:
        total.add(row)
    return rows, total


@lru_cache(maxsize=1)
def _nlp() -> Language:
    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    return nlp


def _terms(text: str) -> set[str]:
    words: list[str | None] = []
    for token in _nlp()(text):
        lemma = token.lemma_.lower() or token.lower_
        keep = (
            token.is_alpha and len(token) > 2 and not token.is_stop
            and lemma not in PLAIN_WORDS and token.lower_ not in PLAIN_WORDS
        )
        words.append(lemma if keep else None)  # None breaks a pair
    terms = {w for w in words if w}
    terms.update(f"{a} {b}" for a, b in zip(words, words[1:]) if a and b)
    return terms


def themes(
    children_texts: Iterable[Iterable[str]], min_children: int = MIN_CHILDREN_PER_THEME,
    top: int = 12,
) -> list[tuple[str, int]]:
    """The words and word pairs most children mention, with how many children mention each.

    Each child counts once per theme however often they say it. A word pair that is as common
    as its words is shown instead of them ("family time", not "family" and "time").
    """
    counts: Counter[str] = Counter()
    for texts in children_texts:
        mentioned: set[str] = set()
        for text in texts:
            mentioned |= _terms(text)
        counts.update(mentioned)
    common = {t: n for t, n in counts.items() if n >= min_children}
    covered = {
        word for term, n in common.items() if " " in term
        for word in term.split() if common.get(word) == n
    }
    ranked = sorted(
        ((t, n) for t, n in common.items() if t not in covered), key=lambda tn: (-tn[1], tn[0])
    )
    return ranked[:top]


def children_texts(
    session: Session, keys: DataKeys, content_dir: Path, iro_ids: Sequence[int],
    period: Period, now: datetime,
) -> list[list[str]]:
    """Each consulted child's free-text answers (decrypted in memory, for ``themes``)."""
    form = load_form(content_dir, ConsultationRole.CHILD)
    free_text = {q.key for q in form.questions if not q.choices}
    out: list[list[str]] = []
    for iro_id in iro_ids:
        for review in held_reviews(session, iro_id, period, now):
            for consultation in sent_before(session, review):
                if consultation.role != ConsultationRole.CHILD:
                    continue
                answers = session.scalars(
                    select(ConsultationAnswer).where(
                        ConsultationAnswer.consultation_id == consultation.id,
                        ConsultationAnswer.answer_enc.is_not(None),
                    )
                )
                out.append([
                    keys.decrypt(a.answer_enc) for a in answers if a.question_key in free_text
                ])
    return out
