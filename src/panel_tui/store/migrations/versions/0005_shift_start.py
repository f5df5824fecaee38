"""shift start and alerts: seen marks, alerts sent, events by time

``seenmark`` keeps where each person last looked; ``alertsent`` the claim and
proof of each alert sent (both under the audit chain); ``ix_event_at`` lets
"what changed since TIME" read only the events since then.

Revision ID: 0005_shift_start
Revises: 0004_rows_under_chain
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_shift_start"
down_revision = "0004_rows_under_chain"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "seenmark",
        sa.Column("login", sa.String(length=64), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("login"),
    )
    op.create_table(
        "alertsent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("login", sa.String(length=64), nullable=False),
        sa.Column("dispute_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("channel", sa.String(length=12), nullable=False),
        sa.Column("claimed_by", sa.String(length=300), nullable=False),
        sa.Column("claimed_at", sa.DateTime(), nullable=False),
        sa.Column("message_id", sa.String(length=300), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["dispute_id"], ["dispute.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "login", "dispute_id", "stage", "state", "due_at", name="uq_alert_once"
        ),
    )
    op.create_index("ix_alertsent_dispute_id", "alertsent", ["dispute_id"], unique=False)
    # A plain CREATE INDEX: a batch rebuild of event would drop its append-only triggers.
    op.create_index("ix_event_at", "event", ["at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_event_at", table_name="event")
    op.drop_index("ix_alertsent_dispute_id", table_name="alertsent")
    op.drop_table("alertsent")
    op.drop_table("seenmark")
