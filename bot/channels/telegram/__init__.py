"""Telegram: translates Telegram updates to the pipeline's messages and back.

Dialogue logic lives in :class:`bot.pipeline.Assistant`; this package only knows Telegram:

* ``channel.py``: :class:`~bot.channels.telegram.channel.TelegramChannel`, the channel contract
  (bot/channel_contract.py) over a python-telegram-bot ``Application``: long polling by
  default (no public URL needed), or webhook mode when ``TELEGRAM_WEBHOOK_URL`` is set, with
  Telegram POSTing updates to ``POST /telegram/webhook``;
* ``handlers.py``: what each kind of update gets (text, captions, edits, buttons, commands,
  stickers and other media), handed to the assistant in the person's turn;
* ``delivery.py``: replies sent again when Telegram certainly did not take them, never when
  it may have; an update seen before is not answered twice;
* ``formatting.py``: replies as Telegram messages (long text split, buttons as an inline
  keyboard).

Privacy rules kept here: no message text, name, username or location is logged or stored;
logs carry update ids and timings only. The bot answers in private chats only, so nothing a
child says or is told is ever posted into a group.

This file imports nothing, so the web app can name the channel (bot/web/channels.py) without
loading python-telegram-bot when Telegram is off.
"""

CHANNEL = "telegram"
WEBHOOK_PATH = "/telegram/webhook"
