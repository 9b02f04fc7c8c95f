"""Small talk and fallbacks: one action renders the text for the user's latest intent."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.config import Settings
from bot.content import Content, content_for


def current_content() -> Content:
    settings = Settings.from_env()
    return content_for(settings.content_dir, settings.local_authority)


class ActionRespond(Action):
    def name(self) -> str:
        return "action_respond"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        content = current_content()
        intent = (tracker.latest_message.get("intent") or {}).get("name") or "nlu_fallback"
        said = content.say(content.intent_texts.get(intent, "fallback"))
        dispatcher.utter_message(
            text=said.text,
            buttons=[{"title": b.title, "payload": b.payload} for b in said.buttons],
        )
        return []
