"""The schema the migrations build is the schema the models describe, and keeps its promises."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from db.migrate import upgrade_to_head
from db.models import Base

# Rows that are not personal data about a chat user: staff, reference data, the council's local
# settings, the audit log (kept as the council's record of who read what) and the record that
# a review's letter was sent (dates and a count, no words: those are in the threads).
NOT_PERSONAL_CHAT_DATA = {
    "local_authorities", "iro_teams", "staff_users", "children", "reviews", "audit_log",
    "invites", "consultation_answers", "alembic_version", "local_settings", "integrations",
    "review_letters",
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


def test_0011_moves_every_kept_folded_message_into_its_own_sealed_row(tmp_path, monkeypatch):
    import json

    from alembic import command
    from sqlalchemy import text

    from db.encryption import DataKeys, new_key_spec
    from db.migrate import alembic_config

    spec = new_key_spec()
    monkeypatch.setenv("CAREBOT_DATA_KEY", spec)
    monkeypatch.delenv("CAREBOT_DEMO", raising=False)
    keys = DataKeys.parse(spec)
    url = f"sqlite:///{tmp_path / 'm.db'}"
    command.upgrade(alembic_config(url), "0010")
    said = [{"at": f"2026-12-01T10:0{n}:00+00:00", "channel": "web", "categories": ["abuse"],
             "text": f"words {n}"} for n in range(3)]
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO alerts (channel, categories, text_enc, created_at, delete_after, "
            "priority, repeats, folded_enc) VALUES ('web', 'unusual_volume', :empty, "
            "'2026-12-01 10:00:00', '2028-12-01 10:00:00', 'urgent', 3, :folded)"),
            {"empty": keys.encrypt(""), "folded": keys.encrypt(json.dumps(said))})
    command.upgrade(alembic_config(url), "head")
    with engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT channel, categories, text_enc, delete_after FROM folded_messages "
            "ORDER BY id")).all()
    assert [keys.decrypt(row.text_enc) for row in rows] == ["words 0", "words 1", "words 2"]
    assert {(row.channel, row.categories) for row in rows} == {("web", "abuse")}
    assert all(row.delete_after.startswith("2028-12-01") for row in rows)
    assert "folded_enc" not in {c["name"] for c in inspect(engine).get_columns("alerts")}
    command.downgrade(alembic_config(url), "0010")  # and back: the latest words return
    with engine.connect() as connection:
        sealed = connection.execute(text("SELECT folded_enc FROM alerts")).scalar_one()
    assert [m["text"] for m in json.loads(keys.decrypt(sealed))] == ["words 0", "words 1",
                                                                    "words 2"]
