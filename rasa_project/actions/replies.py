"""Sending content texts from actions: the one way a chat text and its buttons become a reply."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from bot.services.app_context import AppContext


def say(dispatcher: CollectingDispatcher, ctx: AppContext, key: str, **values: str) -> None:
    said = ctx.content.say(key, **values)
    dispatcher.utter_message(
        text=said.text, buttons=[{"title": b.title, "payload": b.payload} for b in said.buttons]
    )
