"""The readability and jargon gates, as staff-written text meets them: the IRO's letter is
warned about a reading age too high for a child and about each word to avoid, with the plain
words to use instead."""

from __future__ import annotations

from bot.config import REPO_ROOT
from bot.knowledge.readability import (
    READING_GRADE_LIMIT,
    Jargon,
    check,
    jargon_in,
    reading_grade,
    words_to_avoid,
)

AVOID = words_to_avoid(REPO_ROOT / "content")
PLAIN = ("We talked about your home and your school. You will stay where you live. "
         "You will see your mum every Saturday. Your next review is in May.")
HARD = ("The multidisciplinary professionals considered comprehensive documentation regarding "
        "educational arrangements, subsequently recommending additional therapeutic provision "
        "alongside continued monitoring of emotional wellbeing indicators.")


def test_each_word_to_avoid_comes_with_its_plain_words() -> None:
    found = jargon_in("Your Placement is going well and contact with mum is on Fridays.", AVOID)
    assert found == [Jargon("placement", "home, where you live"),
                     Jargon("contact", "family time (seeing your family)")]
    assert jargon_in("The contactless card is in a replacement wallet.", AVOID) == []


def test_a_hard_letter_is_too_hard_for_a_child_and_a_plain_one_is_not() -> None:
    hard = check(HARD, AVOID, young_reader=True)
    assert hard.too_hard and not hard.passes and hard.grade > READING_GRADE_LIMIT
    assert hard.reading_age == round(hard.grade) + 5
    plain = check(PLAIN, AVOID, young_reader=True)
    assert plain.passes and plain.grade <= READING_GRADE_LIMIT and plain.jargon == ()


def test_an_adult_reader_is_checked_for_jargon_only() -> None:
    assert check(HARD, AVOID, young_reader=False).passes
    adult = check(HARD + " Contact is monthly.", AVOID, young_reader=False)
    assert not adult.passes and adult.grade is None and not adult.too_hard
    assert [j.word for j in adult.jargon] == ["contact"]


def test_numbers_and_addresses_are_not_graded_as_words_nor_is_a_short_text() -> None:
    with_contacts = (PLAIN + " Call 01632 960456 or email advocacy.service@demoshire.example "
                     "or see https://www.demoshire.example/local-offer/advocacy-for-children.")
    assert reading_grade(with_contacts) == reading_grade(
        PLAIN + " Call or email or see")
    assert reading_grade("See you soon, Sam.") is None
    assert check("Multidisciplinary comprehensive documentation.", AVOID,
                 young_reader=True).passes
