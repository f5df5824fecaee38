"""reviews coming due; provisional packages' next step

``dispute.review_due_on`` is the dispute's next review date (decisions, interim
cover and review triggers set it), indexed for the Reviews due section;
``provisionalpackage.closed_at`` and ``.pathway`` say when a package's status
left "active" and which funded pathway it converted to.

Revision ID: 0008_reviews_and_expiry
Revises: 0007_pg_truncate_guard
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from panel_tui.store.types import UTCDateTime

revision = "0008_reviews_and_expiry"
down_revision = "0007_pg_truncate_guard"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN and CREATE INDEX: no table is rebuilt.
    op.add_column("dispute", sa.Column("review_due_on", sa.Date(), nullable=True))
    op.create_index("ix_dispute_review_due", "dispute", ["review_due_on"], unique=False)
    op.add_column("provisionalpackage", sa.Column("closed_at", UTCDateTime(), nullable=True))
    op.add_column(
        "provisionalpackage", sa.Column("pathway", sa.Text(), nullable=False, server_default="")
    )


def downgrade() -> None:
    op.drop_column("provisionalpackage", "pathway")
    op.drop_column("provisionalpackage", "closed_at")
    op.drop_index("ix_dispute_review_due", table_name="dispute")
    op.drop_column("dispute", "review_due_on")
