"""reminder settings, blocked identities, supervisors' comments, compiled reports, the outbox

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21 19:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("people") as batch:
        batch.add_column(sa.Column("settings", sa.JSON(), server_default=sa.text("'{}'"), nullable=False))
    with op.batch_alter_table("identities") as batch:
        batch.add_column(sa.Column("blocked_at", storage.models.UTCDateTime(), nullable=True))
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("payload", sa.JSON(), nullable=True))
        batch.create_index("ix_deliveries_outcome", ["outcome"], unique=False)
    op.create_table(
        "comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", storage.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["people.id"], name=op.f("fk_comments_author_id_people"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["entry_id"], ["entries.id"], name=op.f("fk_comments_entry_id_entries"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comments")),
    )
    op.create_index(op.f("ix_comments_entry_id"), "comments", ["entry_id"], unique=False)
    op.create_table(
        "reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("created_at", storage.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_reports_person_id_people"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
    )
    op.create_index(op.f("ix_reports_person_id"), "reports", ["person_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_reports_person_id"), table_name="reports")
    op.drop_table("reports")
    op.drop_index(op.f("ix_comments_entry_id"), table_name="comments")
    op.drop_table("comments")
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_index("ix_deliveries_outcome")
        batch.drop_column("payload")
    with op.batch_alter_table("identities") as batch:
        batch.drop_column("blocked_at")
    with op.batch_alter_table("people") as batch:
        batch.drop_column("settings")
