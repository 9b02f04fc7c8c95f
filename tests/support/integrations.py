"""The one way tests get a REST token: an integration made as a council makes one.

In-process apps (``live_server_url``, ``create_app``) share the test database, so the token is
made with the same service the CLI uses; a real ``carebot serve`` subprocess gets its token from
``carebot integration add`` run against its own database.
"""

from __future__ import annotations

from bot.channels.rest import REST_CHANNEL
from bot.services.integrations import (
    IntegrationError,
    add_integration,
    revoke_integration,
)
from db.encryption import DataKeys
from tests.support.carebot_process import run_cli

TEST_INTEGRATION = "tests"
_made: dict[tuple[str, str], str] = {}


def rest_token(database_url: str, keys: DataKeys, name: str = TEST_INTEGRATION) -> str:
    """A working bearer token for integration ``name`` in this database (made once a run)."""
    cached = _made.get((database_url, name))
    if cached is None:
        try:
            cached = add_integration(database_url, keys, name)
        except IntegrationError:  # made by an earlier run on a kept database: a new token
            revoke_integration(database_url, name)
            cached = add_integration(database_url, keys, name)
        _made[(database_url, name)] = cached
    return cached


def rest_headers(database_url: str, keys: DataKeys, name: str = TEST_INTEGRATION) -> dict[str, str]:
    return {"Authorization": f"Bearer {rest_token(database_url, keys, name)}"}


def rest_user_key(keys: DataKeys, sender: str, name: str = TEST_INTEGRATION) -> str:
    """The conversation key carebot uses for integration ``name``'s ``sender``."""
    return keys.user_key(REST_CHANNEL, f"{name}:{sender}")


def revoke(database_url: str, name: str) -> None:
    """As ``carebot integration revoke NAME`` does."""
    revoke_integration(database_url, name)


def cli_rest_token(env: dict[str, str], name: str = TEST_INTEGRATION) -> str:
    """A token made by ``carebot integration add`` in the database ``env`` points at (made once
    a run per database)."""
    database = env.get("DATABASE_URL") or env.get("CAREBOT_DATA_DIR", "")
    cached = _made.get((database, name))
    if cached is None:
        cached = run_cli(["integration", "add", name], env).strip().splitlines()[-1]
        _made[(database, name)] = cached
    return cached
