"""Who can see what on the staff dashboard: role x page x ownership, signed out, CSRF.

Demo data: Amara is the IRO of Jade (DEMO-001) and Tyler (DEMO-002), Ben of Amira (DEMO-003)
and Kai (DEMO-004); Cath manages their team; Dev is on duty; Jade's review has an alert.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.staff.routes import ROUTES
from bot.staff.users import add_staff_user
from db.engine import session_scope
from db.models import Alert, Invite, ReviewLetter, StaffRole
from db.time import utcnow
from tests.support.iro_threads import days_ago, messages_in, thread_from
from tests.support.letters import held_review

ADMIN = ("admin.ada", "a-long-admin-password")
JADE_PLACEMENT = "14 Elm Road"


@pytest.fixture(scope="module", autouse=True)
def an_admin(staff_settings) -> None:
    with session_scope(staff_settings.database_url) as session:
        add_staff_user(session, username=ADMIN[0], display_name="Ada Admin",
                       role=StaffRole.ADMIN, password=ADMIN[1])


def signed_in_admin(client):
    browser = client()
    assert browser.sign_in(*ADMIN).status_code == 303
    browser.get("/iro/admin/users")
    return browser


def review_requests(review_id: int) -> list[tuple[str, str, dict[str, str]]]:
    """Every way to reach one review: view, print, export, mark read, invite."""
    base = f"/iro/reviews/{review_id}"
    return [
        ("GET", base, {}),
        ("GET", f"{base}/print?placement=yes", {}),
        ("POST", f"{base}/export", {"format": "json", "placement": "yes"}),
        ("POST", f"{base}/read", {}),
        ("POST", f"{base}/invite", {"role": "child"}),
    ]


def send(browser, method: str, path: str, data: dict[str, str]):
    return browser.get(path) if method == "GET" else browser.post(path, data)


def test_an_iro_gets_404_for_another_iros_review_by_every_route_and_it_is_audited(
    client, demo_reviews, audit
):
    amara = client("iro.amara")
    amiras_review = demo_reviews.upcoming["DEMO-003"]
    before = len(audit(outcome="denied", target_id=str(amiras_review)))

    for method, path, data in review_requests(amiras_review):
        response = send(amara, method, path, data)
        assert response.status_code == 404, (method, path)
        assert "Amira" not in response.text

    denied = audit(outcome="denied", target_id=str(amiras_review))[before:]
    assert len(denied) == 5
    assert {e.actor for e in denied} == {"staff:iro.amara"}
    assert {e.action for e in denied} == {
        "view_review", "print_review", "export", "mark_read", "create_invite",
    }
    assert all(e.staff_user_id is not None and e.target_type == "review" for e in denied)


def test_a_review_that_does_not_exist_looks_the_same_as_someone_elses(client, demo_reviews):
    amara = client("iro.amara")
    missing = amara.get("/iro/reviews/999999")
    not_mine = amara.get(f"/iro/reviews/{demo_reviews.upcoming['DEMO-004']}")
    assert missing.status_code == not_mine.status_code == 404
    assert missing.text == not_mine.text


def test_an_iro_reads_their_own_childs_review(client, demo_reviews, audit):
    amara = client("iro.amara")
    jade = demo_reviews.upcoming["DEMO-001"]
    response = amara.get(f"/iro/reviews/{jade}")
    assert response.status_code == 200
    assert "Jade" in response.text and "Moving schools again." in response.text
    assert audit(action="view_review", target_id=str(jade), outcome="ok")


def test_search_finds_only_the_iros_own_children(client):
    amara = client("iro.amara")
    found = amara.get("/iro/search", params={"q": "demo"})  # every case reference
    assert found.status_code == 200
    assert "Jade" in found.text and "Tyler" in found.text
    assert "Amira" not in found.text and "Kai" not in found.text
    by_name = amara.get("/iro/search", params={"q": "amira"}).text
    assert "No reviews you can see match that." in by_name
    assert "/iro/reviews/" not in by_name


def test_the_home_page_lists_only_the_iros_own_upcoming_reviews(client):
    page = client("iro.ben").get("/iro/").text
    assert "Amira" in page and "Kai" in page
    assert "Jade" not in page and "Tyler" not in page


def test_a_manager_reads_the_teams_reviews_but_not_placement_details_or_iro_actions(
    client, demo_reviews
):
    cath = client("manager.cath")
    for ref in ("DEMO-001", "DEMO-003"):
        assert cath.get(f"/iro/reviews/{demo_reviews.upcoming[ref]}").status_code == 200
    jade = demo_reviews.upcoming["DEMO-001"]
    page = cath.get(f"/iro/reviews/{jade}").text
    assert JADE_PLACEMENT not in page
    assert "Mark as read" not in page
    assert cath.post(f"/iro/reviews/{jade}/read").status_code == 404
    assert cath.post(f"/iro/reviews/{jade}/invite", {"role": "child"}).status_code == 404
    printed = cath.get(f"/iro/reviews/{jade}/print?placement=yes")
    assert printed.status_code == 200 and JADE_PLACEMENT not in printed.text


def test_a_carer_invite_is_refused_where_any_invite_is_and_makes_no_code(
    client, demo_reviews, staff_db
):
    amiras_review, jade = demo_reviews.upcoming["DEMO-003"], demo_reviews.upcoming["DEMO-001"]

    def invites() -> int:
        with staff_db() as session:
            return len(session.scalars(select(Invite.id).where(
                Invite.review_id.in_([amiras_review, jade]))).all())

    before = invites()
    refused = client("iro.amara").post(f"/iro/reviews/{amiras_review}/invite", {"role": "carer"})
    assert refused.status_code == 404 and "Amira" not in refused.text
    cath = client("manager.cath")
    cath.get(f"/iro/reviews/{jade}")  # the manager may read the review, not invite to it
    assert cath.post(f"/iro/reviews/{jade}/invite", {"role": "carer"}).status_code == 404
    assert invites() == before


@pytest.mark.parametrize("username", ["duty.dev", "admin"])
def test_duty_and_admin_cannot_open_reviews_or_reports(client, demo_reviews, username):
    browser = signed_in_admin(client) if username == "admin" else client(username)
    jade = demo_reviews.upcoming["DEMO-001"]
    for path in (f"/iro/reviews/{jade}", f"/iro/reviews/{jade}/print", "/iro/search?q=Jade",
                 "/iro/reports", "/iro/reports.csv"):
        response = browser.get(path)
        assert response.status_code == 403, path
        assert "Jade" not in response.text


def test_only_admins_open_staff_accounts_the_audit_log_and_local_settings(client):
    for username in ("iro.amara", "manager.cath", "duty.dev"):
        browser = client(username)
        assert browser.get("/iro/admin/users").status_code == 403
        assert browser.get("/iro/admin/audit").status_code == 403
        assert browser.get("/iro/admin/settings").status_code == 403
    admin = signed_in_admin(client)
    assert admin.get("/iro/admin/audit").status_code == 200
    assert admin.get("/iro/admin/settings").status_code == 200
    assert admin.get("/iro/alerts").status_code == 403  # no feedback content for admins


def test_alerts_are_shown_to_the_childs_iro_and_duty_with_text_and_to_the_manager_without(
    client,
):
    words = "I don&#39;t feel safe"
    assert words in client("iro.amara").get("/iro/alerts").text
    assert words in client("duty.dev").get("/iro/alerts").text
    managers = client("manager.cath").get("/iro/alerts").text
    assert "Jade" in managers and words not in managers
    assert "Acknowledge alert" not in managers
    bens = client("iro.ben").get("/iro/alerts").text
    assert "Jade" not in bens and words not in bens


def test_an_iro_cannot_acknowledge_another_iros_alert(client, staff_db, audit):
    with staff_db() as session:
        alert_id = session.scalar(select(Alert.id).where(Alert.acknowledged_at.is_(None)))
    ben = client("iro.ben")
    assert ben.post(f"/iro/alerts/{alert_id}/acknowledge").status_code == 404
    cath = client("manager.cath")
    assert cath.post(f"/iro/alerts/{alert_id}/acknowledge").status_code == 404
    with staff_db() as session:
        assert session.get(Alert, alert_id).acknowledged_at is None
    assert audit(action="acknowledge_alert", outcome="denied", target_id=str(alert_id))


def test_every_folded_message_is_read_only_by_those_who_may_read_the_alert(
    client, staff_db, audit
):
    with staff_db() as session:
        alert_id = session.scalar(select(Alert.id).where(Alert.acknowledged_at.is_(None)))
    words = "I don&#39;t feel safe"
    for username in ("iro.amara", "duty.dev"):
        page = client(username).get(f"/iro/alerts/{alert_id}?page=zz")
        assert page.status_code == 200 and words in page.text, username
    assert audit(action="view_alert_messages", outcome="ok", target_id=str(alert_id))
    for username in ("iro.ben", "manager.cath"):  # not theirs; no alert words for managers
        page = client(username).get(f"/iro/alerts/{alert_id}")
        assert page.status_code == 404 and words not in page.text, username
    assert audit(action="view_alert_messages", outcome="denied", target_id=str(alert_id))
    assert signed_in_admin(client).get(f"/iro/alerts/{alert_id}").status_code == 403


def test_duty_sees_alerts_not_linked_to_any_review_and_iros_do_not(client, staff_db, data_keys):
    with staff_db() as session:
        session.add(Alert(channel="telegram", categories="abuse",
                          text_enc=data_keys.encrypt("someone who never used an invite"),
                          delete_after=utcnow() + timedelta(days=30)))
    assert "someone who never used an invite" in client("duty.dev").get("/iro/alerts").text
    for username in ("iro.amara", "iro.ben", "manager.cath"):
        assert "Not linked to a review" not in client(username).get("/iro/alerts").text


def thread_requests(thread_id: int) -> list[tuple[str, str, dict[str, str]]]:
    """Every way to reach one thread of messages to an IRO: read it, reply to it."""
    return [
        ("GET", f"/iro/messages/{thread_id}", {}),
        ("POST", f"/iro/messages/{thread_id}/reply", {"reply": "a reply from the wrong IRO"}),
    ]


def test_an_iro_gets_404_for_another_iros_thread_by_every_route_and_it_is_audited(
    client, demo_reviews, staff_settings, data_keys, audit
):
    db = staff_settings.database_url
    words = "only Ben may read this"
    thread = thread_from(db, data_keys, demo_reviews.upcoming["DEMO-003"], "child",
                         ((words, days_ago(1)),))
    assert words in client("iro.ben").get(f"/iro/messages/{thread}").text
    amara = client("iro.amara")
    before = len(audit(outcome="denied", target_id=str(thread)))

    for method, path, data in thread_requests(thread):
        response = send(amara, method, path, data)
        assert response.status_code == 404, (method, path)
        assert words not in response.text and "Amira" not in response.text
    assert words not in amara.get("/iro/messages").text
    assert f"/iro/messages/{thread}" not in amara.get("/iro/messages").text

    denied = audit(outcome="denied", target_id=str(thread))[before:]
    assert [(e.actor, e.action, e.target_type) for e in denied] == [
        ("staff:iro.amara", "view_thread", "iro_thread"),
        ("staff:iro.amara", "reply_thread", "iro_thread"),
    ]
    assert messages_in(db, data_keys, thread) == [(False, words)]
    missing = amara.get("/iro/messages/999999")
    assert missing.status_code == 404 and missing.text == amara.get(
        f"/iro/messages/{thread}").text


def test_a_manager_gets_counts_and_duty_and_admin_nothing_of_messages_to_iros(
    client, demo_reviews, staff_settings, data_keys
):
    words = "words for Amara alone"
    thread = thread_from(staff_settings.database_url, data_keys,
                         demo_reviews.upcoming["DEMO-001"], "parent", ((words, days_ago(1)),))
    cath = client("manager.cath")
    counts = cath.get("/iro/messages")
    assert counts.status_code == 200 and "Amara Okafor" in counts.text
    assert words not in counts.text and "Jade" not in counts.text
    for method, path, data in thread_requests(thread):
        response = send(cath, method, path, data)
        assert response.status_code == 404 and words not in response.text, (method, path)
    for browser in (client("duty.dev"), signed_in_admin(client)):
        for method, path, data in [("GET", "/iro/messages", {}), *thread_requests(thread)]:
            response = send(browser, method, path, data)
            assert response.status_code == 403, (method, path)
            assert words not in response.text


def letter_requests(review_id: int) -> list[tuple[str, str, dict[str, str]]]:
    """Every way to reach the letter after a review: open it, check it, send it."""
    path = f"/iro/reviews/{review_id}/letter/child"
    words = {"talked_about": "a", "decided": "b", "next_steps": "c", "not_happy": "d"}
    return [("GET", path, {}), ("POST", path, {**words, "action": "check"}),
            ("POST", path, {**words, "action": "send"})]


def test_only_the_childs_iro_writes_the_letter_after_the_review_by_every_route(
    client, staff_settings, data_keys, audit
):
    review, _ = held_review(staff_settings.database_url, data_keys, "iro.ben", "Sky",
                            {"child": 1})
    ben = client("iro.ben")
    assert "Letter after the review" in ben.get(f"/iro/reviews/{review}").text
    assert ben.get(f"/iro/reviews/{review}/letter/child").status_code == 200
    before = len(audit(outcome="denied", target_id=str(review)))

    amara, cath = client("iro.amara"), client("manager.cath")
    for browser in (amara, cath):
        for method, path, data in letter_requests(review):
            response = send(browser, method, path, data)
            assert response.status_code == 404, (method, path)
            assert "Sky" not in response.text
    assert "Letter after the review" not in cath.get(f"/iro/reviews/{review}").text
    for browser in (client("duty.dev"), signed_in_admin(client)):
        for method, path, data in letter_requests(review):
            assert send(browser, method, path, data).status_code == 403, (method, path)

    denied = audit(outcome="denied", target_id=str(review))[before:]
    assert [(e.actor, e.action) for e in denied] == [
        (actor, action) for actor in ("staff:iro.amara", "staff:manager.cath")
        for action in ("open_letter", "send_letter", "send_letter")
    ]
    with session_scope(staff_settings.database_url) as session:
        assert session.scalars(select(ReviewLetter).where(
            ReviewLetter.review_id == review)).all() == []


def every_route() -> list[tuple[str, str]]:
    paths = []
    for route in ROUTES:
        path = "/iro" + route.path.replace("{review_id:int}", "1").replace("{alert_id:int}", "1")
        path = path.replace("{user_id:int}", "1").replace("{thread_id:int}", "1")
        path = path.replace("{role}", "child")
        for method in sorted(route.methods - {"HEAD"}):
            paths.append((method, path))
    return paths


@pytest.mark.parametrize(
    ("method", "path"),  # the sign-in form and the set-password link are open to all
    [r for r in every_route() if r[1] != "/iro/login" and "/set-password/" not in r[1]]
)
def test_no_staff_page_is_reachable_signed_out(client, method, path):
    browser = client()
    browser.get("/iro/login")
    response = browser.get(path) if method == "GET" else browser.post(path, {})
    assert response.status_code in (303, 403)
    if response.status_code == 303:
        assert response.headers["location"].startswith("/iro/login")
    assert "Jade" not in response.text


@pytest.mark.parametrize(("method", "path"), [r for r in every_route() if r[0] == "POST"])
def test_a_post_without_the_csrf_field_is_refused(client, method, path, demo_reviews):
    path = path.replace("/reviews/1", f"/reviews/{demo_reviews.upcoming['DEMO-001']}")
    browser = signed_in_admin(client) if "/admin/" in path else client("iro.amara")
    # Signing out without the field does nothing but go back to the start (nobody is harmed
    # by a forged sign-out, but it still must not work).
    refused = 303 if path == "/iro/logout" else 403
    response = browser.post(path, {"role": "child", "format": "json"}, csrf=False)
    assert response.status_code == refused
    forged = browser.post(path, {"csrf_token": "0" * 64, "role": "child"}, csrf=False)
    assert forged.status_code == refused
    still_signed_in = browser.get("/iro/")
    assert "/iro/login" not in still_signed_in.headers.get("location", "")


def test_every_staff_page_says_no_store(client, demo_reviews):
    amara = client("iro.amara")
    jade = demo_reviews.upcoming["DEMO-001"]
    for path in ("/iro/", f"/iro/reviews/{jade}", f"/iro/reviews/{jade}/print", "/iro/alerts",
                 "/iro/reports", "/iro/reports.csv", "/iro/search?q=j", "/iro/reviews/999999"):
        assert amara.get(path).headers["cache-control"] == "no-store", path
    assert client().get("/iro/login").headers["cache-control"] == "no-store"


def test_duty_reviews_a_possible_concern_and_escalates_or_closes_it(
    client, staff_db, data_keys, audit
):
    with staff_db() as session:
        possible = [
            Alert(channel="web", categories="model", priority="possible",
                  text_enc=data_keys.encrypt(f"possible concern {n}"),
                  delete_after=utcnow() + timedelta(days=30))
            for n in ("one", "two")
        ]
        session.add_all(possible)
        session.flush()
        first, second = (a.id for a in possible)
    duty = client("duty.dev")
    page = duty.get("/iro/alerts").text
    assert "Possible concerns to review" in page and "possible concern one" in page
    assert "Escalate to urgent" in page

    assert duty.post(f"/iro/alerts/{first}/escalate", {"next": "/iro/alerts"}).status_code == 303
    assert duty.post(f"/iro/alerts/{second}/acknowledge",
                     {"next": "/iro/alerts"}).status_code == 303
    with staff_db() as session:
        escalated, closed = session.get(Alert, first), session.get(Alert, second)
        assert escalated.priority == "urgent" and escalated.escalated_at is not None
        assert escalated.acknowledged_at is None  # now an open urgent alert
        assert closed.priority == "possible" and closed.acknowledged_at is not None
    assert audit(action="escalate_concern", target_id=str(first), outcome="ok")
    assert audit(action="close_concern", target_id=str(second), outcome="ok")
    # an urgent alert cannot be "escalated"; an IRO cannot act on an unlinked concern
    assert duty.post(f"/iro/alerts/{first}/escalate").status_code == 404
    assert client("iro.amara").post(f"/iro/alerts/{second}/escalate").status_code == 404
