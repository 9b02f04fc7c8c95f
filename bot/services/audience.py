"""Who carebot is talking to: a child in care, a care leaver, a parent or a carer."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.services.chat_users import get_or_create_chat_user
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


def guess_audience(text: str, cues: dict[str, list[str]]) -> Audience:
    """Who is probably asking, from words like "my grandson lives with us" (a carer), "my
    son" (a parent) or "I left care" (a care leaver); a child in care unless it is clear.

    Carers come first: "my foster son" and "my grandson" are not a parent's words."""
    lowered = " " + " ".join(text.lower().replace("’", "'").split()) + " "
    for audience in GUESS_ORDER:
        if any(_said(cue, lowered) for cue in cues.get(audience.value, [])):
            return audience
    return Audience.CHILD


def _said(cue: str, lowered: str) -> bool:
    return any(f" {cue}{end}" in lowered for end in (" ", "'", ",", ".", "?", "!"))
