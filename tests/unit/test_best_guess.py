"""A long message the classifier wasn't sure about gets an honest best guess, not "say it
another way"; a short one, or a weak match, still gets "not sure" with three choices."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.services.app_context import AppContext, install_app_context
from bot.services.audience import guess_audience
from rasa_project.actions.topics import ActionAnswerTopic

STORY = (
    "Hi all. My grandson has lived with us for two years under a special guardianship order. "
    "His mum sees him at a contact centre and it always upsets him, he cries all the way home "
    "and wets the bed after. The social worker says the plan stays the same. "
    "Can we stop or change the contact?"
)


def tracker_for(text: str, ranking: list[tuple[str, float]]) -> Tracker:
    items = [{"name": "nlu_fallback", "confidence": 0.2}] + [
        {"name": f"faq_{topic}", "confidence": confidence} for topic, confidence in ranking]
    message = {"text": text, "intent": items[0], "intent_ranking": items, "entities": []}
    return Tracker("best-guess-test", {"audience_offered": True}, message, [], False, None,
                   {}, "action_listen")


def run(tracker: Tracker) -> list[dict[str, Any]]:
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionAnswerTopic().run(dispatcher, tracker, {}))
    return dispatcher.messages


@pytest.fixture
def context(chat_app_context: AppContext) -> AppContext:
    install_app_context(chat_app_context)
    return chat_app_context


def three_topics(context: AppContext) -> list[str]:
    return sorted(context.topics.topics)[:3]


def test_a_long_message_gets_the_likeliest_answer_and_the_next_two_offered(
    context: AppContext,
) -> None:
    first, second, third = three_topics(context)
    messages = run(tracker_for(STORY, [(first, 0.18), (second, 0.16), (third, 0.15)]))
    topic = context.topics.get(first)
    assert topic.title in messages[0]["text"] and "I think" in messages[0]["text"]
    reader = guess_audience(STORY, context.content.audience_cues).value
    assert reader == "carer"  # "my grandson has lived with us"
    assert messages[1]["text"] == context.content.fill(topic.answer_for(reader))
    offered = [b["payload"] for b in messages[-1]["buttons"]]
    assert offered == [context.topics.get(second).payload, context.topics.get(third).payload]
    assert "If I got that wrong" in messages[-1]["text"]


def test_a_short_message_still_gets_not_sure_with_three_choices(context: AppContext) -> None:
    first, second, third = three_topics(context)
    messages = run(tracker_for("contact?", [(first, 0.18), (second, 0.16), (third, 0.15)]))
    assert len(messages) == 1 and messages[0]["text"].startswith("Sorry, I'm not sure")
    assert len(messages[0]["buttons"]) == 3


def test_a_long_message_with_only_weak_matches_still_gets_not_sure(context: AppContext) -> None:
    first, second, third = three_topics(context)
    messages = run(tracker_for(STORY, [(first, 0.05), (second, 0.04), (third, 0.03)]))
    assert len(messages) == 1 and messages[0]["text"].startswith("Sorry, I'm not sure")
