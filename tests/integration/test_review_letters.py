"""The IRO's letter after a review, on the dashboard: a template with four headings and the
council's contacts; carebot's readability and jargon gates shown as a warning, never a block;
the letter saved, sealed and marked as a letter, in the thread of each person linked to the
review in that role (a thread made for those who never wrote); refused with reasons when it
cannot be sent.

Demo data: Amara is an IRO. Each test adds children of its own. The staff app here runs no
assistant, so a letter always waits for the person's next message (delivered on the web chat:
tests/integration/test_letter_delivery.py; at once over Telegram:
tests/e2e/test_telegram_letter.py; in Chromium with axe-core: tests/e2e/test_iro_letter_page.py).
"""

from __future__ import annotations

import csv
import io
import json
import re

from sqlalchemy import select

from bot.iro_messages.letters import LETTER_LIMIT
from db.models import ChatUser, IroMessage, IroThread, MessageKind, ReviewLetter
from tests.support.iro_threads import child_of, days_ago, thread_from
from tests.support.letters import held_review

PLAIN = {
    "talked_about": "We talked about your school and your home.",
    "decided": "You will stay with Jo. You will see your mum every Saturday.",
    "next_steps": "I will visit you in June. Your next review is in the summer.",
    "not_happy": "Tell me or your carer.",
}
JARGON = {**PLAIN, "decided": (
    "Your placement will continue, and contact with your mother will be facilitated by the "
    "multi-agency professionals responsible for comprehensive safeguarding arrangements.")}
CHECKED = re.compile(r'name="checked" value="([0-9a-f]*)"')


def letters_in(staff_db, review_id: int) -> list[tuple[str, int]]:
    with staff_db() as session:
        return [(r.role.value, r.recipients) for r in session.scalars(
            select(ReviewLetter).where(ReviewLetter.review_id == review_id)
            .order_by(ReviewLetter.id))]


def letters_to(staff_db, data_keys, user_key: str) -> list[str]:
    """The letters in this chat user's threads, decrypted."""
    with staff_db() as session:
        return [data_keys.decrypt(body) for body in session.scalars(
            select(IroMessage.body_enc).join(IroThread).join(ChatUser)
            .where(ChatUser.user_key == user_key, IroMessage.kind == MessageKind.LETTER))]


def test_the_letter_is_a_template_with_four_headings_and_the_councils_contacts(
    client, staff_settings, data_keys, audit
):
    review, _ = held_review(staff_settings.database_url, data_keys, "iro.amara", "Lark",
                            {"child": 1, "parent": 1})
    amara = client("iro.amara")
    panel = amara.get(f"/iro/reviews/{review}").text.split('id="letter-heading"')[1]
    panel = panel.split("</section>")[0]
    assert f'href="/iro/reviews/{review}/letter/child">Letter to Lark</a>: not sent yet' in panel
    assert "Version for the parents</a>: not sent yet" in panel
    assert "Version for the carer</a>: nobody linked in the chat" in panel

    page = amara.get(f"/iro/reviews/{review}/letter/child")
    assert page.status_code == 200
    assert "<h1>Letter to Lark after the review</h1>" in page.text
    labels = re.findall(r'<label for="(\w+)">([^<]+)</label>', page.text)
    assert labels == [("talked_about", "What we talked about"),
                      ("decided", "What was decided"), ("next_steps", "What happens next"),
                      ("not_happy", "Who to tell if you&#39;re not happy")]
    to_tell = page.text.split('name="not_happy"')[1].split("</textarea>")[0]
    for value in ("Demoshire Young People&#39;s Advocacy", "01632 960456",
                  "advocacy@demoshire.example", "01632 960789", "complaints@demoshire.example"):
        assert value in to_tell
    assert "1 person linked to this review as the child in the chat" in page.text
    assert audit(action="open_letter", target_id=str(review), outcome="ok")

    parents = amara.get(f"/iro/reviews/{review}/letter/parent").text
    assert "the child&#39;s social worker" in parents and "01632 960789" in parents
    carers = amara.get(f"/iro/reviews/{review}/letter/carer").text
    assert "Nobody has used an invite to this review as a carer" in carers
    assert "<textarea" not in carers
    assert amara.get(f"/iro/reviews/{review}/letter/teacher").status_code == 404


