"""Alembic environment: migrations run on the connection panel-tui hands over."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import panel_tui.store.models  # noqa: F401  (registers the tables on SQLModel.metadata)

config = context.config
target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("panel-tui runs migrations on its own connection; see store/migrate.py")
    version_table, version_schema = "alembic_version", None
    if connection.dialect.name == "postgresql":
        from panel_tui.store import postgres

        # The store's own schema and version table, never the generic alembic_version.
        version_table, version_schema = postgres.VERSION_TABLE, postgres.SCHEMA
    context.configure(
        connection=connection,
        version_table=version_table,
        version_table_schema=version_schema,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things: batch mode copies tables
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise RuntimeError("offline migrations are not supported")
run_migrations_online()
