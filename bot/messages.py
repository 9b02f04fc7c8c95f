"""Channel-neutral messages, so that dialogue logic never sees a Telegram Update or raw JSON."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True)
class IncomingMessage:
    """One piece of user text from any channel.

    ``channel_user_id`` is the channel's own id for the person (Telegram user id,
    web-chat conversation id, REST sender); it is hashed before anything stores it.
    ``is_button`` marks text that came from pressing one of our buttons: it is still
    screened and still checked against the button allow-list, because any client
    can claim to have pressed a button.
    ``source_address`` is the sender's network address where the channel knows it (the web
    chat and REST: the HTTP client); it is never stored, only used to fold alert floods.
    """

    channel: str
    channel_user_id: str
    text: str
    is_button: bool = False
    is_edit: bool = False
    source_address: str | None = None


@dataclass(frozen=True)
class Reply:
    text: str
    buttons: list[Button] = field(default_factory=list)
