"""PostgreSQL: TRUNCATE on the event table is refused too

UPDATE and DELETE were refused row by row (0001); TRUNCATE fires no row
trigger, so on PostgreSQL a statement trigger refuses it as well. SQLite has
no TRUNCATE (DELETE without WHERE is refused by 0001's trigger): nothing to do.

Revision ID: 0007_pg_truncate_guard
Revises: 0006_real_actor
Create Date: 2026-12-03
"""

from __future__ import annotations

from alembic import op

revision = "0007_pg_truncate_guard"
down_revision = "0006_real_actor"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "CREATE TRIGGER event_no_truncate BEFORE TRUNCATE ON event "
        "FOR EACH STATEMENT EXECUTE FUNCTION panel_tui_refuse_event_change()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS event_no_truncate ON event")
