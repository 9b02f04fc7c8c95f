"""the IRO's letter after a review (issue 18 part 3): messages marked as letters, and when each
letter was sent relative to the review

Revision ID: 0013
Revises: 0012
"""
import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("iro_messages") as batch:
        batch.add_column(sa.Column("kind", sa.String(20), nullable=False,
                                   server_default="message"))
    op.create_table(
        "review_letters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("staff_user_id", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("review_date", sa.DateTime(timezone=True), nullable=False),
        sa.Column("working_days_after", sa.Integer(), nullable=False),
        sa.Column("recipients", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["review_id"], ["reviews.id"]),
        sa.ForeignKeyConstraint(["staff_user_id"], ["staff_users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_review_letters_review_id", "review_letters", ["review_id"])


def downgrade() -> None:
    op.drop_index("ix_review_letters_review_id", table_name="review_letters")
    op.drop_table("review_letters")
    with op.batch_alter_table("iro_messages") as batch:
        batch.drop_column("kind")
