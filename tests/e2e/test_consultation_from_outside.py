"""The consultation scripted from outside, as staff and a child, parent or carer would use
carebot.

Real processes only: `carebot seed-demo --json`, `carebot invite`, `carebot serve` over
`/webhooks/rest/webhook`, `carebot export`. The server is SIGKILLed in the middle of the form
and in the middle of sending; after a restart no answer already acknowledged is missing and
nothing is stored twice. The database files hold the answers only as ciphertext.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bot.consultation.form import load_form, load_shared
from bot.consultation.invites import find_code
from db.models import ConsultationRole
from tests.support.carebot_process import REPO, CarebotServer, demo_env, run_cli
from tests.support.phrases import tagged_phrase

pytestmark = pytest.mark.slow

CHILD_FORM = load_form(REPO / "content", ConsultationRole.CHILD)
PARENT_FORM = load_form(REPO / "content", ConsultationRole.PARENT)
CARER_FORM = load_form(REPO / "content", ConsultationRole.CARER)
SHARED = load_shared(REPO / "content")


@pytest.fixture
def env(tmp_path: Path, trained_model: Path) -> dict[str, str]:
    return demo_env(tmp_path)


@pytest.fixture
def server(env: dict[str, str]) -> Iterator[CarebotServer]:
    server = CarebotServer(env)
    yield server
    server.stop()


def review_without_views(env: dict[str, str]) -> dict:
    demo = json.loads(run_cli(["seed-demo", "--json"], env))
    return next(r for r in demo["reviews"] if r["child"] == "Kai")


def demo_review(env: dict[str, str], child: str) -> dict:
    demo = json.loads(run_cli(["seed-demo", "--json"], env))
    return next(r for r in demo["reviews"] if r["child"] == child)


def invite(env: dict[str, str], review_id: int, role: str) -> str:
    code = run_cli(["invite", "--review", str(review_id), "--role", role], env)
    last_line = code.strip().splitlines()[-1]
    assert find_code(last_line), last_line
    return last_line


def texts(replies: list[dict]) -> str:
    return "\n".join(r.get("text", "") for r in replies)


def rows(data_dir: Path, sql: str) -> list[tuple]:
    engine = create_engine(f"sqlite:///{data_dir / 'carebot.db'}")
    try:
        with engine.connect() as connection:
            return [tuple(r) for r in connection.execute(text(sql))]
    finally:
        engine.dispose()


def database_bytes(data_dir: Path) -> bytes:
    return b"".join(p.read_bytes() for p in data_dir.glob("carebot.db*"))


def test_child_views_survive_a_sigkill_mid_form_and_reach_the_export(
    env: dict[str, str], server: CarebotServer, tmp_path: Path
) -> None:
    review = review_without_views(env)
    code = invite(env, review["id"], "child")
    phrase = tagged_phrase("purple giraffe")
    later_phrase = tagged_phrase("swimming on sundays")
    sender = f"child-{uuid.uuid4().hex[:6]}"

    server.start()
    welcome = texts(server.say(sender, code))
    assert "Kai" in welcome and "Ben Walsh" in welcome  # whose review, and who the IRO is
    assert CHILD_FORM.questions[0].text in welcome
    server.say(sender, phrase)  # acknowledged: the next question came back
    server.say(sender, "Skip")

    server.kill()
    server.start()

    # The conversation carries on where it was: the next message answers the third question.
    after = texts(server.say(sender, "Good"))
    assert CHILD_FORM.questions[3].text.split("?")[0] in after
    for key in CHILD_FORM.keys[3:]:
        last = server.say(sender, later_phrase if key == "going_well" else "Skip")
    summary = texts(last)
    assert phrase in summary and later_phrase in summary
    assert "Ben Walsh" in texts(server.say(sender, "send"))
    server.stop()

    exported = run_cli(["export", "--review", str(review["id"]), "--format", "json"], env)
    views = json.loads(exported)
    child = next(c for c in views["consultations"] if c["role"] == "child")
    answers = {a["key"]: a for a in child["answers"]}
    assert answers["home"]["answer"] == phrase
    assert answers["school"]["skipped"] is True
    assert answers["health"]["answer"] == "Good"
    assert answers["going_well"]["answer"] == later_phrase

    csv_text = run_cli(["export", "--review", str(review["id"]), "--format", "csv"], env)
    assert phrase in csv_text
    stored = database_bytes(tmp_path)
    assert phrase.encode() not in stored and later_phrase.encode() not in stored
    assert rows(tmp_path, "select count(*) from consultations where submitted_at is not null "
                          f"and review_id = {review['id']}") == [(1,)]


def test_parent_views_sent_while_the_server_is_killed_are_stored_once(
    env: dict[str, str], server: CarebotServer, tmp_path: Path
) -> None:
    review = review_without_views(env)
    code = invite(env, review["id"], "parent")
    phrase = tagged_phrase("weekend visits")
    sender = f"parent-{uuid.uuid4().hex[:6]}"

    server.start()
    assert PARENT_FORM.questions[0].text in texts(server.say(sender, code))
    for key in PARENT_FORM.keys:
        server.say(sender, phrase if key == "family_time" else "Skip")

    # "Send" and a SIGKILL at (nearly) the same moment: the reply may or may not arrive.
    outcome: dict[str, object] = {}

    def send() -> None:
        try:
            outcome["replies"] = server.say(sender, "send", timeout=30)
        except Exception as exc:  # the connection died with the server
            outcome["error"] = exc

    sender_thread = threading.Thread(target=send)
    sender_thread.start()
    time.sleep(0.05)
    server.kill()
    sender_thread.join(timeout=60)
    acknowledged = "replies" in outcome and "Ben Walsh" in texts(outcome["replies"])

    server.start()
    retry = texts(server.say(sender, "send"))  # the person taps Send again after the outage
    assert "Ben Walsh" in retry
    server.stop()

    sent = rows(tmp_path, "select count(*) from consultations where submitted_at is not null "
                          f"and review_id = {review['id']} and role = 'parent'")
    assert sent == [(1,)], f"acknowledged before the kill: {acknowledged}"
    answers = rows(tmp_path, "select count(*) from consultation_answers a join consultations c "
                             f"on a.consultation_id = c.id where c.review_id = {review['id']}")
    assert answers == [(len(PARENT_FORM.keys),)]
    exported = run_cli(["export", "--review", str(review["id"])], env)
    assert phrase in exported and '"role": "parent"' in exported
    assert phrase.encode() not in database_bytes(tmp_path)


def test_a_carer_stops_carries_on_after_a_restart_sends_and_the_export_has_their_views(
    env: dict[str, str], server: CarebotServer, tmp_path: Path
) -> None:
    review = demo_review(env, "Tyler")  # lives with foster carer Pat Byrne; no views sent yet
    code = invite(env, review["id"], "carer")
    phrase = tagged_phrase("settled and sleeping well")
    support = tagged_phrase("a short break over summer")
    sender = f"carer-{uuid.uuid4().hex[:6]}"

    def asked(key: str) -> str:
        return CARER_FORM.question(key).text.replace("{child_name}", "Tyler")

    server.start()
    welcome = texts(server.say(sender, code))
    assert "Tyler" in welcome and "Amara Okafor" in welcome
    assert asked("home") in welcome
    assert asked("school") in texts(server.say(sender, phrase))
    assert asked("health") in texts(server.say(sender, "Skip"))
    assert SHARED.texts["paused"] in texts(server.say(sender, "stop"))
    server.stop()

    server.start()  # another day: "carry on" finds the first question not answered
    assert asked("health") in texts(server.say(sender, "carry on"))
    for key in CARER_FORM.keys[2:]:
        last = server.say(sender, support if key == "support" else "Skip")
    assert phrase in texts(last) and support in texts(last)
    sent = texts(server.say(sender, "send"))
    assert "Amara Okafor" in sent and "Tyler's review" in sent
    server.stop()

    exported = run_cli(["export", "--review", str(review["id"]), "--format", "csv"], env)
    carer_rows = [line for line in exported.splitlines() if ",carer," in line]
    assert len(carer_rows) == len(CARER_FORM.keys)
    assert any(phrase in line and ",home," in line for line in carer_rows)
    assert any(support in line and "Support I need as a carer" in line for line in carer_rows)
    assert phrase.encode() not in database_bytes(tmp_path)
    assert rows(tmp_path, "select role, count(*) from consultations where submitted_at is not "
                          f"null and review_id = {review['id']} group by role") == [("carer", 1)]
