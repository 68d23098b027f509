"""entries: starred and excluded, the cadre's choices for his reports

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("entries") as batch:
        batch.add_column(sa.Column("starred", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch.add_column(sa.Column("excluded", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("entries") as batch:
        batch.drop_column("excluded")
        batch.drop_column("starred")
