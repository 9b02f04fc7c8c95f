"""The admin's local settings page (/iro/admin/settings): who may open it, strict all-or-nothing
validation, the audit log, and the chat saying the new values once its cache is refreshed."""

from __future__ import annotations

import re
import threading

import pytest
from sqlalchemy import select

from bot.knowledge.content import Content
from bot.services.local_settings import EDITABLE, load_overrides
from db.engine import session_scope
from db.models import LocalSetting

PAGE = "/iro/admin/settings"
NEW_PHONE = "01632 960555"


def settings_form(page: str) -> dict[str, str]:
    """Every field of the form as the browser would send it (the values on the page)."""
    form = {}
    for setting in EDITABLE:
        found = re.search(rf'name="{setting.field}" value="([^"]*)"', page)
        assert found, setting.field
        form[setting.field] = found.group(1).replace("&#39;", "'").replace("&amp;", "&")
    return form


@pytest.fixture
def admin(client):
    browser = client("admin.ali")
    assert browser.get(PAGE).status_code == 200  # also picks up the page's CSRF field
    return browser


def stored_rows(staff_db) -> dict[str, str]:
    with staff_db() as session:
        return {row.key: row.value for row in session.scalars(select(LocalSetting))}


@pytest.mark.parametrize("username", ["iro.amara", "manager.cath", "duty.dev"])
def test_other_roles_are_refused_and_nothing_is_saved(client, staff_db, username):
    browser = client(username)
    assert browser.get(PAGE).status_code == 403
    before = stored_rows(staff_db)
    assert browser.post(PAGE, {"iro_team_phone": "01632 960111"}).status_code == 403
    assert stored_rows(staff_db) == before


def test_signed_out_goes_to_sign_in(client):
    response = client().get(PAGE)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/iro/login?next=%2Firo%2Fadmin%2Fsettings")


def test_the_admin_nav_links_to_the_page_which_shows_file_values_read_only(admin):
    home = admin.get("/iro/admin/users").text
    assert 'href="/iro/admin/settings"' in home
    page = admin.get(PAGE)
    assert page.headers["cache-control"] == "no-store"
    assert "content/local_authorities/demoshire.yml" in page.text
    assert "Demoshire County Council" in page.text  # read-only: {name}
    assert 'name="name"' not in page.text
    assert "pocket money each week" not in page.text  # long wording is left to the file
    assert '<label for="setting-iro_team_phone">IRO team phone</label>' in page.text


def test_admin_changes_the_iro_team_phone_and_the_chat_says_it(
    admin, staff_app, staff_db, audit
):
    content = staff_app.state.carebot.content
    assert NEW_PHONE not in content.say("bot_challenge").text
    before = len(audit(action="change_setting"))
    form = settings_form(admin.get(PAGE).text)
    form["iro_team_phone"] = NEW_PHONE

    response = admin.post(PAGE, form)
    assert response.status_code == 303
    assert response.headers["location"] == f"{PAGE}?saved=1"
    page = admin.get(response.headers["location"]).text
    assert "Saved 1 change." in page
    assert f'value="{NEW_PHONE}"' in page
    assert "by Ali Khan" in page

    assert stored_rows(staff_db)["iro_team.phone"] == NEW_PHONE
    changes = audit(action="change_setting")[before:]
    assert [(e.actor, e.target_type, e.target_id, e.outcome) for e in changes] == [
        ("staff:admin.ali", "setting", "iro_team.phone", "ok")
    ]
    assert all(NEW_PHONE not in str(vars(e)) for e in changes)  # never the value

    # This process refreshed its cache on saving: the chat says the new number at once.
    assert NEW_PHONE in content.say("bot_challenge").text
    assert NEW_PHONE in content.say("out_of_scope").text
    assert content.authority_file["iro_team"]["phone"] != NEW_PHONE  # the file is untouched


def test_retention_and_alert_wording_reach_the_chat(admin, staff_app):
    content = staff_app.state.carebot.content
    form = settings_form(admin.get(PAGE).text)
    form.update(retention_days="120", alerts_read_within="within two working hours")
    assert admin.post(PAGE, form).status_code == 303
    assert content.retention.days == 120
    assert "read what you wrote within two working hours." in content.signposting("child")


