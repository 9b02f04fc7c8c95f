"""alerts folded by source: a count, the last time, the latest words, a volume alert's key
(issue 16 part 2; the invite attempts of part 3 are counted in memory and need no table)

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("alerts") as batch:
        batch.add_column(sa.Column("repeats", sa.Integer(), nullable=False, server_default="1"))
        batch.add_column(sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("folded_enc", sa.Text(), nullable=True))
        batch.add_column(sa.Column("fold_key", sa.String(80), nullable=True))
        batch.create_index("ix_alerts_chat_user", ["chat_user_id"])
        batch.create_index("ix_alerts_fold_key", ["fold_key"])


def downgrade() -> None:
    with op.batch_alter_table("alerts") as batch:
        batch.drop_index("ix_alerts_fold_key")
        batch.drop_index("ix_alerts_chat_user")
        batch.drop_column("fold_key")
        batch.drop_column("folded_enc")
        batch.drop_column("last_seen_at")
        batch.drop_column("repeats")
