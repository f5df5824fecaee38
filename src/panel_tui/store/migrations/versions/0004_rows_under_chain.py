"""every record under the audit chain

Events now carry the rows their operation wrote (``event.rows``), so that
``audit verify`` can rebuild the tables from the events and name any direct
edit. Rows written before this revision are proven by no event: a
``baseline`` event per dispute (and one for people, agencies and settings)
records them as they are found, marked as unproven before that point.

Revision ID: 0004_rows_under_chain
Revises: 0003
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_rows_under_chain"
down_revision = "0003"
branch_labels = None
depends_on = None

WHY = (
    "schema 0004 brought this record under the audit chain as it was found: "
    "changes made to it before this event cannot be shown"
)


def upgrade() -> None:
    # A plain ADD COLUMN: a batch rebuild of the table would drop its append-only triggers.
    op.add_column("event", sa.Column("rows", sa.Text(), nullable=False, server_default=""))
    from panel_tui.store.rebuild.baseline import record_baseline

    record_baseline(op.get_bind(), why=WHY)


def downgrade() -> None:
    raise NotImplementedError("events are append-only: schema 0004 cannot be undone")
