"""A long message the classifier wasn't sure about gets an honest best guess, not "say it
another way"; a short one, or a weak match, still gets "not sure" with three choices."""

from __future__ import annotations

from rasa_sdk import Tracker

from bot.services.app_context import AppContext
from bot.services.audience import guess_audience
from tests.support.topic_action import answer_messages

STORY = (
    "Hi all. My grandson has lived with us for two years under a special guardianship order. "
    "His mum sees him at a contact centre and it always upsets him, he cries all the way home "
    "and wets the bed after. The social worker says the plan stays the same. "
    "Can we stop or change the contact?"
)


def tracker_for(text: str, ranking: list[tuple[str, float]]) -> Tracker:
    items = [{"name": "nlu_fallback", "confidence": 0.2}] + [
        {"name": f"faq_{topic}", "confidence": confidence} for topic, confidence in ranking
    ]
    message = {"text": text, "intent": items[0], "intent_ranking": items, "entities": []}
    return Tracker(
        "best-guess-test", {"audience_offered": True}, message, [], False, None, {}, "action_listen"
    )


def three_topics(action_context: AppContext) -> list[str]:
    return sorted(action_context.topics.topics)[:3]


def test_a_long_message_gets_the_likeliest_answer_and_the_next_two_offered(
    action_context: AppContext,
) -> None:
    first, second, third = three_topics(action_context)
    messages = answer_messages(tracker_for(STORY, [(first, 0.18), (second, 0.16), (third, 0.15)]))
    topic = action_context.topics.get(first)
    assert topic.title in messages[0]["text"] and "I think" in messages[0]["text"]
    reader = guess_audience(STORY, action_context.content.audience_cues).value
    assert reader == "carer"  # "my grandson has lived with us"
    assert messages[1]["text"] == action_context.content.fill(topic.answer_for(reader))
    offered = [b["payload"] for b in messages[-1]["buttons"]]
    assert offered == [
        action_context.topics.get(second).payload,
        action_context.topics.get(third).payload,
    ]
    assert "If I got that wrong" in messages[-1]["text"]


def test_a_short_message_still_gets_not_sure_with_three_choices(action_context: AppContext) -> None:
    first, second, third = three_topics(action_context)
    messages = answer_messages(
        tracker_for("contact?", [(first, 0.18), (second, 0.16), (third, 0.15)])
    )
    assert len(messages) == 1 and messages[0]["text"].startswith("Sorry, I'm not sure")
    assert len(messages[0]["buttons"]) == 3


def test_a_long_message_with_only_weak_matches_still_gets_not_sure(
    action_context: AppContext,
) -> None:
    first, second, third = three_topics(action_context)
    messages = answer_messages(tracker_for(STORY, [(first, 0.05), (second, 0.04), (third, 0.03)]))
    assert len(messages) == 1 and messages[0]["text"].startswith("Sorry, I'm not sure")


def test_a_short_message_between_two_likely_topics_gets_the_likelier_said_as_a_guess(
    action_context: AppContext,
) -> None:
    first, second, third = three_topics(action_context)
    text = "Can I see my care plan?"
    messages = answer_messages(tracker_for(text, [(first, 0.42), (second, 0.39), (third, 0.1)]))
    topic = action_context.topics.get(first)
    assert messages[0]["text"].startswith("I think you're asking about") and (
        topic.title in messages[0]["text"])
    reader = guess_audience(text, action_context.content.audience_cues).value
    assert messages[1]["text"] == action_context.content.fill(topic.answer_for(reader))
    assert "If I got that wrong" in messages[-1]["text"]


def test_between_close_candidates_the_answer_using_the_questions_words_wins(
    action_context: AppContext,
) -> None:
    """The retriever is nearly torn; the viability answer is the one that talks about a
    viability assessment, so it is chosen although it ranked second."""
    text = "what is a viability assessment for a grandparent"
    ranking = [("setting_up_home_allowance", 0.42), ("kinship_viability_check", 0.41)]
    messages = answer_messages(tracker_for(text, ranking))
    topic = action_context.topics.get("kinship_viability_check")
    assert topic.title in messages[0]["text"]
    assert any(m["text"] == action_context.content.fill(topic.answer_for(a))
               for m in messages for a in ("child", "carer", "parent"))
