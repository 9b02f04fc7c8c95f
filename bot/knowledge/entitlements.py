"""What a care leaver can get, from four answers: age, what they do, where they live, parent?

The rules and words live in content/forms/entitlements.yml so that a council can check them
against its local offer; this module only reads answers and applies the rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

SLOTS = ("leaver_age", "leaver_activity", "leaver_housing", "leaver_is_parent")
STOPPED = "stopped"
MIN_AGE, MAX_AGE = 16, 25


@dataclass(frozen=True)
class Profile:
    age: int
    activity: str
    housing: str
    parent: str


class EntitlementsForm:
    def __init__(self, path: Path) -> None:
        self.path = path

    @cached_property
    def spec(self) -> dict[str, Any]:
        return yaml.safe_load(self.path.read_text(encoding="utf-8"))

    def is_stop(self, text: str) -> bool:
        cleaned = _words(text)
        return any(_has_phrase(cleaned, w) for w in self.spec["stop_words"])

    def read_answer(self, slot: str, text: str) -> str | None:
        """The canonical answer in ``text`` for ``slot``, or None if it isn't one."""
        if slot == "leaver_age":
            age = parse_age(text)
            return None if age is None else str(age)
        cleaned = _words(text)
        for value, phrases in self.spec["questions"][slot]["choices"].items():
            if cleaned == _words(str(value)) or any(_has_phrase(cleaned, p) for p in phrases):
                return str(value)
        return None

    def already_said(self, texts: list[str]) -> dict[str, str]:
        """What the person's own messages already answer (newest first wins), so the checker
        does not ask again: age from "I'm 19" and the like, the rest from ``already_said``."""
        found: dict[str, str] = {}
        for text in texts:
            cleaned = _words(text)
            age = stated_age(text)
            if age is not None:
                found.setdefault("leaver_age", str(age))
            for slot, values in (self.spec.get("already_said") or {}).items():
                for value, phrases in values.items():
                    if slot not in found and any(_has_phrase(cleaned, p) for p in phrases):
                        found[slot] = str(value)
        return found

    def applies(self, profile: Profile) -> list[dict[str, Any]]:
        return [e for e in self.spec["entitlements"] if _holds(e.get("when") or {}, profile)]


def parse_age(text: str) -> int | None:
    numbers = [int(n) for n in re.findall(r"\b(\d{1,2})\b", text)]
    if not numbers:
        return None
    age = numbers[0]
    return age if 10 <= age <= 30 else None


_STATED_AGE = re.compile(
    r"\b(?:i'?m|i am|im|aged?|age is|turned|turning)\s+(\d{2})\b"
    r"|\b(\d{2})\s*(?:yo|y/o|yrs? old|years? old|year-old)\b",
    re.IGNORECASE,
)


def stated_age(text: str) -> int | None:
    """An age the person says is theirs ("I'm 19", "19 years old"), within 10-30."""
    for match in _STATED_AGE.finditer(text.replace("\u2019", "'")):
        age = int(match.group(1) or match.group(2))
        if 10 <= age <= 30:
            return age
    return None


def _holds(when: dict[str, Any], profile: Profile) -> bool:
    checks = [
        profile.age >= when.get("min_age", 0),
        profile.age <= when.get("max_age", 99),
        profile.activity in when.get("activity", [profile.activity]),
        profile.housing in when.get("housing", [profile.housing]),
        profile.parent == str(when.get("parent", profile.parent)),
    ]
    return all(checks)


def _words(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9']+", text.lower()))


def _has_phrase(cleaned: str, phrase: str) -> bool:
    return re.search(rf"(^| ){re.escape(_words(str(phrase)))}( |$)", cleaned) is not None
