"""The schema the migrations build is the schema the models describe, and keeps its promises."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from db.migrate import upgrade_to_head
from db.models import Base

# Rows that are not personal data about a chat user: staff, reference data, the council's local
# settings and the audit log (kept as the council's record of who read what).
NOT_PERSONAL_CHAT_DATA = {
    "local_authorities", "iro_teams", "staff_users", "children", "reviews", "audit_log",
    "invites", "consultation_answers", "alembic_version", "local_settings", "integrations",
}


def test_migrations_build_exactly_the_models(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    upgrade_to_head(url)
    with create_engine(url).connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []


def test_every_table_of_chat_data_has_a_delete_after_date(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    upgrade_to_head(url)
    inspector = inspect(create_engine(url))
    for table in set(inspector.get_table_names()) - NOT_PERSONAL_CHAT_DATA:
        columns = {c["name"] for c in inspector.get_columns(table)}
        assert "delete_after" in columns, table
