"""The IRO's letter after a review over Telegram, end to end: a child and a parent redeem
invites from deep links and the child writes to the IRO; after the review the IRO sends the
child's letter on the dashboard and it arrives at once as a sendMessage, under its own words
and with how to reply; the child replies with /message_iro and the IRO reads the reply in the
thread with the letter. The parent never wrote, so carebot has no address to message them
first: their version is shown with their next message.

Real python-telegram-bot against the offline stand-in Bot API, the real assistant and model;
the dashboard is the real app, called in this test's event loop so that it sends through the
running channel.
"""

from __future__ import annotations

import re

import pytest

from tests.e2e.test_telegram_iro_reply import Dashboard, said_to, signed_in_iro
from tests.support.fake_bot_api import FakeBotApi, new_user_id, shown, start_update, text_update
from tests.support.letters import review_happened
from tests.support.phrases import tagged_phrase
from tests.support.reviews import make_invite, make_review

CHECKED = re.compile(r'name="checked" value="([0-9a-f]*)"')


def seen_by(bot_api: FakeBotApi, user_id: int, since: int = 0) -> list[str]:
    """What the person sees of each message sent to them (Telegram's reading of its HTML)."""
    return [shown(m) for m in bot_api.calls_to_chat("sendMessage", user_id)[since:]]


async def send_letter(iro: Dashboard, review_id: int, role: str, first: str) -> str:
    """Write and send one version of the letter, past the check's warning if there is one;
    where the dashboard goes next."""
    path = f"/iro/reviews/{review_id}/letter/{role}"
    parts = {"talked_about": first, "decided": "You stay with Jo & you see your mum <3 times>.",
             "next_steps": "I will visit you in June.", "not_happy": "Tell me or your carer."}
    await iro.get(path)
    sent = await iro.post(path, {**parts, "action": "send"})
    if sent.status_code == 200:  # the check's warning: send it as it is
        sent = await iro.post(path, {**parts, "action": "send",
                                     "checked": CHECKED.search(sent.text)[1]})
    assert sent.status_code == 303, sent.text
    return sent.headers["location"]


@pytest.mark.anyio
async def test_a_letter_after_the_review_reaches_the_child_on_telegram_at_once_and_is_replied_to(
    bot_api, telegram_channel, base_settings, data_keys, assistant, chat_app_context
):
    await telegram_channel()
    db = base_settings.database_url
    made = make_review(db, data_keys, child_name="Jordan")
    child, parent = new_user_id(), new_user_id()
    for user_id, role in ((child, "child"), (parent, "parent")):
        code = make_invite(db, data_keys, made.review_id, role)
        await said_to(bot_api, user_id, start_update(user_id, payload=code), made.iro_name)
    await said_to(bot_api, child, text_update("/message_iro", child), "not for emergencies")
    await said_to(bot_api, child, text_update(tagged_phrase("hello Sam"), child),
                  "sent your message")
    review_happened(db, made.review_id)

    async with signed_in_iro(base_settings, data_keys, assistant, chat_app_context,
                             made.iro_name) as iro:

        before = len(bot_api.calls_to_chat("sendMessage", child))
        to_child = tagged_phrase("We talked about your new school")
        location = await send_letter(iro, made.review_id, "child", to_child)
        assert location.endswith("?sent=1&waiting=0")
        (arrived,) = seen_by(bot_api, child, before)
        assert arrived.startswith(
            f"A letter from your IRO, {made.iro_name}, about your review:\n\n"
            f"What we talked about\n{to_child}\n\n"
            "What was decided\nYou stay with Jo & you see your mum <3 times>.")
        assert arrived.endswith(assistant.content.say("letter_end", iro_name=made.iro_name).text)
        assert "Your letter is sent. 1 person has it in the chat now." in (
            await iro.get(location)).text

        before_parent = len(bot_api.calls_to_chat("sendMessage", parent))
        to_parent = tagged_phrase("We talked about Jordan's new school")
        location = await send_letter(iro, made.review_id, "parent", to_parent)
        assert location.endswith("?sent=0&waiting=1")
        assert seen_by(bot_api, parent, before_parent) == []  # no address: it waits

        await said_to(bot_api, child, text_update("/message_iro", child), "not for emergencies")
        reply = tagged_phrase("thanks can my nan come next time")
        await said_to(bot_api, child, text_update(reply, child), "sent your message")
        letter_page = (await iro.get(f"/iro/reviews/{made.review_id}/letter/child")).text
        thread = re.search(r'href="(/iro/messages/\d+)">Messages with Jordan</a>: seen',
                           letter_page)[1]
        page = (await iro.get(thread)).text
        assert page.index(to_child) < page.index(reply)

    later = await said_to(bot_api, parent, text_update("hello", parent), "about the review")
    assert f"A letter from {made.iro_name}, the IRO, about the review:" in later
    assert to_parent.split()[-1] in later and to_child not in later
    assert to_child not in "\n".join(seen_by(bot_api, child, before)[1:])  # the child had it once
