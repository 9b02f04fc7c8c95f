"""Recall of both safety layers together (lexicon screen, then the trained concern intent).

tests/data/safeguarding_holdout.yml was written without sight of the lexicon or the training
data. First measured (lexicon only): 85/121 caught; with the first trained model 97.5% but with
46-60% of benign messages flagged. After balancing the training data and moving intents to
logistic regression: 120/121 and 13/91 benign; one lexicon concept (asking how much of a
medicine is fatal) was then added for the miss. From then on it is a regression set, not an
unseen one.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.rasa_runtime import CONCERN_THRESHOLD, RasaRuntime, concern_score
from bot.safety.screen import SafetyScreen

DATA = Path(__file__).resolve().parents[1] / "data"


async def fires(screen: SafetyScreen, runtime: RasaRuntime, text: str) -> bool:
    if screen.check(text).is_concern:
        return True
    parse = await runtime.agent.parse_message(text.lstrip("/"))
    return concern_score(parse) >= CONCERN_THRESHOLD


@pytest.mark.anyio
@pytest.mark.parametrize("name", ["safeguarding_golden.yml", "safeguarding_holdout.yml"])
async def test_every_disclosure_is_caught_by_one_layer_or_the_other(
    safety_screen: SafetyScreen, runtime: RasaRuntime, name: str
) -> None:
    disclosures = yaml.safe_load((DATA / name).read_text())["disclosures"]
    missed = [d["text"] for d in disclosures if not await fires(safety_screen, runtime, d["text"])]
    assert missed == []


@pytest.mark.anyio
async def test_benign_look_alikes_trigger_at_most_one_in_five(
    safety_screen: SafetyScreen, runtime: RasaRuntime
) -> None:
    benign = yaml.safe_load((DATA / "safeguarding_holdout.yml").read_text())["benign"]
    benign += yaml.safe_load((DATA / "safeguarding_benign.yml").read_text())["benign"]
    fired = [t for t in benign if await fires(safety_screen, runtime, t)]
    print(f"benign messages flagged: {len(fired)}/{len(benign)} = {len(fired) / len(benign):.1%}")
    assert len(fired) / len(benign) <= 0.20
