"""Small talk and fallbacks: one action renders the text for the user's latest intent."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.services.app_context import app_context


class ActionRespond(Action):
    def name(self) -> str:
        return "action_respond"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        content = app_context().content
        intent = (tracker.latest_message.get("intent") or {}).get("name") or "nlu_fallback"
        said = content.say(content.intent_texts.get(intent, "fallback"))
        dispatcher.utter_message(
            text=said.text,
            buttons=[{"title": b.title, "payload": b.payload} for b in said.buttons],
        )
        return []
