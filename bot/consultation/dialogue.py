"""The pre-review form's dialogue as plain code: from what is on screen and what the person
said, to what happens next.

No Rasa and no database here, so every path (skip, stop, carry on, change an answer, send,
a question asked mid-form) is unit-tested without a trained model
(tests/unit/test_consultation_dialogue.py). The Rasa action (rasa_project/actions/
consultation.py) is glue: it reads the saved state, calls `reply_to`, saves and submits what
the `Turn` says, and says its texts. Its words live in content/forms/.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.consultation.form import ADVOCATE_KEY, ConsultationForm, SharedWords, words
from db.models import ConsultationRole

# What is on screen besides a question (a question's key is the step while it is asked).
SUMMARY = "summary"  # every answer, then Send / Change / Not yet
CONFIRM = "confirm"  # the summary's question and buttons again, without the whole list
CHOOSE = "choose"  # which answer to change
# The thanks after sending, in each person's words (keys of content/forms/consultation.yml).
SENT = {
    ConsultationRole.CHILD: "sent",
    ConsultationRole.PARENT: "sent_parent",
    ConsultationRole.CARER: "sent_carer",
}


@dataclass(frozen=True)
class Turn:
    """What one message in the form does. The glue saves ``save`` (and stops with
    "already sent" if the form was sent meanwhile), submits if ``submit``, answers the
    topic if ``answer_topic``, says ``say`` (keys of the form's texts), then shows
    ``next_step``, or ends the form when it is None."""

    next_step: str | None
    editing: bool = False
    say: tuple[str, ...] = ()
    save: str | None = None  # the question key the answer is saved under
    answer: str | None = None  # None with ``save``: skipped
    submit: bool = False
    answer_topic: bool = False


def reply_to(
    form: ConsultationForm,
    shared: SharedWords,
    *,
    step: str,
    editing: bool,
    answered: frozenset[str],
    text: str,
    asks_about_a_topic: bool,
) -> Turn:
    """The turn for ``text`` said while ``step`` is on screen. ``answered``: the keys already
    saved; ``asks_about_a_topic``: the message is a clear question about a topic carebot
    knows ("what's an advocate?"), or a topic button, rather than an answer."""
    text = text.strip()
    said = words(text)
    if step in {SUMMARY, CONFIRM}:
        return _at_summary(form, shared, said)
    if shared.is_stop(text):
        return Turn(next_step=None, say=("paused",))
    if step == CHOOSE:
        key = chosen_question(form, said)
        if key is None:
            return Turn(next_step=CHOOSE)  # show the menu again
        return Turn(next_step=key, editing=True)
    if asks_about_a_topic:  # answer it, then ask the same question again
        return Turn(next_step=step, editing=editing, answer_topic=True)
    if text.startswith("/"):  # an old button from before: ask this question again
        return Turn(next_step=step, editing=editing)
    answer = None if shared.is_skip(text) else text
    say: tuple[str, ...] = ()
    if step == ADVOCATE_KEY and answer and form.question(step).choice_for(answer) == "yes":
        say = ("advocate_noted",)
    upcoming = next((k for k in form.keys if k not in answered | {step}), None)
    following = SUMMARY if editing or upcoming is None else upcoming
    return Turn(next_step=following, say=say, save=step, answer=answer)


def _at_summary(form: ConsultationForm, shared: SharedWords, said: str) -> Turn:
    choices = shared.summary_words
    if said in choices["send"] or said.startswith("send"):
        return Turn(next_step=None, submit=True, say=(SENT[form.role],))
    if said in choices["change"] or said.startswith("change"):
        return Turn(next_step=CHOOSE)
    if said in choices["later"] or shared.is_stop(said):
        return Turn(next_step=None, say=("not_sent_yet",))
    return Turn(next_step=CONFIRM)  # ask again, buttons too


def chosen_question(form: ConsultationForm, said: str) -> str | None:
    """The question picked from the change menu: by its number, or by its words."""
    number = re.match(r"^(\d+)\b", said)
    if number and 1 <= int(number.group(1)) <= len(form.questions):
        return form.questions[int(number.group(1)) - 1].key
    for question in form.questions:
        label = words(question.label)
        if said == label or (len(said) >= 4 and said in label):
            return question.key
    return None
