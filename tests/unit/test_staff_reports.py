"""The annual-report figures on a small data set whose answers are worked out by hand."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bot.staff.charts import Bar, bar_chart
from bot.staff.reports import Period, report_rows, themes
from db import models as m
from db.encryption import DataKeys, new_key_spec
from db.engine import session_scope
from db.migrate import upgrade_to_head

KEYS = DataKeys.parse(new_key_spec("r1"))
UTC = timezone.utc
PERIOD = Period(datetime(2025, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC))
NOW = datetime(2025, 10, 1, tzinfo=UTC)


def day(text: str, hour: int = 10) -> datetime:
    return datetime.fromisoformat(text).replace(hour=hour, tzinfo=timezone.utc)


class Builder:
    def __init__(self, session, iro: m.StaffUser, authority: m.LocalAuthority) -> None:
        self.session, self.iro, self.authority, self.n = session, iro, authority, 0

    def review(self, when: str, status: str = "scheduled", **sent: object) -> m.Review:
        """``child=`` / ``parent=`` / ``carer=`` a date the views were sent (None: started,
        never sent);
        ``advocate=``, ``chair=`` for the child's answers."""
        self.n += 1
        child = m.Child(local_authority_id=self.authority.id, iro=self.iro,
                      case_reference=f"{self.iro.username}-{self.n}",
                      first_name_enc=KEYS.encrypt("Sam"))
        review = m.Review(child=child, scheduled_for=day(when), status=status)
        self.session.add_all([child, review])
        for role in ("child", "parent", "carer"):
            if role not in sent:
                continue
            user = m.ChatUser(user_key=f"{self.iro.username}-{self.n}-{role}",
                            delete_after=NOW + timedelta(days=999))
            self.session.add(m.Consultation(
                review=review, chat_user=user, role=m.ConsultationRole(role),
                submitted_at=day(sent[role]) if sent[role] else None,
                advocate_requested=bool(sent.get("advocate")) and role == "child",
                chair_wish=sent.get("chair") if role == "child" else None,
                delete_after=NOW + timedelta(days=999),
            ))
        self.session.flush()
        return review

    def alert(self, review: m.Review, raised: str, acknowledged_after: timedelta | None) -> None:
        created = day(raised, 0)
        self.session.add(m.Alert(
            review_id=review.id, channel="web", categories="abuse", text_enc=KEYS.encrypt("x"),
            created_at=created, delete_after=NOW + timedelta(days=999),
            acknowledged_at=created + acknowledged_after if acknowledged_after else None,
        ))

    def thread(self, review: m.Review, role: str,
               said: list[tuple[datetime, datetime | None]]) -> None:
        """A thread from the person in ``role``: each message's (sent, answered: when the
        IRO's reply came, or None), and the IRO's replies themselves."""
        kept = NOW + timedelta(days=999)
        user = m.ChatUser(user_key=f"{self.iro.username}-thread-{review.id}-{role}",
                          delete_after=kept)
        theirs = [m.IroMessage(body_enc=KEYS.encrypt("x"), sent_at=sent, answered_at=answered,
                               delete_after=kept) for sent, answered in said]
        replies = [m.IroMessage(staff_user=self.iro, body_enc=KEYS.encrypt("y"), sent_at=at,
                                delete_after=kept)
                   for at in sorted({answered for _, answered in said if answered})]
        self.session.add(m.IroThread(review=review, chat_user=user, role=m.ConsultationRole(role),
                                     delete_after=kept, messages=theirs + replies))


@pytest.fixture(scope="module")
def figures(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('reports') / 'r.db'}"
    upgrade_to_head(url)
    with session_scope(url) as session:
        authority = m.LocalAuthority(code="testshire", name="Testshire")
        team = m.IroTeam(local_authority=authority, name="Team")
        xena = m.StaffUser(username="xena", display_name="Xena", role=m.StaffRole.IRO, team=team,
                         password_hash="-")
        yusuf = m.StaffUser(username="yusuf", display_name="Yusuf", role=m.StaffRole.IRO, team=team,
                          password_hash="-")
        session.add_all([authority, team, xena, yusuf])
        session.flush()
        x, y = Builder(session, xena, authority), Builder(session, yusuf, authority)
        r1 = x.review("2025-03-01", child="2025-02-20", parent="2025-02-25", advocate=True,
                      chair="chair", carer="2025-02-26")
        # the child's views came after the review (not counted); the carer's in time
        x.review("2025-06-01", child="2025-06-02", carer="2025-05-30")
        x.review("2025-09-01", child="2025-08-30", parent=None, chair="co_chair", carer=None)
        x.review("2024-12-15", child="2024-12-01")  # before the period
        r5 = x.review("2025-11-01", child="2025-09-20")  # in the period, not yet held
        y.review("2025-04-01")  # nobody consulted
        r7 = y.review("2025-05-01", child="2025-04-20", parent="2025-04-21", advocate=True,
                      chair="not_this_time", carer="2025-05-02")  # the carer's came too late
        y.review("2025-07-01", status="cancelled", child="2025-06-20")
        x.alert(r1, "2025-02-01", timedelta(hours=1))
        x.alert(r1, "2025-03-01", timedelta(hours=3))
        x.alert(r1, "2025-04-01", None)
        x.alert(r1, "2024-11-01", timedelta(hours=9))  # before the period
        y.alert(r7, "2025-05-01", timedelta(minutes=30))
        x.thread(r1, "child", [
            # one reply answers both: the wait is from the first, 26 hours
            (day("2025-02-03", 10), day("2025-02-04", 12)),
            (day("2025-02-03", 14), day("2025-02-04", 12)),
            (day("2025-02-10", 9), day("2025-02-10", 11)),  # 2 hours
            (day("2024-12-20"), day("2025-01-02")),  # before the period: no figure
            (day("2025-09-22"), None),  # a Monday: 3 working days were up on Thursday
            (day("2025-09-26"), None),  # a Friday: not overdue until Wednesday 11:00 BST
        ])
        x.thread(r5, "parent", [(day("2025-06-10"), day("2025-06-12"))])  # 48 hours
        y.thread(r7, "child", [(day("2025-05-02", 10), day("2025-05-02", 14))])  # 4 hours
        y.thread(r7, "carer", [(day("2024-11-01"), None)])  # before the period; overdue now
        session.flush()
        rows, total = report_rows(session, [(xena.id, "Xena"), (yusuf.id, "Yusuf")], PERIOD, NOW)
    return {row.label: row for row in rows} | {"Total": total}


