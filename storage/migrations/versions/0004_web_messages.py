"""web channel: what Salama sent to web reporters, for their private status page

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-08 00:20:00
"""

from alembic import op
import sqlalchemy as sa
import storage.models


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('web_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('address_key', sa.String(length=64), nullable=False),
    sa.Column('body_enc', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', storage.models.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_web_messages_address_key'), 'web_messages', ['address_key'], unique=False)
    op.create_index(op.f('ix_web_messages_created_at'), 'web_messages', ['created_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_web_messages_created_at'), table_name='web_messages')
    op.drop_index(op.f('ix_web_messages_address_key'), table_name='web_messages')
    op.drop_table('web_messages')
