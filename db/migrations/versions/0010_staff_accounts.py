"""staff accounts that can be disabled, reset and signed out; sign-in throttling (issue 16 part 5)

Passwords become optional (set through a one-time link); the per-account lock-out columns go,
replaced by throttles per address, per username and per pair (``sign_in_throttles``).

Revision ID: 0010
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("staff_users") as batch:
        batch.alter_column("password_hash", existing_type=sa.String(200), nullable=True)
        batch.add_column(sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("password_token_hash", sa.String(64), nullable=True))
        batch.add_column(sa.Column("password_token_expires_at", sa.DateTime(timezone=True),
                                   nullable=True))
        batch.create_unique_constraint("uq_staff_users_password_token_hash",
                                       ["password_token_hash"])
        batch.drop_column("failed_logins")
        batch.drop_column("locked_until")
    op.create_table(
        "sign_in_throttles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("blocked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delete_after", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key_hash"),
    )
    op.create_index("ix_sign_in_throttles_delete_after", "sign_in_throttles", ["delete_after"])


def downgrade() -> None:
    op.drop_index("ix_sign_in_throttles_delete_after", table_name="sign_in_throttles")
    op.drop_table("sign_in_throttles")
    # accounts still waiting for their first password cannot be represented before 0010
    op.execute("DELETE FROM staff_sessions WHERE staff_user_id IN "
               "(SELECT id FROM staff_users WHERE password_hash IS NULL)")
    op.execute("UPDATE staff_users SET password_hash = '!' WHERE password_hash IS NULL")
    with op.batch_alter_table("staff_users") as batch:
        batch.add_column(sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("failed_logins", sa.Integer(), nullable=False,
                                   server_default="0"))
        batch.drop_constraint("uq_staff_users_password_token_hash", type_="unique")
        batch.drop_column("password_token_expires_at")
        batch.drop_column("password_token_hash")
        batch.drop_column("disabled_at")
        batch.alter_column("password_hash", existing_type=sa.String(200), nullable=False)
