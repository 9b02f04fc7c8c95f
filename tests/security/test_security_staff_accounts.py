"""Staff accounts an admin can manage, and a sign-in nobody can use against someone else
(issue 16, part 5), and the staff cookie's Secure flag (part 6).

Each test is one finding of the security review, and each failed on the code before the fix.
The demo council's accounts are used: admin.ali (admin), iro.amara, iro.ben, manager.cath and
duty.dev; every test module has its own database.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import re
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import argon2
import httpx
import pytest
from sqlalchemy import select, text, update

from db.engine import session_scope
from db.models import AuditEntry, SignInThrottle, StaffSession, StaffUser
from db.time import utcnow
from tests.support.staff import CSRF_FIELD, PASSWORDS, StaffClient, UnusedRuntime

REPO = Path(__file__).resolve().parents[2]
LINK = re.compile(r"/iro/set-password/([A-Za-z0-9_-]{20,})")
ATTACKER, OFFICE = "203.0.113.9", "198.51.100.7"


def admin(client) -> StaffClient:
    browser = client("admin.ali")
    browser.get("/iro/admin/users")
    return browser


def user_id(staff_db, username: str) -> int:
    with staff_db() as session:
        return session.scalar(select(StaffUser.id).where(StaffUser.username == username))


def add_account(browser: StaffClient, username: str, role: str, **extra: str):
    return browser.post("/iro/admin/users/add", {
        "username": username, "name": username.replace(".", " ").title(), "role": role,
        "team": "Independent Reviewing Team", **extra,
    })


def set_password(link_token: str, app, password: str) -> httpx.Response:
    """Open the link and choose ``password``: the form's answer (or the link's, if it gave no
    form)."""
    browser = StaffClient(app)
    opened = browser.get(f"/iro/set-password/{link_token}")
    if opened.status_code != 200:
        return opened
    return browser.post(f"/iro/set-password/{link_token}",
                        {"password": password, "confirm": password})


@pytest.fixture
def argon2_calls(monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    """Every argon2 verification carebot runs, with the cost parameters of the hash it checked
    (the real verification still runs)."""
    calls: list[dict] = []
    real = argon2.PasswordHasher.verify

    def counting(self, hash, password):  # noqa: ANN001, A002 - argon2's own signature
        calls.append(dataclasses.asdict(argon2.extract_parameters(hash)))
        return real(self, hash, password)

    monkeypatch.setattr(argon2.PasswordHasher, "verify", counting)
    return calls


# Finding: "an admin creates a manager or duty account with a password of their choosing and
# reads children's views and alert text"
@pytest.mark.parametrize("role", ["duty", "manager", "iro"])
def test_an_admin_cannot_choose_the_password_of_an_account_that_reads_content(
    client, staff_app, role
):
    browser = admin(client)
    chosen = "admins-own-choice-2026"
    page = add_account(browser, f"new.{role}", role, password=chosen)
    assert page.status_code == 200, page.text
    assert LINK.search(page.text), "the new account should get a one-time set-password link"
    assert StaffClient(staff_app).sign_in(f"new.{role}", chosen).status_code != 303


# Finding: accounts get a password only through a link that works once and expires.
def test_a_set_password_link_works_once_and_expires(client, staff_app, staff_db, audit):
    browser = admin(client)
    token = LINK.search(add_account(browser, "link.duty", "duty").text).group(1)
    assert set_password(token, staff_app, "my-own-secret-2026").status_code == 303
    assert StaffClient(staff_app).sign_in("link.duty", "my-own-secret-2026").status_code == 303
    again = set_password(token, staff_app, "someone-elses-2026")
    assert again.status_code == 404
    assert StaffClient(staff_app).sign_in("link.duty", "someone-elses-2026").status_code != 303
    assert audit(action="set_password", target_id=str(user_id(staff_db, "link.duty")))

    late = LINK.search(add_account(browser, "late.duty", "duty").text).group(1)
    with staff_db() as session:
        session.execute(update(StaffUser).where(StaffUser.username == "late.duty")
                        .values(password_token_expires_at=utcnow() - timedelta(seconds=1)))
    assert set_password(late, staff_app, "too-late-secret-2026").status_code == 404
    assert StaffClient(staff_app).sign_in("late.duty", "too-late-secret-2026").status_code != 303


# Finding: "no account can be disabled ... from the dashboard"
def test_a_disabled_account_cannot_sign_in_and_its_sessions_end(client, staff_db, audit):
    duty = client("duty.dev")
    assert duty.get("/iro/alerts").status_code == 200
    browser = admin(client)
    target = user_id(staff_db, "duty.dev")
    assert browser.post(f"/iro/admin/users/{target}/disable").status_code == 303
    assert duty.get("/iro/alerts").status_code == 303  # signed out
    assert client().sign_in("duty.dev").status_code == 400  # the right password, refused
    assert audit(action="disable_staff_user", target_id=str(target), outcome="ok")
    assert browser.post(f"/iro/admin/users/{target}/enable").status_code == 303
    assert client().sign_in("duty.dev").status_code == 303
    assert audit(action="enable_staff_user", target_id=str(target), outcome="ok")


# Finding: "no account can be ... reset ... from the dashboard"
def test_a_forced_password_reset_ends_the_old_password_and_gives_a_new_link(
    client, staff_app, staff_db, audit
):
    amara = client("iro.amara")
    browser = admin(client)
    target = user_id(staff_db, "iro.amara")
    page = browser.post(f"/iro/admin/users/{target}/reset-password")
    token = LINK.search(page.text).group(1)
    assert amara.get("/iro/").status_code == 303
    assert client().sign_in("iro.amara").status_code == 400  # the old password is gone
    assert audit(action="reset_staff_password", target_id=str(target))
    assert set_password(token, staff_app, PASSWORDS["iro.amara"] + "x").status_code == 303
    assert client().sign_in("iro.amara", PASSWORDS["iro.amara"] + "x").status_code == 303


# Finding: "no account can be ... signed out everywhere, from the dashboard"
def test_an_admin_can_sign_an_account_out_everywhere(client, staff_db, audit):
    laptop, phone = client("iro.ben"), client("iro.ben")
    browser = admin(client)
    target = user_id(staff_db, "iro.ben")
    assert browser.post(f"/iro/admin/users/{target}/sign-out").status_code == 303
    assert laptop.get("/iro/").status_code == 303 and phone.get("/iro/").status_code == 303
    assert audit(action="sign_out_everywhere", target_id=str(target))
    with staff_db() as session:
        assert not session.scalars(
            select(StaffSession).where(StaffSession.staff_user_id == target)).all()


# Finding: "... from the CLI"
@pytest.mark.slow
def test_the_cli_adds_with_a_link_and_disables_resets_and_signs_out(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CAREBOT_", "TELEGRAM_"))}
    env.pop("DATABASE_URL", None)
    env.update(CAREBOT_DATA_DIR=str(tmp_path), CAREBOT_PUBLIC_URL="https://carebot.example")

    def carebot(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "bot.cli", "user", *args], input=stdin,
                              env=env, cwd=REPO, capture_output=True, text=True, timeout=120)

    made = carebot("add", "--username", "cli.duty", "--name", "Cli Duty", "--role", "duty",
                   stdin="a-password-typed-anyway\n")
    assert made.returncode == 0, made.stderr
    assert "https://carebot.example/iro/set-password/" in made.stdout
    url = f"sqlite:///{tmp_path / 'carebot.db'}"
    with session_scope(url) as session:
        duty = session.scalar(select(StaffUser).where(StaffUser.username == "cli.duty"))
        assert duty.password_hash is None
        session.add(StaffSession(token_hash="a" * 64, staff_user_id=duty.id,
                                 delete_after=utcnow() + timedelta(hours=1)))
    assert carebot("sign-out", "--username", "cli.duty").returncode == 0
    with session_scope(url) as session:
        assert session.scalar(select(StaffSession.id)) is None
    reset = carebot("reset-password", "--username", "cli.duty")
    assert reset.returncode == 0 and "/iro/set-password/" in reset.stdout
    assert carebot("disable", "--username", "cli.duty").returncode == 0
    with session_scope(url) as session:
        assert session.scalar(select(StaffUser.disabled_at)
                              .where(StaffUser.username == "cli.duty")) is not None
        actions = set(session.scalars(select(AuditEntry.action)
                                      .where(AuditEntry.actor.startswith("cli:"))))
    assert {"add_staff_user", "sign_out_everywhere", "reset_staff_password",
            "disable_staff_user"} <= actions
    assert carebot("disable", "--username", "nobody").returncode == 1


# Finding: "anyone can lock any account with 5 wrong passwords; no per-address throttle"
def test_wrong_passwords_from_an_attacker_do_not_lock_out_the_real_user_elsewhere(staff_app):
    attacker = StaffClient(staff_app, address=ATTACKER)
    for _ in range(5):
        assert attacker.sign_in("manager.cath", "guess-guess-guess").status_code == 400
    slowed = attacker.sign_in("manager.cath", "guess-guess-guess")  # the attacker waits...
    assert slowed.status_code == 429 and int(slowed.headers["retry-after"]) >= 1
    real = StaffClient(staff_app, address=OFFICE)  # ...and Cath, in the office, does not
    assert real.sign_in("manager.cath").status_code == 303


def test_one_address_guessing_many_accounts_is_slowed_down(staff_app):
    sprayer = StaffClient(staff_app, address="192.0.2.44")
    statuses = [sprayer.sign_in(f"someone.{n}", "spray-spray-spray").status_code
                for n in range(25)]
    assert 429 in statuses
    assert StaffClient(staff_app, address="192.0.2.45").sign_in("iro.ben").status_code == 303


# Finding: "a locked account answers in 5 ms instead of 190 ms, revealing that the username
# exists" (counted in argon2 verifications, not timed)
def test_unknown_locked_disabled_and_wrong_password_sign_ins_do_the_same_work(
    staff_app, staff_db, argon2_calls
):
    attacker = StaffClient(staff_app, address="203.0.113.20")
    for _ in range(5):
        attacker.sign_in("iro.amara", "guess-guess-guess")
        attacker.sign_in("nobody.else", "guess-guess-guess")
    office = StaffClient(staff_app, address="198.51.100.20")

    def attempt(username: str) -> tuple:
        argon2_calls.clear()
        response = office.sign_in(username, "not-their-password")
        assert "did not match" in response.text
        checked = tuple(sorted(argon2_calls[0].items())) if argon2_calls else None
        return response.status_code, len(argon2_calls), checked

    answers = {name: attempt(username) for name, username in [
        ("wrong", "iro.ben"), ("unknown", "no.such.person"), ("targeted", "iro.amara"),
    ]}
    assert answers["wrong"][:2] == (400, 1)
    assert len(set(answers.values())) == 1, answers
    with staff_db() as session:
        session.execute(update(StaffUser).where(StaffUser.username == "duty.dev")
                        .values(disabled_at=utcnow()))
    try:
        answers["disabled"] = attempt("duty.dev")
    finally:
        with staff_db() as session:
            session.execute(update(StaffUser).where(StaffUser.username == "duty.dev")
                            .values(disabled_at=None))
    assert len(set(answers.values())) == 1, answers
    # and once an address is slowed down, known and unknown names look the same too (the
    # delays made longer than this test takes, rather than waiting on the clock)
    with staff_db() as session:
        session.execute(update(SignInThrottle).where(SignInThrottle.blocked_until.is_not(None))
                        .values(blocked_until=utcnow() + timedelta(hours=1)))
    argon2_calls.clear()
    known = attacker.sign_in("iro.amara", "guess-guess-guess")
    unknown = attacker.sign_in("nobody.else", "guess-guess-guess")
    assert known.status_code == unknown.status_code == 429 and not argon2_calls


# Finding: "a password typed into the username box is stored verbatim in the audit log"
def test_a_failed_username_is_never_stored_as_typed(staff_app, staff_settings):
    typed = "Tr0ub4dor&3-horse-battery"
    StaffClient(staff_app, address="198.51.100.30").sign_in(typed, "whatever-it-was")
    with session_scope(staff_settings.database_url) as session:
        rows = session.execute(select(AuditEntry.actor, AuditEntry.target_type,
                                      AuditEntry.target_id)).all()
    assert rows and not any(typed.lower() in str(value).lower() for row in rows for value in row)


# Finding: "a burst of failed argon2 checks delays chat replies for seconds": the chat's
# database work queues behind the sign-in's transaction while argon2 runs inside it.
def test_a_password_check_never_holds_up_the_chats_database_work(
    staff_app, staff_settings, monkeypatch
):
    blocked: list[bool] = []
    real = argon2.PasswordHasher.verify

    def chat_message_meanwhile(self, hash, password):  # noqa: ANN001, A002
        def chat() -> None:
            with session_scope(staff_settings.database_url) as session:
                session.execute(text("SELECT 1"))

        worker = threading.Thread(target=chat, daemon=True)
        worker.start()
        worker.join(timeout=5)
        blocked.append(worker.is_alive())
        return real(self, hash, password)

    monkeypatch.setattr(argon2.PasswordHasher, "verify", chat_message_meanwhile)
    StaffClient(staff_app, address="198.51.100.40").sign_in("iro.ben", "not-the-password")
    assert blocked == [False]


# Finding: the same, under a burst: at most a few checks at once, the rest queue (boundedly)
# or are told to try again shortly, and the server keeps answering meanwhile.
@pytest.mark.anyio
async def test_a_burst_of_sign_ins_runs_few_checks_at_once_and_turns_away_the_overflow(
    staff_app, monkeypatch
):
    from bot.staff.password_checks import PASSWORD_CHECKS

    release = threading.Event()
    running, peak = [0], [0]
    lock = threading.Lock()
    real = argon2.PasswordHasher.verify

    def held(self, hash, password):  # noqa: ANN001, A002
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        release.wait(timeout=20)
        with lock:
            running[0] -= 1
        return real(self, hash, password)

    monkeypatch.setattr(argon2.PasswordHasher, "verify", held)
    transport = httpx.ASGITransport(app=staff_app, client=("198.51.100.50", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as http:
        csrf = CSRF_FIELD.search((await http.get("/iro/login")).text).group(1)
        form = {"username": "iro.ben", "password": "not-the-password", "csrf_token": csrf}
        tasks = [asyncio.create_task(http.post("/iro/login", data=form)) for _ in range(20)]
        overflow = 20 - PASSWORD_CHECKS.capacity - PASSWORD_CHECKS.max_waiting
        try:
            done: set[asyncio.Task] = set()
            while len(done) < overflow:
                finished, _ = await asyncio.wait([t for t in tasks if t not in done], timeout=10,
                                                 return_when=asyncio.FIRST_COMPLETED)
                assert finished, "every sign-in waited: they queue without limit"
                done |= finished
            assert (await http.get("/iro/login")).status_code == 200  # still answering
            assert peak[0] <= PASSWORD_CHECKS.capacity
        finally:
            release.set()
        responses = await asyncio.gather(*tasks)
    statuses = [r.status_code for r in responses]
    assert statuses.count(503) == overflow
    assert all(status in (400, 429) for status in statuses if status != 503)
    assert all(r.headers.get("retry-after") for r in responses if r.status_code == 503)


# Finding: "the staff cookie's Secure flag follows the Host header"
def test_the_secure_cookie_flag_follows_carebot_public_url_not_the_host_header(
    staff_settings, data_keys
):
    from bot.web.app import create_app

    def cookie(public_url: str, base_url: str) -> str:
        settings = dataclasses.replace(staff_settings, public_url=public_url)
        app = create_app(settings, data_keys, runtime=UnusedRuntime())  # type: ignore[arg-type]
        return StaffClient(app, base_url=base_url).get("/iro/login").headers["set-cookie"].lower()

    def attributes(set_cookie: str) -> list[str]:
        return [part.strip() for part in set_cookie.split(";")]

    assert "secure" in attributes(cookie("https://carebot.example.gov.uk", "http://127.0.0.1:8000"))
    assert "secure" not in attributes(cookie("http://127.0.0.1:8000", "https://iro.example.org"))
