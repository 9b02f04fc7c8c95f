"""children.placement_details_enc; staff_sessions for the staff dashboard's sign-in

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("children") as batch:
        batch.add_column(sa.Column("placement_details_enc", sa.Text(), nullable=True))
    op.create_table(
        "staff_sessions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("staff_user_id", sa.Integer(), sa.ForeignKey("staff_users.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delete_after", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_staff_sessions_delete_after", "staff_sessions", ["delete_after"])


def downgrade() -> None:
    op.drop_index("ix_staff_sessions_delete_after", table_name="staff_sessions")
    op.drop_table("staff_sessions")
    with op.batch_alter_table("children") as batch:
        batch.drop_column("placement_details_enc")
