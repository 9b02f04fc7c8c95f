"""The IRO's side of "message my IRO" on the dashboard: the inbox (the longest waiting first,
overdue after 3 working days), a thread read and audited, a reply saved, an empty or too long
one refused, the counts on the home and review pages, a covering IRO, the review's export for
the case record (the threads for the child's IRO only), and the figures in the report
(messages received, median time to first reply, overdue now).

Demo data: Amara and Ben are IROs in the team Cath manages. Each test adds children of its
own, so counts are compared before and after. The staff app here runs no assistant, so a
reply always waits for the person's next message (tests/integration/test_iro_replies.py and
tests/e2e/test_telegram_iro_reply.py send them).
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta

from sqlalchemy import select, update

from bot.staff.message_pages import REPLY_LIMIT
from db.models import Child, IroMessage, Review, StaffRole, StaffUser
from tests.support.iro_threads import child_of, days_ago, messages_in, thread_from


def waiting_on_home(page: str) -> tuple[int, int]:
    """(waiting, overdue) from the home page's messages panel; (0, 0) without one."""
    section = page.split('aria-labelledby="messages-heading"')
    if len(section) == 1:
        return 0, 0
    panel = section[1].split("</section>")[0]
    waiting = re.search(r"waiting for [^:<]*: (\d+)", panel)
    overdue = re.search(r"(\d+) overdue", panel)
    return int(waiting.group(1)), int(overdue.group(1)) if overdue else 0


def inbox_rows(page: str) -> dict[int, str]:
    """Each thread's row in the inbox, by thread id, in the order shown (dicts keep it)."""
    rows = page.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]
    return {int(re.search(r'href="/iro/messages/(\d+)"', row).group(1)): row for row in rows}


def test_the_inbox_shows_the_longest_waiting_first_and_marks_the_overdue(
    client, staff_settings, data_keys, staff_db, audit
):
    db = staff_settings.database_url
    amara = client("iro.amara")
    before = waiting_on_home(amara.get("/iro/").text)
    recent = thread_from(db, data_keys, child_of(db, data_keys, "iro.amara", "Nell"), "parent",
                         (("can we move the meeting", days_ago(0.01)),))
    oldest = thread_from(db, data_keys, child_of(db, data_keys, "iro.amara", "Orla"), "child",
                         (("first", days_ago(12)), ("second", days_ago(11))))
    answered = thread_from(db, data_keys, child_of(db, data_keys, "iro.amara", "Pip"), "carer",
                           (("thanks for ringing", days_ago(2)),))
    with staff_db() as session:
        session.execute(update(IroMessage).where(IroMessage.thread_id == answered)
                        .values(answered_at=days_ago(1)))

    page = amara.get("/iro/messages")
    assert page.status_code == 200
    rows = inbox_rows(page.text)
    order = list(rows)
    assert order.index(oldest) < order.index(recent) < order.index(answered)
    assert ">Orla<" in rows[oldest] and "2 messages since" in rows[oldest]
    assert "Overdue" in rows[oldest]
    assert "Nell&#39;s parent" in rows[recent] and "1 message since" in rows[recent]
    assert "Overdue" not in rows[recent]
    assert "Pip&#39;s carer" in rows[answered] and "answered" in rows[answered]
    assert "can we move the meeting" not in page.text  # words only on the thread's own page
    assert audit(action="view_messages", actor="staff:iro.amara")

    home = amara.get("/iro/").text
    assert waiting_on_home(home) == (before[0] + 3, before[1] + 2)  # Orla's two are overdue
    assert 'href="/iro/messages"' in home


def test_reading_a_thread_shows_its_messages_in_order_and_is_audited(
    client, staff_settings, data_keys, audit
):
    db = staff_settings.database_url
    review_id = child_of(db, data_keys, "iro.amara", "Rae")
    thread = thread_from(db, data_keys, review_id, "child",
                         (("I want to see my brother more", days_ago(1)),
                          ("and can I stay at my school", days_ago(0.5))))
    amara = client("iro.amara")
    review_page = amara.get(f"/iro/reviews/{review_id}").text
    assert f'href="/iro/messages/{thread}"' in review_page and "2 waiting" in review_page
    assert "see my brother" not in review_page
    before = len(audit(action="view_thread", target_id=str(thread), outcome="ok"))

    page = amara.get(f"/iro/messages/{thread}")
    assert page.status_code == 200
    assert "<h1>Messages from Rae</h1>" in page.text
    assert (page.text.index("I want to see my brother more")
            < page.text.index("and can I stay at my school"))
    read = audit(action="view_thread", target_id=str(thread), outcome="ok")[before:]
    assert [(e.actor, e.target_type) for e in read] == [("staff:iro.amara", "iro_thread")]


