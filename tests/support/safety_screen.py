"""The project's safety screen for tests: one per test process, shared by the fixtures and by
the helpers that make text the screen must let through (invite codes, tagged answers)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from bot.safety.screen import SafetyScreen

LEXICON = Path(__file__).resolve().parents[2] / "content" / "safeguarding" / "lexicon.yml"


@cache
def repo_safety_screen() -> SafetyScreen:
    """Built once per test process (it takes a second or two)."""
    return SafetyScreen(LEXICON)