@pytest.mark.parametrize(("field", "bad", "message"), [
    ("iro_team_phone", "call us", "IRO team phone: enter a UK phone number"),
    ("iro_team_phone", "01632 96", "IRO team phone: enter a UK phone number"),
    ("advocacy_phone", "+1 555 123 4567", "Advocacy provider phone: enter a UK phone number"),
    ("complaints_email", "complaints at council", "Complaints email: enter an email address"),
    ("advocacy_provider", "   ", "Advocacy provider name: enter a value."),
    ("advocacy_provider", "x" * 121, "Advocacy provider name: use 120 characters or fewer."),
    ("alerts_read_within", "soon {name}", "leave out line breaks and the characters"),
    ("retention_days", "29", "Days the chat is kept: enter a whole number from 30 to 365."),
    ("retention_days", "ninety", "Days the chat is kept: enter a whole number from 30 to 365."),
])
def test_a_bad_value_is_a_400_with_the_message_and_nothing_is_saved(
    admin, staff_db, audit, field, bad, message
):
    form = settings_form(admin.get(PAGE).text)
    form["leaving_care_team_phone"] = "01632 960777"  # valid, but must not be saved either
    form[field] = bad
    before_rows, before_audit = stored_rows(staff_db), len(audit(action="change_setting"))

    response = admin.post(PAGE, form)

    assert response.status_code == 400
    assert message in response.text
    assert "There is a problem: nothing was saved" in response.text
    field_id = f"setting-{field}"
    assert f'href="#{field_id}"' in response.text
    assert f'id="{field_id}-error"' in response.text
    assert "aria-invalid=\"true\"" in response.text
    assert stored_rows(staff_db) == before_rows
    assert len(audit(action="change_setting")) == before_audit


def test_a_post_without_the_csrf_field_saves_nothing(admin, staff_db):
    form = settings_form(admin.get(PAGE).text)
    form["complaints_phone"] = "01632 960888"
    before = stored_rows(staff_db)
    assert admin.post(PAGE, form, csrf=False).status_code == 403
    assert admin.post(PAGE, {**form, "csrf_token": "0" * 64}, csrf=False).status_code == 403
    assert stored_rows(staff_db) == before


def test_saving_unchanged_values_changes_nothing(admin, staff_db, audit):
    before_rows, before_audit = stored_rows(staff_db), len(audit(action="change_setting"))
    response = admin.post(PAGE, settings_form(admin.get(PAGE).text))
    assert response.headers["location"] == f"{PAGE}?saved=0"
    assert "Nothing changed." in admin.get(response.headers["location"]).text
    assert stored_rows(staff_db) == before_rows
    assert len(audit(action="change_setting")) == before_audit


def test_a_rejected_value_is_shown_back_escaped(admin):
    form = settings_form(admin.get(PAGE).text)
    form["alerts_read_within"] = '"><b id="x">soon'
    response = admin.post(PAGE, form)
    assert response.status_code == 400
    assert '<b id="x">' not in response.text
    assert "&#34;&gt;&lt;b id=&#34;x&#34;&gt;soon" in response.text


def test_a_thread_inside_a_database_session_can_read_the_council_values_while_they_reload(
    base_settings,
) -> None:
    """The server's chat reads the council's values (with the dashboard's changes, from the
    database) on its event loop while worker threads hold database sessions and read the
    retention. Content held its own lock while it waited for the database's, and a worker
    held the database's while it waited for Content's: every request then hung (seen in the
    REST soak). Here the two meet in exactly that order; both must finish."""
    url, council = base_settings.database_url, base_settings.local_authority
    reloading, session_open = threading.Event(), threading.Event()

    def overrides() -> dict:
        reloading.set()  # the reload has begun (in the old code: holding Content's lock)
        session_open.wait(5)  # ...and a worker is now inside a database session
        return load_overrides(url, council)

    content = Content(base_settings.content_dir, council, overrides=overrides, refresh_after=0)
    finished: list[str] = []

    def worker() -> None:
        reloading.wait(5)
        with session_scope(url):
            session_open.set()
            content.retention  # noqa: B018 - reads the council values inside the session
        finished.append("worker")

    def chat() -> None:
        content.authority  # noqa: B018 - the reload that reads the database
        finished.append("chat")

    threads = [threading.Thread(target=worker, daemon=True),
               threading.Thread(target=chat, daemon=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert sorted(finished) == ["chat", "worker"]
