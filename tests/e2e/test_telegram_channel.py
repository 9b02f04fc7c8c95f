"""Telegram, end to end and offline.

A real python-telegram-bot Application inside ``TelegramChannel`` talks over HTTP to the
stand-in Bot API (tests/support/fake_bot_api.py) through ``telegram_api_base_url``; updates are
real Update JSON; the assistant is the real one with a trained Rasa model. Tests assert on the
Bot API calls the bot makes. Model-chosen wording is never asserted, only structure and the
fixed texts from ``assistant.command_text``.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Route

from bot.channels.telegram.channel import SECRET_HEADER, TelegramChannel, TelegramStartError
from bot.channels.telegram.formatting import MAX_MESSAGE_LENGTH, as_html, split_text
from bot.messages import Button, IncomingMessage, Reply
from tests.support.fake_bot_api import (
    FakeBotApi,
    callback_query_update,
    command_update,
    edited_message_update,
    emoji_text_update,
    group_chat,
    live_location_edit_update,
    location_update,
    long_text_update,
    new_user_id,
    photo_update,
    server_error,
    shown,
    start_update,
    sticker_update,
    text_update,
    voice_update,
)

WEBHOOK_URL = "https://carebot.example.org/telegram/webhook"
WEBHOOK_SECRET = "s3cret-for-tests_0123456789"
# A location no other test value contains, so a leak would be unmistakable.
LATITUDE, LONGITUDE = 51.501364, -0.141890


def as_shown(text: str) -> str:
    """What a reply's plain text looks like in Telegram once sent as HTML (list bullets)."""
    return shown({"text": as_html(text), "parse_mode": "HTML"})


def to_chat(chat_id: int):
    return lambda params: params.get("chat_id") == chat_id


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


async def replies_to(bot_api: FakeBotApi, chat_id: int, count: int = 1) -> list[dict[str, Any]]:
    """Wait until ``count`` messages went to ``chat_id`` and the bot has finished every update
    it was given (so any straggler has arrived too); return all of them."""
    for _ in range(count):
        await bot_api.wait_for("sendMessage", to_chat(chat_id))
    deadline = asyncio.get_running_loop().time() + 10
    while len(bot_api.calls_to_chat("sendMessage", chat_id)) < count:
        assert asyncio.get_running_loop().time() < deadline, "replies did not arrive"
        await asyncio.sleep(0.01)
    await bot_api.settled()
    return bot_api.calls_to_chat("sendMessage", chat_id)


def assert_well_formed_keyboard(message: dict[str, Any]) -> None:
    markup = message.get("reply_markup")
    if markup is None:
        return
    rows = markup["inline_keyboard"]
    assert rows
    for row in rows:
        assert len(row) == 1
        assert row[0]["text"]
        assert 1 <= len(row[0]["callback_data"].encode("utf-8")) <= 64


# ------------------------------------------------------------------ long polling


@pytest.mark.anyio
async def test_a_message_from_get_updates_gets_typing_then_a_reply_in_the_same_chat(
    bot_api, telegram_channel
):
    await telegram_channel()
    user_id = new_user_id()

    bot_api.push_update(text_update("hello", user_id))
    sent = await replies_to(bot_api, user_id)

    assert sent[0]["text"].strip()
    calls = bot_api.all_calls()
    typing = next(
        i for i, c in enumerate(calls)
        if c.method == "sendChatAction" and c.params["chat_id"] == user_id
    )
    reply = next(
        i for i, c in enumerate(calls)
        if c.method == "sendMessage" and c.params["chat_id"] == user_id
    )
    assert calls[typing].params["action"] == "typing"
    assert typing < reply
    assert bot_api.calls("getMe"), "the bot checks its token with getMe at start"
    assert bot_api.calls("getUpdates"), "long polling is the default"
    assert not bot_api.calls("setWebhook")


@pytest.mark.anyio
async def test_start_from_a_deep_link_is_answered(bot_api, telegram_channel):
    await telegram_channel()
    user_id = new_user_id()

    bot_api.push_update(start_update(user_id, payload="review-invite-ABC123"))
    sent = await replies_to(bot_api, user_id)

    assert all(message["text"].strip() for message in sent)
    for message in sent:
        assert_well_formed_keyboard(message)


