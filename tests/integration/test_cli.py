"""The `carebot` command as a newcomer uses it: real processes, real database."""

import contextlib
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.support.integrations import cli_rest_token
from tests.support.live_server import free_port

# Every test here runs the carebot command as a process.
pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
CAREBOT = [sys.executable, "-m", "bot.cli"]


def run(args: list[str], env: dict[str, str], timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        CAREBOT + args, env=env, cwd=REPO, capture_output=True, text=True, timeout=timeout
    )


@pytest.fixture
def demo_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CAREBOT_", "TELEGRAM_"))}
    env.update(CAREBOT_DATA_DIR=str(tmp_path), CAREBOT_DEMO="1")
    env.pop("DATABASE_URL", None)
    return env


def test_seed_demo_is_idempotent_and_prints_logins(demo_env: dict[str, str]) -> None:
    first = run(["seed-demo", "--json"], demo_env)
    assert first.returncode == 0, first.stderr
    data = json.loads(first.stdout)  # nothing but JSON on stdout, so scripts can read it
    assert "DEMO MODE" in first.stderr
    assert len(data["reviews"]) == 4
    roles = sorted(u["role"] for u in data["staff"])
    assert roles.count("iro") == 2 and "manager" in roles
    assert all(len(u["password"]) >= 12 for u in data["staff"])

    again = run(["seed-demo", "--json"], demo_env)
    assert json.loads(again.stdout)["reviews"] == data["reviews"]


def test_invite_prints_the_code_last_and_refuses_bad_reviews(demo_env: dict[str, str]) -> None:
    review_id = json.loads(run(["seed-demo", "--json"], demo_env).stdout)["reviews"][0]["id"]
    made = run(["invite", "--review", str(review_id), "--role", "parent"], demo_env)
    assert made.returncode == 0, made.stderr
    lines = made.stdout.strip().splitlines()
    assert re.fullmatch(r"[A-Z2-9]{5}-[A-Z2-9]{5}", lines[-1])
    assert f"/chat#invite={lines[-1].replace('-', '')}" in made.stdout
    carer = run(["invite", "--review", str(review_id), "--role", "carer"], demo_env)
    assert carer.returncode == 0 and "Invite for the carer" in carer.stdout, carer.stderr

    missing = run(["invite", "--review", "999999", "--role", "child"], demo_env)
    assert missing.returncode == 1 and "no review 999999" in missing.stderr
    wrong_role = run(["invite", "--review", str(review_id), "--role", "teacher"], demo_env)
    assert wrong_role.returncode == 2 and "invalid choice" in wrong_role.stderr


def test_export_of_an_unknown_review_is_a_clear_error(demo_env: dict[str, str]) -> None:
    result = run(["export", "--review", "424242"], demo_env)
    assert result.returncode == 1 and "no review 424242" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("args", [
    ["export", "--review", "9" * 30], ["invite", "--review", "9" * 30, "--role", "child"],
    ["invite", "--review", "0", "--role", "child"],
    ["invite", "--review", "1", "--role", "child", "--days", "9" * 30],
])
def test_huge_or_impossible_numbers_are_a_clear_error(
    demo_env: dict[str, str], args: list[str]
) -> None:
    result = run(args, demo_env)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "review id" in result.stderr or "give 1 to 365" in result.stderr


def test_seed_demo_refuses_outside_demo_mode(demo_env: dict[str, str]) -> None:
    demo_env.pop("CAREBOT_DEMO")
    result = run(["seed-demo"], demo_env)
    assert result.returncode == 2
    assert "demo mode" in result.stderr


def test_serving_real_data_without_a_key_is_a_clear_error(demo_env: dict[str, str]) -> None:
    demo_env.pop("CAREBOT_DEMO")
    result = run(["serve", "--port", str(free_port())], demo_env)
    assert result.returncode == 2
    assert "CAREBOT_DATA_KEY is not set" in result.stderr


def test_a_webhook_url_without_a_secret_is_refused(demo_env: dict[str, str]) -> None:
    demo_env["TELEGRAM_WEBHOOK_URL"] = "https://example.org/telegram/webhook"
    result = run(["migrate"], demo_env)
    assert result.returncode == 2
    assert "TELEGRAM_WEBHOOK_SECRET" in result.stderr


def test_train_skips_when_nothing_changed(demo_env: dict[str, str], trained_model: Path) -> None:
    result = run(["train"], demo_env)
    assert result.returncode == 0, result.stderr
    assert "Up to date, not retrained" in result.stdout


def test_integration_tokens_are_printed_once_listed_and_revoked(
    demo_env: dict[str, str]
) -> None:
    made = run(["integration", "add", "case-system"], demo_env)
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip().splitlines()[-1]
    assert token.startswith("cbi_") and len(token) >= 40

    again = run(["integration", "add", "case-system"], demo_env)
    assert again.returncode == 1 and "revoke it first" in again.stderr
    listed = run(["integration", "list"], demo_env).stdout
    assert "case-system\tactive" in listed and token not in listed

    assert run(["integration", "revoke", "case-system"], demo_env).returncode == 0
    assert "case-system\trevoked" in run(["integration", "list"], demo_env).stdout
    assert run(["integration", "revoke", "nobody"], demo_env).returncode == 1
    renewed = run(["integration", "add", "case-system"], demo_env).stdout.strip().splitlines()[-1]
    assert renewed != token
    assert run(["integration", "add", "Not A Name"], demo_env).returncode == 1


def test_serve_reports_starting_then_answers(demo_env: dict[str, str], trained_model: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        CAREBOT + ["serve", "--port", str(port)], env=demo_env, cwd=REPO,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        statuses = []
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.TransportError):
                statuses.append(httpx.get(f"{base}/health", timeout=2).status_code)
            if statuses and statuses[-1] == 200:
                break
            time.sleep(0.25)
        assert statuses and statuses[-1] == 200, statuses[-5:]
        assert 503 in statuses  # it said "not ready" honestly while loading the model
        hello = {"sender": "x", "message": "hello"}
        refused = httpx.post(f"{base}/webhooks/rest/webhook", json=hello, timeout=30)
        assert refused.status_code == 401  # REST is for integrations with a token
        reply = httpx.post(f"{base}/webhooks/rest/webhook", json=hello, timeout=30,
                           headers={"Authorization": f"Bearer {cli_rest_token(demo_env)}"})
        assert reply.status_code == 200 and reply.json()[0]["text"]
        assert httpx.get(f"{base}/chat").status_code == 200
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    assert f"{base}/chat" in output
