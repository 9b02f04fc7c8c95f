"""Is a text plain enough for the person who will read it? The gates carebot's own words pass
(``tests/unit/test_topics.py``, ``tests/unit/test_consultation_content.py``), so that words
staff write can be held to them too: the IRO's letter after a review is checked before it is
sent, and the IRO is warned, never stopped.

- **Reading grade**, for children and young people: the Flesch-Kincaid grade (textstat) at
  most ``READING_GRADE_LIMIT`` (a reading age of about 11). Web and email addresses and phone
  numbers are left out first: they are copied, not read, and the formula would count one as a
  long word. Under ``MIN_WORDS_TO_GRADE`` words the formula means nothing and is not used.
- **Care jargon**, for everyone: the words ``content/language.yml`` asks us to avoid, each
  with its plain words.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import textstat
import yaml

READING_GRADE_LIMIT = 6
MIN_WORDS_TO_GRADE = 10
# Flesch-Kincaid grades are US school grades (grade 1 at about 6 years old): a UK reading age
# is about five years more than the grade.
READING_AGE_OVER_GRADE = 5
_NOT_READ = re.compile(r"https?://\S+|\S+@\S+\.\S+|\+?\d[\d ]{5,}\d")


@dataclass(frozen=True)
class Jargon:
    word: str
    plain: str  # what to say instead


@dataclass(frozen=True)
class Readability:
    """What the gates found: nothing, for a text that passes."""

    grade: float | None  # None: not graded (an adult reader, or too few words)
    jargon: tuple[Jargon, ...] = ()

    @property
    def too_hard(self) -> bool:
        return self.grade is not None and self.grade > READING_GRADE_LIMIT

    @property
    def reading_age(self) -> int | None:
        return None if self.grade is None else round(self.grade) + READING_AGE_OVER_GRADE

    @property
    def passes(self) -> bool:
        return not self.too_hard and not self.jargon


@lru_cache(maxsize=4)
def words_to_avoid(content_dir: Path) -> dict[str, str]:
    """``content/language.yml``: each word to avoid, and the plain words to use instead."""
    data = yaml.safe_load((content_dir / "language.yml").read_text(encoding="utf-8"))
    return {str(word): str(plain) for word, plain in data["avoid"].items()}


def jargon_in(text: str, avoid: Mapping[str, str]) -> list[Jargon]:
    """The words to avoid that ``text`` uses (whole words, any case), in the list's order."""
    return [Jargon(word, plain) for word, plain in avoid.items()
            if re.search(rf"\b{re.escape(word)}\b", text, re.IGNORECASE)]


def reading_grade(text: str) -> float | None:
    """The Flesch-Kincaid grade of the words in ``text`` that are read; None for a text too
    short for the formula to mean anything."""
    words = _NOT_READ.sub("", text)
    if len(words.split()) < MIN_WORDS_TO_GRADE:
        return None
    return float(textstat.flesch_kincaid_grade(words))


def check(text: str, avoid: Mapping[str, str], *, young_reader: bool) -> Readability:
    """``text`` against carebot's gates: the reading grade for a child or young person, the
    jargon for everyone."""
    return Readability(
        grade=reading_grade(text) if young_reader else None,
        jargon=tuple(jargon_in(text, avoid)),
    )
