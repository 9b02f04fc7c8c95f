"""data_requests.delete_after: every stored row has a date after which it is purged

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("data_requests") as batch:
        batch.add_column(sa.Column("delete_after", sa.DateTime(timezone=True), nullable=True))
        batch.create_index("ix_data_requests_delete_after", ["delete_after"])


def downgrade() -> None:
    with op.batch_alter_table("data_requests") as batch:
        batch.drop_index("ix_data_requests_delete_after")
        batch.drop_column("delete_after")
