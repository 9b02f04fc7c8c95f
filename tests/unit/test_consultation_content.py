"""The consultation questions in content/forms/: plain, complete, and safe to change."""

from __future__ import annotations

from pathlib import Path

import pytest
import textstat
import yaml

from bot.consultation.answers import CHAIRING_KEY
from bot.consultation.dialogue import SENT
from bot.consultation.form import ADVOCATE_KEY, AUDIENCE, FORM_FILES, load_form, load_shared
from bot.knowledge.content import content_for
from bot.knowledge.readability import READING_GRADE_LIMIT, jargon_in, words_to_avoid
from bot.services.demo_data import DEMO_CARER_ANSWERS, DEMO_CHILD_ANSWERS, DEMO_PARENT_ANSWERS
from db.models import Audience, ConsultationRole
from tests.support.safety_screen import repo_safety_screen

CONTENT = Path(__file__).resolve().parents[2] / "content"
COUNCIL = content_for(CONTENT, "demoshire")
AVOID = words_to_avoid(CONTENT)
VALUES = {"child_name": "Robin", "iro_name": "Sam Lee", "review_date": "Monday 7 December",
          "sent_date": "1 December"}
CHILD = load_form(CONTENT, ConsultationRole.CHILD)
PARENT = load_form(CONTENT, ConsultationRole.PARENT)
CARER = load_form(CONTENT, ConsultationRole.CARER)
SHARED = load_shared(CONTENT)


def child_facing_texts() -> list[str]:
    texts = [CHILD.intro, *(q.text for q in CHILD.questions), *SHARED.texts.values(),
             *SHARED.codes.values()]
    return [COUNCIL.fill(t, **VALUES) for t in texts]


def test_the_child_form_asks_what_the_issue_lists() -> None:
    assert CHILD.keys == (
        "home", "school", "health", "family_time", "going_well", "worries", "last_review",
        "talk_about", "who_comes", "where_when", "chairing", "advocate", "anything_else",
    )


def test_the_parent_form_asks_the_councils_parental_questions() -> None:
    assert PARENT.keys == (
        "where_child_lives", "plan", "family_time", "discuss", "attend", "anything_else",
    )
    assert PARENT.question("where_child_lives").text == (
        "What do you think about where your child lives?"
    )


@pytest.mark.parametrize("text", child_facing_texts())
def test_child_facing_texts_are_short_plain_and_fully_filled(text: str) -> None:
    assert_short_plain_and_filled(text)


def assert_short_plain_and_filled(text: str) -> None:
    assert "{" not in text and "}" not in text
    assert len(text.split()) <= 60
    if len(text.split()) >= 10:  # the grade formula means nothing for a four-word question
        assert textstat.flesch_kincaid_grade(text) <= READING_GRADE_LIMIT, text


def test_the_carer_form_asks_what_councils_ask_foster_and_kinship_carers() -> None:
    # the issue's list: at home, at school, health, family time, what's going well, worries,
    # the support the carer needs, views on the plan; then anything else, as every form ends
    assert CARER.keys == (
        "home", "school", "health", "family_time", "going_well", "worries", "support", "plan",
        "anything_else",
    )
    assert CARER.question("family_time").label.startswith("Family time")


@pytest.mark.parametrize("text", [CARER.intro, *(q.text for q in CARER.questions),
                                  SHARED.texts["sent_carer"]])
def test_carer_texts_are_short_plain_speak_of_the_child_by_name_and_fully_filled(
    text: str
) -> None:
    filled = COUNCIL.fill(text, **VALUES)
    assert_short_plain_and_filled(filled)
    if text != CARER.questions[-1].text:  # "anything else for the IRO" is about the carer
        assert "Robin" in filled, text


def test_a_carers_answers_never_set_the_childs_advocacy_or_chairing_wishes() -> None:
    # save_answer flags these two keys for the IRO's list and the report's child figures
    assert {ADVOCATE_KEY, CHAIRING_KEY}.isdisjoint(CARER.keys)
    assert {ADVOCATE_KEY, CHAIRING_KEY}.isdisjoint(PARENT.keys)


def test_every_role_has_its_form_its_thanks_and_its_audience() -> None:
    for role in ConsultationRole:
        form = load_form(CONTENT, role)
        assert form.role == role and form.questions, role
        assert yaml.safe_load((CONTENT / "forms" / FORM_FILES[role]).read_text())["role"] == (
            role.value)
        assert SENT[role] in SHARED.texts, role
        assert role in AUDIENCE, role
    assert AUDIENCE[ConsultationRole.CARER] == Audience.CARER  # not read as a parent or child
    assert len(set(SENT.values())) == len(ConsultationRole)  # each thanked in their own words


def test_no_button_in_any_form_is_read_as_a_worry_by_the_safety_screen() -> None:
    # pressing a quick reply sends its words through the screen like typed text
    screen = repo_safety_screen()
    buttons = {SHARED.skip_title, *(r for form in (CHILD, PARENT, CARER)
                                   for q in form.questions for r in q.quick_replies)}
    assert [b for b in sorted(buttons) if screen.check(b).is_concern] == []


def test_no_consultation_text_uses_care_jargon_or_promises_secrecy() -> None:
    everything = [*child_facing_texts(), PARENT.intro, *(q.text for q in PARENT.questions),
                  CARER.intro, *(q.text for q in CARER.questions),
                  *(r for q in CARER.questions for r in q.quick_replies),
                  *(q.label for q in CHILD.questions + PARENT.questions + CARER.questions)]
    for text in everything:
        assert jargon_in(text, AVOID) == [], text
        assert "secret" not in text.lower() and "confidential" not in text.lower()


def test_skip_is_understood_and_a_stop_word_is_never_a_skip() -> None:
    assert SHARED.is_skip(SHARED.skip_title) and SHARED.is_skip("  SKIP ")
    assert SHARED.is_stop("Stop for now") and not SHARED.is_skip("stop")
    assert not SHARED.is_skip("I skipped school once")


@pytest.mark.parametrize(("said", "choice"), [
    ("Yes please", "yes"), ("yes please, I'd like one", "yes"), ("No thanks", "no"),
    ("not sure", "not_sure"), ("what's an advocate?", None),
])
def test_advocate_answers_are_read_as_choices(said: str, choice: str | None) -> None:
    assert CHILD.question("advocate").choice_for(said) == choice


def test_every_quick_reply_of_a_choice_question_means_a_choice() -> None:
    for question in CHILD.questions + PARENT.questions + CARER.questions:
        if question.choices:
            for reply in question.quick_replies:
                assert question.choice_for(reply) is not None, (question.key, reply)


def test_the_demo_answers_every_question_of_every_form() -> None:
    """So a question added to a form shows answered on the demo review, not as skipped."""
    assert tuple(DEMO_CHILD_ANSWERS) == CHILD.keys
    assert tuple(DEMO_PARENT_ANSWERS) == PARENT.keys
    assert tuple(DEMO_CARER_ANSWERS) == load_form(CONTENT, ConsultationRole.CARER).keys