def test_reviews_held_are_those_in_the_period_whose_date_has_passed(figures):
    assert figures["Xena"].reviews_held == 3
    assert figures["Yusuf"].reviews_held == 2  # the cancelled review is not counted
    assert figures["Total"].reviews_held == 5


def test_children_count_as_consulted_only_when_views_came_before_the_review(figures):
    assert figures["Xena"].children_consulted == 2 and figures["Xena"].children_pct == 66.7
    assert figures["Yusuf"].children_pct == 50.0
    assert figures["Total"].children_pct == 60.0


def test_parents_consulted_counts_only_sent_views(figures):
    assert figures["Xena"].parents_pct == 33.3  # the second parent started but never sent
    assert figures["Yusuf"].parents_pct == 50.0
    assert figures["Total"].parents_pct == 40.0


def test_carers_consulted_counts_only_views_sent_before_the_review(figures):
    # a carer's views count for no one else: the June review's carer sent in time, but its
    # child and parent figures above stay uncounted
    assert figures["Xena"].carers_consulted == 2  # the third carer started but never sent
    assert figures["Xena"].carers_pct == 66.7
    assert figures["Yusuf"].carers_pct == 0.0  # sent the day after the review
    assert figures["Total"].carers_pct == 40.0


def test_advocate_and_chairing_are_out_of_the_children_consulted(figures):
    assert figures["Xena"].advocate_pct == 50.0
    assert figures["Xena"].chair_pct == 100.0  # one chair, one co-chair
    assert figures["Yusuf"].advocate_pct == 100.0 and figures["Yusuf"].chair_pct == 0.0
    assert figures["Total"].advocate_pct == 66.7 and figures["Total"].chair_pct == 66.7


def test_alerts_and_the_median_time_to_acknowledge(figures):
    xena, total = figures["Xena"], figures["Total"]
    assert (xena.alerts, xena.alerts_acknowledged) == (3, 2)
    assert xena.median_ack == timedelta(hours=2)
    assert figures["Yusuf"].median_ack == timedelta(minutes=30)
    assert (total.alerts, total.alerts_acknowledged) == (4, 3)
    assert total.median_ack == timedelta(hours=1)


def test_messages_received_the_median_wait_for_a_first_reply_and_overdue_now(figures):
    xena, yusuf, total = (figures[name].messages for name in ("Xena", "Yusuf", "Total"))
    assert xena.received == 6  # not the one before the period, nor the IRO's own replies
    assert sorted(xena.reply_waits) == [timedelta(hours=h) for h in (2, 26, 48)]
    assert xena.median_reply == timedelta(hours=26)
    assert xena.overdue_now == 1
    assert (yusuf.received, yusuf.median_reply, yusuf.overdue_now) == (1, timedelta(hours=4), 1)
    assert (total.received, total.overdue_now) == (7, 2)
    assert total.median_reply == timedelta(hours=15)  # between 4 and 26 hours


def test_no_reviews_gives_no_percentage_rather_than_zero():
    from bot.staff.reports import Rates

    empty = Rates("Nobody")
    assert empty.children_pct is None and empty.median_ack is None
    assert empty.messages.received == 0 and empty.messages.median_reply is None


def test_themes_count_each_child_once_and_hide_what_only_one_child_said():
    said = [
        ["I want more family time with my brother", "Family time, family time!"],
        ["Family time is too short", "My schools are far away"],
        ["School is OK"],
    ]
    assert themes(said) == [("family time", 2), ("school", 2)]
    assert themes(said, min_children=1)[0] == ("family time", 2)
    assert ("brother", 1) in themes(said, min_children=1)


def test_the_chart_labels_every_bar_in_words_and_numbers():
    svg = str(bar_chart("Rates", [Bar("Children consulted", 60.0, "3 of 5"),
                                  Bar("Parents <consulted>", None, "0 of 0")]))
    assert svg.startswith("<svg") and 'role="img"' in svg and "<title" in svg
    assert "Children consulted" in svg and "60% (3 of 5)" in svg
    assert "Parents &lt;consulted&gt;" in svg and "no reviews" in svg
