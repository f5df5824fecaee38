"""PostgreSQL: a committed event wakes the app's listeners (LISTEN/NOTIFY)

A statement trigger on the event table sends ``NOTIFY panel_tui_events`` after
each INSERT statement; the server delivers it when the writing transaction
commits (one per transaction: equal notifications are folded), so a running
app refreshes at once instead of polling ``max(id)``. A bulk load (the demo's
COPY, copy-store) sends one per statement, not one per row. SQLite has no
NOTIFY: its app keeps polling ``PRAGMA data_version``.

Revision ID: 0012_pg_event_notify
Revises: 0011_plan_sync_consent
Create Date: 2026-12-03
"""

from __future__ import annotations

from alembic import op

revision = "0012_pg_event_notify"
down_revision = "0011_plan_sync_consent"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "CREATE FUNCTION panel_tui_notify_event() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN PERFORM pg_notify('panel_tui_events', ''); RETURN NULL; END $$"
    )
    op.execute(
        "CREATE TRIGGER event_notify AFTER INSERT ON event "
        "FOR EACH STATEMENT EXECUTE FUNCTION panel_tui_notify_event()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS event_notify ON event")
        op.execute("DROP FUNCTION IF EXISTS panel_tui_notify_event()")
