"""Who is asking, from their own words: carers, parents, care leavers, else a child in care."""

from __future__ import annotations

import pytest

from bot.config import REPO_ROOT
from bot.knowledge.content import Content
from bot.services.audience import guess_audience
from db.models import Audience

CUES = Content(REPO_ROOT / "content", "demoshire").audience_cues


@pytest.mark.parametrize("text", [
    "my foster child wants to go to a sleepover, do i need to ask the social worker",
    "My grandson lives with us since his mum went into rehab, can we get any money?",
    "as his kinship carer am I allowed to sign the school trip form",
    "we foster two boys and want to take them to spain",
    "Im a special guardian for my niece, who pays for her uniform?",
    "can i cut my foster daughter's hair",
    "Our teenage foster son's mum wants him home for Christmas",
])
def test_carers_are_recognised_from_what_they_write(text: str) -> None:
    assert guess_audience(text, CUES) == Audience.CARER


@pytest.mark.parametrize("text", [
    "my son is in foster care and they cut my contact",
    "Can I see my daughter more often?",
    "im a dad and the social worker wants a family meeting before court, do i have to go",
    "I'm the mum. What happens at the review?",
])
def test_parents_are_recognised(text: str) -> None:
    assert guess_audience(text, CUES) == Audience.PARENT


def test_a_care_leaver_is_recognised() -> None:
    assert guess_audience("i left care last year and my pa never answers", CUES) == (
        Audience.CARE_LEAVER)
    assert guess_audience("I'm 23, left care at 18 and I work full time", CUES) == (
        Audience.CARE_LEAVER)


@pytest.mark.parametrize("text", [
    "can my carer take my phone", "i want to live with my nan", "when is my review",
])
def test_anyone_else_is_answered_as_a_child_in_care(text: str) -> None:
    assert guess_audience(text, CUES) == Audience.CHILD


@pytest.mark.parametrize(("text", "audience"), [
    ("my foster carer wont let me have my phone at night", Audience.CHILD),
    ("I'm 19 and my foster carers want me to stay, can I?", Audience.CARE_LEAVER),
    ("im 20 and the council put me in a flat i cant afford", Audience.CARE_LEAVER),
    ("when i was 18 they moved me to a hostel, can they still help me", Audience.CARE_LEAVER),
    ("my son's foster carers won't let me phone him", Audience.PARENT),
    ("my daughter is on an sgo with my mum, can i still see her", Audience.PARENT),
    ("we are foster carers and the allowance is late again", Audience.CARER),
    ("what does the SGO allowance cover", Audience.CARER),
    ("I'm a foster carer and my foster carer review is next week", Audience.CARER),
    ("i was 18 months old when i went into care", Audience.CHILD),
    ("I'm 20 weeks pregnant and they want a pre-birth assessment", Audience.CHILD),
    ("a boy aged 18 in my children's home keeps shouting at me", Audience.CHILD),
    ("my foster carer's foster son keeps taking my stuff", Audience.CHILD),
])
def test_a_young_persons_own_words_and_age_come_before_the_words_about_care(
    text: str, audience: Audience
) -> None:
    """"My foster carer" is a young person's phrase, and "I'm 19" a care leaver's; words
    about fostering or special guardianship that parents use too mean a carer only when
    nothing says a parent."""
    assert guess_audience(text, CUES) == audience
