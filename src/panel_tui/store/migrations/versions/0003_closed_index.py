"""index the Closed section and resolution reports

The queue's Closed section orders by resolution time and the oversight report
counts resolutions per day; without this index both scan every dispute.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("dispute", schema=None) as batch_op:
        batch_op.create_index("ix_dispute_resolved", ["resolved_at"], unique=False)
    # Fresh statistics let the planner pick this index over the status index.
    op.execute("ANALYZE")


def downgrade() -> None:
    with op.batch_alter_table("dispute", schema=None) as batch_op:
        batch_op.drop_index("ix_dispute_resolved")
