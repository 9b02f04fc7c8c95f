"""Answer a topic question from content/, for the reader's audience and council.

When Rasa's FallbackClassifier finds no intent confident enough (`nlu_fallback`), carebot
does not guess on a short message with a weak match: it says it isn't sure, offers the three
likeliest topics as buttons and says how to reach a person. A confident wrong answer about an
entitlement is worse than a question. A short message whose "not sure" came from two topics
that are both likely ("Can I see my care plan?": a copy of it, or what it is) is answered
with the likeliest, said to be a guess, and the next ones offered.

A long message (a story, then a question) is different: several topics always score close to
each other, so "not sure" fired on most of them, and a parent who wrote half a page was asked
to say it another way. There carebot says plainly that it is guessing ("I think your main
question is about ..."), answers the likeliest topic, and offers the next two as buttons,
unless even the likeliest is a weak match.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.knowledge.topics import (
    ANSWER_WORDS_MARGIN,
    ANSWER_WORDS_WEIGHT,
    LONG_MESSAGE_CHARS,
    Topic,
    sounds_unhappy,
    topic_of_intent,
)
from bot.services.app_context import AppContext, app_context
from bot.services.audience import audience_of, guess_audience, set_audience
from db.models import Audience
from rasa_project.actions.replies import say

NOT_SURE_CHOICES = 3
# The likeliest topic's confidence (the retriever's score less 0.4) below which even a long
# message gets "not sure": a nearest example question under about 0.5 similar.
BEST_GUESS_MIN_CONFIDENCE = 0.1
# A short message is guessed at only when its likeliest topic is this likely and the "not
# sure" came from two close topics (care_plan_copy 0.82, care_plan_what 0.79): on the two
# development sets, 10 of 13 such first choices held a good answer.
SHORT_GUESS_MIN_CONFIDENCE = 0.3
BEST_GUESS_OTHERS = 2


def ranked_topics(tracker: Tracker, ctx: AppContext) -> list[str]:
    """Topic ids from the intent ranking, best first (a pressed topic button ranks alone)."""
    return [t for t, _ in ranked_topic_confidences(tracker, ctx)]


def ranked_topic_confidences(tracker: Tracker, ctx: AppContext) -> list[tuple[str, float]]:
    """(topic id, confidence) from the intent ranking, best first once the candidates within
    ``ANSWER_WORDS_MARGIN`` of the first are ordered by their confidence plus how much their
    answer uses the question's words (``AnswerWords``); a clear first choice stays first."""
    message = tracker.latest_message
    ranking = message.get("intent_ranking") or [message.get("intent") or {}]
    ranked = [(t, float(item.get("confidence") or 0.0))
              for item in ranking if (t := topic_of_intent(item.get("name")))]
    close = [(t, c) for t, c in ranked if c >= ranked[0][1] - ANSWER_WORDS_MARGIN]
    if len(close) < 2:
        return ranked
    words = ctx.topics.answer_words.similarity(message.get("text") or "", [t for t, _ in close])
    order = sorted(range(len(close)),
                   key=lambda i: -(close[i][1] + ANSWER_WORDS_WEIGHT * words[i]))
    return [close[i] for i in order] + ranked[len(close):]


def best_guess(tracker: Tracker, ctx: AppContext) -> tuple[Topic, list[Topic]] | None:
    """For a message the classifier wasn't sure about: the likeliest topic and the next ones
    to offer, or None if even the likeliest is a weak match (for a short message: unless two
    topics were both likely)."""
    text = tracker.latest_message.get("text") or ""
    ranked = [(ctx.topics.get(t), c) for t, c in ranked_topic_confidences(tracker, ctx)]
    ranked = [(t, c) for t, c in ranked if t is not None]
    floor = (BEST_GUESS_MIN_CONFIDENCE if len(text) >= LONG_MESSAGE_CHARS
             else SHORT_GUESS_MIN_CONFIDENCE)
    if not ranked or ranked[0][1] < floor:
        return None
    return ranked[0][0], [t for t, _ in ranked[1: 1 + BEST_GUESS_OTHERS]]


def send_topic(
    dispatcher: CollectingDispatcher, ctx: AppContext, topic: Topic, audience: str,
    also_asked: list[Topic] | None = None, unhappy: bool = False,
) -> None:
    """The answer with its follow-ups as buttons; for someone unhappy with a decision, how
    to challenge it (unless the answer says); then, for a long message that asked more than
    one thing, the other questions offered as buttons ("You also asked about ...")."""
    buttons = []
    for follow_up in topic.follow_ups:
        other = ctx.topics.get(follow_up)
        if other is not None:
            buttons.append({"title": other.title, "payload": other.payload})
    answer = ctx.content.fill(topic.answer_for(audience))
    dispatcher.utter_message(text=answer, buttons=buttons)
    if unhappy and "complain" not in answer.lower():
        say(dispatcher, ctx, f"if_unhappy_{audience}")
    others = [t for t in also_asked or [] if t.id != topic.id]
    if others:
        said = ctx.content.say("also_asked")
        dispatcher.utter_message(
            text=said.text, buttons=[{"title": t.title, "payload": t.payload} for t in others])


