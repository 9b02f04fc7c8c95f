"""Changes in the law that answers describe, and whether each is in force yet.

``content/law.yml`` holds each change once, with the words for "now in force" and "coming",
said to the person the change is for ("it must offer you a family group meeting"), and where
an answer tells someone else, such as a grandparent, the same words about that person
(``now_for_others``, ``coming_for_others``: "offer the child's parents"). Answers say
``{provision_<id>}`` or ``{provision_<id>_for_others}``; the words are chosen when the
answer is shown, from the change's ``in_force`` flag and ``starts`` date. When the
government sets a start date, one edit to ``law.yml`` changes every answer that mentions the
change, and on that date the answers switch to "the law says" by themselves.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import yaml

NO_DATE_YET = "from a date the government will set"


@dataclass(frozen=True)
class Provision:
    id: str
    law: str
    source: str
    in_force: bool
    starts: dt.date | None
    now: str
    coming: str
    mentions: tuple[str, ...] = ()
    now_for_others: str | None = None
    coming_for_others: str | None = None

    def in_force_on(self, day: dt.date) -> bool:
        return self.in_force or (self.starts is not None and self.starts <= day)

    def wording(self, day: dt.date, for_others: bool = False) -> str:
        """What an answer says about this change on ``day``: to the person it is for, or
        (``for_others``) to someone else about them."""
        now, coming = ((self.now_for_others, self.coming_for_others) if for_others
                       else (self.now, self.coming))
        if now is None or coming is None:
            raise KeyError(f"{self.id}: no wording for others in law.yml")
        if self.in_force_on(day):
            return " ".join(now.split())
        starts = NO_DATE_YET if self.starts is None else (
            f"on {self.starts.day} {self.starts:%B %Y}")
        return " ".join(coming.replace("{starts}", starts).split())

    @property
    def has_wording_for_others(self) -> bool:
        return self.now_for_others is not None and self.coming_for_others is not None


def load_provisions(path: Path) -> dict[str, Provision]:
    """Every change in ``law.yml`` by id; an empty table when the file is absent."""
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {
        key: Provision(
            id=key,
            law=entry["law"],
            source=entry["source"],
            in_force=bool(entry["in_force"]),
            starts=entry.get("starts"),
            now=entry["now"],
            coming=entry["coming"],
            mentions=tuple(entry.get("mentions") or ()),
            now_for_others=entry.get("now_for_others"),
            coming_for_others=entry.get("coming_for_others"),
        )
        for key, entry in (data.get("provisions") or {}).items()
    }


def provision_values(provisions: dict[str, Provision], day: dt.date) -> dict[str, str]:
    """``{"provision_<id>": wording}`` (and ``provision_<id>_for_others`` where law.yml has
    it) for filling answer templates on ``day``."""
    values = {f"provision_{key}": p.wording(day) for key, p in provisions.items()}
    values.update({f"provision_{key}_for_others": p.wording(day, for_others=True)
                   for key, p in provisions.items() if p.has_wording_for_others})
    return values
