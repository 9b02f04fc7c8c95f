"""possible concerns: alerts get a priority (urgent or possible) and can be escalated; a chat
user's last safety check-in

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("alerts") as batch:
        batch.add_column(sa.Column("priority", sa.String(10), nullable=False,
                                   server_default="urgent"))
        batch.add_column(sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("escalated_by_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_alerts_escalated_by", "staff_users",
                                 ["escalated_by_id"], ["id"])
        batch.create_index("ix_alerts_priority_created", ["priority", "created_at"])
    with op.batch_alter_table("chat_users") as batch:
        batch.add_column(sa.Column("checkin_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("chat_users") as batch:
        batch.drop_column("checkin_at")
    with op.batch_alter_table("alerts") as batch:
        batch.drop_index("ix_alerts_priority_created")
        batch.drop_constraint("fk_alerts_escalated_by", type_="foreignkey")
        batch.drop_column("escalated_by_id")
        batch.drop_column("escalated_at")
        batch.drop_column("priority")
