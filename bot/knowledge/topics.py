"""Topics: what carebot knows, one YAML file each in content/topics/ (see its README).

An answer is chosen for the reader (their audience's own, else the child's, else the care
leaver's, else the parent's) and filled with their council's values at run time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import yaml

AUDIENCES = ("child", "care_leaver", "parent", "carer")
# Whose answer a reader sees when a topic has none written for them: a carer reads the
# parent's (both look after a child), everyone else the plainest one first.
FALLBACK_ORDER = {
    "child": ("child", "care_leaver", "parent", "carer"),
    "care_leaver": ("care_leaver", "child", "parent", "carer"),
    "parent": ("parent", "carer", "child", "care_leaver"),
    "carer": ("carer", "parent", "child", "care_leaver"),
}
DEFAULT_ORDER = FALLBACK_ORDER["child"]
# An overview answer lists an area's main points and offers the detailed answers as buttons.
MAX_FOLLOW_UPS = 2
MAX_OVERVIEW_FOLLOW_UPS = 6
TOPIC_INTENT_PREFIX = "faq_"


@dataclass(frozen=True)
class Topic:
    id: str
    title: str
    answers: dict[str, str]
    follow_ups: tuple[str, ...]
    sources: tuple[str, ...]
    checked: dt.date
    questions: tuple[str, ...] = ()
    overview: bool = False
    provisions: tuple[str, ...] = ()  # changes in the law it describes (content/law.yml)

    def answer_for(self, audience: str) -> str:
        return self.answers[self.version_for(audience)]

    def version_for(self, audience: str) -> str:
        """Whose version of the answer ``audience`` reads: their own, else the nearest one
        (a carer reads the parent's; see the topics README)."""
        for key in FALLBACK_ORDER.get(audience, DEFAULT_ORDER):
            if key in self.answers:
                return key
        raise KeyError(f"topic {self.id} has no answer")

    @property
    def differs_by_audience(self) -> bool:
        return len(self.answers) > 1

    @property
    def payload(self) -> str:
        """The button payload that asks for this topic directly (no NLU guess involved)."""
        return topic_payload(self.id)


LONG_MESSAGE_CHARS = 160  # a story, then a question (as the retriever's long_message_chars)


def sounds_unhappy(text: str, cues: dict[str, list[str]]) -> bool:
    """Whether someone is unhappy with a decision or asks what they can do about one.

    On real questions from parents and carers, the commonest thing a first answer lacked was
    how to complain: the story's topic was answered ("family time was cut") but not its
    point ("can they do this? what can I do?"). ``cues`` is ``unhappy_cues`` in
    content/chat.yml: phrases enough on their own, and phrases that count only at the end of
    a story (a short "what can I do" is usually about something else)."""
    lowered = " " + " ".join(text.lower().replace("’", "'").split()) + " "
    if any(cue in lowered for cue in cues.get("any_length", [])):
        return True
    return len(text) >= LONG_MESSAGE_CHARS and any(
        cue in lowered for cue in cues.get("long_message", []))


def topic_payload(topic_id: str) -> str:
    return f"/{topic_intent(topic_id)}"


def topic_intent(topic_id: str) -> str:
    return f"{TOPIC_INTENT_PREFIX}{topic_id}"


def topic_of_intent(intent: str | None) -> str | None:
    if intent and intent.startswith(TOPIC_INTENT_PREFIX):
        return intent[len(TOPIC_INTENT_PREFIX):]
    return None


class AnswerWords:
    """How much of a question's wording each answer uses (TF-IDF cosine over the answer texts).

    The retriever compares a question with other questions; this compares it with what the
    answers say, so between close candidates the one that speaks to the question's own words
    ("setting up home", "viability", "Ombudsman") wins. Weighted ``ANSWER_WORDS_WEIGHT``
    against the retriever's confidence (0.5 beat 1 and 2 offline), it took first replies
    holding a good answer from 92 to 94 of 166 on the second development set and from 152 to
    154 of 184 on the first (make eval-answers, 2 December 2026)."""

    def __init__(self, topics: dict[str, Topic]) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.rows = {topic_id: i for i, topic_id in enumerate(sorted(topics))}
        self.vectorizer = TfidfVectorizer(sublinear_tf=True, stop_words="english")
        self.matrix = self.vectorizer.fit_transform(
            [" ".join(topics[t].answers.values()) for t in sorted(topics)])

    def similarity(self, text: str, topic_ids: list[str]) -> list[float]:
        scores = (self.matrix @ self.vectorizer.transform([text]).T).toarray().ravel()
        return [float(scores[self.rows[t]]) if t in self.rows else 0.0 for t in topic_ids]


ANSWER_WORDS_WEIGHT = 0.5
# Only candidates this close to the first are re-ordered: a clear first choice stays first.
ANSWER_WORDS_MARGIN = 0.1


class TopicLibrary:
    def __init__(self, topics_dir: Path) -> None:
        self.topics_dir = topics_dir

    @cached_property
    def answer_words(self) -> AnswerWords:
        return AnswerWords(self.topics)

    @cached_property
    def topics(self) -> dict[str, Topic]:
        found: dict[str, Topic] = {}
        for path in sorted(self.topics_dir.glob("*.yml")):
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            found[data["id"]] = Topic(
                id=data["id"],
                title=data["title"],
                answers={k: v.strip() for k, v in data["answers"].items()},
                follow_ups=tuple(data.get("follow_ups") or ()),
                sources=tuple(data.get("sources") or ()),
                checked=data["checked"],
                questions=tuple(data.get("questions") or ()),
                overview=bool(data.get("overview", False)),
                provisions=tuple(data.get("provisions") or ()),
            )
        return found

    def get(self, topic_id: str) -> Topic | None:
        return self.topics.get(topic_id)

    def payloads(self) -> frozenset[str]:
        return frozenset(t.payload for t in self.topics.values())


GENERATED = "# Generated from content/topics/ by `carebot topics-domain`; do not edit by hand.\n"


def faq_domain(library: TopicLibrary) -> str:
    """rasa_project/domain/faq.yml: one intent per topic, all answered by one action."""
    lines = [
        GENERATED.rstrip(),
        'version: "3.1"',
        "",
        "intents:",
        *(f"  - {topic_intent(t)}" for t in library.topics),
        "",
        "actions:",
        "  - action_answer_topic",
    ]
    return "\n".join(lines) + "\n"


def faq_nlu(library: TopicLibrary) -> str:
    """rasa_project/data/nlu/faq.yml: each topic's example questions under its intent.

    The questions live beside the answer in content/topics/, so adding an answer is one file.
    """
    lines = [GENERATED.rstrip(), 'version: "3.1"', "", "nlu:"]
    for topic in library.topics.values():
        lines += [f"  - intent: {topic_intent(topic.id)}", "    examples: |"]
        lines += [f"      - {' '.join(q.split())}" for q in topic.questions]
    return "\n".join(lines) + "\n"


def faq_rules(library: TopicLibrary) -> str:
    """rasa_project/data/rules/faq.yml: each topic intent -> action_answer_topic.

    The answer text is never in Rasa's files: the action renders it from content/ for the
    reader's audience and council.
    """
    lines = [GENERATED.rstrip(), 'version: "3.1"', "", "rules:"]
    for topic_id in library.topics:
        lines += [
            f"  - rule: answer {topic_id}",
            "    steps:",
            f"      - intent: {topic_intent(topic_id)}",
            "      - action: action_answer_topic",
        ]
    return "\n".join(lines) + "\n"
