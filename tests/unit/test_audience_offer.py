"""After an answer for a guessed reader, carebot says whose version it showed: a carer asking
about a topic with no carers' version read the young person's, and is told so."""

from __future__ import annotations

from rasa_sdk import Tracker

from bot.services.app_context import AppContext
from tests.support.topic_action import answer_messages

QUESTION = "Foster carer here. Our lad will stay put with us after 18, until when can he stay?"


def tracker_for(text: str, topic: str) -> Tracker:
    intent = {"name": f"faq_{topic}", "confidence": 0.9}
    message = {"text": text, "intent": intent, "intent_ranking": [intent], "entities": []}
    return Tracker("offer-test", {}, message, [], False, None, {}, "action_listen")


def test_the_offer_names_the_version_shown_not_the_reader_guessed(
    action_context: AppContext,
) -> None:
    topic = action_context.topics.get("staying_put")
    assert "carer" not in topic.answers and topic.version_for("carer") == "child"
    messages = answer_messages(tracker_for(QUESTION, "staying_put"))
    assert messages[0]["text"] == action_context.content.fill(topic.answer_for("carer"))
    said = [m["text"] for m in messages]
    assert any("I answered for a young person in care" in text for text in said), said
    assert not any("I answered for a foster or kinship carer" in text for text in said), said


def test_a_carer_asking_about_a_carers_topic_is_told_it_was_for_carers(
    action_context: AppContext,
) -> None:
    messages = answer_messages(tracker_for(QUESTION, "family_group_decision_making"))
    assert any("I answered for a foster or kinship carer" in m["text"] for m in messages)
