"""The pre-review consultation as a Rasa form: ask, save at once, summarise, change, send.

`consultation_step` says what is on screen: a question key, ``summary`` (the answers with
Send / Change / Not yet) or ``choose`` (which answer to change). The dialogue itself (what a
reply does) is plain code in bot/consultation/dialogue.py; the validation action here
is glue: it reads the saved state, asks the dialogue, stores the answer in its own transaction
and moves the step on; the ask action shows whatever the step is. Everything a person has
said is already in the database before they see the next question.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.consultation.answers import (
    ConsultationState,
    current_consultation,
    save_answer,
    submit,
)
from bot.consultation.dialogue import CHOOSE, CONFIRM, SUMMARY, Turn, reply_to
from bot.consultation.form import (
    AUDIENCE,
    ConsultationForm,
    Question,
    SharedWords,
    load_form,
    load_shared,
)
from bot.knowledge.topics import Topic, topic_of_intent
from bot.services.app_context import AppContext, app_context
from db.engine import session_scope
from db.models import ConsultationRole
from rasa_project.actions.topics import send_topic

FORM = "consultation_form"
ANSWER = "consultation_answer"
STEP = "consultation_step"
EDITING = "consultation_editing"
# What the form's answer slot is set to when it ends (it ends once the slot has a value).
FINISHED = "finished"


def _ctx_form(role: ConsultationRole) -> tuple[AppContext, ConsultationForm, SharedWords]:
    ctx = app_context()
    return ctx, load_form(ctx.content.content_dir, role), load_shared(ctx.content.content_dir)


def _current(tracker: Tracker) -> ConsultationState | None:
    ctx = app_context()
    with session_scope(ctx.database_url) as session:
        return current_consultation(session, ctx.keys, tracker.sender_id)


def _fill(ctx: AppContext, template: str, state: ConsultationState) -> str:
    return ctx.content.fill(template, **state.placeholders())


def _button(title: str, payload: str | None = None) -> dict[str, str]:
    return {"title": title, "payload": payload or title}


class ActionStartConsultation(Action):
    """Start (after an invite code) or carry on: from the first question not yet answered."""

    def name(self) -> str:
        return "action_start_consultation"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        state = _current(tracker)
        ctx = app_context()
        shared = load_shared(ctx.content.content_dir)
        if state is None:
            dispatcher.utter_message(text=ctx.content.fill(shared.texts["no_consultation"]))
            return []
        if state.submitted_at is not None:
            dispatcher.utter_message(text=_fill(ctx, shared.texts["already_sent"], state))
            return []
        form = load_form(ctx.content.content_dir, state.role)
        step = state.next_question(form) or SUMMARY
        return [
            SlotSet(STEP, step), SlotSet(EDITING, False), SlotSet(ANSWER, None),
            FollowupAction(FORM),
        ]


class ActionAskConsultationAnswer(Action):
    """Show the current step: a question (with Skip), the summary, or the change menu."""

    def name(self) -> str:
        return "action_ask_consultation_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        state = _current(tracker)
        if state is None:
            return []
        ctx, form, shared = _ctx_form(state.role)
        step = tracker.get_slot(STEP) or state.next_question(form) or SUMMARY
        if step in {SUMMARY, CONFIRM}:
            show_summary(dispatcher, ctx, form, shared, state, with_answers=step == SUMMARY)
        elif step == CHOOSE:
            dispatcher.utter_message(
                text=shared.texts["change_which"],
                buttons=[  # the number as payload: Telegram allows 64 bytes of button data
                    _button(f"{n}. {q.label}", str(n)) for n, q in enumerate(form.questions, 1)
                ],
            )
        else:
            ask_question(dispatcher, ctx, shared, form.question(step), state)
        return []


def ask_question(
    dispatcher: CollectingDispatcher,
    ctx: AppContext,
    shared: SharedWords,
    question: Question,
    state: ConsultationState,
) -> None:
    buttons = [_button(reply) for reply in question.quick_replies]
    buttons.append(_button(shared.skip_title))  # same kind of button as the others
    dispatcher.utter_message(text=_fill(ctx, question.text, state), buttons=buttons)


def show_summary(
    dispatcher: CollectingDispatcher,
    ctx: AppContext,
    form: ConsultationForm,
    shared: SharedWords,
    state: ConsultationState,
    *,
    with_answers: bool = True,
) -> None:
    if with_answers:
        lines = []
        for question in form.questions:
            answer = state.answers.get(question.key)
            said = answer.text if answer and not answer.skipped else shared.texts["skipped"]
            lines.append(f"{question.label}: {said}")
        dispatcher.utter_message(
            text=shared.texts["summary_intro"] + "\n\n" + "\n".join(lines)
        )
    titles = {k: _fill(ctx, v, state) for k, v in shared.summary_titles.items()}
    dispatcher.utter_message(
        text=_fill(ctx, shared.texts["summary_ask"], state),
        buttons=[
            _button(titles["send"], "send"),
            _button(titles["change"], "change"),
            _button(titles["later"], "not yet"),
        ],
    )


class ValidateConsultationForm(FormValidationAction):
    def name(self) -> str:
        return "validate_consultation_form"

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        if tracker.get_slot("requested_slot") != ANSWER or tracker.get_slot(ANSWER) is None:
            return []
        text = (tracker.latest_message.get("text") or "").strip()
        state = _current(tracker)
        if state is None or state.submitted_at is not None:
            if state is not None:
                ctx, _, shared = _ctx_form(state.role)
                dispatcher.utter_message(text=_fill(ctx, shared.texts["already_sent"], state))
            return _finish()
        ctx, form, shared = _ctx_form(state.role)
        step = tracker.get_slot(STEP) or state.next_question(form) or SUMMARY
        topic = _asked_topic(tracker, text)
        turn = reply_to(
            form, shared, step=step, editing=bool(tracker.get_slot(EDITING)),
            answered=frozenset(state.answers), text=text, asks_about_a_topic=topic is not None,
        )
        return self._carry_out(dispatcher, ctx, form, shared, state, turn, topic)

    def _carry_out(
        self,
        dispatcher: CollectingDispatcher,
        ctx: AppContext,
        form: ConsultationForm,
        shared: SharedWords,
        state: ConsultationState,
        turn: Turn,
        topic: Topic | None,
    ) -> list[dict[str, Any]]:
        """Save, submit, answer and say what the turn says, in that order: an answer or a
        send is committed before the person is told about it."""
        if turn.save is not None:
            with session_scope(ctx.database_url) as session:
                saved = save_answer(
                    session, ctx.keys, consultation_id=state.consultation_id, form=form,
                    question_key=turn.save, text=turn.answer,
                )
            if not saved:  # sent from another device meanwhile
                dispatcher.utter_message(text=_fill(ctx, shared.texts["already_sent"], state))
                return _finish()
        if turn.submit:
            with session_scope(ctx.database_url) as session:
                submit(session, state.consultation_id)
        if turn.answer_topic and topic is not None:
            send_topic(dispatcher, ctx, topic, AUDIENCE[state.role].value)
        for key in turn.say:
            dispatcher.utter_message(text=_fill(ctx, shared.texts[key], state))
        if turn.next_step is None:
            return _finish()
        return [SlotSet(STEP, turn.next_step), SlotSet(EDITING, turn.editing),
                SlotSet(ANSWER, None)]


QUESTION_CONFIDENCE = 0.6


def _asked_topic(tracker: Tracker, text: str) -> Topic | None:
    """A question about a topic asked in the middle of the form (or a topic button pressed).

    Only a clear question ("...?") about a topic carebot is confident of counts; anything else
    is the person's answer, however it is worded.
    """
    intent = tracker.latest_message.get("intent") or {}
    topic_id = topic_of_intent(intent.get("name"))
    if topic_id is None:
        return None
    asked = text.rstrip().endswith("?") and (intent.get("confidence") or 0) >= QUESTION_CONFIDENCE
    if not (asked or text.startswith("/")):
        return None
    return app_context().topics.get(topic_id)


def _finish() -> list[dict[str, Any]]:
    return [SlotSet(ANSWER, FINISHED), SlotSet(STEP, None), SlotSet(EDITING, False)]


class ActionConsultationDone(Action):
    """The form has ended (sent, paused or stopped): the validator already said so."""

    def name(self) -> str:
        return "action_consultation_done"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        return [SlotSet(ANSWER, None), SlotSet(STEP, None), SlotSet(EDITING, False)]
