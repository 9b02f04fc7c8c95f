"""Limits before work: each limit is enforced before the work it protects, never after.

Findings (issue 16): request bodies were read whole before the size check (REST, sign-in, staff
forms, the Telegram webhook); deeply nested JSON and huge ids or dates gave 500s; REST refused
text over 4,096 characters before the safety screen saw it; database files were created
world-readable; demo mode could be combined with a real key and then add public-password
accounts.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from starlette.types import ASGIApp, Message

from bot.config import ConfigError, Settings
from bot.http_guards.request_limits import MAX_BODY_BYTES, TELEGRAM_MAX_BODY_BYTES
from db.encryption import DataKeyError, load_data_keys, new_key_spec
from db.engine import session_scope
from db.migrate import upgrade_to_head
from db.models import Alert, StaffUser
from tests.support.carebot_process import REPO, CarebotServer, demo_env
from tests.support.integrations import rest_headers

CHUNK = 64 * 1024
FIFTY_MB = 50 * 1024 * 1024


async def post_without_length(app: ASGIApp, path: str, content_type: str) -> tuple[int, int]:
    """POST a 50 MB body in 64 KiB pieces with no Content-Length (chunked), straight into the
    ASGI app; the status it answers and how many bytes it took from the request."""
    pieces = FIFTY_MB // CHUNK
    taken = 0
    sent: list[Message] = []

    async def receive() -> Message:
        nonlocal taken
        if taken >= FIFTY_MB:
            return {"type": "http.disconnect"}
        taken += CHUNK
        return {"type": "http.request", "body": b"a" * CHUNK, "more_body": taken < FIFTY_MB}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
        "root_path": "", "client": ("127.0.0.1", 40000), "server": ("127.0.0.1", 80),
        "headers": [(b"host", b"127.0.0.1"), (b"content-type", content_type.encode()),
                    (b"transfer-encoding", b"chunked")],
    }
    await app(scope, receive, send)
    assert pieces  # (the body really is 50 MB when read to the end)
    return next(m["status"] for m in sent if m["type"] == "http.response.start"), taken


@pytest.mark.anyio
@pytest.mark.parametrize("path", ["/iro/login", "/iro/admin/settings"])
async def test_a_body_over_the_limit_is_refused_while_it_is_read(staff_app, path) -> None:
    status, taken = await post_without_length(
        staff_app, path, "application/x-www-form-urlencoded")
    assert status == 413
    assert taken <= MAX_BODY_BYTES + CHUNK  # stopped at the limit, not after 50 MB


def test_a_declared_length_over_the_limit_is_refused_before_reading(staff_app) -> None:
    from starlette.testclient import TestClient

    client = TestClient(staff_app, base_url="http://127.0.0.1")
    for path, limit in [("/iro/login", MAX_BODY_BYTES), ("/webhooks/rest/webhook", MAX_BODY_BYTES),
                        ("/chat/messages", MAX_BODY_BYTES),
                        ("/telegram/webhook", TELEGRAM_MAX_BODY_BYTES)]:
        response = client.post(path, content=b"{" + b" " * limit + b"}",
                               headers={"content-type": "application/json"})
        assert response.status_code == 413, path


def rss_kib(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")))


def fifty_mb() -> Iterator[bytes]:
    for _ in range(FIFTY_MB // CHUNK):
        yield b"a" * CHUNK


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_a_50_mb_body_to_carebot_serve_is_refused_and_memory_stays_flat(tmp_path) -> None:
    """Black-box: a real `carebot serve`; 50 MB to sign-in and to REST (with a valid token),
    once with its length declared and once streamed; resident memory grows < 20 MB."""
    server = CarebotServer(demo_env(tmp_path), output=tmp_path / "serve.log").start()
    try:
        assert server.process is not None
        rest = {**server.rest_headers(), "content-type": "application/json"}
        form = {"content-type": "application/x-www-form-urlencoded"}
        with httpx.Client(base_url=server.base_url, timeout=120) as client:
            client.post("/webhooks/rest/webhook", json={"sender": "warm", "message": "hi"},
                        headers=rest)  # the first message's one-off allocations
            before = rss_kib(server.process.pid)
            for path, headers in [("/iro/login", form), ("/webhooks/rest/webhook", rest)]:
                declared = client.post(path, content=b"a" * FIFTY_MB, headers=headers)
                assert declared.status_code == 413, path
                streamed = client.post(path, content=fifty_mb(), headers=headers)
                assert streamed.status_code == 413, path
            grown_mib = (rss_kib(server.process.pid) - before) / 1024
        assert grown_mib < 20, f"resident memory grew by {grown_mib:.0f} MiB"
    finally:
        server.stop()


def nested(depth: int) -> bytes:
    return b'{"sender": "a", "message": "b", "x": ' + b"[" * depth + b"]" * depth + b"}"


def test_deeply_nested_json_is_a_400_not_a_500(live_server_url, base_settings, data_keys) -> None:
    response = httpx.post(
        f"{live_server_url}/webhooks/rest/webhook", content=nested(20_000),
        headers={**rest_headers(base_settings.database_url, data_keys),
                 "content-type": "application/json"},
        timeout=60,
    )
    assert response.status_code == 400, response.text
    chat = httpx.post(f"{live_server_url}/chat/messages", content=nested(20_000),
                      headers={"content-type": "application/json"}, timeout=60)
    assert chat.status_code == 400, chat.text


@pytest.mark.parametrize("path", [
    "/iro/reviews/99999999999999999999999",
    "/iro/reviews/99999999999999999999999/print",
    "/iro/alerts/99999999999999999999999/acknowledge",
    "/iro/reports?from=9999-12-31&to=9999-12-31",
    "/iro/reports.csv?from=0001-01-01&to=9999-12-31",
    "/iro/admin/settings?saved=" + "9" * 5000,
    "/iro/alerts?page=" + "9" * 5000,
    "/iro/alerts?page=%C2%B2",  # "²" is a digit to str.isdigit, not to int()
])
def test_huge_ids_and_dates_are_a_4xx_not_a_500(client, path) -> None:
    user = ("admin.ali" if "admin" in path else "manager.cath" if "report" in path
            else "duty.dev" if "page=" in path else "iro.amara")
    browser = client(user)
    response = browser.post(path) if "acknowledge" in path else browser.get(path)
    # a number too long to be an id is "not found"; a date no report can cover, "bad request";
    # a "saved" count or page number that is not a small number is ignored
    expected = {200} if "saved" in path or "page=" in path else set(range(400, 500))
    assert response.status_code in expected, response.status_code


def test_text_over_the_chat_limit_is_still_screened_for_a_disclosure(
    live_server_url, base_settings, data_keys
) -> None:
    """A disclosure inside a too-long message gets the signposting and an alert; REST does not
    refuse the message before the safety screen has read it."""
    sender = f"long-{time.monotonic_ns()}"
    text = "I need to tell someone. My stepdad hits me and I am scared to go home. " + (
        "I don't know what to do. " * 250)
    assert len(text) > 4096
    with session_scope(base_settings.database_url) as session:
        alerts_before = session.scalar(select(func.count(Alert.id)))
    response = httpx.post(
        f"{live_server_url}/webhooks/rest/webhook", json={"sender": sender, "message": text},
        headers=rest_headers(base_settings.database_url, data_keys), timeout=60,
    )
    assert response.status_code == 200, response.text
    replies = " ".join(r["text"] for r in response.json())
    assert "Childline" in replies or "0800 1111" in replies
    with session_scope(base_settings.database_url) as session:
        assert session.scalar(select(func.count(Alert.id))) > alerts_before


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_database_files_and_the_data_folder_are_private(tmp_path) -> None:
    data_dir = tmp_path / "data"
    url = f"sqlite:///{data_dir / 'carebot.db'}"
    old_umask = os.umask(0o022)  # a typical server's: files 0644 unless carebot says otherwise
    try:
        upgrade_to_head(url)
        with session_scope(url) as session:
            session.scalar(select(func.count(StaffUser.id)))  # opens the WAL and its index
        load_data_keys({}, demo_mode=True, data_dir=tmp_path / "demo")
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    files = sorted(data_dir.glob("carebot.db*"))
    assert files
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
    assert stat.S_IMODE((tmp_path / "demo").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "demo" / "demo-data-key").stat().st_mode) == 0o600


def test_demo_mode_refuses_a_real_key_or_a_real_database(tmp_path) -> None:
    with pytest.raises(DataKeyError, match="demo"):
        load_data_keys({"CAREBOT_DATA_KEY": new_key_spec("k1")}, demo_mode=True,
                       data_dir=tmp_path)
    with pytest.raises(ConfigError, match="demo"):
        Settings.from_env({"CAREBOT_DEMO": "1", "CAREBOT_DATA_DIR": str(tmp_path),
                           "DATABASE_URL": "postgresql://carebot@db.council.example/carebot"})
    with pytest.raises(ConfigError, match="demo"):
        Settings.from_env({"CAREBOT_DEMO": "1", "CAREBOT_DATA_DIR": str(tmp_path),
                           "DATABASE_URL": f"sqlite:///{tmp_path.parent / 'live.db'}"})
    # the default, a database in the demo data folder, is fine
    assert Settings.from_env({"CAREBOT_DEMO": "1", "CAREBOT_DATA_DIR": str(tmp_path)}).demo_mode


@pytest.mark.slow
def test_seed_demo_with_a_real_key_adds_no_accounts_and_says_why(tmp_path) -> None:
    env = demo_env(tmp_path)
    env["CAREBOT_DATA_KEY"] = new_key_spec("live")
    done = subprocess.run([sys.executable, "-m", "bot.cli", "seed-demo", "--json"], env=env,
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "demo" in done.stderr and "CAREBOT_DATA_KEY" in done.stderr
    assert not json.loads(done.stdout or "{}").get("staff")
    database = tmp_path / "carebot.db"
    if database.exists():
        with session_scope(f"sqlite:///{database}") as session:
            assert session.scalar(select(func.count(StaffUser.id))) == 0
