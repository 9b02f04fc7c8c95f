"""How a message from the IRO reads in the chat, on every channel: a reply under "You have a
reply from your IRO", a letter after the review under its own words (the child's, or a parent's
or carer's) and with how to reply and ask about it below. The words are in
``content/chat.yml``."""

from __future__ import annotations

from bot.knowledge.content import Content
from db.models import ConsultationRole, MessageKind


def from_iro(content: Content, *, kind: MessageKind, role: ConsultationRole, iro_name: str,
             text: str) -> str:
    """The IRO's ``text`` as the person ``role`` is shown it."""
    if kind == MessageKind.LETTER:
        lead = "letter_from_iro" if role == ConsultationRole.CHILD else "letter_from_iro_adult"
        return "\n\n".join((content.say(lead, iro_name=iro_name).text, text,
                            content.say("letter_end", iro_name=iro_name).text))
    return f"{content.say('reply_from_iro', iro_name=iro_name).text}\n{text}"