def keyboard_for(reply: Reply) -> dict[str, Any] | None:
    """The inline keyboard Telegram should show under ``reply``: one button per row."""
    if not reply.buttons:
        return None
    return {
        "inline_keyboard": [[{"text": b.title, "callback_data": b.payload}] for b in reply.buttons]
    }


@pytest.mark.anyio
async def test_start_sends_the_welcome_with_its_buttons_as_an_inline_keyboard(
    bot_api, telegram_channel, assistant
):
    await telegram_channel()
    user_id = new_user_id()
    # /start without a payload always says the same; ask the assistant what that is.
    expected = await assistant.start("telegram", "expected-welcome", None)

    bot_api.push_update(start_update(user_id))
    sent = await replies_to(bot_api, user_id, count=len(expected))

    assert [m["text"] for m in sent] == [r.text for r in expected]
    assert [m.get("reply_markup") for m in sent] == [keyboard_for(r) for r in expected]


@pytest.mark.anyio
async def test_a_welcome_button_can_be_pressed_and_is_answered(bot_api, telegram_channel):
    await telegram_channel()
    user_id = new_user_id()
    bot_api.push_update(start_update(user_id))
    welcome = await replies_to(bot_api, user_id)
    keyboards = [m["reply_markup"] for m in welcome if m.get("reply_markup")]
    if not keyboards:
        pytest.skip("the welcome in content/chat.yml has no buttons")
    payload = keyboards[0]["inline_keyboard"][0][0]["callback_data"]

    update = bot_api.push_update(callback_query_update(payload, user_id))
    query_id = update["callback_query"]["id"]
    await bot_api.wait_for("answerCallbackQuery", lambda p: p["callback_query_id"] == query_id)
    sent = await replies_to(bot_api, user_id, count=len(welcome) + 1)

    assert sent[-1]["text"].strip()
    assert len(bot_api.calls_to_chat("sendChatAction", user_id)) == 2


@pytest.mark.anyio
@pytest.mark.parametrize("command", ["help", "privacy"])
async def test_help_and_privacy_commands_send_their_fixed_texts(
    bot_api, telegram_channel, assistant, command
):
    await telegram_channel()
    user_id = new_user_id()

    bot_api.push_update(command_update(command, user_id))
    sent = await replies_to(bot_api, user_id)

    expected = assistant.command_text(command)
    assert [shown(m) for m in sent] == [as_shown(part) for part in split_text(expected.text)]


@pytest.mark.anyio
async def test_a_button_press_is_answered_and_replied_to_in_the_chat(bot_api, telegram_channel):
    await telegram_channel()
    user_id = new_user_id()
    update = bot_api.push_update(callback_query_update("/greet", user_id))
    query_id = update["callback_query"]["id"]

    answered = await bot_api.wait_for(
        "answerCallbackQuery", lambda p: p["callback_query_id"] == query_id
    )
    sent = await replies_to(bot_api, user_id)

    assert answered["callback_query_id"] == query_id
    assert sent[0]["text"].strip()


@pytest.mark.anyio
async def test_an_edited_message_is_answered_as_what_the_person_now_says(
    bot_api, telegram_channel
):
    await telegram_channel()
    user_id = new_user_id()

    bot_api.push_update(edited_message_update("what can you do?", user_id))
    sent = await replies_to(bot_api, user_id)

    assert sent[0]["text"].strip()


@pytest.mark.anyio
@pytest.mark.parametrize(
    "make_update",
    [sticker_update, photo_update, voice_update, location_update],
    ids=["sticker", "photo", "voice", "location"],
)
async def test_things_that_are_not_text_get_the_kind_only_text_reply(
    bot_api, telegram_channel, assistant, make_update
):
    await telegram_channel()
    user_id = new_user_id()

    bot_api.push_update(make_update(user_id))
    sent = await replies_to(bot_api, user_id)

    assert [m["text"] for m in sent] == [assistant.command_text("non_text").text]
    assert not bot_api.calls_to_chat("sendChatAction", user_id), "nothing to think about"


