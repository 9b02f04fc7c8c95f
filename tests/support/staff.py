"""Fixtures for the staff dashboard: a demo database of its own, the app without a Rasa model,
and a browser-like client that signs in through the real form (cookie + CSRF field).

Registered in tests/conftest.py with ``pytest_plugins``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from bot.config import Settings
from bot.services.demo_data import DEMO_STAFF, seed_demo
from bot.web.app import create_app
from db.encryption import DataKeys
from db.engine import session_scope
from db.migrate import upgrade_to_head
from db.models import AuditEntry, Child, Review

PASSWORDS = {username: password for username, _, _, password in DEMO_STAFF}
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


class UnusedRuntime:
    """Stands in for the Rasa model: the staff pages never talk to it, so none is loaded."""


def fresh_demo_settings(base: Settings, data_keys: DataKeys, folder: Path) -> Settings:
    settings = dataclasses.replace(
        base, database_url=f"sqlite:///{folder / 'staff.db'}", data_dir=folder
    )
    upgrade_to_head(settings.database_url)
    seed_demo(settings.database_url, data_keys)
    return settings


@pytest.fixture(scope="module")
def staff_settings(
    base_settings: Settings, data_keys: DataKeys, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    """A database of this test module's own, with the demo council, staff and children."""
    return fresh_demo_settings(base_settings, data_keys, tmp_path_factory.mktemp("staff"))


@pytest.fixture(scope="module")
def staff_app(staff_settings: Settings, data_keys: DataKeys) -> Starlette:
    return create_app(staff_settings, data_keys, runtime=UnusedRuntime())  # type: ignore[arg-type]


class StaffClient:
    """A browser: keeps the cookie, and sends the CSRF field of the last page it opened."""

    def __init__(self, app: Starlette | None = None, base_url: str = "http://127.0.0.1",
                 address: str = "testclient", *, http: httpx.Client | None = None) -> None:
        """The app in process, or ``http``: a client of a running carebot
        (tests/support/live_server.py)."""
        self.http = http or TestClient(app, base_url=base_url, follow_redirects=False,
                                       client=(address, 50000))
        self.csrf: str | None = None

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        response = self.http.get(path, **kwargs)
        found = CSRF_FIELD.search(response.text)
        if found:
            self.csrf = found.group(1)
        return response

    def post(self, path: str, data: dict[str, str] | None = None,
             csrf: bool = True) -> httpx.Response:
        form = dict(data or {})
        if csrf and self.csrf:
            form["csrf_token"] = self.csrf
        return self.http.post(path, data=form)

    def sign_in(self, username: str, password: str | None = None) -> httpx.Response:
        self.get("/iro/login")
        return self.post("/iro/login", {
            "username": username, "password": PASSWORDS[username] if password is None else password,
        })


@pytest.fixture
def client(staff_app: Starlette) -> Callable[..., StaffClient]:
    """``client("iro.amara")``: a browser signed in as that demo user (None: signed out)."""

    def make(username: str | None = None) -> StaffClient:
        browser = StaffClient(staff_app)
        if username:
            response = browser.sign_in(username)
            assert response.status_code == 303, response.text
            browser.get("/iro/")
        return browser

    return make


@dataclasses.dataclass(frozen=True)
class DemoReviews:
    """Review ids by case reference: the upcoming ones, and last round's (held)."""

    upcoming: dict[str, int]
    held: dict[str, int]


@pytest.fixture(scope="module")
def demo_reviews(staff_settings: Settings) -> DemoReviews:
    upcoming: dict[str, int] = {}
    held: dict[str, int] = {}
    with session_scope(staff_settings.database_url) as session:
        rows = session.execute(
            select(Child.case_reference, Review.id, Review.status).join(Review.child)
        )
        for ref, review_id, status in rows:
            (held if status == "held" else upcoming)[ref] = review_id
    return DemoReviews(upcoming, held)


def audit_entries(settings: Settings, **match: str) -> list[AuditEntry]:
    with session_scope(settings.database_url) as session:
        query = select(AuditEntry).order_by(AuditEntry.id)
        for name, value in match.items():
            query = query.where(getattr(AuditEntry, name) == value)
        return list(session.scalars(query))


@pytest.fixture
def audit(staff_settings: Settings) -> Callable[..., list[AuditEntry]]:
    return lambda **match: audit_entries(staff_settings, **match)


@pytest.fixture
def staff_db(staff_settings: Settings) -> Callable[[], Iterator[Any]]:
    return lambda: session_scope(staff_settings.database_url)
