"""Small talk and fallbacks: one action renders the text for the user's latest intent."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.services.app_context import app_context
from rasa_project.actions.replies import say


class ActionRespond(Action):
    def name(self) -> str:
        return "action_respond"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        ctx = app_context()
        intent = (tracker.latest_message.get("intent") or {}).get("name") or "nlu_fallback"
        say(dispatcher, ctx, ctx.content.intent_texts.get(intent, "fallback"))
        return []
