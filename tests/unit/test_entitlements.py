"""The entitlements rules give each care leaver what FACTS.md says they can get."""

from __future__ import annotations

import re

import pytest
import textstat

from bot.config import REPO_ROOT
from bot.knowledge.content import Content
from bot.knowledge.entitlements import EntitlementsForm, Profile, parse_age
from bot.knowledge.readability import READING_GRADE_LIMIT
from tests import facts_table

FORM = EntitlementsForm(REPO_ROOT / "content" / "forms" / "entitlements.yml")
COUNCIL = Content(REPO_ROOT / "content", "demoshire")


def offer(age: int, activity: str, housing: str, parent: str = "no") -> str:
    items = FORM.applies(Profile(age, activity, housing, parent))
    return "\n".join(COUNCIL.fill(e["text"]) for e in items)


def test_a_student_in_foster_care_gets_the_bursary_and_staying_put() -> None:
    text = offer(18, "university", "foster")
    assert "£2,000" in text and "Staying Put" in text and "until you're 21" in text
    assert "£1,200" not in text and "apprenticeship" not in text


def test_a_college_student_under_20_gets_the_16_to_19_bursary() -> None:
    assert "£1,200" in offer(17, "college", "foster")
    assert "£1,200" not in offer(20, "college", "own")


def test_an_apprentice_gets_three_thousand_in_three_payments() -> None:
    text = offer(19, "apprenticeship", "own")
    assert "£3,000" in text and "three £1,000 payments" in text
    assert "No tax" in text and "Universal Credit" in text
    assert "apprenticeship bursary" not in offer(25, "apprenticeship", "own")  # under 25 at start


def test_the_university_bursary_names_the_two_year_course_rule() -> None:
    assert "at least two years" in offer(19, "university", "own")


def test_under_25s_hear_about_local_connection_and_staying_close_as_coming() -> None:
    text = offer(19, "none", "supported")
    assert "local connection" in text
    assert "Staying Close" in text and "not working yet" in text


def test_someone_in_their_own_home_gets_the_councils_council_tax_policy() -> None:
    assert COUNCIL.authority["local_offer"]["council_tax"] in offer(20, "work", "own")


def test_priority_need_is_for_18_to_20_and_the_room_rate_exemption_to_24() -> None:
    assert "must treat you as a priority" in offer(19, "none", "other")
    # FACTS.md (December 2026): at 21 and over, priority need if vulnerable as a result of
    # having been in care, so the checker says "may", never "must" or nothing
    at_21 = offer(21, "none", "other")
    assert "must treat you as a priority" not in at_21
    assert "may still be a priority" in at_21 and "being in care" in at_21
    assert "one-bedroom" in offer(24, "none", "own")
    assert "one-bedroom" not in offer(25, "none", "own")


def test_everyone_gets_a_personal_adviser_and_the_local_offer() -> None:
    text = offer(16, "none", "family")
    assert "personal adviser" in text and COUNCIL.authority["local_offer"]["url"] in text


@pytest.mark.parametrize("age", range(16, 26))
@pytest.mark.parametrize("activity", ["university", "college", "apprenticeship", "work", "none"])
@pytest.mark.parametrize("housing", ["foster", "own", "supported", "family", "other"])
def test_every_answer_set_agrees_with_the_facts(age: int, activity: str, housing: str) -> None:
    text = offer(age, activity, housing, "yes")
    for amount in re.findall(r"£[\d,]+", text):
        assert amount in facts_table.AMOUNTS
    words_only = re.sub(r"https?://\S+", "", text)  # a web address is read as one long word
    assert textstat.flesch_kincaid_grade(words_only) <= READING_GRADE_LIMIT, text


@pytest.mark.parametrize(
    ("slot", "typed", "expected"),
    [
        ("leaver_activity", "im at uni", "university"),
        ("leaver_activity", "doing my a levels at sixth form", "college"),
        ("leaver_activity", "apprentice", "apprenticeship"),
        ("leaver_activity", "nothing rn", "none"),
        ("leaver_housing", "i rent a flat", "own"),
        ("leaver_housing", "still with my foster carers", "foster"),
        ("leaver_is_parent", "yeah", "yes"),
        ("leaver_is_parent", "nah", "no"),
        ("leaver_age", "im 19", "19"),
        ("leaver_activity", "banana", None),
        ("leaver_age", "old enough", None),
    ],
)
def test_typed_answers_are_understood(slot: str, typed: str, expected: str | None) -> None:
    assert FORM.read_answer(slot, typed) == expected


def test_stop_words_end_the_checker() -> None:
    assert FORM.is_stop("stop please") and FORM.is_stop("never mind")
    assert not FORM.is_stop("nonstop")


def test_ages_outside_reason_are_not_taken() -> None:
    assert parse_age("I am 5") is None and parse_age("99") is None and parse_age("18") == 18


def test_what_the_person_already_said_is_not_asked_again() -> None:
    said = FORM.already_said(["im 19 and at uni, living in my own flat. what can i get?"])
    assert said == {"leaver_age": "19", "leaver_activity": "university", "leaver_housing": "own"}


def test_newest_message_wins_and_numbers_that_are_not_ages_are_ignored() -> None:
    said = FORM.already_said(["actually I'm 20 now", "I was 17 when I left, I had 2 jobs"])
    assert said["leaver_age"] == "20"
    assert FORM.already_said(["i need 10 driving lessons"]) == {}


def test_a_parent_says_so_in_their_own_words() -> None:
    assert FORM.already_said(["me and my baby need a flat"])["leaver_is_parent"] == "yes"
