"""Shared fixtures: one real trained model and one loaded Rasa agent for the whole run.

Training is skipped when `carebot train` (run by `make test`) already trained on this data;
loading takes ~20 s, so the agent is loaded once per session and shared.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.config import Settings
from bot.knowledge.content import content_for
from bot.knowledge.topics import TopicLibrary
from bot.logging_setup import configure_logging, quiet_ml_environment
from bot.pipeline import Assistant
from bot.rasa_runtime import RasaRuntime
from bot.safety.alert_flood import AlertFlood
from bot.safety.screen import SafetyScreen
from bot.services.app_context import AppContext, install_app_context
from bot.training import train_if_needed
from bot.web.app import create_app
from bot.web.channels import CHANNELS, register_channels
from db.encryption import DataKeys, new_key_spec
from db.migrate import upgrade_to_head
from db.tracker_store import EncryptedSQLTrackerStore
from tests.support.integrations import rest_headers
from tests.support.live_server import run_server
from tests.support.safety_screen import LEXICON, repo_safety_screen

REPO = Path(__file__).resolve().parent.parent
pytest_plugins = ["tests.support.staff"]  # the staff dashboard's fixtures


@pytest.fixture(scope="session")
def session_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("carebot")


@pytest.fixture(scope="session")
def data_keys() -> DataKeys:
    return DataKeys.parse(new_key_spec("test1"))


# Set by scripts/with-postgres.sh (`make test-postgres`): run against that server, not SQLite.
TEST_DATABASE_URL = os.environ.get("CAREBOT_TEST_DATABASE_URL") or None


@pytest.fixture(scope="session")
def base_settings(session_dir: Path) -> Settings:
    quiet_ml_environment(str(session_dir))
    configure_logging("DEBUG")  # as `carebot serve` does, at its most talkative level
    env = {"CAREBOT_DATA_DIR": str(session_dir), "CAREBOT_LOCAL_AUTHORITY": "demoshire"}
    if TEST_DATABASE_URL:
        env["DATABASE_URL"] = TEST_DATABASE_URL
    settings = Settings.from_env(env)
    upgrade_to_head(settings.database_url)
    return settings


@pytest.fixture
def test_settings(base_settings: Settings) -> Callable[..., Settings]:
    """Settings for this run's database, with any fields overridden."""

    def make(**overrides: object) -> Settings:
        return dataclasses.replace(base_settings, **overrides)

    return make


@pytest.fixture(scope="session")
def trained_model(base_settings: Settings) -> Path:
    model, _ = train_if_needed(REPO / "rasa_project", REPO / "rasa_project" / "models")
    return model


@pytest.fixture(scope="session")
def runtime(base_settings: Settings, data_keys: DataKeys, trained_model: Path) -> RasaRuntime:
    store = EncryptedSQLTrackerStore(base_settings.database_url, data_keys, timedelta(days=90))
    return RasaRuntime.load(trained_model, store)


@pytest.fixture(scope="session")
def safety_screen(base_settings: Settings) -> SafetyScreen:
    content = content_for(base_settings.content_dir, base_settings.local_authority)
    assert content.safeguarding_lexicon == LEXICON
    return repo_safety_screen()  # the one the test helpers making invites use


@pytest.fixture(scope="session")
def chat_app_context(base_settings: Settings, data_keys: DataKeys) -> AppContext:
    content = content_for(base_settings.content_dir, base_settings.local_authority)
    topics = TopicLibrary(base_settings.content_dir / "topics")
    return AppContext(base_settings.database_url, data_keys, content, topics)


@pytest.fixture
def action_context(chat_app_context: AppContext) -> AppContext:
    """The chat's context installed for custom actions run directly, without a model."""
    install_app_context(chat_app_context)
    return chat_app_context


USES_THE_SESSION_MODEL = {"assistant", "runtime", "live_server_url", "telegram_channel"}


@pytest.fixture(autouse=True)
def _session_app_context(request: pytest.FixtureRequest) -> None:
    """Custom actions read one process-wide context (as in `carebot serve`). Tests that build
    other apps (the staff dashboard's own databases) install theirs, so every test that talks
    to the session's model puts the session's context back first."""
    if USES_THE_SESSION_MODEL & set(request.fixturenames):
        install_app_context(request.getfixturevalue("chat_app_context"))


@pytest.fixture(scope="session")
def assistant(
    base_settings: Settings,
    runtime: RasaRuntime,
    data_keys: DataKeys,
    safety_screen: SafetyScreen,
    chat_app_context: AppContext,
) -> Assistant:
    content, topics = chat_app_context.content, chat_app_context.topics
    install_app_context(chat_app_context)
    assistant = Assistant(
        runtime=runtime, content=content, keys=data_keys, screen=safety_screen,
        database_url=base_settings.database_url, topics=topics,
        # The whole run is many people disclosing in quick succession, which the real bound
        # would fold into one "unusual volume" alert; tests/security floods with the real one.
        alert_flood=AlertFlood(per_minute=100_000),
    )
    # The channels `carebot serve` registers with Telegram on, so what each can do applies to
    # the messages tests send on its name. None is started: Telegram's tests start their own
    # against a stand-in Bot API (tests/e2e/conftest.py).
    with_telegram = dataclasses.replace(base_settings, telegram_bot_token="1:not-started")
    register_channels(assistant.channels, CHANNELS, with_telegram, assistant)
    return assistant


@pytest.fixture(scope="session")
def live_server_url(
    base_settings: Settings, data_keys: DataKeys, runtime: RasaRuntime
) -> Iterator[str]:
    """The real carebot app (web chat, REST, health) on loopback, sharing the loaded model."""
    with run_server(create_app(base_settings, data_keys, runtime=runtime)) as url:
        yield url


@pytest.fixture(scope="session")
def rest_auth(base_settings: Settings, data_keys: DataKeys) -> dict[str, str]:
    """The test integration's bearer token, for REST calls to the session's database."""
    return rest_headers(base_settings.database_url, data_keys)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


# Fixtures that load the trained model (about 20 s, and a retrain when the data changed):
# a test that uses one, directly or through another fixture, is marked `model`, so the fast
# lane (`make check`) can leave it to `make test` without a list of files that drifts.
MODEL_FIXTURES = frozenset({"trained_model"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if MODEL_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.model)
