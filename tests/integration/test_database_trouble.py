"""Database trouble: locked or unreachable, people are asked to try again in a minute, a
disclosure still gets the safeguarding signposting, and a failed turn leaves nothing half-written.

Everything goes through the real REST app, the real Assistant and the real Rasa model; only the
database URL every path uses (pipeline, tracker store, custom actions) is pointed elsewhere.
"""

from __future__ import annotations

import dataclasses
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx
import pytest
from sqlalchemy import event, func, select
from sqlalchemy.engine import make_url

from bot.messages import IncomingMessage
from bot.pipeline import Assistant
from bot.safety.screen import SafetyScreen
from bot.services.app_context import app_context, install_app_context
from bot.web.app import create_app
from db.engine import get_engine, session_scope
from db.migrate import upgrade_to_head
from db.models import ChatUser, ConversationEvent, DataRequest
from tests.integration.test_safeguarding_path import assert_signposting
from tests.support.checkin import CHECKIN
from tests.support.live_server import run_server

# Nothing listens on port 1: every connection is refused at once.
REFUSED = "postgresql://carebot:x@127.0.0.1:1/carebot"
# Even root cannot make a folder in /proc, so SQLite cannot create the file.
UNWRITABLE = "sqlite:////proc/carebot-nowhere/carebot.db"
DISCLOSURE = "my dad hits me when he is drunk"
# Missed by the lexicon (an unseen item); the trained model scores it as a concern at 0.99.
MODEL_ONLY_DISCLOSURE = (
    "They ignore me for days as a punishment and tell the other kids in the house not to talk "
    "to me either."
)
DATABASE_COMMANDS = ["/mydata", "/privacy", "/delete", "/delete_confirm"]


