"""every message folded into an alert kept, one sealed row each (issue 16 part 2, outside check)

Before this an alert kept the words of only its latest 10 folded messages (``alerts.folded_enc``,
a sealed JSON list), so a real disclosure inside a long flood could not be read. Each kept
message moves into ``folded_messages``; that needs the data key (the same one carebot runs with,
from ``CAREBOT_DATA_KEY`` or the demo key file), and only when there is something to move.

Revision ID: 0011
Revises: 0010
"""
import json
import os
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

KEPT_BEFORE = 10  # what folded_enc held, at most


def _data_keys():  # noqa: ANN202 - DataKeys, imported only when there are words to move
    from bot.config import Settings
    from db.encryption import load_data_keys

    settings = Settings.from_env()
    return load_data_keys(dict(os.environ), settings.demo_mode, settings.data_dir)[0]


def _when(value: object) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    parsed = datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def upgrade() -> None:
    folded = op.create_table(
        "folded_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("categories", sa.String(200), nullable=False),
        sa.Column("text_enc", sa.Text(), nullable=False),
        sa.Column("delete_after", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["alert_id"], ["alerts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_folded_messages_alert", "folded_messages", ["alert_id", "id"])
    connection = op.get_bind()
    alerts = connection.execute(sa.text(
        "SELECT id, folded_enc, delete_after FROM alerts WHERE folded_enc IS NOT NULL "
        "ORDER BY id")).all()
    if alerts:
        keys = _data_keys()
        rows = [
            {"alert_id": alert_id, "at": _when(said["at"]), "channel": said["channel"][:20],
             "categories": ",".join(said["categories"])[:200],
             "text_enc": keys.encrypt(said["text"]), "delete_after": _when(delete_after)}
            for alert_id, sealed, delete_after in alerts
            for said in json.loads(keys.decrypt(sealed))  # oldest first, as the ids will be
        ]
        if rows:
            op.bulk_insert(folded, rows)
    with op.batch_alter_table("alerts") as batch:
        batch.drop_column("folded_enc")


def downgrade() -> None:
    with op.batch_alter_table("alerts") as batch:
        batch.add_column(sa.Column("folded_enc", sa.Text(), nullable=True))
    connection = op.get_bind()
    folded = connection.execute(sa.text(
        "SELECT alert_id, at, channel, categories, text_enc FROM folded_messages "
        "ORDER BY alert_id, id")).all()
    if folded:  # 0010 kept only the latest few of each alert's words
        keys = _data_keys()
        by_alert: dict[int, list[dict]] = {}
        for alert_id, at, channel, categories, text_enc in folded:
            by_alert.setdefault(alert_id, []).append({
                "at": _when(at).isoformat(), "channel": channel,
                "categories": [c for c in categories.split(",") if c],
                "text": keys.decrypt(text_enc)})
        for alert_id, latest in by_alert.items():
            connection.execute(
                sa.text("UPDATE alerts SET folded_enc = :sealed WHERE id = :id"),
                {"sealed": keys.encrypt(json.dumps(latest[-KEPT_BEFORE:])), "id": alert_id})
    op.drop_index("ix_folded_messages_alert", table_name="folded_messages")
    op.drop_table("folded_messages")
