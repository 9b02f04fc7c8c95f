"""Who carebot is talking to: a child in care, a care leaver or a parent."""

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


def guess_audience(text: str, parent_cues: list[str]) -> Audience:
    """Who is probably asking, from words like "my son"; a child unless it is clearly a parent."""
    lowered = " " + " ".join(text.lower().replace("’", "'").split()) + " "
    if any(f" {cue} " in lowered or f" {cue}'" in lowered or f" {cue}," in lowered
           or f" {cue}." in lowered or f" {cue}?" in lowered for cue in parent_cues):
        return Audience.PARENT
    return Audience.CHILD
