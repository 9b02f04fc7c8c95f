"""What each kind of Telegram update gets: one small handler each.

Every handler that answers a person does so in their turn (``Assistant.turn``), from the
"typing..." to the last reply sent, so one person's messages are answered in the order they
were sent while other people's are answered at the same time.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

from telegram import Chat, Message, Update
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.channels.telegram import CHANNEL
from bot.channels.telegram.delivery import Delivery, RecentIds
from bot.messages import IncomingMessage

if TYPE_CHECKING:
    from bot.pipeline import Assistant

log = logging.getLogger(__name__)

# How many recent update ids are remembered to drop repeats (a few hours of a busy bot).
RECENT_UPDATES = 10_000

# Everything a person can send that is not text we can read. Captioned media are answered
# by the caption handler first; ATTACHMENT catches kinds added to Telegram later.
NOT_TEXT = (
    filters.Sticker.ALL
    | filters.PHOTO
    | filters.VOICE
    | filters.AUDIO
    | filters.VIDEO
    | filters.VIDEO_NOTE
    | filters.ANIMATION
    | filters.Document.ALL
    | filters.CONTACT
    | filters.LOCATION
    | filters.VENUE
    | filters.POLL
    | filters.Dice.ALL
    | filters.STORY
    | filters.ATTACHMENT
)


class UpdateHandlers:
    """The Application's handlers: updates in, the assistant's replies out."""

    def __init__(self, assistant: Assistant, delivery: Delivery) -> None:
        self.assistant = assistant
        self.delivery = delivery
        self.recent_updates = RecentIds(RECENT_UPDATES)

    def add_to(self, application: Application) -> None:
        private_only = filters.ChatType.PRIVATE
        new_message = filters.UpdateType.MESSAGE & private_only
        edited = filters.UpdateType.EDITED_MESSAGE & private_only
        application.add_handler(TypeHandler(Update, self._drop_repeats), group=-2)
        application.add_handler(TypeHandler(Update, self._private_chats_only), group=-1)
        # /start may carry a deep link; every other command in the menu is passed on as
        # typed, through the assistant (so /privacy, /mydata and /delete are logged for staff)
        commands = [command for command, _ in self.assistant.content.menu if command != "start"]
        application.add_handlers(
            [
                CommandHandler("start", self._on_start, filters=new_message),
                CommandHandler(commands, self._on_command, filters=new_message),
                MessageHandler(new_message & filters.TEXT, self._on_text),
                MessageHandler(new_message & filters.CAPTION, self._on_caption),
                MessageHandler(new_message & NOT_TEXT, self._on_not_text),
                # Edited media without a caption (including live-location updates, which
                # arrive as edits every few seconds) get no reply.
                MessageHandler(edited & (filters.TEXT | filters.CAPTION), self._on_edit),
                CallbackQueryHandler(self._on_button),
            ]
        )
        application.add_error_handler(self._on_error)

    async def _drop_repeats(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        """An update already seen (Telegram retrying a webhook, or getUpdates redelivering
        after a lost confirmation) is not answered again."""
        if self.recent_updates.first_time(update.update_id):
            return
        log.info("telegram update ignored update_id=%s reason=repeat", update.update_id)
        raise ApplicationHandlerStop

    async def _private_chats_only(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        """Ignore groups and channels: a reply there would show a child's conversation to others."""
        chat = update.effective_chat
        if chat is not None and chat.type == Chat.PRIVATE and update.effective_user is not None:
            return
        if update.callback_query is not None:
            await update.callback_query.answer()
        log.info("telegram update ignored update_id=%s reason=not-private", update.update_id)
        raise ApplicationHandlerStop

    async def _on_start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """``/start`` or a deep link ``t.me/<bot>?start=<payload>``."""
        chat_id, user_id = _ids(update)
        payload = " ".join(context.args or []) or None
        async with self.assistant.turn(CHANNEL, user_id):
            await self.delivery.show_typing(chat_id)
            replies = await self.assistant.start(CHANNEL, user_id, payload)
            await self.delivery.send_replies(chat_id, replies)

    async def _on_command(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        """A command from the menu (or typed): what the person sent, arguments and all."""
        await self._converse(update, _message(update).text or "")

    async def _on_text(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        message = _message(update)
        await self._converse(update, message.text or "")

    async def _on_caption(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        """A caption is the person's words: answer them, then say the media itself is unread."""
        message = _message(update)
        await self._converse(update, message.caption or "", then_not_text=True)

    async def _on_edit(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        """An edited message is answered as what the person now says."""
        message = _message(update)
        await self._converse(update, message.text or message.caption or "", is_edit=True)

    async def _on_not_text(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        """Stickers, photos, voice, locations...: kindly say we only read text.

        Nothing from the message is passed on or logged: a location in particular must never
        leave this function.
        """
        log.info("telegram non-text message update_id=%s", update.update_id)
        await self._say_fixed(update, "non_text")

    async def _on_button(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        """A button press: always answer the query (or the button spins), then treat the
        payload as something the person said."""
        query = update.callback_query
        if query is None:
            return
        await query.answer()
        if not query.data:
            return
        await self._converse(update, query.data, is_button=True)

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log failures by update id and error type; the update's content stays out of logs."""
        update_id = update.update_id if isinstance(update, Update) else None
        error = context.error
        log.error(
            "telegram update failed update_id=%s error=%s",
            update_id,
            type(error).__name__,
            exc_info=error,
        )

    async def _converse(
        self,
        update: Update,
        text: str,
        *,
        is_button: bool = False,
        is_edit: bool = False,
        then_not_text: bool = False,
    ) -> None:
        """Hand the person's words to the assistant and send its replies back."""
        chat_id, user_id = _ids(update)
        started = time.perf_counter()
        async with self.assistant.turn(CHANNEL, user_id):
            await self.delivery.show_typing(chat_id)
            incoming = IncomingMessage(
                CHANNEL, user_id, text, is_button=is_button, is_edit=is_edit
            )
            replies = await self.assistant.handle(incoming)
            if then_not_text:
                replies = [*replies, self.assistant.command_text("non_text")]
            await self.delivery.send_replies(chat_id, replies)
        log.info(
            "telegram update answered update_id=%s replies=%d ms=%.1f",
            update.update_id,
            len(replies),
            (time.perf_counter() - started) * 1000,
        )

    async def _say_fixed(self, update: Update, key: str) -> None:
        """Send one of the assistant's fixed texts (no understanding needed), in turn."""
        chat_id, user_id = _ids(update)
        async with self.assistant.turn(CHANNEL, user_id):
            await self.delivery.send_replies(chat_id, [self.assistant.command_text(key)])


def _ids(update: Update) -> tuple[int, str]:
    """(chat id to answer in, the person's Telegram user id as the pipeline's user id)."""
    user = update.effective_user
    chat = update.effective_chat
    if user is None:
        raise ValueError("update has no user")
    chat_id = chat.id if chat is not None else user.id
    return chat_id, str(user.id)


def _message(update: Update) -> Message:
    message = update.effective_message
    if message is None:
        raise ValueError("update has no message")
    return message