def offer_if_wrong(dispatcher: CollectingDispatcher, ctx: AppContext, others: list[Topic]) -> None:
    """After a best guess: the next likeliest topics, and how to reach a person."""
    if others:
        said = ctx.content.say("best_guess_others")
        dispatcher.utter_message(
            text=said.text, buttons=[{"title": t.title, "payload": t.payload} for t in others])


def also_asked(tracker: Tracker, ctx: AppContext) -> list[Topic]:
    """Topics of the other questions in the latest message (the retriever's entities)."""
    found = [ctx.topics.get(topic_of_intent(v) or v)
             for v in tracker.get_latest_entity_values("also_asked")]
    return [t for t in found if t is not None]


def reader_of(tracker: Tracker, ctx: AppContext, text: str) -> str:
    """Who the reply is for: the audience they gave, else the one their words suggest."""
    audience = audience_of(ctx.database_url, tracker.sender_id, ctx.content.retention)
    if audience != Audience.UNKNOWN:
        return audience.value
    return guess_audience(text, ctx.content.audience_cues).value


class ActionAnswerTopic(Action):
    def name(self) -> str:
        return "action_answer_topic"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        ctx = app_context()
        ranked = [t for t in ranked_topics(tracker, ctx) if ctx.topics.get(t) is not None]
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        topic = ctx.topics.get(ranked[0]) if topic_of_intent(intent) and ranked else None
        guessed_others: list[Topic] = []
        if topic is None and (guess := best_guess(tracker, ctx)) is not None:
            topic, guessed_others = guess
            long = len(tracker.latest_message.get("text") or "") >= LONG_MESSAGE_CHARS
            say(dispatcher, ctx, "best_guess" if long else "best_guess_short", topic=topic.title)
        if topic is None:
            said = ctx.content.say("not_sure")
            choices = [ctx.topics.get(t) for t in ranked[:NOT_SURE_CHOICES]]
            dispatcher.utter_message(
                text=said.text,
                buttons=[{"title": t.title, "payload": t.payload} for t in choices if t],
            )
            text = tracker.latest_message.get("text") or ""
            if sounds_unhappy(text, ctx.content.unhappy_cues):
                # not sure of the topic, but sure they disagree with something: how to challenge
                say(dispatcher, ctx, f"if_unhappy_{reader_of(tracker, ctx, text)}")
            return []
        audience = audience_of(ctx.database_url, tracker.sender_id, ctx.content.retention)
        others = also_asked(tracker, ctx)
        text = tracker.latest_message.get("text") or ""
        unhappy = sounds_unhappy(text, ctx.content.unhappy_cues)
        if audience != Audience.UNKNOWN or not topic.differs_by_audience:
            # a topic with one version (say, for carers) is read by the person it is written for
            reader = audience.value if audience != Audience.UNKNOWN else next(iter(topic.answers))
            send_topic(dispatcher, ctx, topic, reader, others, unhappy)
            offer_if_wrong(dispatcher, ctx, guessed_others)
            return []
        # Answer straight away for the likeliest reader; offer the other versions once.
        guessed = guess_audience(text, ctx.content.audience_cues)
        send_topic(dispatcher, ctx, topic, guessed.value, others, unhappy)
        offer_if_wrong(dispatcher, ctx, guessed_others)
        if tracker.get_slot("audience_offered"):
            return []
        # say whose version was shown: a carer asking about a topic with no carers' version
        # reads the young person's, and must not be told "I answered for a carer"
        offer = f"offer_other_audiences_{topic.version_for(guessed.value)}"
        say(dispatcher, ctx, offer)
        return [SlotSet("pending_topic", topic.id), SlotSet("audience_offered", True)]


class ActionSetAudience(Action):
    def name(self) -> str:
        return "action_set_audience"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        ctx = app_context()
        said = set(tracker.get_latest_entity_values("audience"))
        # "I used to be in care" also contains "in care"; "a parent of a child in care" too
        audience = next(
            (Audience(a) for a in ("care_leaver", "carer", "parent", "child") if a in said),
            Audience.UNKNOWN,
        )
        if audience == Audience.UNKNOWN:
            say(dispatcher, ctx, "ask_audience")
            return []
        set_audience(ctx.database_url, tracker.sender_id, audience, ctx.content.retention)
        say(dispatcher, ctx, f"audience_set_{audience.value}")
        pending = ctx.topics.get(tracker.get_slot("pending_topic") or "")
        if pending is not None:
            send_topic(dispatcher, ctx, pending, audience.value)
        return [SlotSet("pending_topic", None)]
