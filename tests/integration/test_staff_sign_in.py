"""Signing in to the staff dashboard: passwords, growing delays, cookies, idle timeout,
sign-out, and `carebot user add`. Attacks on sign-in are in
tests/security/test_security_staff_accounts.py."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from bot.services.passwords import password_matches
from bot.staff.sessions import IDLE_TIMEOUT
from db.models import SignInThrottle, StaffSession, StaffUser
from db.time import utcnow

REPO = Path(__file__).resolve().parents[2]


def test_signing_in_with_the_right_password_opens_the_dashboard(client, audit):
    browser = client()
    response = browser.sign_in("iro.amara")
    assert response.status_code == 303 and response.headers["location"] == "/iro/"
    assert "Your upcoming reviews" in browser.get("/iro/").text
    assert audit(action="sign_in", actor="iro.amara", outcome="ok")


def test_the_session_cookie_is_httponly_and_samesite_strict(staff_app):
    from tests.support.staff import StaffClient

    local = StaffClient(staff_app).get("/iro/login").headers["set-cookie"].lower()
    assert "httponly" in local and "samesite=strict" in local and "path=/iro" in local


def test_a_wrong_password_is_refused_and_recorded(client, audit):
    browser = client()
    before = len(audit(action="sign_in", actor="iro.ben", outcome="failed"))
    response = browser.sign_in("iro.ben", "not-the-password-at-all")
    assert response.status_code == 400
    assert "did not match" in response.text
    assert "not-the-password-at-all" not in response.text
    assert len(audit(action="sign_in", actor="iro.ben", outcome="failed")) == before + 1
    assert browser.get("/iro/").status_code == 303  # still signed out


def test_an_unknown_username_is_refused_the_same_way(client, audit):
    response = client().sign_in("nobody.here", "whatever-password-1")
    assert response.status_code == 400 and "did not match" in response.text
    assert not audit(actor="nobody.here")  # recorded by a keyed hash, never as typed
    assert audit(action="sign_in", outcome="failed")[-1].actor.startswith("unknown:")


def test_repeated_failures_make_the_same_browser_wait_then_it_can_try_again(
    staff_app, staff_db, audit
):
    from tests.support.staff import StaffClient

    browser = StaffClient(staff_app, address="192.0.2.10")
    for _ in range(5):
        assert browser.sign_in("duty.dev", "wrong-wrong-wrong").status_code == 400
    slowed = browser.sign_in("duty.dev")  # the right one, but too soon
    assert slowed.status_code == 429 and "Please wait" in slowed.text
    assert audit(action="sign_in", actor="duty.dev", outcome="slowed")
    with staff_db() as session:  # the wait is over
        session.execute(update(SignInThrottle).values(blocked_until=utcnow()
                                                      - timedelta(seconds=1)))
    assert browser.sign_in("duty.dev").status_code == 303


def test_after_30_minutes_idle_the_session_ends(client, staff_db):
    browser = client("iro.amara")
    assert browser.get("/iro/").status_code == 200
    with staff_db() as session:
        session.execute(update(StaffSession).values(
            last_seen_at=utcnow() - IDLE_TIMEOUT - timedelta(seconds=5)
        ))
    response = browser.get("/iro/alerts")
    assert response.status_code == 303
    assert "timed_out=1" in response.headers["location"]
    assert "30 minutes" in browser.get(response.headers["location"]).text


def test_activity_keeps_the_session_alive(client, staff_db):
    browser = client("iro.amara")
    with staff_db() as session:
        session.execute(update(StaffSession).values(
            last_seen_at=utcnow() - IDLE_TIMEOUT + timedelta(minutes=2)
        ))
    assert browser.get("/iro/").status_code == 200
    assert browser.get("/iro/").status_code == 200


def test_signing_out_ends_the_session_on_the_server(client, staff_db):
    browser = client("iro.ben")
    cookie = browser.http.cookies.get("carebot_staff")
    response = browser.post("/iro/logout")
    assert response.status_code == 303
    browser.http.cookies.set("carebot_staff", cookie, path="/iro")  # an old copy of the cookie
    assert browser.get("/iro/").status_code == 303


def test_after_signing_in_you_go_back_to_the_page_you_asked_for_but_never_off_site(client):
    browser = client()
    first = browser.get("/iro/alerts")
    assert first.headers["location"] == "/iro/login?next=%2Firo%2Falerts"
    browser.get(first.headers["location"])
    assert "/iro/alerts" in browser.http.get(first.headers["location"]).text
    signed = browser.post("/iro/login", {"username": "iro.amara",
                                         "password": "demo-iro-amara-2026",
                                         "next": "/iro/alerts"})
    assert signed.headers["location"] == "/iro/alerts"
    evil = client()
    evil.get("/iro/login")
    away = evil.post("/iro/login", {"username": "iro.amara", "password": "demo-iro-amara-2026",
                                    "next": "//evil.example/iro/"})
    assert away.headers["location"] == "/iro/"


def run_user_add(tmp_path: Path, password: str, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CAREBOT_", "TELEGRAM_"))}
    env.pop("DATABASE_URL", None)
    env.update(CAREBOT_DATA_DIR=str(tmp_path))
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "user", "add", *args], input=password + "\n",
        env=env, cwd=REPO, capture_output=True, text=True, timeout=120,
    )


@pytest.mark.slow
def test_carebot_user_add_makes_an_account_with_an_argon2id_hash(tmp_path):
    from db.engine import session_scope

    short = run_user_add(tmp_path, "too-short", "--username", "first.admin",
                         "--name", "First Admin", "--role", "admin")
    assert short.returncode == 1 and "12 characters" in short.stderr
    made = run_user_add(tmp_path, "a-good-long-password", "--username", "first.admin",
                        "--name", "First Admin", "--role", "admin")
    assert made.returncode == 0, made.stderr
    assert "a-good-long-password" not in made.stdout
    iro = run_user_add(tmp_path, "", "--username", "new.iro",
                       "--name", "New Iro", "--role", "iro", "--team", "North Team")
    assert iro.returncode == 0, iro.stderr
    assert "/iro/set-password/" in iro.stdout  # an IRO chooses their own password
    with session_scope(f"sqlite:///{tmp_path / 'carebot.db'}") as session:
        admin = session.scalar(select(StaffUser).where(StaffUser.username == "first.admin"))
        assert admin.password_hash.startswith("$argon2id$")
        assert password_matches(admin.password_hash, "a-good-long-password")
        new_iro = session.scalar(select(StaffUser).where(StaffUser.username == "new.iro"))
        assert new_iro.team.name == "North Team" and new_iro.password_hash is None
