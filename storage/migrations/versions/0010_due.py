"""next due times of the automatic reminder rules, per person (a tick reads only what is due)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 21:00:00
"""

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RULES = ("nudge", "promise", "obligation", "digest")  # timing/due.py RULES, as of this revision


def upgrade() -> None:
    op.create_table(
        "due_times",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=16), nullable=False),
        sa.Column("next_at", storage.models.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_due_times_person_id_people"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("person_id", "rule", name=op.f("pk_due_times")),
    )
    op.create_index("ix_due_times_rule_next_at", "due_times", ["rule", "next_at"])
    # Everyone already registered: "due" long ago, so the first tick computes each row's real next time.
    people = sa.table("people", sa.column("id", sa.Integer()))
    due = sa.table(
        "due_times",
        sa.column("person_id", sa.Integer()),
        sa.column("rule", sa.String()),
        sa.column("next_at", storage.models.UTCDateTime()),
    )
    stale = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    for rule in RULES:
        op.execute(
            due.insert().from_select(
                ["person_id", "rule", "next_at"],
                sa.select(people.c.id, sa.literal(rule, sa.String()), sa.literal(stale, storage.models.UTCDateTime())),
            )
        )


def downgrade() -> None:
    op.drop_index("ix_due_times_rule_next_at", table_name="due_times")
    op.drop_table("due_times")