def test_jargon_and_a_high_reading_age_are_a_warning_and_the_letter_can_still_be_sent(
    client, staff_settings, data_keys, staff_db, audit
):
    db = staff_settings.database_url
    review, readers = held_review(db, data_keys, "iro.amara", "Mo", {"child": 1})
    amara = client("iro.amara")
    path = f"/iro/reviews/{review}/letter/child"
    amara.get(path)

    warned = amara.post(path, {**JARGON, "action": "send"})
    assert warned.status_code == 200
    assert "Before you send: please look at this" in warned.text
    assert "This letter may be hard for Mo to read" in warned.text
    assert re.search(r"about a reading age of \d+ \(Flesch-Kincaid grade \d", warned.text)
    assert "It says &ldquo;placement&rdquo;: try &ldquo;home, where you live&rdquo;." in warned.text
    assert ("It says &ldquo;contact&rdquo;: try &ldquo;family time (seeing your family)"
            "&rdquo;.") in warned.text
    assert "It says &ldquo;multi-agency&rdquo;: try &ldquo;people from" in warned.text
    assert "Send the letter as it is" in warned.text
    assert "Your placement will continue" in warned.text  # kept in the form, to change or send
    assert letters_in(staff_db, review) == []

    changed = amara.post(path, {**JARGON, "next_steps": "Placement review in May.",
                                "action": "send", "checked": CHECKED.search(warned.text)[1]})
    assert changed.status_code == 200 and "Send the letter as it is" in changed.text
    assert letters_in(staff_db, review) == []  # changed words are checked before they go

    sent = amara.post(path, {**JARGON, "action": "send",
                             "checked": CHECKED.search(warned.text)[1]})
    assert sent.status_code == 303
    assert sent.headers["location"] == f"{path}?sent=0&waiting=1"
    assert letters_in(staff_db, review) == [("child", 1)]
    (letter,) = letters_to(staff_db, data_keys, readers["child"][0])
    assert letter.startswith("What we talked about\nWe talked about your school")
    assert "What was decided\nYour placement will continue" in letter
    assert audit(action="send_letter", target_id=str(review), outcome="ok")
    shown = amara.get(sent.headers["location"]).text
    assert "Your letter is sent. 1 will see it the next time they use carebot" in shown
    assert "working day" in shown and "to 1 person" in shown


def test_a_plain_letter_passes_the_check_and_is_sent_in_one_step(
    client, staff_settings, data_keys, staff_db
):
    review, readers = held_review(staff_settings.database_url, data_keys, "iro.amara", "Noor",
                                  {"child": 1})
    amara = client("iro.amara")
    path = f"/iro/reviews/{review}/letter/child"
    amara.get(path)
    checked = amara.post(path, {**PLAIN, "action": "check"})
    assert checked.status_code == 200
    assert "The check found nothing to change" in checked.text
    assert "It reads at about a reading age of" in checked.text
    assert letters_in(staff_db, review) == []

    sent = amara.post(path, {**PLAIN, "action": "send"})
    assert sent.status_code == 303
    assert letters_to(staff_db, data_keys, readers["child"][0]) != []


def test_the_parent_and_carer_versions_go_to_everyone_linked_in_that_role(
    client, staff_settings, data_keys, staff_db
):
    db = staff_settings.database_url
    review, readers = held_review(db, data_keys, "iro.amara", "Oak",
                                  {"child": 1, "parent": 2, "carer": 1})
    amara = client("iro.amara")
    for role, words in (("parent", "Dear parents, the plan stays the same."),
                        ("carer", "Dear Jo, thank you for coming to the review.")):
        path = f"/iro/reviews/{review}/letter/{role}"
        amara.get(path)
        sent = amara.post(path, {**PLAIN, "talked_about": words, "action": "send"})
        assert sent.status_code == 303, sent.text
        waiting = len(readers[role])
        assert sent.headers["location"] == f"{path}?sent=0&waiting={waiting}"
    for user_key in readers["parent"]:
        (letter,) = letters_to(staff_db, data_keys, user_key)
        assert "Dear parents" in letter and "Dear Jo" not in letter
    (carers,) = letters_to(staff_db, data_keys, readers["carer"][0])
    assert "Dear Jo" in carers
    assert letters_to(staff_db, data_keys, readers["child"][0]) == []
    assert letters_in(staff_db, review) == [("parent", 2), ("carer", 1)]

    page = amara.get(f"/iro/reviews/{review}").text
    assert "Letter to Oak</a>: not sent yet" in page
    assert "Version for the parents</a>: sent" in page and "Version for the carer</a>: sent" in page


