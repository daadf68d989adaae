"""outbox lanes: emergencies first when a backlog builds

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-08 00:35:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("priority", sa.Integer(), nullable=False, server_default="2"))
        batch.drop_index("ix_outbox_due")
        batch.create_index("ix_outbox_due", ["status", "priority", "next_attempt_at"])


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_index("ix_outbox_due")
        batch.create_index("ix_outbox_due", ["status", "next_attempt_at"])
        batch.drop_column("priority")
