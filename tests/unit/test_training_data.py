"""The training data's own gates, checked without Rasa (fast): an example question belongs to one
intent only (Rasa's validator fails on a conflict, `tests/integration/test_rasa_data.py`)."""

from __future__ import annotations

import re
from collections import defaultdict

import yaml

from bot.config import REPO_ROOT

ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")


def test_no_example_is_labelled_with_two_intents() -> None:
    labels: dict[str, set[str]] = defaultdict(set)
    for path in (REPO_ROOT / "rasa_project" / "data" / "nlu").glob("*.yml"):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []:
            for line in (item.get("examples") or "").splitlines() if "intent" in item else []:
                if line.strip().startswith("- "):
                    labels[ANNOTATION.sub(r"\1", line.strip()[2:]).strip()].add(item["intent"])
    assert {text: sorted(i) for text, i in labels.items() if len(i) > 1} == {}
