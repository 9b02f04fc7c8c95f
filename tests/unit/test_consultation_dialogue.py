"""The pre-review form's dialogue, every path, without a model or a database
(bot/consultation/dialogue.py over the real forms in content/forms/)."""

from __future__ import annotations

import pytest

from bot.config import REPO_ROOT
from bot.consultation.dialogue import CHOOSE, CONFIRM, SUMMARY, Turn, reply_to
from bot.consultation.form import ConsultationForm, load_form, load_shared
from db.models import ConsultationRole

CONTENT = REPO_ROOT / "content"
CHILD = load_form(CONTENT, ConsultationRole.CHILD)
PARENT = load_form(CONTENT, ConsultationRole.PARENT)
CARER = load_form(CONTENT, ConsultationRole.CARER)
SHARED = load_shared(CONTENT)


def reply(text: str, step: str, *, form=CHILD, answered: tuple[str, ...] = (),  # noqa: ANN001
          editing: bool = False, topic: bool = False) -> Turn:
    return reply_to(form, SHARED, step=step, editing=editing, answered=frozenset(answered),
                    text=text, asks_about_a_topic=topic)


def test_an_answer_is_saved_and_the_next_question_follows() -> None:
    turn = reply("it's ok, my carer is kind", "home")
    assert turn == Turn(next_step="school", save="home", answer="it's ok, my carer is kind")


def test_skip_saves_a_skipped_answer_and_moves_on() -> None:
    turn = reply("Skip", "home")
    assert (turn.save, turn.answer, turn.next_step) == ("home", None, "school")


def test_the_next_question_is_the_first_not_yet_answered() -> None:
    turn = reply("fine", "home", answered=("school", "health"))
    assert turn.next_step == "family_time"


def test_the_last_answer_leads_to_the_summary() -> None:
    others = tuple(k for k in CHILD.keys if k != "anything_else")
    assert reply("no", "anything_else", answered=others).next_step == SUMMARY


@pytest.mark.parametrize("text", ["stop", "Stop for now", "pause", "carry on later"])
def test_stop_pauses_with_nothing_saved_or_sent(text: str) -> None:
    assert reply(text, "school") == Turn(next_step=None, say=("paused",))


def test_carrying_on_after_a_stop_starts_at_the_first_unanswered_question() -> None:
    # the start action shows state.next_question; the dialogue carries on from any step
    assert reply("good", "health", answered=("home", "school")).next_step == "family_time"


def test_yes_to_an_advocate_is_said_back_at_once() -> None:
    assert reply("yes please", "advocate").say == ("advocate_noted",)
    assert reply("no thanks", "advocate").say == ()


@pytest.mark.parametrize(("text", "turn"), [
    ("Send", Turn(next_step=None, submit=True, say=("sent",))),
    ("yes", Turn(next_step=None, submit=True, say=("sent",))),
    ("send to my IRO please", Turn(next_step=None, submit=True, say=("sent",))),
    ("change", Turn(next_step=CHOOSE)),
    ("Change an answer", Turn(next_step=CHOOSE)),
    ("not yet", Turn(next_step=None, say=("not_sent_yet",))),
    ("stop", Turn(next_step=None, say=("not_sent_yet",))),
    ("what?", Turn(next_step=CONFIRM)),
])
def test_at_the_summary(text: str, turn: Turn) -> None:
    assert reply(text, SUMMARY) == turn
    assert reply(text, CONFIRM) == turn


def test_a_parent_is_thanked_in_a_parents_words() -> None:
    assert reply("send", SUMMARY, form=PARENT).say == ("sent_parent",)


def test_a_carer_is_thanked_in_a_carers_words() -> None:
    assert reply("yes please", SUMMARY, form=CARER) == Turn(
        next_step=None, submit=True, say=("sent_carer",))


@pytest.mark.parametrize("form", [CHILD, PARENT, CARER], ids=lambda f: f.role.value)
def test_every_form_goes_question_by_question_answered_or_skipped_to_the_summary(
    form: ConsultationForm,
) -> None:
    answered: list[str] = []
    for n, key in enumerate(form.keys):
        text = "skip" if n % 2 else f"answer {n}"
        turn = reply(text, key, form=form, answered=tuple(answered))
        following = form.keys[n + 1] if n + 1 < len(form.keys) else SUMMARY
        assert turn == Turn(next_step=following, save=key,
                            answer=None if n % 2 else text), key
        answered.append(key)


def test_a_carer_stops_then_carries_on_at_the_first_question_not_answered() -> None:
    assert reply("stop for now", "family_time", form=CARER) == Turn(
        next_step=None, say=("paused",))
    # carrying on shows the first unanswered question (state.next_question); answering it
    # moves to the next one still unanswered
    turn = reply("Going well", "family_time", form=CARER,
                 answered=("home", "school", "health", "going_well"))
    assert (turn.save, turn.next_step) == ("family_time", "worries")


def test_a_carer_says_yes_to_the_support_question_without_it_being_read_as_an_advocate() -> None:
    turn = reply("yes please, a short break", "support", form=CARER)
    assert turn.say == () and turn.save == "support"


@pytest.mark.parametrize(("said", "key"), [("7", "support"), ("support", "support"),
                                           ("my views on the plan", "plan")])
def test_a_carer_changes_an_answer_by_number_or_words(said: str, key: str) -> None:
    assert reply(said, CHOOSE, form=CARER) == Turn(next_step=key, editing=True)
    changed = reply("more help with maths", key, form=CARER, answered=CARER.keys, editing=True)
    assert (changed.save, changed.next_step) == (key, SUMMARY)


def test_sending_twice_is_for_the_glue_to_refuse() -> None:
    # the dialogue asks for a submit each time; the action checks the saved state first and
    # says "already sent" (tests/integration/test_consultation_chat.py)
    assert reply("send", SUMMARY).submit


@pytest.mark.parametrize(("said", "key"), [("3", "health"), ("3. Health and feeling OK", "health"),
                                           ("school", "school")])
def test_change_an_answer_by_number_or_words_then_back_to_the_summary(said: str, key: str) -> None:
    chosen = reply(said, CHOOSE)
    assert chosen == Turn(next_step=key, editing=True)
    changed = reply("better now", key, answered=CHILD.keys, editing=True)
    assert (changed.save, changed.next_step, changed.editing) == (key, SUMMARY, False)


@pytest.mark.parametrize("said", ["99", "banana", ""])
def test_a_choice_that_is_not_on_the_menu_shows_it_again(said: str) -> None:
    assert reply(said, CHOOSE) == Turn(next_step=CHOOSE)


def test_a_question_asked_mid_form_is_answered_then_the_same_question_asked_again() -> None:
    turn = reply("what is an advocate?", "advocate", topic=True, editing=True)
    assert turn == Turn(next_step="advocate", editing=True, answer_topic=True)
    assert turn.save is None


def test_an_old_button_asks_the_same_question_again_and_saves_nothing() -> None:
    assert reply("/start", "home") == Turn(next_step="home")


def test_a_disclosure_mid_form_never_reaches_the_dialogue_as_an_answer_to_save() -> None:
    # the pipeline screens every message first; a disclosure pauses the form there
    # (tests/integration/test_consultation_chat.py). Here: whatever reaches the dialogue at a
    # question is saved as said, never dropped.
    turn = reply("i dont feel safe at home", "home")
    assert (turn.save, turn.answer) == ("home", "i dont feel safe at home")
