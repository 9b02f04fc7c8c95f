"""consultations: invite, advocate request, chairing wish, reminder; invites: reminder address

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("consultations") as batch:
        batch.add_column(sa.Column("invite_id", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("advocate_requested", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("chair_wish", sa.String(40), nullable=True))
        batch.add_column(sa.Column("reminder_sent_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_foreign_key("fk_consultations_invite_id", "invites", ["invite_id"], ["id"])
    with op.batch_alter_table("invites") as batch:
        batch.add_column(sa.Column("reminder_address_enc", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("invites") as batch:
        batch.drop_column("reminder_address_enc")
    with op.batch_alter_table("consultations") as batch:
        batch.drop_constraint("fk_consultations_invite_id", type_="foreignkey")
        batch.drop_column("reminder_sent_at")
        batch.drop_column("chair_wish")
        batch.drop_column("advocate_requested")
        batch.drop_column("invite_id")
