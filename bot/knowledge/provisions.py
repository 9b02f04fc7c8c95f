"""Changes in the law that answers describe, and whether each is in force yet.

``content/law.yml`` holds each change once, with the words for "now in force" and "coming".
Answers say ``{provision_<id>}``; the words are chosen when the answer is shown, from the
change's ``in_force`` flag and ``starts`` date. When the government sets a start date, one
edit to ``law.yml`` changes every answer that mentions the change, and on that date the
answers switch to "the law says" by themselves.
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

    def in_force_on(self, day: dt.date) -> bool:
        return self.in_force or (self.starts is not None and self.starts <= day)

    def wording(self, day: dt.date) -> str:
        """What an answer says about this change on ``day``."""
        if self.in_force_on(day):
            return " ".join(self.now.split())
        starts = NO_DATE_YET if self.starts is None else (
            f"on {self.starts.day} {self.starts:%B %Y}")
        return " ".join(self.coming.replace("{starts}", starts).split())


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
        )
        for key, entry in (data.get("provisions") or {}).items()
    }


def provision_values(provisions: dict[str, Provision], day: dt.date) -> dict[str, str]:
    """``{"provision_<id>": wording}`` for filling answer templates on ``day``."""
    return {f"provision_{key}": p.wording(day) for key, p in provisions.items()}
