"""The Rasa half of the safety screen: when the trained `concern` intent fires.

The action only marks the turn; the pipeline (bot/pipeline.py) stores the urgent alert and
sends the fixed signposting, the same road as a lexicon hit, so there is one reply text and
one alert path.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.rasa_runtime import CONCERN_MARKER


class ActionSignpostConcern(Action):
    def name(self) -> str:
        return "action_signpost_concern"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(json_message={CONCERN_MARKER: True})
        return []
