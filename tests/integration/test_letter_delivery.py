"""The IRO's letter after a review, from the dashboard to the people linked to the review, in
the real app with the real model on loopback: on the web chat it waits, and is shown once,
under its own words, when the page opens or with the person's next message; the child asks
what something means and the knowledge base answers (the letter itself never went to Rasa);
the child replies with /message_iro and the IRO reads the reply in the thread with the letter;
the parent's and carer's versions reach them. (Sent at once over Telegram:
tests/e2e/test_telegram_letter.py.)"""

from __future__ import annotations

import re

from sqlalchemy import select

from db.engine import session_scope
from db.models import ConversationEvent
from tests.integration.test_iro_replies import WebPerson
from tests.support.iro_threads import the_iro
from tests.support.letters import review_happened
from tests.support.phrases import tagged_phrase
from tests.support.reviews import make_invite, make_review

CHECKED = re.compile(r'name="checked" value="([0-9a-f]*)"')


def letter_parts(first: str) -> dict[str, str]:
    return {
        "talked_about": first,
        "decided": "Your placement stays the same. You will see your mum on Saturdays.",
        "next_steps": "I will visit you in June.",
        "not_happy": "Tell me or your carer. An advocate can help you.",
    }


def sent_on_the_dashboard(iro, review_id: int, role: str, parts: dict[str, str]) -> str:
    """Write and send one version of the letter, past the check's warning if there is one;
    where the dashboard goes next."""
    path = f"/iro/reviews/{review_id}/letter/{role}"
    iro.get(path)
    first = iro.post(path, {**parts, "action": "send"})
    if first.status_code == 200:  # the check's warning: send it as it is
        assert "Send the letter as it is" in first.text
        first = iro.post(path, {**parts, "action": "send",
                                "checked": CHECKED.search(first.text)[1]})
    assert first.status_code == 303, first.text
    return first.headers["location"]


def words_given_to_rasa(database_url: str, keys) -> str:
    with session_scope(database_url) as session:
        return "\n".join(keys.decrypt(e) for e in session.scalars(
            select(ConversationEvent.data_enc)))


def test_a_letter_reaches_the_child_and_their_parent_and_carer_on_the_web_chat_and_is_replied_to(
    live_server_url, base_settings, data_keys
):
    db = base_settings.database_url
    made = make_review(db, data_keys, child_name="Ash")
    people = {role: WebPerson(live_server_url) for role in ("child", "parent", "carer")}
    for role, person in people.items():
        assert made.iro_name in person.said(make_invite(db, data_keys, made.review_id, role))
    review_happened(db, made.review_id)
    iro = the_iro(live_server_url, db, made.iro_name)

    to_child = tagged_phrase("We talked about your school")
    shown = sent_on_the_dashboard(iro, made.review_id, "child", letter_parts(to_child))
    assert shown.endswith("?sent=0&waiting=1")
    (opened,) = people["child"].opens_the_page()
    assert opened.startswith(f"A letter from your IRO, {made.iro_name}, about your review:")
    assert f"What we talked about\n{to_child}" in opened
    assert "What was decided\nYour placement stays the same." in opened
    assert opened.endswith(
        f"To reply to {made.iro_name}, send /message_iro. If something in this letter is hard "
        'to understand, ask me about it here. For example: "what is an advocate?"')
    assert people["child"].opens_the_page() == []  # shown once

    answer = people["child"].said("what is an advocate")
    assert "advocate" in answer.lower() and to_child not in answer
    assert to_child not in words_given_to_rasa(db, data_keys)

    assert made.iro_name in people["child"].said("/message_iro")
    reply = tagged_phrase("thank you for the letter can I see my nan too")
    assert "sent your message" in people["child"].said(reply)
    letter_page = iro.get(shown).text
    thread = re.search(r'href="(/iro/messages/\d+)">Messages with Ash</a>: seen',
                       letter_page)[1]
    page = iro.get(thread).text
    assert page.index(to_child) < page.index(reply)  # the letter, then the reply to it
    assert "Letter after the review" in page
    assert thread in iro.get("/iro/messages").text  # waiting for the IRO's reply now

    to_parent = tagged_phrase("We talked about Ash moving school")
    sent_on_the_dashboard(iro, made.review_id, "parent", letter_parts(to_parent))
    parents = people["parent"].said("hello")
    assert parents.startswith(f"A letter from {made.iro_name}, the IRO, about the review:")
    assert to_parent in parents and to_child not in parents
    to_carer = tagged_phrase("Thank you for coming to the review")
    sent_on_the_dashboard(iro, made.review_id, "carer", letter_parts(to_carer))
    (carers,) = people["carer"].opens_the_page()
    assert to_carer in carers and to_parent not in carers
