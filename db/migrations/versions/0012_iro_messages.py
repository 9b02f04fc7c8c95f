"""messages between a person and their IRO (issue 18 part 1)

Revision ID: 0012
Revises: 0011
"""
import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("chat_users") as batch:
        batch.add_column(sa.Column("writing_to_iro_until", sa.DateTime(timezone=True),
                                   nullable=True))
    op.create_table(
        "iro_threads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("chat_user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("reply_address_enc", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delete_after", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["review_id"], ["reviews.id"]),
        sa.ForeignKeyConstraint(["chat_user_id"], ["chat_users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("review_id", "chat_user_id"),
    )
    op.create_index("ix_iro_threads_delete_after", "iro_threads", ["delete_after"])
    op.create_table(
        "iro_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("staff_user_id", sa.Integer(), nullable=True),
        sa.Column("body_enc", sa.Text(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delete_after", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["thread_id"], ["iro_threads.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["staff_user_id"], ["staff_users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_iro_messages_thread_id", "iro_messages", ["thread_id", "id"])
    op.create_index("ix_iro_messages_delete_after", "iro_messages", ["delete_after"])


def downgrade() -> None:
    op.drop_index("ix_iro_messages_delete_after", table_name="iro_messages")
    op.drop_index("ix_iro_messages_thread_id", table_name="iro_messages")
    op.drop_table("iro_messages")
    op.drop_index("ix_iro_threads_delete_after", table_name="iro_threads")
    op.drop_table("iro_threads")
    with op.batch_alter_table("chat_users") as batch:
        batch.drop_column("writing_to_iro_until")
