"""Web chat conversations and integration tokens as the database keeps them (a real SQLite
database; the clock is passed in, never slept on)."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest

from bot.services import web_conversations
from bot.services.integrations import (
    IntegrationError,
    IntegrationTokens,
    add_integration,
    bearer_token,
    integration_for,
    revoke_integration,
)
from db.encryption import DataKeys, new_key_spec
from db.migrate import upgrade_to_head
from db.time import utcnow
from tests.support.database import everything_stored


@pytest.fixture
def database(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'identity.db'}"
    upgrade_to_head(url)
    return url


@pytest.fixture
def keys() -> DataKeys:
    return DataKeys.parse(new_key_spec("k1"))


def test_a_conversation_is_kept_while_used_and_ends_after_30_idle_minutes(database, keys):
    now = utcnow()
    started = web_conversations.current_or_new(database, keys, None, now)
    assert started.token and len(started.token) >= 40

    again = web_conversations.current_or_new(database, keys, started.token,
                                             now + timedelta(minutes=29))
    assert again == web_conversations.Conversation(started.channel_user_id)
    later = web_conversations.current_or_new(database, keys, started.token,
                                             now + timedelta(minutes=29 + 31))
    assert later.token and later.channel_user_id != started.channel_user_id


def test_a_conversation_ends_after_12_hours_however_busy(database, keys):
    now = utcnow()
    started = web_conversations.current_or_new(database, keys, None, now)
    for minutes in range(20, 12 * 60, 20):
        assert web_conversations.current_or_new(
            database, keys, started.token, now + timedelta(minutes=minutes)).token is None
    assert web_conversations.current_or_new(
        database, keys, started.token, now + timedelta(hours=12, minutes=1)).token


def test_start_again_ends_the_old_token_and_made_up_tokens_open_nothing(database, keys):
    started = web_conversations.current_or_new(database, keys, None)
    web_conversations.end(database, keys, started.token)
    assert web_conversations.current_or_new(database, keys, started.token).token
    made_up = web_conversations.current_or_new(database, keys, "my-easy-id")
    assert made_up.token and made_up.token != "my-easy-id"


def test_only_a_keyed_hash_of_a_token_is_stored(database, keys):
    chat = web_conversations.current_or_new(database, keys, None)
    token = add_integration(database, keys, "case-system")
    stored = everything_stored(database)
    assert chat.token.encode() not in stored and token.encode() not in stored


def test_integration_tokens_work_until_revoked_and_survive_a_key_rotation(database, keys):
    token = add_integration(database, keys, "case-system")
    assert integration_for(database, keys, token) == "case-system"
    rotated = DataKeys("k2", {"k2": os.urandom(32), "k1": keys.keys["k1"]})  # k2 now seals
    assert integration_for(database, rotated, token) == "case-system"
    assert integration_for(database, keys, token + "x") is None
    with pytest.raises(IntegrationError):
        add_integration(database, keys, "case-system")

    revoke_integration(database, "case-system")
    assert integration_for(database, keys, token) is None
    assert IntegrationTokens(database, keys).name_for(token) is None


def test_a_known_token_still_works_while_the_database_is_down(database, keys, tmp_path):
    token = add_integration(database, keys, "case-system")
    tokens = IntegrationTokens(database, keys)
    assert tokens.name_for(token) == "case-system"
    tokens.database_url = f"sqlite:///{tmp_path / 'missing' / 'gone.db'}"
    assert tokens.name_for(token) == "case-system"
    assert tokens.name_for("cbi_someone-else") is None


@pytest.mark.parametrize(("header", "token"), [
    ("Bearer cbi_abc", "cbi_abc"), ("bearer  cbi_abc ", "cbi_abc"), ("Basic abc", None),
    ("Bearer", None), (None, None), ("cbi_abc", None),
])
def test_bearer_tokens_are_read_only_from_a_bearer_header(header, token):
    assert bearer_token(header) == token


def test_while_the_database_is_down_a_web_message_still_has_a_conversation(database, keys,
                                                                           tmp_path):
    """So the pipeline can still give a disclosure the signposting (and the rest "try again")."""
    started = web_conversations.current_or_new(database, keys, None)
    down = f"sqlite:///{tmp_path / 'missing' / 'gone.db'}"
    same = web_conversations.for_message(down, keys, started.token)
    assert same == web_conversations.Conversation(started.channel_user_id)
    fresh = web_conversations.for_message(down, keys, None)
    assert fresh.token and fresh.channel_user_id != started.channel_user_id
