"""Who carebot is talking to: a child in care, a care leaver, a parent or a carer."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from db.chat_users import get_or_create_chat_user
from db.engine import session_scope
from db.models import Audience, ChatUser


def audience_of(database_url: str, user_key: str, retention: timedelta) -> Audience:
    """Read only: the pipeline has already recorded that the person was seen this turn."""
    with session_scope(database_url) as session:
        audience = session.scalar(select(ChatUser.audience).where(ChatUser.user_key == user_key))
        return audience or Audience.UNKNOWN


def set_audience(
    database_url: str, user_key: str, audience: Audience, retention: timedelta
) -> None:
    with session_scope(database_url) as session:
        get_or_create_chat_user(session, user_key, retention).audience = audience


GUESS_ORDER = (Audience.CARER, Audience.PARENT, Audience.CARE_LEAVER)
# "I'm 19", "im 20", "when I was 18": someone 18 or over who writes about their own care.
ADULT_AGE = re.compile(
    r"\b(?:i'm|im|i am|i was|i turned)\s+(?:1[89]|2[0-5])\b"
    r"(?!\s*(?:months?|weeks?|days?|hours?|minutes?|miles?|stone|kg|percent|%))")
# Saying what you are ("I'm a foster carer", "as his mum") outweighs every other cue.
SELF_DESCRIPTION = ("i'm ", "im ", "i am ", "we are ", "we're ", "as a ", "as his ", "as her ",
                    "as their ", "as the ")


def guess_audience(text: str, cues: dict[str, list[str]]) -> Audience:
    """Who is probably asking, from words like "my grandson lives with us" (a carer), "my
    son" (a parent) or "I left care" (a care leaver); a child in care unless it is clear.

    Saying what you are comes first ("I'm a foster carer", "as his mum"). Then a young
    person's own words: "my foster carer" and "my children's home" are not
    a carer's, and a young person who says they are 18 or over, or who has left care, is a care
    leaver. Then carers: "my foster son" and "my grandson" are not a parent's words; then
    parents ("my son"); then words about fostering or kinship care that parents use too
    ("the foster carers", "SGO"). On the two
    development sets this guessed 65% of care leavers as children and 1 in 5 children as
    carers when "foster carer" alone meant a carer."""
    lowered = " " + " ".join(text.lower().replace("\u2019", "'").split()) + " "
    adult = ADULT_AGE.search(lowered) is not None

    def said_any(audience: str) -> bool:
        return any(_said(cue, lowered) for cue in cues.get(audience, []))

    for audience in (Audience.CARER, Audience.PARENT):
        if any(_said(cue, lowered) for cue in cues.get(audience.value, [])
               if cue.startswith(SELF_DESCRIPTION)):
            return audience
    if said_any("young_person"):
        return Audience.CARE_LEAVER if adult or said_any("care_leaver") else Audience.CHILD
    for audience in GUESS_ORDER:
        if said_any(audience.value):
            return audience
        if audience == Audience.PARENT and said_any("carer_setting"):
            return Audience.CARER
    return Audience.CARE_LEAVER if adult else Audience.CHILD


def _said(cue: str, lowered: str) -> bool:
    return any(f" {cue}{end}" in lowered for end in (" ", "'", ",", ".", "?", "!"))