@pytest.mark.anyio
async def test_a_location_is_never_logged_or_passed_on(
    bot_api, telegram_channel, assistant, caplog
):
    caplog.set_level(logging.DEBUG)
    await telegram_channel()
    user_id = new_user_id()

    bot_api.push_update(location_update(user_id, LATITUDE, LONGITUDE))
    sent = await replies_to(bot_api, user_id)
    # A live location keeps moving as edited messages: no reply each time, nothing logged.
    bot_api.push_update(live_location_edit_update(user_id, LATITUDE, LONGITUDE))
    await bot_api.settled()

    assert [m["text"] for m in sent] == [assistant.command_text("non_text").text]
    assert len(bot_api.calls_to_chat("sendMessage", user_id)) == 1
    outgoing = json.dumps([call.params for call in bot_api.all_calls()])
    for coordinate in ("51.501364", "51.50136", "0.14189", "-0.14189"):
        assert coordinate not in caplog.text
        assert coordinate not in outgoing
    assert caplog.records, "logging was captured (the test would be vacuous otherwise)"


@pytest.mark.anyio
async def test_a_photo_caption_is_answered_then_the_photo_is_said_to_be_unread(
    bot_api, telegram_channel, assistant
):
    await telegram_channel()
    user_id = new_user_id()

    bot_api.push_update(photo_update(user_id, caption="hello, this is my room"))
    sent = await replies_to(bot_api, user_id, count=2)

    assert sent[-1]["text"] == assistant.command_text("non_text").text
    assert all(m["text"].strip() for m in sent[:-1])
    assert bot_api.calls_to_chat("sendChatAction", user_id), "the caption was thought about"


@pytest.mark.anyio
async def test_a_5000_character_message_is_handled_without_a_crash(
    bot_api, telegram_channel, assistant
):
    await telegram_channel()
    user_id = new_user_id()
    update = long_text_update(user_id, length=5000)

    bot_api.push_update(update)
    sent = await replies_to(bot_api, user_id)

    assert all(m["text"].strip() and utf16_len(m["text"]) <= 4096 for m in sent)
    text = update["message"]["text"]
    if len(text) > assistant.max_message_chars:
        # Refused politely by the size guard, before any understanding: a fixed text.
        expected = await assistant.handle(IncomingMessage("telegram", "size-check", text))
        assert [m["text"] for m in sent] == [part for r in expected for part in split_text(r.text)]


@pytest.mark.anyio
async def test_emoji_text_is_understood_and_answered(bot_api, telegram_channel):
    await telegram_channel()
    user_id = new_user_id()

    bot_api.push_update(emoji_text_update(user_id))
    sent = await replies_to(bot_api, user_id)

    assert sent[0]["text"].strip()


@pytest.mark.anyio
async def test_a_person_gets_answers_in_the_order_they_wrote(bot_api, telegram_channel, assistant):
    await telegram_channel()
    user_id = new_user_id()

    bot_api.push_update(command_update("help", user_id))
    bot_api.push_update(command_update("privacy", user_id))
    bot_api.push_update(sticker_update(user_id))
    sent = await replies_to(bot_api, user_id, count=3)

    assert [shown(m) for m in sent] == [
        as_shown(assistant.command_text(key).text) for key in ("help", "privacy", "non_text")
    ]


@pytest.mark.anyio
async def test_group_chats_are_ignored_so_nothing_private_is_posted_there(
    bot_api, telegram_channel
):
    await telegram_channel()
    user_id = new_user_id()
    group = group_chat()
    sentinel_user = new_user_id()

    bot_api.push_update(text_update("hello", user_id, chat=group))
    bot_api.push_update(text_update("hello", sentinel_user))
    await replies_to(bot_api, sentinel_user)

    assert not bot_api.calls_to_chat("sendMessage", group["id"])
    assert not bot_api.calls_to_chat("sendChatAction", group["id"])


