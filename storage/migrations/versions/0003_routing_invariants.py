"""routing invariants: sticky police sensitivity, event times, escalation faults, reminders, digests

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07 23:40:00
"""

from alembic import op
import sqlalchemy as sa
import storage.models


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('incidents') as batch:
        batch.add_column(sa.Column('police_sensitive', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column('last_event_at', storage.models.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column('reminders', sa.Integer(), nullable=False, server_default='0'))
        batch.add_column(sa.Column('fault', sa.String(length=200), nullable=True))
    with op.batch_alter_table('reports') as batch:
        batch.add_column(sa.Column('event_at', storage.models.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column('police_sensitive', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('conversations') as batch:
        batch.add_column(sa.Column('asked_what', sa.Boolean(), nullable=False, server_default=sa.false()))
    # Incidents and reports that already carry police_misconduct are sensitive from now on.
    cast = "" if op.get_context().dialect.name == "sqlite" else "::text"
    for table in ("incidents", "reports"):
        op.execute(f"UPDATE {table} SET police_sensitive = true WHERE types{cast} LIKE '%police_misconduct%'")
    op.create_table('digest_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group', sa.String(length=40), nullable=False),
    sa.Column('due_at', storage.models.UTCDateTime(), nullable=False),
    sa.Column('period_start', storage.models.UTCDateTime(), nullable=True),
    sa.Column('references', sa.JSON(), nullable=False),
    sa.Column('messages', sa.Integer(), nullable=False),
    sa.Column('created_at', storage.models.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('group', 'due_at', name='uq_digest_group_due')
    )


def downgrade() -> None:
    op.drop_table('digest_runs')
    with op.batch_alter_table('conversations') as batch:
        batch.drop_column('asked_what')
    with op.batch_alter_table('reports') as batch:
        batch.drop_column('police_sensitive')
        batch.drop_column('event_at')
    with op.batch_alter_table('incidents') as batch:
        batch.drop_column('fault')
        batch.drop_column('reminders')
        batch.drop_column('last_event_at')
        batch.drop_column('police_sensitive')
