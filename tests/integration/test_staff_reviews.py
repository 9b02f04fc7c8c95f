"""An IRO's day on the dashboard: reading the child's, parent's and carer's views,
placement details kept out of prints and exports by default, invites, mark as read,
acknowledging an alert, the report page."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

from sqlalchemy import select

from bot.consultation.invites import RedeemOutcome, redeem
from bot.services.demo_data import DEMO_CARER_ANSWERS
from db.models import Alert, Audience, ChatUser, Consultation, ConsultationRole
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


def views_columns(page: str) -> list[str]:
    """The columns of the "Views sent before the review" section, left to right."""
    section = page.split('aria-labelledby="views-heading"')[1].split("</section>")[0]
    side_by_side = section.split('<div class="side-by-side">')[1]
    return side_by_side.split('<div class="column">')[1:]


def test_the_review_page_shows_the_child_parent_and_carer_views_side_by_side(
    client, demo_reviews
):
    page = client("iro.amara").get(f"/iro/reviews/{demo_reviews.upcoming['DEMO-001']}").text
    child, parent, carer = views_columns(page)
    assert "Jade&#39;s views" in child and "Moving schools again." in child
    assert "Parent&#39;s views" in parent and "Once a month is not enough" in parent
    assert "Carer&#39;s views" in carer
    assert "Support I need as a carer" in carer
    assert "Some help with maths, and a short break for us in the summer." in carer
    assert "Moving schools again." not in carer and "Support I need" not in child + parent
    tyler = client("iro.amara").get(f"/iro/reviews/{demo_reviews.upcoming['DEMO-002']}").text
    assert [c.count("No views sent yet.") for c in views_columns(tyler)] == [1, 1, 1]


def test_the_carers_views_are_printed_and_exported_after_the_childs_and_parents(
    client, demo_reviews
):
    amara = client("iro.amara")
    jade = demo_reviews.upcoming["DEMO-001"]
    printed = amara.get(f"/iro/reviews/{jade}/print").text
    assert "<h2>Carers' views</h2>" in printed and DEMO_CARER_ANSWERS["support"] in printed
    as_json = json.loads(amara.post(f"/iro/reviews/{jade}/export", {"format": "json"}).text)
    assert [c["role"] for c in as_json["consultations"]] == ["child", "parent", "carer"]
    carer = as_json["consultations"][2]
    assert {a["key"]: a["answer"] for a in carer["answers"]} == DEMO_CARER_ANSWERS
    assert carer["advocate_requested"] is False and carer["chair_wish"] is None
    rows = list(csv.DictReader(io.StringIO(
        amara.post(f"/iro/reviews/{jade}/export", {"format": "csv"}).text)))
    carer_rows = [r for r in rows if r["role"] == "carer"]
    assert [r["question_key"] for r in carer_rows] == list(DEMO_CARER_ANSWERS)
    assert carer_rows[6]["question"] == "Support I need as a carer"
    assert carer_rows[6]["answer"] == DEMO_CARER_ANSWERS["support"]


def test_a_carer_invite_from_the_dashboard_links_a_carer_to_the_review(
    client, demo_reviews, staff_db, data_keys, audit
):
    tyler = demo_reviews.upcoming["DEMO-002"]
    made_before = len(audit(action="create_invite", target_id=str(tyler)))
    amara = client("iro.amara")
    page = amara.get(f"/iro/reviews/{tyler}").text
    assert "Invite a carer" in page and '<input type="hidden" name="role" value="carer">' in page
    response = amara.post(f"/iro/reviews/{tyler}/invite", {"role": "carer"})
    assert response.status_code == 200 and "New carer invite" in response.text
    code = response.text.split("Code: <strong>")[1].split("<")[0]
    with staff_db() as session:
        user = ChatUser(user_key="test-carer-of-tyler", delete_after=utcnow())
        session.add(user)
        session.flush()
        done = redeem(session, data_keys, code=code, chat_user=user, retention=timedelta(days=1))
        assert done.outcome == RedeemOutcome.OK and done.role == ConsultationRole.CARER
        assert user.audience == Audience.CARER  # the chat answers them as a carer from now on
        consultation = session.get(Consultation, done.consultation_id)
        assert consultation.role == ConsultationRole.CARER and consultation.review_id == tyler
    refused = amara.post(f"/iro/reviews/{tyler}/invite", {"role": "neighbour"})
    assert refused.status_code == 400 and "Choose a child, parent or carer invite." in refused.text
    assert len(audit(action="create_invite", target_id=str(tyler))) == made_before + 1


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
    # Jade's, her mum's and her foster carer's
    assert "3 not yet marked as read" in amara.get(f"/iro/reviews/{jade}").text
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
    # Carers of Tyler and Amira (2 of 4)
    assert "Carers consulted before the review" in page.text
    assert '<td data-label="Carers consulted">50% (2 of 4)</td>' in page.text
    assert "family time" in page.text  # Tyler and Kai both talk about it
    csv_text = client("manager.cath").get("/iro/reports.csv").text
    total = list(csv.DictReader(io.StringIO(csv_text)))[-1]
    assert total["reviews_held"] == "4" and total["children_consulted_pct"] == "75"
    assert total["carers_consulted"] == "2" and total["carers_consulted_pct"] == "50"
    assert audit(action="view_report", actor="staff:manager.cath")
