"""An IRO's day on the dashboard: reading views, placement details kept out of prints and
exports by default, invites, mark as read, acknowledging an alert, the report page."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

from sqlalchemy import select

from bot.consultation.invites import RedeemOutcome, redeem
from db.models import Alert, ChatUser, Consultation
from db.time import utcnow

PLACEMENT = "Foster carers Sam and Alex Green, 14 Elm Road, Demoton DM1 2AB"


def test_the_review_page_shows_both_views_skips_and_wishes(client, demo_reviews):
    page = client("iro.amara").get(f"/iro/reviews/{demo_reviews.upcoming['DEMO-001']}").text
    assert "Jade&#39;s views" in page and "Parent&#39;s views" in page
    assert "Moving schools again." in page  # the child's answer
    assert "Once a month is not enough for me or for her." in page  # the parent's
    assert page.count("Skipped") == 2  # Jade's health answer and her mum's "anything else"
    assert "Jade asked for an advocate." in page
    assert "wants to chair the review together with the IRO" in page
    assert PLACEMENT in page  # on screen, for her own IRO


def test_print_and_export_leave_out_placement_details_unless_ticked(client, demo_reviews, audit):
    amara = client("iro.amara")
    jade = demo_reviews.upcoming["DEMO-001"]
    printed = amara.get(f"/iro/reviews/{jade}/print")
    assert printed.status_code == 200 and "Moving schools again." in printed.text
    assert "14 Elm Road" not in printed.text
    for fmt in ("csv", "json"):
        exported = amara.post(f"/iro/reviews/{jade}/export", {"format": fmt})
        assert exported.status_code == 200
        assert "attachment" in exported.headers["content-disposition"]
        assert "Moving schools again." in exported.text
        assert "14 Elm Road" not in exported.text and "placement" not in exported.text

    ticked = amara.get(f"/iro/reviews/{jade}/print", params={"placement": "yes"})
    assert PLACEMENT in ticked.text
    exported = amara.post(f"/iro/reviews/{jade}/export", {"format": "json", "placement": "yes"})
    assert json.loads(exported.text)["placement_details"] == PLACEMENT
    rows = list(csv.DictReader(io.StringIO(
        amara.post(f"/iro/reviews/{jade}/export", {"format": "csv", "placement": "yes"}).text
    )))
    assert rows and all(r["placement_details"] == PLACEMENT for r in rows)

    actions = [e.action for e in audit(target_id=str(jade), actor="staff:iro.amara")]
    assert {"print_review", "print_review_with_placement", "export_csv", "export_json",
            "export_json_with_placement", "export_csv_with_placement"} <= set(actions)


def test_an_invite_shows_its_code_once_and_the_code_works(
    client, demo_reviews, staff_db, data_keys, audit
):
    tyler = demo_reviews.upcoming["DEMO-002"]
    amara = client("iro.amara")
    amara.get(f"/iro/reviews/{tyler}")
    response = amara.post(f"/iro/reviews/{tyler}/invite", {"role": "parent"})
    assert response.status_code == 200
    assert "New parent invite" in response.text
    code = response.text.split("Code: <strong>")[1].split("<")[0]
    assert f"/chat#invite={code.replace('-', '')}" in response.text
    assert code not in amara.get(f"/iro/reviews/{tyler}").text  # shown only once
    with staff_db() as session:
        user = ChatUser(user_key="test-parent-of-tyler", delete_after=utcnow())
        session.add(user)
        session.flush()
        done = redeem(session, data_keys, code=code, chat_user=user, retention=timedelta(days=1))
        assert done.outcome == RedeemOutcome.OK
    assert audit(action="create_invite", target_id=str(tyler))


def test_mark_as_read_records_when_the_iro_read_the_views(client, demo_reviews, staff_db, audit):
    jade = demo_reviews.upcoming["DEMO-001"]
    amara = client("iro.amara")
    assert "2 not yet marked as read" in amara.get(f"/iro/reviews/{jade}").text
    assert amara.post(f"/iro/reviews/{jade}/read").status_code == 303
    assert "All views marked as read." in amara.get(f"/iro/reviews/{jade}").text
    with staff_db() as session:
        read = session.scalars(select(Consultation.read_at)
                               .where(Consultation.review_id == jade)).all()
    assert read and all(read)
    assert audit(action="mark_read", target_id=str(jade))


def test_acknowledging_an_alert_records_who_and_when(client, staff_db, audit):
    with staff_db() as session:
        alert_id = session.scalar(select(Alert.id).where(Alert.acknowledged_at.is_(None)))
    amara = client("iro.amara")
    home = amara.get("/iro/").text
    assert "Urgent alerts to act on (1)" in home
    response = amara.post(f"/iro/alerts/{alert_id}/acknowledge", {"next": "/iro/"})
    assert response.status_code == 303
    assert "Urgent alerts to act on" not in amara.get("/iro/").text
    with staff_db() as session:
        alert = session.get(Alert, alert_id)
        assert alert.acknowledged_at is not None
        assert alert.acknowledged_by_id is not None
    assert audit(action="acknowledge_alert", target_id=str(alert_id), outcome="ok")
    assert "Amara Okafor" in client("duty.dev").get("/iro/alerts").text


def test_the_report_page_shows_rates_and_a_chart_for_the_demo_data(client, audit):
    page = client("manager.cath").get("/iro/reports")
    assert page.status_code == 200
    # Last round: 4 reviews held; Jade, Tyler and Kai sent views (3 of 4); parents of Jade
    # and Amira (2 of 4); Jade and Kai asked for an advocate (2 of 3); Jade (co-chair) and
    # Kai (chair) want to chair (2 of 3).
    assert "75% (3 of 4)" in page.text
    assert "50% (2 of 4)" in page.text
    assert "66.7% (2 of 3)" in page.text
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart"' in page.text
    assert "Children consulted before their review" in page.text
    assert "family time" in page.text  # Tyler and Kai both talk about it
    csv_text = client("manager.cath").get("/iro/reports.csv").text
    total = list(csv.DictReader(io.StringIO(csv_text)))[-1]
    assert total["reviews_held"] == "4" and total["children_consulted_pct"] == "75"
    assert audit(action="view_report", actor="staff:manager.cath")
