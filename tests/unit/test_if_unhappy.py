"""Someone unhappy with a decision hears how to challenge it, after the answer to their story."""

from __future__ import annotations

import pytest
from rasa_sdk import Tracker

from bot.knowledge.topics import sounds_unhappy
from bot.services.app_context import AppContext
from tests.support.topic_action import answer_messages

PARENT_STORY = (
    "My son has been in foster care for a year. We used to see him every week and it went "
    "well, the contact workers had no worries. Now a letter says family time is going down "
    "to once a month and nobody will tell us why. What can we do?"
)


def tracker_for(text: str, topic: str) -> Tracker:
    intent = {"name": f"faq_{topic}", "confidence": 0.8}
    message = {"text": text, "intent": intent, "intent_ranking": [intent], "entities": []}
    return Tracker(
        "unhappy-test", {"audience_offered": True}, message, [], False, None, {}, "action_listen"
    )


@pytest.mark.parametrize(
    ("text", "unhappy"),
    [
        ("They moved my daughter without telling me. Can they do this?", True),
        ("i want to complain about my social worker", True),
        ("its not fair that my brother gets to see mum and i dont", True),
        (PARENT_STORY, True),
        ("what can i do at my review", False),  # a short "what can I do" is about something else
        ("what is an IRO", False),
        ("how much is the setting up home allowance", False),
    ],
)
def test_unhappiness_is_heard_in_plain_words(
    action_context: AppContext, text: str, unhappy: bool
) -> None:
    assert sounds_unhappy(text, action_context.content.unhappy_cues) is unhappy


def test_a_parent_unhappy_with_a_decision_hears_how_to_challenge_it(
    action_context: AppContext,
) -> None:
    answer_topic = next(
        t
        for t in action_context.topics.topics.values()
        if "complain" not in action_context.content.fill(t.answer_for("parent")).lower()
    )
    messages = answer_messages(tracker_for(PARENT_STORY, answer_topic.id))
    assert messages[0]["text"] == action_context.content.fill(answer_topic.answer_for("parent"))
    follow_on = messages[1]["text"]
    assert follow_on == action_context.content.say("if_unhappy_parent").text
    assert "complaint" in follow_on and "Ombudsman" in follow_on and "IRO" in follow_on


def test_an_answer_that_already_says_how_to_complain_is_not_repeated(
    action_context: AppContext,
) -> None:
    messages = answer_messages(tracker_for(PARENT_STORY, "parent_complain"))
    assert not any(
        m["text"] == action_context.content.say("if_unhappy_parent").text for m in messages
    )


def test_a_calm_question_gets_only_its_answer(action_context: AppContext) -> None:
    messages = answer_messages(tracker_for("what is a care plan", "care_plan_what"))
    answer = action_context.content.fill(
        action_context.topics.get("care_plan_what").answer_for("child")
    )
    assert messages[0]["text"] == answer
    assert not any(
        "If you disagree" in (m["text"] or "") or "If you're unhappy" in (m["text"] or "")
        for m in messages
    )


@pytest.mark.parametrize("audience", ["child", "care_leaver", "parent", "carer"])
def test_every_reader_has_a_way_to_complain_in_their_own_words(
    action_context: AppContext, audience: str
) -> None:
    text = action_context.content.say(f"if_unhappy_{audience}").text
    assert "complain" in text and "{" not in text


def not_sure_tracker(text: str) -> Tracker:
    ranking = [{"name": "nlu_fallback", "confidence": 0.3},
               {"name": "faq_care_plan_what", "confidence": 0.05},
               {"name": "faq_iro_who", "confidence": 0.04}]
    message = {"text": text, "intent": ranking[0], "intent_ranking": ranking, "entities": []}
    return Tracker(
        "unhappy-test", {"audience_offered": True}, message, [], False, None, {}, "action_listen"
    )


def test_unsure_of_the_topic_but_sure_they_disagree_they_still_hear_how_to_challenge_it(
    action_context: AppContext,
) -> None:
    text = "The council ended our foster son's staying put with no notice. Can they just end it?"
    messages = answer_messages(not_sure_tracker(text))
    assert messages[0]["text"].startswith("Sorry, I'm not sure")
    assert messages[-1]["text"] == action_context.content.say("if_unhappy_carer").text


def test_unsure_and_calm_gets_only_the_choices(action_context: AppContext) -> None:
    messages = answer_messages(not_sure_tracker("blue elephants"))
    assert len(messages) == 1 and messages[0]["text"].startswith("Sorry, I'm not sure")
