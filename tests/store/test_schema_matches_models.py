"""The migrations build exactly the schema the models describe (no forgotten migration)."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import panel_tui.store.models  # noqa: F401  (registers the tables)
from panel_tui.store.db import Store
from panel_tui.store.read import live_text


def _modelled(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Everything but the live text index (migration 0014): an FTS5 virtual table and
    the tables it keeps, made by the migration alone (no model describes them)."""
    return not (type_ == "table" and (name or "").startswith(live_text.TABLE))


# Alembic cannot reflect an expression index on SQLite (ix_dispute_live_order):
# test_queue_plans.py checks that one as migrated against the models' text.
@pytest.mark.filterwarnings("ignore:.*expression-based index:UserWarning")
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
def test_migrated_schema_matches_models(tmp_path: Path) -> None:
    store = Store.open(str(tmp_path / "s.db"), create=True)
    try:
        with store.engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "include_object": _modelled}
            )
            differences = compare_metadata(context, SQLModel.metadata)
    finally:
        store.close()
    assert differences == []
