"""The care leaver entitlements checker: a Rasa form whose words and rules live in content/."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.knowledge.entitlements import MAX_AGE, MIN_AGE, SLOTS, STOPPED, EntitlementsForm, Profile
from bot.services.app_context import app_context

ITEMS_PER_MESSAGE = 4


def checker() -> EntitlementsForm:
    return form_at(app_context().content.content_dir / "forms" / "entitlements.yml")


@lru_cache(maxsize=4)
def form_at(path: Path) -> EntitlementsForm:
    """One parsed copy of the form per file, not one per action call."""
    return EntitlementsForm(path)


def cleared() -> list[dict[str, Any]]:
    return [SlotSet(slot, None) for slot in SLOTS]


def ask(dispatcher: CollectingDispatcher, slot: str) -> None:
    question = checker().spec["questions"][slot]
    buttons = [
        b if isinstance(b, dict) else {"title": str(b), "payload": str(b)}
        for b in question.get("buttons", [])
    ]
    dispatcher.utter_message(text=question["text"], buttons=buttons)


class ActionStartEntitlements(Action):
    """Starts the checker with what the person already said filled in (their question, or
    earlier in this conversation), so it only asks what it doesn't know."""

    def name(self) -> str:
        return "action_start_entitlements"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(text=app_context().content.fill(checker().spec["intro"]))
        known = checker().already_said(said_so_far(tracker))
        return cleared() + [SlotSet(slot, value) for slot, value in known.items()]


def said_so_far(tracker: Tracker) -> list[str]:
    """The person's messages in this conversation, newest first."""
    texts = [e.get("text") or "" for e in tracker.events if e.get("event") == "user"]
    return [t for t in reversed(texts) if t and not t.startswith("/")]


class _AskSlot(Action):
    slot = ""

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        ask(dispatcher, self.slot)
        return []


class ActionAskLeaverAge(_AskSlot):
    slot = "leaver_age"


class ActionAskLeaverActivity(_AskSlot):
    slot = "leaver_activity"


class ActionAskLeaverHousing(_AskSlot):
    slot = "leaver_housing"


class ActionAskLeaverIsParent(_AskSlot):
    slot = "leaver_is_parent"


class ValidateEntitlementsForm(FormValidationAction):
    def name(self) -> str:
        return "validate_entitlements_form"

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """Read the answer to the question just asked; "stop" ends the checker at once."""
        requested = tracker.get_slot("requested_slot")
        text = tracker.latest_message.get("text") or ""
        if requested not in SLOTS:
            return []
        form = checker()
        if form.is_stop(text):
            return [SlotSet(slot, STOPPED) for slot in SLOTS]
        answer = form.read_answer(requested, text)
        if answer is None:
            dispatcher.utter_message(text=form.spec["not_understood"].strip())
        return [SlotSet(requested, answer)]


class ActionListEntitlements(Action):
    def name(self) -> str:
        return "action_list_entitlements"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        ctx = app_context()
        spec = checker().spec
        answers = {slot: tracker.get_slot(slot) for slot in SLOTS}
        if STOPPED in answers.values() or None in answers.values():
            dispatcher.utter_message(text=spec["stopped"].strip())
            return cleared()
        age = int(answers["leaver_age"])
        if age < MIN_AGE or age > MAX_AGE:
            key = "too_young" if age < MIN_AGE else "too_old"
            dispatcher.utter_message(text=ctx.content.fill(spec[key]))
            return cleared()
        profile = Profile(
            age, answers["leaver_activity"], answers["leaver_housing"], answers["leaver_is_parent"]
        )
        items = [ctx.content.fill(e["text"]) for e in checker().applies(profile)]
        dispatcher.utter_message(text=ctx.content.fill(spec["result_intro"]))
        for start in range(0, len(items), ITEMS_PER_MESSAGE):
            chunk = items[start : start + ITEMS_PER_MESSAGE]
            dispatcher.utter_message(text="\n".join(f"- {item}" for item in chunk))
        return cleared()
