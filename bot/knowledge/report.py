"""`carebot content report`: which answers are due a check, which sources stand alone, and
which statutory figures each answer states.

Content is safety: a figure that was right when an answer was written goes wrong when the law
moves. This report is what a content editor reads each month; `make test` prints it, and the
content tests fail on an answer not checked for 18 months or a figure missing from
``content/facts.yml``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.knowledge.content import Content
from bot.knowledge.topics import TopicLibrary

DUE_AFTER_DAYS = 365  # listed in the report
STALE_AFTER_DAYS = 548  # about 18 months: the tests fail

_MONTH = ("January|February|March|April|May|June|July|August|September|October|November"
          "|December")
PATTERNS: dict[str, re.Pattern[str]] = {
    "amounts": re.compile(r"£\s?[\d,]+"),
    "working_days": re.compile(r"\b(\d+)\s+working days?"),
    "months": re.compile(r"\b(\d+)\s+months?"),
    "weeks": re.compile(r"\b(\d+)\s+weeks?"),
    "days": re.compile(r"\b(\d+)\s+days?\b"),
    "dates": re.compile(rf"\b(?:\d{{1,2}} )?(?:{_MONTH}) \d{{4}}\b"),
    "phones": re.compile(
        r"\b0\d{3,4}\s?\d{3}\s?\d{3,4}\b|\b116 123\b|\b0800 1111\b|\b85258\b|\b999\b"),
}


@dataclass(frozen=True)
class FactsTable:
    """content/facts.yml: every figure carebot may state."""

    figures: dict[str, frozenset[str]]

    @classmethod
    def load(cls, path: Path) -> FactsTable:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return cls({kind: frozenset(str(v) for v in data[kind]) for kind in PATTERNS})

    def known(self, kind: str, figure: str) -> bool:
        if kind == "days":  # "10 working days" also reads as "10 days"
            return figure in self.figures["days"] | self.figures["working_days"]
        return figure in self.figures[kind]


def figures_in(text: str) -> dict[str, set[str]]:
    """The statutory-looking figures in ``text``, by kind (amounts, dates, phones...)."""
    found: dict[str, set[str]] = {}
    for kind, pattern in PATTERNS.items():
        hits = {h.replace(" ", "") if kind == "amounts" else h for h in pattern.findall(text)}
        if hits:
            found[kind] = hits
    return found


def unknown_figures(text: str, facts: FactsTable, council: set[str]) -> list[tuple[str, str]]:
    """(kind, figure) pairs in ``text`` that neither the facts table nor the council has."""
    return sorted(
        (kind, figure)
        for kind, figures in figures_in(text).items()
        for figure in figures
        if not facts.known(kind, figure) and figure not in council
    )


def council_values(content: Content) -> set[str]:
    values: set[str] = set()
    for value in content.authority.values():
        if isinstance(value, dict):
            values |= {str(v) for v in value.values()}
        else:
            values.add(str(value))
    return values


def build_report(content_dir: Path, local_authority: str, today: dt.date) -> str:
    """The report as plain text."""
    library = TopicLibrary(content_dir / "topics")
    content = Content(content_dir, local_authority)
    facts = FactsTable.load(content_dir / "facts.yml")
    council = council_values(content)
    topics = list(library.topics.values())
    lines = [f"Content report for {content.authority.get('name', local_authority)}, "
             f"{today.isoformat()}: {len(topics)} answers."]

    due = sorted((t.checked, t.id) for t in topics
                 if (today - t.checked).days > DUE_AFTER_DAYS)
    lines += ["", f"Answers not checked in the last 12 months: {len(due)}"]
    lines += [f"  {tid} (checked {checked.isoformat()})" for checked, tid in due]

    uses = Counter(source for t in topics for source in set(t.sources))
    alone = sorted((s, t.id) for t in topics for s in t.sources if uses[s] == 1)
    lines += ["", f"Sources cited by one answer only: {len(alone)}"]
    lines += [f"  {tid}: {source}" for source, tid in alone]

    used: dict[str, set[str]] = {kind: set() for kind in PATTERNS}
    for audience in ("child", "parent"):  # the safeguarding reply states helplines too
        for kind, figures in figures_in(content.signposting(audience)).items():
            used[kind] |= {f for f in figures if facts.known(kind, f)}
    lines += ["", "Figures each answer states (from content/facts.yml):"]
    for topic in topics:
        stated: dict[str, set[str]] = {}
        for text in topic.answers.values():
            for kind, figures in figures_in(content.fill(text)).items():
                stated.setdefault(kind, set()).update(f for f in figures if facts.known(kind, f))
        for kind, figures in stated.items():
            used[kind] |= figures
            if kind == "days":
                used["working_days"] |= figures
        shown = sorted(f for figures in stated.values() for f in figures)
        provisions = f"; law changes: {', '.join(topic.provisions)}" if topic.provisions else ""
        lines.append(f"  {topic.id}: {', '.join(shown) if shown else '-'}{provisions}")

    unused = sorted(f"{kind}: {figure}" for kind in PATTERNS
                    for figure in facts.figures[kind] - used[kind])
    lines += ["", f"Figures in content/facts.yml that no answer states: {len(unused)}"]
    lines += [f"  {item}" for item in unused]

    wrong = [(t.id, aud, kind, fig) for t in topics for aud, text in t.answers.items()
             for kind, fig in unknown_figures(content.fill(text), facts, council)]
    lines += ["", f"Figures in answers that content/facts.yml does not have: {len(wrong)}"]
    lines += [f"  {tid}/{aud}: {fig} ({kind})" for tid, aud, kind, fig in wrong]
    return "\n".join(lines)
