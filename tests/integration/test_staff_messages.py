"""The IRO's side of "message my IRO" on the dashboard: the inbox (the longest waiting first,
overdue after 3 working days), a thread read and audited, a reply saved, an empty or too long
one refused, the counts on the home and review pages, and a covering IRO.

Demo data: Amara and Ben are IROs in the team Cath manages. Each test adds children of its
own, so counts are compared before and after. The staff app here runs no assistant, so a
reply always waits for the person's next message (tests/integration/test_iro_replies.py and
tests/e2e/test_telegram_iro_reply.py send them).
"""

from __future__ import annotations

import re

from sqlalchemy import select, update

from bot.staff.message_pages import REPLY_LIMIT
from db.models import Child, IroMessage, Review, StaffUser
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
