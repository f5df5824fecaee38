"""indexes that serve every queue section's order (issue 13)

The live sections read their rows most urgent first, ``(current_due_at IS
NULL, current_due_at, id)``; Closed reads newest resolved first. Without an
index in that order SQLite read every matching row and sorted it for one page
(a temporary B-tree: 161 ms for a page deep in All open at 1,000,000
disputes, over a second for the end of Closed). Two partial indexes hold just
the live and just the resolved disputes in those orders, and two more find a
person's own disputes (Mine: plan holder or opener).

Revision ID: 0009_queue_indexes
Revises: 0008_reviews_and_expiry
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_queue_indexes"
down_revision = "0008_reviews_and_expiry"
branch_labels = None
depends_on = None

LIVE = "status IN ('open', 'decided')"
DONE = "status IN ('closed', 'withdrawn')"


def upgrade() -> None:
    op.create_index(
        "ix_dispute_live_order",
        "dispute",
        [sa.text("(current_due_at IS NULL)"), "current_due_at", "id"],
        sqlite_where=sa.text(LIVE),
        postgresql_where=sa.text(LIVE),
    )
    op.create_index(
        "ix_dispute_closed_order",
        "dispute",
        ["resolved_at", "id"],
        sqlite_where=sa.text(DONE),
        postgresql_where=sa.text(DONE),
    )
    op.create_index("ix_dispute_plan_holder", "dispute", ["plan_holder_id"])
    op.create_index("ix_dispute_opened_by", "dispute", ["opened_by_id"])
    # Fresh statistics for the planner's other choices (counts, Mine).
    op.execute("ANALYZE dispute")


def downgrade() -> None:
    for name in (
        "ix_dispute_opened_by",
        "ix_dispute_plan_holder",
        "ix_dispute_closed_order",
        "ix_dispute_live_order",
    ):
        op.drop_index(name, table_name="dispute")
