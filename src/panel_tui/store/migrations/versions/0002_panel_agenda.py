"""panel agenda

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "panelagendaitem",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("panel_date", sa.Date(), nullable=False),
        sa.Column("dispute_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("picked", sa.Boolean(), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["added_by_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["dispute_id"], ["dispute.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("panel_date", "dispute_id", name="uq_agenda_date_dispute"),
    )
    with op.batch_alter_table("panelagendaitem", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_panelagendaitem_panel_date"), ["panel_date"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_panelagendaitem_dispute_id"), ["dispute_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("panelagendaitem", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_panelagendaitem_dispute_id"))
        batch_op.drop_index(batch_op.f("ix_panelagendaitem_panel_date"))
    op.drop_table("panelagendaitem")