@pytest.mark.anyio
async def test_a_wrong_token_stops_start_with_an_error_that_does_not_show_the_token(
    bot_api, assistant, test_settings
):
    wrong_token = "987654321:AAWrongTokenThatMustNotBeShown_abcdef"
    settings = test_settings(
        telegram_bot_token=wrong_token, telegram_api_base_url=bot_api.base_url
    )
    channel = TelegramChannel(settings, assistant)

    with pytest.raises(TelegramStartError) as raised:
        await channel.start()

    assert wrong_token not in str(raised.value)
    assert "AAWrongToken" not in str(raised.value)
    assert raised.value.__cause__ is None and raised.value.__suppress_context__
    await channel.stop()  # still safe to call


# ------------------------------------------------------------ replies as messages


@pytest.mark.anyio
async def test_buttons_become_an_inline_keyboard_one_per_row(bot_api, telegram_channel):
    channel = await telegram_channel()
    chat_id = new_user_id()
    reply = Reply(
        "Would you like to know more?",
        [Button("Yes please", "/affirm"), Button("No thanks", "/deny")],
    )

    await channel.delivery.send_replies(chat_id, [reply])

    (sent,) = bot_api.calls_to_chat("sendMessage", chat_id)
    assert sent["text"] == reply.text
    assert sent["reply_markup"] == {
        "inline_keyboard": [
            [{"text": "Yes please", "callback_data": "/affirm"}],
            [{"text": "No thanks", "callback_data": "/deny"}],
        ]
    }


@pytest.mark.anyio
async def test_a_button_whose_payload_telegram_would_refuse_is_dropped_not_the_reply(
    bot_api, telegram_channel, caplog
):
    channel = await telegram_channel()
    chat_id = new_user_id()
    too_long = "/inform" + '{"topic": "' + "x" * 80 + '"}'
    reply = Reply("Pick one", [Button("Fine", "/affirm"), Button("Secret title", too_long)])

    with caplog.at_level(logging.WARNING, logger="bot.channels.telegram"):
        await channel.delivery.send_replies(chat_id, [reply])

    (sent,) = bot_api.calls_to_chat("sendMessage", chat_id)
    assert sent["reply_markup"] == {
        "inline_keyboard": [[{"text": "Fine", "callback_data": "/affirm"}]]
    }
    assert "dropped" in caplog.text
    assert "Secret title" not in caplog.text and too_long not in caplog.text


@pytest.mark.anyio
async def test_a_reply_over_4096_characters_is_split_with_buttons_on_the_last_part(
    bot_api, telegram_channel
):
    channel = await telegram_channel()
    chat_id = new_user_id()
    words = ("Some words about your rights. " * 40).strip()
    paragraphs = [f"Paragraph {n}. {words}" for n in range(12)]
    reply = Reply("\n\n".join(paragraphs), [Button("Thanks", "/thank")])
    assert len(reply.text) > 10_000

    await channel.delivery.send_replies(chat_id, [reply])

    sent = bot_api.calls_to_chat("sendMessage", chat_id)
    assert len(sent) == 4  # three ~1,200-character paragraphs fit in each message
    assert all(utf16_len(m["text"]) <= 4096 for m in sent)
    assert all(m["text"].startswith("Paragraph") for m in sent), "cut at paragraph breaks"
    assert [m.get("reply_markup") is not None for m in sent] == [False, False, False, True]
    assert "\n\n".join(m["text"] for m in sent) == reply.text


# ----------------------------------------------------------------------- webhook


def webhook_client(channel) -> httpx.AsyncClient:
    """The channel's webhook mounted as the web app mounts it, called in process."""
    app = Starlette(routes=[Route("/telegram/webhook", channel.webhook, methods=["POST"])])
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://carebot.test"
    )


async def start_webhook_channel(telegram_channel):
    return await telegram_channel(
        telegram_webhook_url=WEBHOOK_URL, telegram_webhook_secret=WEBHOOK_SECRET
    )


