"""the real OS login beside a claimed one

Where an identity override is in effect (``--as`` on a demo or test store, the
demo app acting as its demo user), an event now records the OS login that
really acted (``event.real_actor``). NULL where the two are the same, and then
left out of the hash, so every existing event verifies as before.

Revision ID: 0006_real_actor
Revises: 0005_shift_start
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_real_actor"
down_revision = "0005_shift_start"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN: a batch rebuild of the table would drop its append-only triggers.
    op.add_column("event", sa.Column("real_actor", sa.String(length=64), nullable=True))


def downgrade() -> None:
    raise NotImplementedError("events are append-only: schema 0006 cannot be undone")