def test_a_reply_is_saved_answers_the_thread_and_waits_for_the_persons_next_message(
    client, staff_settings, data_keys, staff_db, audit
):
    db = staff_settings.database_url
    thread = thread_from(db, data_keys, child_of(db, data_keys, "iro.amara", "Sol"), "child",
                         (("can you come to my school", days_ago(6)),))
    amara = client("iro.amara")
    amara.get(f"/iro/messages/{thread}")
    sent = amara.post(f"/iro/messages/{thread}/reply",
                      {"reply": "  Yes, I will come on Tuesday.\nSee you then.  "})
    assert sent.status_code == 303
    assert sent.headers["location"] == f"/iro/messages/{thread}?sent=later"
    assert messages_in(db, data_keys, thread) == [
        (False, "can you come to my school"), (True, "Yes, I will come on Tuesday.\nSee you then."),
    ]
    with staff_db() as session:
        person, reply = session.scalars(
            select(IroMessage).where(IroMessage.thread_id == thread).order_by(IroMessage.id))
        assert person.answered_at is not None
        assert reply.delivered_at is None  # shown with their next message
        assert "Tuesday" not in reply.body_enc  # sealed
    assert audit(action="reply_thread", target_id=str(thread), outcome="ok")

    shown = amara.get(sent.headers["location"]).text
    assert "Your reply is saved. Sol will see it the next time they use carebot" in shown
    assert "not seen yet" in shown
    assert inbox_rows(amara.get("/iro/messages").text)[thread].count("answered") == 1


def test_an_empty_or_too_long_reply_is_refused_with_a_clear_message_and_nothing_is_saved(
    client, staff_settings, data_keys, audit
):
    db = staff_settings.database_url
    thread = thread_from(db, data_keys, child_of(db, data_keys, "iro.amara", "Tam"), "parent",
                         (("please ring me", days_ago(1)),))
    amara = client("iro.amara")
    amara.get(f"/iro/messages/{thread}")

    empty = amara.post(f"/iro/messages/{thread}/reply", {"reply": "   \n "})
    assert empty.status_code == 400
    assert "Write your reply before sending it." in empty.text
    assert 'aria-invalid="true"' in empty.text and 'role="alert"' in empty.text

    too_long = "I will ring you. " * 200
    refused = amara.post(f"/iro/messages/{thread}/reply", {"reply": too_long})
    assert refused.status_code == 400
    assert f"Replies can be up to {REPLY_LIMIT:,} characters" in refused.text
    assert f"Your reply is {len(too_long.strip()):,} characters long" in refused.text
    assert too_long.strip() in refused.text  # kept, to be shortened
    at_the_limit = amara.post(f"/iro/messages/{thread}/reply", {"reply": "x" * REPLY_LIMIT})
    assert at_the_limit.status_code == 303

    assert messages_in(db, data_keys, thread) == [(False, "please ring me"),
                                                  (True, "x" * REPLY_LIMIT)]
    assert len(audit(action="reply_thread", target_id=str(thread), outcome="refused")) == 2


def test_a_covering_iro_reads_the_thread_once_the_child_is_reassigned_and_the_first_cannot(
    client, staff_settings, data_keys, staff_db
):
    db = staff_settings.database_url
    review_id = child_of(db, data_keys, "iro.amara", "Uma")
    thread = thread_from(db, data_keys, review_id, "carer", (("Uma is settling in", days_ago(1)),))
    assert client("iro.ben").get(f"/iro/messages/{thread}").status_code == 404
    with staff_db() as session:
        ben = session.scalars(select(StaffUser.id).where(StaffUser.username == "iro.ben")).one()
        child = session.scalar(select(Child.id).join(Review).where(Review.id == review_id))
        session.execute(update(Child).where(Child.id == child).values(iro_id=ben))

    ben = client("iro.ben")
    assert "Uma is settling in" in ben.get(f"/iro/messages/{thread}").text
    assert thread in inbox_rows(ben.get("/iro/messages").text)
    amara = client("iro.amara")
    assert amara.get(f"/iro/messages/{thread}").status_code == 404
    assert f'href="/iro/messages/{thread}"' not in amara.get("/iro/messages").text


def test_a_manager_sees_each_iros_counts_and_no_words(client, staff_settings, data_keys):
    db = staff_settings.database_url
    cath = client("manager.cath")

    def bens_counts() -> str:
        page = cath.get("/iro/messages")
        assert page.status_code == 200
        return page.text.split("Ben Walsh</th>")[1].split("</tr>")[0]

    before = bens_counts()
    thread = thread_from(db, data_keys, child_of(db, data_keys, "iro.ben", "Vic"), "child",
                         (("a secret only for Ben", days_ago(9)),))
    after = bens_counts()
    assert after != before and "overdue" in after
    page = cath.get("/iro/messages").text
    assert "a secret only for Ben" not in page and "Vic" not in page
    assert "Messages waiting for a reply from your team" in cath.get("/iro/").text
    assert cath.get(f"/iro/messages/{thread}").status_code == 404
    cath.get("/iro/messages")
    assert cath.post(f"/iro/messages/{thread}/reply", {"reply": "hello"}).status_code == 404


