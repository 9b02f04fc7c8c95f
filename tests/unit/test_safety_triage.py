"""Three outcomes from what the safety layers found: disclosure, not sure, ordinary."""

from __future__ import annotations

import pytest

from bot.safety.screen import ScreenResult
from bot.safety.triage import (
    LEXICON_CONFIRMED,
    MODEL_CLEAR,
    MODEL_NOTICED,
    Outcome,
    triage,
)

HIT = ScreenResult(("abuse_physical",))
NONE = ScreenResult()


def test_a_lexicon_hit_the_model_agrees_with_is_a_disclosure() -> None:
    verdict = triage(HIT, LEXICON_CONFIRMED)
    assert verdict.outcome == Outcome.DISCLOSURE and verdict.categories == ("abuse_physical",)


def test_a_lexicon_hit_the_model_doubts_gets_the_check_in_never_nothing() -> None:
    assert triage(HIT, 0.0).outcome == Outcome.NOT_SURE
    assert triage(HIT, LEXICON_CONFIRMED - 0.01).outcome == Outcome.NOT_SURE


def test_a_lexicon_hit_without_the_model_is_a_disclosure_fail_safe() -> None:
    assert triage(HIT, None).outcome == Outcome.DISCLOSURE


@pytest.mark.parametrize(("score", "outcome"), [
    (0.0, Outcome.ORDINARY),
    (MODEL_NOTICED - 0.01, Outcome.ORDINARY),
    (MODEL_NOTICED, Outcome.NOT_SURE),
    (MODEL_CLEAR - 0.01, Outcome.NOT_SURE),
    (MODEL_CLEAR, Outcome.DISCLOSURE),
    (0.99, Outcome.DISCLOSURE),
])
def test_the_model_alone_decides_by_its_thresholds(score: float, outcome: Outcome) -> None:
    assert triage(NONE, score).outcome == outcome


def test_nothing_noticed_and_no_model_is_ordinary() -> None:
    assert triage(NONE, None).outcome == Outcome.ORDINARY
