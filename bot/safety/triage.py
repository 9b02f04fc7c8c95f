"""Three outcomes, not two: what the chat does with what the safety layers found.

- **Disclosure**: clear risk in the words. The fixed signposting and an urgent alert.
- **Not sure**: risk words in an ordinary sentence, or a model score between thresholds. A
  short, warm check-in that does not assume harm, with the person's question answered in the
  same turn; "I'm not OK" escalates. Recorded as a low-priority possible concern.
- **Ordinary**: answered as usual.

Recall is never traded away: whatever either layer notices gets at least the check-in. The
thresholds were chosen on the development halves of the real-text sets (``make eval-safety``).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from bot.safety.screen import ScreenResult

# Chosen on the development halves (make eval-safety; a grid of 288 settings, 2 December 2026):
# the setting that kept every development disclosure at least checked in with, gave 90% of
# them the full signposting at once, and gave the fewest everyday messages the crisis reply.
# The `concern` intent's score (anywhere in the ranking) at which the model alone is clear.
MODEL_CLEAR = 0.90
# The score that confirms a lexicon hit as a disclosure (a hit below it gets the check-in).
LEXICON_CONFIRMED = 0.40
# Below this the model noticed nothing; between it and MODEL_CLEAR it is not sure.
MODEL_NOTICED = 0.30


class Outcome(str, enum.Enum):
    DISCLOSURE = "disclosure"
    NOT_SURE = "not_sure"
    ORDINARY = "ordinary"


@dataclass(frozen=True)
class Verdict:
    outcome: Outcome
    categories: tuple[str, ...] = ()


def triage(screened: ScreenResult, concern: float | None) -> Verdict:
    """The outcome for one message from the lexicon's hits and the model's `concern` score
    (``None`` when the model could not be asked: a lexicon hit is then a disclosure)."""
    if screened.is_concern:
        if concern is None or concern >= LEXICON_CONFIRMED:
            return Verdict(Outcome.DISCLOSURE, screened.categories)
        return Verdict(Outcome.NOT_SURE, screened.categories)
    if concern is not None and concern >= MODEL_CLEAR:
        return Verdict(Outcome.DISCLOSURE, ("model",))
    if concern is not None and concern >= MODEL_NOTICED:
        return Verdict(Outcome.NOT_SURE, ("model",))
    return Verdict(Outcome.ORDINARY)
