"""The statutory facts carebot states: content/facts.yml (transcribed from ../shared/FACTS.md).

Content tests check every amount, age, time limit, date and phone number in content/ against
this table, and check that the topics which must state a fact do state it.
"""

import yaml

from bot.config import REPO_ROOT

_FACTS = yaml.safe_load((REPO_ROOT / "content" / "facts.yml").read_text(encoding="utf-8"))

AMOUNTS = set(_FACTS["amounts"])
AGES = set(_FACTS["ages"])
WORKING_DAYS = set(_FACTS["working_days"])
MONTHS = set(_FACTS["months"])
DAYS = set(_FACTS["days"])
WEEKS = set(_FACTS["weeks"])
DATES = set(_FACTS["dates"])
PHONES = set(_FACTS["phones"])
REQUIRED: dict[str, list[str]] = _FACTS["required"]
FORBIDDEN: dict[str, list[str]] = _FACTS["forbidden"]
