"""The consultation questions for children, parents and carers, read from content/forms/.

The words are content (a council can change them without code); the question keys are the
contract with the database and the IRO's dashboard, so a key must never be reused for a
different question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from db.models import Audience, ConsultationRole

# The question whose "yes" is acted on: said back at once, and flagged for the IRO.
ADVOCATE_KEY = "advocate"

FORM_FILES = {
    ConsultationRole.CHILD: "child_consultation.yml",
    ConsultationRole.PARENT: "parent_consultation.yml",
    ConsultationRole.CARER: "carer_consultation.yml",
}
# Who answers each form: redeeming an invite makes the person this audience, so the chat's
# other answers (and a question asked mid-form) are in their words.
AUDIENCE = {
    ConsultationRole.CHILD: Audience.CHILD,
    ConsultationRole.PARENT: Audience.PARENT,
    ConsultationRole.CARER: Audience.CARER,
}
SHARED_FILE = "consultation.yml"


@dataclass(frozen=True)
class Question:
    key: str
    label: str
    text: str
    quick_replies: tuple[str, ...] = ()
    choices: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def choice_for(self, answer: str) -> str | None:
        """Which of this question's choices an answer means, if it plainly means one."""
        said = words(answer)
        for choice, phrases in self.choices:
            if any(said == words(p) for p in phrases):
                return choice
        for choice, phrases in self.choices:  # "yes please, I'd like one" still says yes
            if any(words(p) and re.search(rf"\b{re.escape(words(p))}\b", said) for p in phrases):
                return choice
        return None


@dataclass(frozen=True)
class ConsultationForm:
    role: ConsultationRole
    intro: str
    questions: tuple[Question, ...]

    def question(self, key: str) -> Question:
        for q in self.questions:
            if q.key == key:
                return q
        raise KeyError(key)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(q.key for q in self.questions)


@dataclass(frozen=True)
class SharedWords:
    skip_title: str
    skip_words: frozenset[str]
    stop_words: frozenset[str]
    summary_titles: dict[str, str]
    texts: dict[str, str]
    codes: dict[str, str]
    # at the summary: "send", "change" and "later" and the words for each
    summary_words: dict[str, frozenset[str]]

    def is_skip(self, text: str) -> bool:
        return words(text) in self.skip_words

    def is_stop(self, text: str) -> bool:
        return words(text) in self.stop_words


def words(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9']+", text.lower().replace("\u2019", "'")))


@lru_cache(maxsize=8)
def load_form(content_dir: Path, role: ConsultationRole) -> ConsultationForm:
    spec = _load(content_dir / "forms" / FORM_FILES[role])
    questions = []
    for q in spec["questions"]:
        choices = tuple(
            (str(choice), tuple(str(p) for p in phrases))
            for choice, phrases in (q.get("choices") or {}).items()
        )
        questions.append(Question(
            key=q["key"], label=q["label"], text=q["text"].strip(),
            quick_replies=tuple(str(r) for r in q.get("quick_replies") or ()),
            choices=choices,
        ))
    keys = [q.key for q in questions]
    if len(set(keys)) != len(keys):
        raise ValueError(f"{FORM_FILES[role]}: question keys must be unique")
    return ConsultationForm(role=role, intro=spec["intro"].strip(), questions=tuple(questions))


@lru_cache(maxsize=4)
def load_shared(content_dir: Path) -> SharedWords:
    spec = _load(content_dir / "forms" / SHARED_FILE)
    return SharedWords(
        skip_title=spec["skip_title"],
        skip_words=frozenset(words(w) for w in spec["skip_words"]),
        stop_words=frozenset(words(w) for w in spec["stop_words"]),
        summary_titles=dict(spec["summary_titles"]),
        texts={k: v.strip() for k, v in spec["texts"].items()},
        codes={k: v.strip() for k, v in spec["codes"].items()},
        summary_words={k: frozenset(words(str(w)) for w in v)
                       for k, v in spec["summary_words"].items()},
    )


def _load(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)
