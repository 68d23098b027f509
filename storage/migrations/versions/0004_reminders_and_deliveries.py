"""reminders and deliveries

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21 18:44:37.900346
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models


revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=128), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('due_at', storage.models.UTCDateTime(), nullable=False),
    sa.Column('created_at', storage.models.UTCDateTime(), nullable=False),
    sa.Column('sent_at', storage.models.UTCDateTime(), nullable=True),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('detail', sa.String(length=256), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_deliveries_person_id_people'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deliveries')),
    sa.UniqueConstraint('key', name=op.f('uq_deliveries_key'))
    )
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deliveries_person_id'), ['person_id'], unique=False)

    op.create_table('reminders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('repeat', sa.String(length=16), nullable=True),
    sa.Column('weekday', sa.Integer(), nullable=True),
    sa.Column('clock', sa.String(length=5), nullable=True),
    sa.Column('next_at', storage.models.UTCDateTime(), nullable=True),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('chat_id', sa.String(length=128), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', storage.models.UTCDateTime(), nullable=False),
    sa.Column('cancelled_at', storage.models.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_reminders_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminders')),
    sa.UniqueConstraint('person_id', 'seq', name='uq_reminders_person_seq')
    )
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminders_next_at'), ['next_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reminders_next_at'))

    op.drop_table('reminders')
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deliveries_person_id'))

    op.drop_table('deliveries')
