"""The one engine factory: every SQLite (and later PostgreSQL) specific lives here.

SQLite is configured the careful way, per connection:

* WAL, so readers never block the writer and the writer never blocks readers;
* ``foreign_keys=ON``;
* ``busy_timeout`` of 10 s, so a writer waits for another instead of failing;
* ``synchronous=FULL``: a recorded decision must survive a power cut;
* write transactions begin ``IMMEDIATE``. A deferred transaction that reads and
  then writes fails at once with "database is locked" when another writer got
  in between — the busy timeout cannot help it — so writes take the lock first.

The SQLite driver (``sqlite_driver``: pysqlite3 or the standard library's
sqlite3) is put in autocommit mode so that we, not it, say
BEGIN. Engines are never created at import time.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Engine, create_engine, event, func
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.sql import ColumnElement

from panel_tui.rules.errors import StoreError
from panel_tui.store.files import refuse_network_filesystem
from panel_tui.store.sqlite_driver import sqlite

BUSY_TIMEOUT_MS = 10_000
# SQLite's primary result codes (https://sqlite.org/rescode.html): what a failure was,
# read from the driver's error instead of from its wording.
SQLITE_BUSY, SQLITE_LOCKED, SQLITE_READONLY, SQLITE_FULL = 5, 6, 8, 13
SQLITE_CORRUPT, SQLITE_NOTADB = 11, 26
SECONDS_PER_DAY = 86400.0
WRITE_OPTION = "panel_tui_write"


def sqlite_code(exc: BaseException) -> int | None:
    """The primary SQLite result code of a driver error (or of SQLAlchemy's wrapper of one)."""
    orig = getattr(exc, "orig", None) or exc
    code = getattr(orig, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def is_busy(exc: BaseException) -> bool:
    """Another connection holds the lock (SQLITE_BUSY / SQLITE_LOCKED, extended codes too;
    on PostgreSQL a lock timeout, serialization failure, deadlock or lost connection)."""
    from panel_tui.store import postgres

    return sqlite_code(exc) in (SQLITE_BUSY, SQLITE_LOCKED) or postgres.is_busy(exc)


def is_damaged(exc: BaseException) -> bool:
    """The file itself is damaged (SQLITE_CORRUPT / SQLITE_NOTADB): no retry will help."""
    return sqlite_code(exc) in (SQLITE_CORRUPT, SQLITE_NOTADB)


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL; None for other databases or in-memory SQLite."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        return None
    return Path(database)


def to_url(target: str | os.PathLike[str]) -> str:
    """A SQLAlchemy URL from what the user gave: a URL, or a path to a SQLite file."""
    text = os.fspath(target)
    if "://" in text:
        from panel_tui.store import postgres

        scheme = text.partition("://")[0]
        if postgres.is_postgres(text):
            url = postgres.normalise_url(text)
        elif scheme.lower() in ("sqlite", "sqlite+pysqlite"):
            url = text
        else:  # anything else would end in SQLAlchemy's "Can't load plugin" traceback
            raise StoreError(
                f"{scheme[:40]}:// is not a store panel-tui opens: give a SQLite file's path "
                "(or sqlite:///PATH) or a PostgreSQL URL (postgresql://…)"
            )
        try:
            make_url(url)
        except (ValueError, ArgumentError):
            # One line, and never the text itself: it may hold a password.
            form = "postgresql://USER@HOST:PORT/DATABASE" if url != text else "sqlite:///PATH"
            raise StoreError(
                f"the {scheme[:40]}:// URL cannot be read (its host, port or database); "
                f"write it as {form}"
            ) from None
        return url
    return f"sqlite:///{Path(text).expanduser().resolve()}"


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Autocommit at the driver level: BEGIN is issued by _on_begin below.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        mode = cursor.execute("PRAGMA journal_mode = WAL").fetchone()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.close()
        if mode and str(mode[0]).lower() not in ("wal", "memory"):
            raise StoreError(f"the store could not be put in WAL mode (got {mode[0]})")

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        write = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def _refuse_nul(
    _conn: Any, _cursor: Any, _statement: str, parameters: Any, _context: Any, _many: bool
) -> None:
    """PostgreSQL cannot hold U+0000 in text, not even to look it up: refuse it as bad input.

    SQLite finds nothing for a NUL and the text guard refuses it at flush; on
    PostgreSQL the lookup before that flush (is this login taken?) would be the
    driver's DataError, a traceback.
    """
    rows = parameters if isinstance(parameters, list) else [parameters]
    for row in rows:
        values = row.values() if isinstance(row, dict) else row or ()
        if any(isinstance(v, str) and "\x00" in v for v in values):
            from panel_tui.rules.errors import InvalidInputError

            raise InvalidInputError(
                "the text holds NUL (U+0000), which the store cannot hold", field="text"
            )


def make_engine(url: str) -> Engine:
    """An engine for the store at ``url`` with our per-connection settings."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = sqlite_path(url)
        if path is not None:
            refuse_network_filesystem(path)
        engine = create_engine(
            url,
            module=sqlite,  # the driver sqlite_driver chose: pysqlite3 where it has a wheel
            connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
        )
        _configure_sqlite(engine)
        return engine
    if parsed.get_backend_name() == "postgresql":
        from panel_tui.store import postgres

        postgres.require_driver()
        engine = create_engine(
            url, pool_pre_ping=True, connect_args=postgres.connect_args(), hide_parameters=True
        )
        event.listen(engine, "before_cursor_execute", _refuse_nul)
        return engine
    return create_engine(url, pool_pre_ping=True)


def read_engine(engine: Engine) -> Engine:
    """Reads as one snapshot: on PostgreSQL a REPEATABLE READ, read-only transaction."""
    if engine.dialect.name != "postgresql":
        return engine
    return engine.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)


def write_engine(engine: Engine) -> Engine:
    """The same engine whose transactions begin IMMEDIATE (SQLite)."""
    return engine.execution_options(**{WRITE_OPTION: True})


def seconds_between(dialect_name: str, later: Any, earlier: Any) -> ColumnElement[float]:
    """SQL for ``later − earlier`` in seconds, as a float.

    SQLite stores instants as text, so the difference goes through julianday
    (days, fractional); PostgreSQL subtracts timestamps to an interval and
    reads its epoch.
    """
    if dialect_name == "sqlite":
        return (func.julianday(later) - func.julianday(earlier)) * SECONDS_PER_DAY
    # SQLAlchemy types EXTRACT as an integer; an epoch difference has a fraction.
    return cast("ColumnElement[float]", func.extract("epoch", later - earlier))


def refresh_statistics(engine: Engine) -> None:
    """ANALYZE after a bulk load, so the planner picks the queue's indexes."""
    with write_engine(engine).begin() as connection:
        connection.exec_driver_sql("ANALYZE")


def checkpoint_wal(engine: Engine) -> None:
    """Fold a big transaction's WAL back into the file, so the WAL does not stay huge."""
    if engine.dialect.name != "sqlite":
        return
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        cursor.close()
    finally:
        raw.close()


@contextmanager
def unsynced(engine: Engine) -> Iterator[None]:
    """Commits without an fsync each, then one at the end: only for a store being built.

    The demo writes its first disputes through the Ledger, an operation per
    commit (some 430), and ``synchronous=FULL`` waits for the disk on every
    one: most of a first ``demo``'s time on a busy disk. A store being built
    is new, nobody else has it open, and a failed build is deleted, so its
    commits need not survive a power cut one by one. On the way out the pool
    is emptied (later connections are FULL again) and the WAL is folded into
    the file by a FULL connection, which syncs it: once built, the store is
    as durable as any.
    """
    if engine.dialect.name != "sqlite":
        yield
        return

    def no_sync(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA synchronous = OFF")  # after _on_connect's FULL

    with _connections_set_by(engine, no_sync):
        yield
    checkpoint_wal(engine)


@contextmanager
def _connections_set_by(engine: Engine, on_connect: Any) -> Iterator[None]:
    """Every connection opened inside runs ``on_connect`` after _on_connect's settings.
    The pool is emptied on the way in (its connections were opened without it) and on the
    way out (so later connections have the store's own settings again)."""
    engine.dispose()
    event.listen(engine, "connect", on_connect)
    try:
        yield
    finally:
        event.remove(engine, "connect", on_connect)
        engine.dispose()


#: The page cache of a bulk load's connection, in KiB: the indexes a million disputes
#: touch stay in memory rather than going back and forth to the OS (the default is 2 MB).
BULK_CACHE_KIB = 256 * 1024


@contextmanager
def bulk_loading(engine: Engine) -> Iterator[None]:
    """Connections for a bulk load into a store being built: no foreign-key checks, a big
    page cache.

    The bulk demo gives every row its ids itself, from the store's own (the agencies,
    the people, the disputes it makes); the tests hold its rows equal to the Ledger's
    and run ``PRAGMA foreign_key_check`` on what it built. Checking each of millions of
    rows' parents again, a B-tree look-up per foreign key, is work the build need not
    repeat. On the way out the pool is emptied: later connections check keys again.
    """
    if engine.dialect.name != "sqlite":
        yield
        return

    def loading(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA foreign_keys = OFF")  # after _on_connect's ON
        dbapi_connection.execute(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")

    with _connections_set_by(engine, loading):
        yield
