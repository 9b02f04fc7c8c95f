"""Replies as Telegram messages: text cut to Telegram's length, content's simple markup as
Telegram HTML, buttons as an inline keyboard.

Telegram counts a message's length in UTF-16 code units (an emoji can count as two) and a
button's callback data in bytes; a message over either limit is refused whole.
"""

from __future__ import annotations

import html
import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import MessageLimit

from bot.messages import Button

log = logging.getLogger(__name__)

MAX_MESSAGE_LENGTH = int(MessageLimit.MAX_TEXT_LENGTH)
MAX_CALLBACK_DATA_BYTES = 64


def inline_keyboard(buttons: list[Button]) -> InlineKeyboardMarkup | None:
    """Rasa buttons as a Telegram inline keyboard, one button per row (easy to tap on a phone).

    Telegram rejects a whole message whose callback data exceeds 64 bytes, so such a button is
    dropped (and logged without its text) rather than losing the reply.
    """
    rows: list[list[InlineKeyboardButton]] = []
    for position, button in enumerate(buttons):
        size = len(button.payload.encode("utf-8"))
        if size > MAX_CALLBACK_DATA_BYTES or size == 0:
            log.warning(
                "telegram button dropped: callback data is %d bytes (limit %d) position=%d",
                size,
                MAX_CALLBACK_DATA_BYTES,
                position,
            )
            continue
        rows.append([InlineKeyboardButton(text=button.title, callback_data=button.payload)])
    return InlineKeyboardMarkup(rows) if rows else None


def as_html(text: str) -> str:
    """Plain reply text as Telegram HTML (``parse_mode=HTML``): everything escaped, so no word
    can be read as markup, and content's "- " list lines shown as bullets. Telegram counts a
    message's length after reading the HTML, so the text is split before this, not after."""
    lines = []
    for line in html.escape(text, quote=False).split("\n"):
        item = line.lstrip()
        lines.append(f"\u2022 {item[2:]}" if item.startswith("- ") else line)
    return "\n".join(lines)


def split_text(text: str, limit: int = MAX_MESSAGE_LENGTH) -> list[str]:
    """Cut ``text`` into parts Telegram accepts, preferring paragraph, then line, then word breaks.

    Telegram counts length in UTF-16 code units (an emoji can count as two), so that is what is
    measured here. A part is never cut inside a character. Whitespace at the cuts is dropped
    (Telegram would trim it anyway) and empty parts are skipped, because Telegram refuses to
    send an empty message.
    """
    if limit < 2:
        raise ValueError("limit must be at least 2")
    parts: list[str] = []
    rest = text.strip()
    while rest:
        if _utf16_len(rest) <= limit:
            parts.append(rest)
            break
        end = _fit(rest, limit)
        cut, skip = _best_cut(rest, end)
        part = rest[:cut].rstrip()
        if part:
            parts.append(part)
        rest = rest[cut + skip :].lstrip()
    return parts


def _best_cut(text: str, end: int) -> tuple[int, int]:
    """Where to cut within ``text[:end]``: (index, separator length to skip).

    A break in the second half of the window is preferred so that parts stay large; failing
    that any break will do; failing that (one enormous word) a hard cut at ``end``.
    """
    window = text[: end + 1]  # a break right after the last character that fits is ideal
    for minimum in (end // 2, 1):
        for separator in ("\n\n", "\n", " "):
            index = window.rfind(separator)
            if index >= minimum:
                return index, len(separator)
    return end, 0


def _fit(text: str, limit: int) -> int:
    """The largest ``n`` such that ``text[:n]`` is at most ``limit`` UTF-16 code units."""
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return index
    return len(text)


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2
