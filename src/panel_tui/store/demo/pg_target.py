"""The demo in a PostgreSQL database: what it holds now, and clearing a demo to rebuild it.

A database without a store takes the demo; a demo store (setting ``store_kind``
= demo) is rebuilt only when asked (its schema is dropped and made again); any
other store is never touched.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from panel_tui.store import postgres


def holds(url: str) -> str | None:
    """None (no store), "demo", or another store's kind."""
    from panel_tui.store.engine import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            if postgres.store_revision(connection) is None:
                return None
            kind = connection.execute(
                text(f"SELECT value FROM {postgres.SCHEMA}.setting WHERE key = 'store_kind'")
            ).scalar()
            return str(kind or "store")
    except DatabaseError as exc:
        raise postgres.cannot_open(url, exc) from None
    finally:
        engine.dispose()


def clear_demo(url: str) -> None:
    """Drop the demo's schema (checked to be a demo store first, under the migration lock)."""
    from panel_tui.store.engine import make_engine

    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:k)"), {"k": postgres.MIGRATION_LOCK}
            )
            kind = connection.execute(
                text(f"SELECT value FROM {postgres.SCHEMA}.setting WHERE key = 'store_kind'")
            ).scalar()
            if kind != "demo":
                from panel_tui.rules.errors import StoreError

                raise StoreError("the store is not a demo store; it was not changed")
            connection.execute(text(f"DROP SCHEMA {postgres.SCHEMA} CASCADE"))
    except DatabaseError as exc:
        raise postgres.cannot_open(url, exc) from None
    finally:
        engine.dispose()
