"""What the message pipeline needs from consultations, in one database transaction each."""

from __future__ import annotations

from dataclasses import dataclass

from bot.consultation.answers import consultation_state, current_consultation
from bot.consultation.form import load_form
from bot.consultation.invites import RedeemOutcome, redeem
from bot.knowledge.content import Content
from db.chat_users import get_or_create_chat_user
from db.encryption import DataKeys
from db.engine import session_scope

# Sent to Rasa by carebot itself (never from user text) to start or resume the form.
CONTINUE_PAYLOAD = "/continue_consultation"


@dataclass(frozen=True)
class RedeemedForChat:
    outcome: RedeemOutcome
    intro: str = ""


def redeem_code(
    database_url: str,
    keys: DataKeys,
    content: Content,
    *,
    user_key: str,
    code: str,
    reminder_address: str | None,
) -> RedeemedForChat:
    """Redeem ``code`` for this person and return the welcome to their review's questions.

    Committed before the person is told anything, so a code that was accepted stays used.
    """
    with session_scope(database_url) as session:
        user = get_or_create_chat_user(session, user_key, content.retention)
        redeemed = redeem(
            session, keys, code=code, chat_user=user, retention=content.retention,
            reminder_address=reminder_address,
        )
        if redeemed.consultation_id is None or redeemed.role is None:
            return RedeemedForChat(redeemed.outcome)
        state = consultation_state(session, keys, redeemed.consultation_id)
        form = load_form(content.content_dir, redeemed.role)
        intro = content.fill(form.intro, **state.placeholders())
        return RedeemedForChat(redeemed.outcome, intro)


def has_open_consultation(database_url: str, keys: DataKeys, user_key: str) -> bool:
    with session_scope(database_url) as session:
        state = current_consultation(session, keys, user_key)
        return state is not None and state.submitted_at is None
