"""plan holder's period and case synchronisations, consent scope, impact at escalation

Seed articles [Disputes] (plan holding for a period, synchronisation on triggers),
[Coordination] (consent's scope: agencies, purpose, review date) and [Leadership]
(the impact on the person logged with each escalation). New columns are nullable:
rows written before this revision have none, and the rebuild's registry says so.

Revision ID: 0011_plan_sync_consent
Revises: 0010_event_action_index
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_plan_sync_consent"
down_revision = "0010_event_action_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN: no batch rebuild of any table.
    op.add_column("stagerecord", sa.Column("impact", sa.Text(), nullable=True))
    op.add_column("planholderassignment", sa.Column("period_ends", sa.DateTime(), nullable=True))
    op.add_column("planholderassignment", sa.Column("next_sync_due", sa.DateTime(), nullable=True))
    op.create_table(
        "casesync",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dispute_id", sa.Integer(), nullable=False),
        sa.Column("held_at", sa.DateTime(), nullable=False),
        sa.Column("trigger", sa.String(length=32), nullable=False),
        sa.Column("participants", sa.String(length=200), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("next_due", sa.DateTime(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["dispute_id"], ["dispute.id"]),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_casesync_dispute_id", "casesync", ["dispute_id"], unique=False)
    op.create_table(
        "consentscope",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dispute_id", sa.Integer(), nullable=False),
        sa.Column("agencies", sa.String(length=200), nullable=False),
        sa.Column("purpose", sa.String(length=200), nullable=False),
        sa.Column("review_date", sa.Date(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["dispute_id"], ["dispute.id"]),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_consentscope_dispute_id", "consentscope", ["dispute_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_consentscope_dispute_id", table_name="consentscope")
    op.drop_table("consentscope")
    op.drop_index("ix_casesync_dispute_id", table_name="casesync")
    op.drop_table("casesync")
    op.drop_column("planholderassignment", "next_sync_due")
    op.drop_column("planholderassignment", "period_ends")
    op.drop_column("stagerecord", "impact")
