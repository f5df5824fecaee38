"""Schema migrations: Alembic scripts shipped in the package, applied on open.

Before an existing SQLite store is migrated, an online backup copy is written
beside it. A store whose schema is newer than this panel-tui is refused with
the file untouched. Alembic is imported only when there is work to do, so
opening an up-to-date store stays fast.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from panel_tui.rules.errors import StoreError
from panel_tui.store.files import describe_file, unwritable_file
from panel_tui.store.private_files import mode_beside, reserve_private
from panel_tui.store.sqlite_driver import sqlite

if TYPE_CHECKING:  # SQLAlchemy is imported where it is used: the revision check needs none
    from sqlalchemy import Connection, Engine

#: Every revision this release knows, oldest first. A test keeps it in step
#: with the scripts in migrations/versions.
REVISIONS: tuple[str, ...] = (
    "0001",
    "0002",
    "0003",
    "0004_rows_under_chain",
    "0005_shift_start",
    "0006_real_actor",
    "0007_pg_truncate_guard",
    "0008_reviews_and_expiry",
    "0009_queue_indexes",
    "0010_event_action_index",
    "0011_plan_sync_consent",
    "0012_pg_event_notify",
    "0013_live_order_filters",
    "0014_live_text_index",
)
HEAD = REVISIONS[-1]


def current_revision(connection: Connection) -> str | None:
    from sqlalchemy import inspect, text

    if connection.dialect.name == "postgresql":
        from panel_tui.store import postgres

        return postgres.store_revision(connection)  # its own schema and version table

    if not inspect(connection).has_table("alembic_version"):
        return None
    row = connection.execute(text("SELECT version_num FROM alembic_version")).first()
    return row[0] if row else None


def sqlite_revision(path: Path) -> str | None:
    """Read the schema revision of a SQLite file without changing it (read-only open)."""
    try:
        conn = sqlite.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
    except sqlite.Error as exc:
        raise StoreError(f"{path} cannot be opened: {exc}") from None
    try:
        has = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name='alembic_version'"
        ).fetchone()
        if not has:
            return None
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        return row[0] if row else None
    except sqlite.OperationalError as exc:
        # Not damage: no access (a read-only file or directory), a lock, an I/O error.
        blocked = unwritable_file(path)
        if blocked is not None:  # name the file at fault, not "the store"
            raise StoreError(
                f"{path} cannot be opened ({exc}). It was not changed. It is read-only for "
                f"you: you cannot write {describe_file(blocked)}; `panel-tui doctor` names the fix."
            ) from None
        raise StoreError(
            f"{path} cannot be opened ({exc}). It was not changed. Check that you may read "
            "and write the store and its directory, and that its disk is not full: SQLite "
            "keeps -wal and -shm files beside it, so a read-only file or directory will not do."
        ) from None
    except sqlite.DatabaseError as exc:
        raise StoreError(
            f"{path} is not a panel-tui store or is damaged ({exc}). It was not changed. "
            "Restore it from a backup (see the README's 'Backups' section)."
        ) from None
    finally:
        conn.close()


def check_not_newer(revision: str | None, where: str) -> None:
    if revision is not None and revision not in REVISIONS:
        raise StoreError(
            f"{where} has schema revision {revision}, newer than this panel-tui knows "
            f"(up to {HEAD}). It was not changed. Upgrade panel-tui to open it."
        )


def backup_sqlite(path: Path, revision: str | None) -> Path:
    """An online backup copy of the store beside it, safe while others write."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    dest = path.with_name(f"{path.name}.pre-{revision or 'empty'}-{stamp}.bak")
    # A migration killed earlier in the same second left its copy: keep it, take the next name.
    n = 1
    while dest.exists():
        n += 1
        dest = path.with_name(f"{path.name}.pre-{revision or 'empty'}-{stamp}-{n}.bak")
    # Made first, owner-only (the group's, if the store is group-shared): SQLite keeps
    # an existing file's mode, and would otherwise make it readable by all (umask 022).
    reserve_private(dest, mode_beside(path))
    source = sqlite.connect(path, timeout=10)
    try:
        target = sqlite.connect(dest)
        try:
            source.backup(target)
        finally:
            target.close()
    finally:
        source.close()
    return dest


def upgrade(
    engine: Engine,
    sqlite_file: Path | None,
    *,
    target: str = HEAD,
    progress: Callable[[str], None] | None = None,
) -> Path | None:
    """Bring the store to ``target``; returns the backup written, if any.

    On PostgreSQL only ``init`` calls this (``Store.open(create=True)``): the
    schema is made and migrated under an advisory lock, one process at a time.
    """
    if engine.dialect.name == "postgresql":
        _upgrade_postgres(engine, target, progress)
        return None  # no file to copy: pg_dump is the backup (README)
    with engine.connect() as connection:
        revision = current_revision(connection)
    check_not_newer(revision, str(sqlite_file or engine.url.render_as_string()))
    if revision == target:
        return None
    backup = None
    if sqlite_file is not None and revision is not None and sqlite_file.exists():
        backup = backup_sqlite(sqlite_file, revision)
        if progress:
            progress(f"backed up the store to {backup}")
    from panel_tui.store.engine import write_engine

    # IMMEDIATE: a second process opening the same old store waits, then finds it migrated.
    with write_engine(engine).begin() as connection:
        _run_alembic(connection, target)
    if progress:
        progress(f"migrated the store from {revision or 'empty'} to {target}")
    return backup


def _run_alembic(connection: Connection, target: str) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "panel_tui.store:migrations")
    config.attributes["connection"] = connection
    command.upgrade(config, target)


def _upgrade_postgres(engine: Engine, target: str, progress: Callable[[str], None] | None) -> None:
    from panel_tui.store import postgres

    with engine.begin() as connection:
        postgres.prepare_migration(connection)  # waits for any other init, then the schema
        revision = current_revision(connection)  # read again: another init may have done it
        check_not_newer(revision, postgres.redacted(engine.url.render_as_string(False)))
        if revision == target:
            return
        _run_alembic(connection, target)
    if progress:
        progress(f"migrated the store from {revision or 'empty'} to {target}")