def test_the_report_gives_each_iros_messages_first_reply_time_and_overdue_count_no_words(
    client, staff_settings, data_keys, staff_db
):
    """A new IRO in Cath's team, so that no other test's messages are counted."""
    db = staff_settings.database_url
    with staff_db() as session:
        team = session.scalars(select(StaffUser.team_id)
                               .where(StaffUser.username == "manager.cath")).one()
        rhian = StaffUser(username="iro.rhian", display_name="Rhian Hughes",
                          role=StaffRole.IRO, team_id=team, password_hash="-")
        session.add(rhian)
        session.flush()
        rhian_id = rhian.id
    asked = days_ago(3)
    answered = thread_from(db, data_keys, child_of(db, data_keys, "iro.rhian", "Zac"), "parent",
                           (("words for Rhian alone", asked),))
    with staff_db() as session:
        session.execute(update(IroMessage).where(IroMessage.thread_id == answered)
                        .values(answered_at=asked + timedelta(hours=5)))
    thread_from(db, data_keys, child_of(db, data_keys, "iro.rhian", "Ada"), "child",
                (("first", days_ago(12)), ("second", days_ago(11))))

    cath = client("manager.cath")
    page = cath.get(f"/iro/reports?iro={rhian_id}").text
    mine = page.split("Messages from children, parents and carers to their IRO")[1]
    row = mine.split("Rhian Hughes</th>")[1].split("</tr>")[0]
    assert '<td data-label="Messages received">3</td>' in row
    assert "5 h 0 min (1 reply)" in row
    assert '<td data-label="Overdue now">2</td>' in row
    assert "clock time, nights and weekends included" in page  # how it is worked out
    assert "words for Rhian alone" not in page and "Zac" not in page

    rows = list(csv.DictReader(io.StringIO(cath.get(f"/iro/reports.csv?iro={rhian_id}").text)))
    assert [r["iro"] for r in rows] == ["Rhian Hughes", "Total"]
    for figures in rows:
        assert figures["messages_received"] == "3"
        assert figures["median_hours_to_first_reply"] == "5.0"
        assert figures["messages_overdue_now"] == "2"


def test_the_reviews_export_has_its_threads_for_the_childs_iro_alone_each_audited(
    client, staff_settings, data_keys, audit
):
    db = staff_settings.database_url
    review_id = child_of(db, data_keys, "iro.amara", "Tia")
    child = thread_from(db, data_keys, review_id, "child",
                        (("=can I stay at my school", days_ago(2)),))
    carer = thread_from(db, data_keys, review_id, "carer", (("Tia is doing well", days_ago(1)),))
    amara = client("iro.amara")
    amara.get(f"/iro/messages/{child}")
    assert amara.post(f"/iro/messages/{child}/reply",
                      {"reply": "Yes, that is the plan."}).status_code == 303
    before = len(audit(action="export_thread"))

    page = amara.get(f"/iro/reviews/{review_id}").text
    assert "With the messages people sent you about this review" in page
    as_json = json.loads(amara.post(f"/iro/reviews/{review_id}/export", {"format": "json"}).text)
    threads = as_json["threads"]
    assert [(t["thread_id"], t["role"], [(m["from"], m["text"]) for m in t["messages"]])
            for t in threads] == [
        (child, "child", [("child", "=can I stay at my school"),
                          ("Amara Okafor", "Yes, that is the plan.")]),
        (carer, "carer", [("carer", "Tia is doing well")]),
    ]
    first, second = (m["sent_at"] for m in threads[0]["messages"])
    assert first < second

    exported = amara.post(f"/iro/reviews/{review_id}/export", {"format": "csv"}).text
    rows = [r for r in csv.DictReader(io.StringIO(exported)) if r["thread_id"]]
    assert [(r["role"], r["message_from"], r["message"]) for r in rows] == [
        ("child", "child", "'=can I stay at my school"),  # a formula, written as text
        ("child", "Amara Okafor", "Yes, that is the plan."),
        ("carer", "carer", "Tia is doing well"),
    ]
    assert all(r["question_key"] == "" and r["message_sent_at"] for r in rows)
    exports = audit(action="export_thread")[before:]
    assert [(e.actor, e.target_type, e.target_id) for e in exports] == [
        ("staff:iro.amara", "iro_thread", str(t)) for t in (child, carer, child, carer)
    ]

    cath = client("manager.cath")  # the team's manager exports the views, never the words
    assert "only the IRO can export those" in cath.get(f"/iro/reviews/{review_id}").text
    for fmt in ("json", "csv"):
        exported = cath.post(f"/iro/reviews/{review_id}/export", {"format": fmt})
        assert exported.status_code == 200
        assert "Tia is doing well" not in exported.text and "thread" not in exported.text
    assert len(audit(action="export_thread")) == before + 4
    ben = client("iro.ben")
    ben.get("/iro/")
    assert ben.post(f"/iro/reviews/{review_id}/export", {"format": "json"}).status_code == 404