@pytest.fixture(scope="module")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated SQLite database of its own that gives up waiting for a lock after 0.3 s
    (carebot's default is 15 s: a test need not wait that long to see what happens)."""
    path = tmp_path_factory.mktemp("trouble") / "carebot.db"
    url = f"sqlite:///{path}?timeout=0.3"
    upgrade_to_head(url)
    return url


@contextmanager
def locked(url: str) -> Iterator[None]:
    """Another connection holds SQLite's write lock (as a long migration or backup would)."""
    holder = sqlite3.connect(make_url(url).database or "", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()


@contextmanager
def database_at(assistant: Assistant, url: str) -> Iterator[Assistant]:
    """The real assistant with every path that touches the database pointed at ``url``."""
    store = assistant.runtime.agent.tracker_store
    saved_url, saved_context = store.database_url, app_context()
    store.database_url = url
    install_app_context(dataclasses.replace(saved_context, database_url=url))
    try:
        yield dataclasses.replace(assistant, database_url=url)
    finally:
        store.database_url = saved_url
        install_app_context(saved_context)


@pytest.fixture(scope="module")
def rest_app(base_settings, data_keys, runtime):
    """The whole carebot web app on loopback (its own start-up against the healthy database)."""
    app = create_app(base_settings, data_keys, runtime=runtime)
    with run_server(app) as url:
        yield app, url



@pytest.fixture
def rest_with_database(rest_app, sqlite_url, rest_auth):
    """``with rest_with_database(kind) as post:`` - the REST app while the database is in
    trouble of that kind; ``post(text)`` sends one message from a new person."""
    app, base_url = rest_app

    @contextmanager
    def trouble(kind: str) -> Iterator[Callable[[str], httpx.Response]]:
        url = {"locked": sqlite_url, "refused": REFUSED, "unwritable": UNWRITABLE}[kind]
        services = app.state.carebot
        healthy = services.assistant
        sender = f"trouble-{kind}-{uuid.uuid4()}"

        def post(text: str) -> httpx.Response:
            return httpx.post(
                f"{base_url}/webhooks/rest/webhook", headers=rest_auth,
                json={"sender": sender, "message": text}, timeout=30,
            )

        with database_at(healthy, url) as broken:
            services.assistant = broken
            try:
                if kind == "locked":
                    with locked(url):
                        yield post
                else:
                    yield post
            finally:
                services.assistant = healthy

    return trouble


KINDS = ["locked", "refused", "unwritable"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("text", ["hello", "who is my IRO?", *DATABASE_COMMANDS])
def test_with_the_database_in_trouble_people_are_asked_to_try_again(
    rest_with_database, assistant: Assistant, kind: str, text: str
) -> None:
    with rest_with_database(kind) as post:
        response = post(text)

    assert response.status_code == 200
    assert [r["text"] for r in response.json()] == [assistant.command_text("try_again").text]


@pytest.mark.parametrize("kind", KINDS)
def test_with_the_database_in_trouble_a_disclosure_still_gets_the_signposting(
    rest_with_database, kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    with rest_with_database(kind) as post:
        response = post(DISCLOSURE)

    assert response.status_code == 200
    assert_signposting(response.json()[0]["text"])
    assert "could NOT be stored" in caplog.text  # staff can see an alert went missing


@pytest.mark.parametrize("kind", KINDS)
def test_with_the_database_in_trouble_a_disclosure_only_the_model_catches_is_still_noticed(
    rest_with_database, safety_screen: SafetyScreen, kind: str,
) -> None:
    """The trained `concern` intent is the second layer; it must not depend on the database.
    The model alone is not certain of this one, so the triage (bot/safety/triage.py) checks in
    rather than signposting; with the database down it still does, with its buttons."""
    assert not safety_screen.check(MODEL_ONLY_DISCLOSURE).is_concern  # the lexicon misses it
    with rest_with_database(kind) as post:
        response = post(MODEL_ONLY_DISCLOSURE)

    assert response.status_code == 200
    last = response.json()[-1]
    if "Thank you for telling me" in response.json()[0]["text"]:
        assert_signposting(response.json()[0]["text"])
    else:
        assert last["text"] == CHECKIN
        assert [b["payload"] for b in last["buttons"]] == [
            "/checkin_ok", "/checkin_not_ok", "/checkin_talk"]


@pytest.mark.parametrize("kind", KINDS)
def test_commands_that_need_no_database_still_work_when_it_is_in_trouble(
    rest_with_database, assistant: Assistant, kind: str
) -> None:
    with rest_with_database(kind) as post:
        response = post("/help")

    assert [r["text"] for r in response.json()] == [assistant.command_text("help").text]


def rows_for(database_url: str, data_keys, sender: str) -> dict[str, int]:
    key = data_keys.user_key("web", sender)
    counted = {
        "events": (ConversationEvent, ConversationEvent.conversation_key == key),
        "users": (ChatUser, ChatUser.user_key == key),
        "requests": (DataRequest, DataRequest.user_key == key),
    }
    with session_scope(database_url) as session:
        return {
            name: session.scalar(select(func.count()).select_from(model).where(where)) or 0
            for name, (model, where) in counted.items()
        }


@pytest.mark.anyio
async def test_a_locked_database_changes_nothing_and_the_chat_carries_on_afterwards(
    assistant: Assistant, sqlite_url: str, data_keys
) -> None:
    sender = f"locked-{uuid.uuid4()}"
    with database_at(assistant, sqlite_url) as on_sqlite:
        await on_sqlite.handle(IncomingMessage("web", sender, "hello"))
        before = rows_for(sqlite_url, data_keys, sender)
        with locked(sqlite_url):
            for text in ["are you a robot", "/privacy", "/delete_confirm"]:
                await on_sqlite.handle(IncomingMessage("web", sender, text))
        during = rows_for(sqlite_url, data_keys, sender)
        replies = await on_sqlite.handle(IncomingMessage("web", sender, "are you a robot"))
        after = rows_for(sqlite_url, data_keys, sender)

    assert before["events"] > 0 and before["users"] == 1
    assert during == before
    assert replies[0].text != assistant.command_text("try_again").text
    assert after["events"] > before["events"]


@contextmanager
def commit_fails_after_writing_events(database_url: str) -> Iterator[list[int]]:
    """The database goes away at the moment the tracker store commits a turn's events."""
    engine = get_engine(database_url)
    failures: list[int] = []

    def note_insert(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        if statement.lstrip().upper().startswith("INSERT INTO CONVERSATION_EVENTS"):
            conn.info["wrote_events"] = True

    def fail_commit(conn) -> None:  # noqa: ANN001
        if conn.info.pop("wrote_events", False):
            failures.append(1)
            raise ConnectionError("the database went away during commit")

    def forget(conn) -> None:  # noqa: ANN001
        conn.info.pop("wrote_events", None)

    event.listen(engine, "before_cursor_execute", note_insert)
    event.listen(engine, "commit", fail_commit)
    event.listen(engine, "rollback", forget)
    try:
        yield failures
    finally:
        event.remove(engine, "before_cursor_execute", note_insert)
        event.remove(engine, "commit", fail_commit)
        event.remove(engine, "rollback", forget)


@pytest.mark.anyio
async def test_a_turn_whose_save_fails_leaves_no_events_and_the_conversation_intact(
    assistant: Assistant, base_settings, data_keys, runtime
) -> None:
    sender = f"half-{uuid.uuid4()}"
    url = base_settings.database_url
    await assistant.handle(IncomingMessage("web", sender, "hello"))
    before = rows_for(url, data_keys, sender)

    with commit_fails_after_writing_events(url) as failures:
        failed = await assistant.handle(IncomingMessage("web", sender, "are you a robot"))
    carried_on = await assistant.handle(IncomingMessage("web", sender, "bye"))

    assert failures, "the commit of the turn's events was made to fail"
    assert [r.text for r in failed] == [assistant.command_text("try_again").text]
    assert carried_on[0].text != assistant.command_text("try_again").text
    tracker = await runtime.agent.tracker_store.retrieve(data_keys.user_key("web", sender))
    intents = [e.intent_name for e in tracker.events if e.type_name == "user"]
    assert intents == ["greet", "goodbye"], "the failed turn left no trace in the conversation"
    assert rows_for(url, data_keys, sender)["events"] > before["events"]
