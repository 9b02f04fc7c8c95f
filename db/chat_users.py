"""People using the chat, known only by their keyed hash."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import ChatUser
from db.time import utcnow


def get_or_create_chat_user(session: Session, user_key: str, retention: timedelta) -> ChatUser:
    """The chat user for this key; seeing them again pushes their delete-after date back."""
    user = session.scalar(select(ChatUser).where(ChatUser.user_key == user_key))
    now = utcnow()
    if user is None:
        user = ChatUser(user_key=user_key, created_at=now, last_seen_at=now)
        session.add(user)
    user.last_seen_at = now
    user.delete_after = now + retention
    session.flush()
    return user