@pytest.mark.anyio
async def test_webhook_mode_registers_the_url_and_secret_and_does_not_poll(
    bot_api, telegram_channel
):
    channel = await start_webhook_channel(telegram_channel)

    assert channel.application.updater is None, "nothing that could poll was even built"
    (registered,) = bot_api.calls("setWebhook")
    assert registered["url"] == WEBHOOK_URL
    assert registered["secret_token"] == WEBHOOK_SECRET
    assert not bot_api.calls("getUpdates")


@pytest.mark.anyio
async def test_webhook_with_the_right_secret_is_processed(bot_api, telegram_channel):
    channel = await start_webhook_channel(telegram_channel)
    user_id = new_user_id()

    async with webhook_client(channel) as client:
        response = await client.post(
            "/telegram/webhook",
            json=text_update("hello", user_id),
            headers={SECRET_HEADER: WEBHOOK_SECRET},
        )
    sent = await replies_to(bot_api, user_id)

    assert response.status_code == 200
    assert sent[0]["text"].strip()


@pytest.mark.anyio
@pytest.mark.parametrize(
    "headers",
    [{}, {SECRET_HEADER: "wrong"}, {SECRET_HEADER: WEBHOOK_SECRET + "x"}, {SECRET_HEADER: ""}],
    ids=["missing", "wrong", "longer", "empty"],
)
async def test_webhook_without_the_right_secret_is_refused_and_nothing_is_processed(
    bot_api, telegram_channel, headers
):
    channel = await start_webhook_channel(telegram_channel)
    stranger = new_user_id()
    sentinel_user = new_user_id()

    async with webhook_client(channel) as client:
        refused = await client.post(
            "/telegram/webhook", json=text_update("hello", stranger), headers=headers
        )
        refused_bad_json = await client.post(
            "/telegram/webhook", content=b"{not json", headers=headers
        )
        accepted = await client.post(
            "/telegram/webhook",
            json=text_update("hello", sentinel_user),
            headers={SECRET_HEADER: WEBHOOK_SECRET},
        )
    await replies_to(bot_api, sentinel_user)

    assert refused.status_code == 403
    assert refused_bad_json.status_code == 403, "the secret is checked before parsing"
    assert accepted.status_code == 200
    assert not bot_api.calls_to_chat("sendMessage", stranger)
    assert not bot_api.calls_to_chat("sendChatAction", stranger)


@pytest.mark.anyio
async def test_webhook_checks_the_secret_before_reading_the_body(telegram_channel):
    channel = await start_webhook_channel(telegram_channel)
    body_read = False

    async def receive() -> dict[str, Any]:
        nonlocal body_read
        body_read = True
        return {"type": "http.request", "body": b"{}", "more_body": False}

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/telegram/webhook",
        "headers": [(SECRET_HEADER.lower().encode(), b"wrong")],
        "query_string": b"",
    }
    response = await channel.webhook(Request(scope, receive))

    assert response.status_code == 403
    assert not body_read


@pytest.mark.anyio
@pytest.mark.parametrize(
    "body",
    [b"{not json", b"", b"[1, 2]", b'"hello"', b'{"message": {"text": "no update id"}}'],
    ids=["broken", "empty", "list", "string", "not-an-update"],
)
async def test_webhook_with_the_right_secret_but_bad_json_gets_400(telegram_channel, body):
    channel = await start_webhook_channel(telegram_channel)

    async with webhook_client(channel) as client:
        response = await client.post(
            "/telegram/webhook",
            content=body,
            headers={SECRET_HEADER: WEBHOOK_SECRET, "content-type": "application/json"},
        )

    assert response.status_code == 400


@pytest.mark.anyio
async def test_polling_mode_refuses_webhook_posts(telegram_channel):
    channel = await telegram_channel()

    async with webhook_client(channel) as client:
        response = await client.post(
            "/telegram/webhook", json={"update_id": 1}, headers={SECRET_HEADER: "anything"}
        )

    assert response.status_code == 403


# ------------------------------------------------------- splitting long replies


def test_a_short_reply_is_one_part():
    assert split_text("Hello there") == ["Hello there"]


def test_a_reply_of_exactly_the_limit_is_one_part():
    text = "a" * MAX_MESSAGE_LENGTH
    assert split_text(text) == [text]


