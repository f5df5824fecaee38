"""The migrations build exactly the schema the models describe (no forgotten migration)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select, text
from sqlmodel import SQLModel

import panel_tui.store.models  # noqa: F401  (registers the tables)
from panel_tui.store.db import Store
from panel_tui.store.models import Dispute
from panel_tui.store.read.orm_queries import _filtered, _ordered
from panel_tui.store.read.queue_models import QueueFilter, QueueRules, Section


def test_migrated_schema_matches_models(tmp_path: Path) -> None:
    store = Store.open(str(tmp_path / "s.db"), create=True)
    try:
        with store.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, SQLModel.metadata)
    finally:
        store.close()
    assert differences == []


def test_closed_section_walks_the_resolved_index(tmp_path: Path) -> None:
    """Newest-first over tens of thousands of closed disputes must not sort them all."""
    closed = QueueFilter(section=Section.CLOSED)
    store = Store.open(str(tmp_path / "s.db"), create=True)
    try:
        with store.engine.begin() as connection:
            # Statistics like a real store's: most disputes closed, a few live.
            connection.exec_driver_sql("ANALYZE")
            connection.exec_driver_sql("DELETE FROM sqlite_stat1 WHERE tbl = 'dispute'")
            connection.exec_driver_sql(
                "INSERT INTO sqlite_stat1 VALUES "
                "('dispute', 'ix_dispute_status_due', '100000 25000 2'), "
                "('dispute', 'ix_dispute_resolved', '100000 2')"
            )
        store.engine.dispose()  # new connections read the new statistics
        with store.read() as session:
            # The queue's own query for the Closed section, as the app pages it.
            query = _ordered(
                _filtered(select(Dispute.id), closed, datetime.now(UTC), session, QueueRules()),
                closed,
            ).limit(50)
            sql = str(query.compile(store.engine, compile_kwargs={"literal_binds": True}))
            plan = session.execute(text("EXPLAIN QUERY PLAN " + sql)).all()
    finally:
        store.close()
    details = [str(row[-1]) for row in plan]
    assert any("ix_dispute_resolved" in d for d in details), details
    assert not any("TEMP B-TREE" in d for d in details), details
