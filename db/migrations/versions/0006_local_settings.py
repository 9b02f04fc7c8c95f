"""local_settings: council values an admin changed on the staff dashboard

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "local_settings",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("local_authority", sa.String(40), nullable=False),
        sa.Column("key", sa.String(60), nullable=False),
        sa.Column("value", sa.String(300), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), sa.ForeignKey("staff_users.id"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("local_authority", "key"),
    )


def downgrade() -> None:
    op.drop_table("local_settings")