def test_a_letter_starts_a_thread_the_iro_can_open_before_the_person_writes(
    client, staff_settings, data_keys
):
    db = staff_settings.database_url
    review, _ = held_review(db, data_keys, "iro.amara", "Pia", {"child": 1})
    amara = client("iro.amara")
    path = f"/iro/reviews/{review}/letter/child"
    amara.get(path)
    letter_page = amara.get(amara.post(path, {**PLAIN, "action": "send"}).headers["location"])
    thread = re.search(r'href="/iro/messages/(\d+)">Messages with Pia</a>: not seen yet',
                       letter_page.text)[1]
    page = amara.get(f"/iro/messages/{thread}")
    assert page.status_code == 200
    assert "Letter after the review" in page.text and "You will stay with Jo." in page.text
    assert "not seen yet" in page.text
    # nothing from them yet: the inbox lists the thread once they write
    assert f'href="/iro/messages/{thread}"' not in amara.get("/iro/messages").text


def test_a_letter_that_cannot_be_sent_is_refused_with_the_reasons_and_nothing_is_saved(
    client, staff_settings, data_keys, staff_db, audit
):
    db = staff_settings.database_url
    review, _ = held_review(db, data_keys, "iro.amara", "Quin", {"child": 1})
    amara = client("iro.amara")
    path = f"/iro/reviews/{review}/letter/child"
    amara.get(path)

    empty = amara.post(path, {**PLAIN, "decided": "  ", "next_steps": "", "action": "send"})
    assert empty.status_code == 400
    assert "Write something under \u201cWhat was decided\u201d." in empty.text
    assert "Write something under \u201cWhat happens next\u201d." in empty.text
    assert re.search(r'<textarea id="decided"[^>]*aria-invalid="true"', empty.text)
    assert 'role="alert"' in empty.text

    long = {**PLAIN, "talked_about": "We talked. " * (LETTER_LIMIT // 10), "action": "send"}
    too_long = amara.post(path, long)
    assert too_long.status_code == 400
    assert f"Letters can be up to {LETTER_LIMIT:,} characters" in too_long.text

    nobody = amara.post(f"/iro/reviews/{review}/letter/carer", {**PLAIN, "action": "send"})
    assert nobody.status_code == 400 and "Nobody is linked to this review as a carer" in nobody.text

    upcoming = child_of(db, data_keys, "iro.amara", "Rhys")
    thread_from(db, data_keys, upcoming, "child", (("hello", days_ago(1)),))
    assert "letter-heading" not in amara.get(f"/iro/reviews/{upcoming}").text
    early = amara.get(f"/iro/reviews/{upcoming}/letter/child").text
    assert "You can write this letter once the review has happened." in early
    assert amara.post(f"/iro/reviews/{upcoming}/letter/child",
                      {**PLAIN, "action": "send"}).status_code == 400

    assert letters_in(staff_db, review) == letters_in(staff_db, upcoming) == []
    assert len(audit(action="send_letter", target_id=str(review), outcome="refused")) == 3


def test_a_letter_sent_in_time_counts_in_the_report(client, staff_settings, data_keys, staff_db):
    review, _ = held_review(staff_settings.database_url, data_keys, "iro.amara", "Ola",
                            {"child": 1})
    amara = client("iro.amara")

    def amaras_letters() -> dict[str, str]:
        rows = csv.DictReader(io.StringIO(amara.get("/iro/reports.csv").text))
        return next(r for r in rows if r["iro"] != "Total")

    before = amaras_letters()
    path = f"/iro/reviews/{review}/letter/child"
    amara.get(path)
    assert amara.post(path, {**PLAIN, "action": "send"}).status_code == 303
    after = amaras_letters()
    assert int(after["letters_due"]) == int(before["letters_due"]) + 1
    assert int(after["letters_within_20_working_days"]) == (
        int(before["letters_within_20_working_days"]) + 1)
    page = amara.get("/iro/reports").text
    assert "Letters to children after their reviews" in page
    assert "Sent within 20 working days" in page


def test_the_case_record_export_marks_the_letter_as_a_letter(client, staff_settings, data_keys):
    review, _ = held_review(staff_settings.database_url, data_keys, "iro.amara", "Pip",
                            {"child": 1})
    amara = client("iro.amara")
    path = f"/iro/reviews/{review}/letter/child"
    amara.get(path)
    amara.post(path, {**PLAIN, "action": "send"})
    amara.get(f"/iro/reviews/{review}")
    exported = json.loads(amara.post(f"/iro/reviews/{review}/export", {"format": "json"}).text)
    [thread] = exported["threads"]
    assert [m["kind"] for m in thread["messages"]] == ["letter"]
    assert PLAIN["decided"] in thread["messages"][0]["text"]
    rows = [r for r in csv.DictReader(io.StringIO(amara.post(
        f"/iro/reviews/{review}/export", {"format": "csv"}).text)) if r["thread_id"]]
    assert [r["message_kind"] for r in rows] == ["letter"]