def test_an_empty_or_blank_reply_is_no_parts():
    assert split_text("") == []
    assert split_text("  \n\n ") == []


def test_splitting_prefers_paragraph_breaks():
    first, second = "a" * 60, "b" * 30
    assert split_text(f"{first}\n\n{second}", limit=80) == [first, second]


def test_splitting_uses_line_breaks_when_there_is_no_paragraph_break():
    text = "line one is here\nline two is here\nline three"
    assert split_text(text, limit=35) == ["line one is here\nline two is here", "line three"]


def test_splitting_uses_spaces_when_there_are_no_line_breaks():
    parts = split_text("one two three four five six", limit=10)
    assert parts == ["one two", "three four", "five six"]


def test_a_late_paragraph_break_beats_an_early_one():
    text = "intro\n\n" + "x" * 50 + "\n\n" + "y" * 30
    assert split_text(text, limit=70) == ["intro\n\n" + "x" * 50, "y" * 30]


def test_one_enormous_word_is_cut_hard():
    text = "z" * 250
    parts = split_text(text, limit=100)
    assert parts == ["z" * 100, "z" * 100, "z" * 50]


def test_every_part_fits_and_no_words_are_lost_in_a_5000_character_reply():
    text = " ".join(f"word{n}" for n in range(900))
    assert len(text) > 5000
    parts = split_text(text)
    assert len(parts) == 2
    assert all(len(p) <= MAX_MESSAGE_LENGTH for p in parts)
    assert " ".join(parts) == text


def test_emoji_count_double_as_telegram_counts_them_and_are_never_cut_in_half():
    text = "\U0001F600" * 3000  # 3,000 characters, 6,000 UTF-16 code units
    parts = split_text(text)
    assert len(parts) == 2
    assert all(utf16_len(p) <= MAX_MESSAGE_LENGTH for p in parts)
    assert "".join(parts) == text


@pytest.mark.anyio
async def test_mydata_and_delete_work_on_telegram(telegram_channel, bot_api, assistant):
    await telegram_channel()
    user_id = new_user_id()
    bot_api.push_update(text_update("hello", user_id))
    await bot_api.wait_for("sendMessage", to_chat(user_id))
    bot_api.push_update(command_update("mydata", user_id))
    held = await bot_api.wait_for(
        "sendMessage", lambda p: p.get("chat_id") == user_id and "keep about you" in p["text"]
    )
    assert "messages from you: 1" in held["text"] and "/delete" in held["text"]

    bot_api.push_update(command_update("delete", user_id))
    asked = await bot_api.wait_for(
        "sendMessage", lambda p: p.get("chat_id") == user_id and "Do you want me" in p["text"]
    )
    assert "/delete_confirm" in json.dumps(asked.get("reply_markup"))


@pytest.mark.anyio
async def test_the_command_menu_lists_the_chats_commands_and_each_is_answered(
    telegram_channel, bot_api, assistant
):
    await telegram_channel()
    menu = bot_api.calls("setMyCommands")[0]["commands"]
    menu = json.loads(menu) if isinstance(menu, str) else menu  # form-encoded: a JSON string
    assert [c["command"] for c in menu] == [
        "start", "help", "message_iro", "privacy", "mydata", "delete"]
    assert all(c["description"] for c in menu)
    for command in ("help", "privacy", "message_iro"):
        user_id = new_user_id()
        bot_api.push_update(command_update(command, user_id))
        said = await bot_api.wait_for("sendMessage", to_chat(user_id))
        assert shown(said) == as_shown(assistant.command_text(
            {"message_iro": "message_iro_not_linked"}.get(command, command)).text)


@pytest.mark.anyio
async def test_a_menu_that_cannot_be_set_does_not_stop_the_bot(telegram_channel, bot_api):
    bot_api.inject("setMyCommands", server_error())
    await telegram_channel()
    user_id = new_user_id()
    bot_api.push_update(text_update("hello", user_id))
    assert await bot_api.wait_for("sendMessage", to_chat(user_id))
