"""Opening a store: where it is, its schema, its policy, and its transactions."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.pool import PoolProxiedConnection
from sqlmodel import Session

from panel_tui.rules.errors import StoreBusyError, StoreError
from panel_tui.rules.policy import Policy, default_policy, default_policy_text, parse_policy
from panel_tui.store import migrate
from panel_tui.store.constants import DEFAULT_KIND, KIND_KEY, POLICY_KEY, STORE_ID_KEY
from panel_tui.store.engine import (
    is_busy,
    is_damaged,
    make_engine,
    read_engine,
    sqlite_path,
    to_url,
    write_engine,
)
from panel_tui.store.files import chosen_target, refuse_network_filesystem
from panel_tui.store.models import Setting


def damaged_store() -> StoreError:
    return StoreError(
        "the store's file is damaged (SQLite: database disk image is malformed); nothing was "
        "changed. Run `panel-tui doctor`, then restore from a backup (README: Backups)."
    )


def resolve_target(db: str | None) -> str:
    """--db wins, then $PANEL_TUI_DB, then the platformdirs default."""
    return to_url(chosen_target(db))


def _refuse_foreign(path: Path) -> None:
    """A SQLite file with tables but no schema revision is someone else's: leave it alone."""
    from panel_tui.store.sqlite_driver import sqlite

    conn = sqlite.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
    try:
        row = conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "LIMIT 1"
        ).fetchone()
    finally:
        conn.close()
    if row is not None:
        raise StoreError(
            f"{path} is a SQLite database but not a panel-tui store (it has a table "
            f"'{row[0]}'). It was not changed. Give the path of a panel-tui store, or a new file."
        )


class Store:
    """A migrated store: hands out short read sessions and IMMEDIATE write sessions."""

    def __init__(self, url: str, engine: Engine) -> None:
        from panel_tui.store import text_guard

        text_guard.install()  # every text written is checked for controls (rules/text.py)
        self.url = url
        self.engine = engine
        self._writer = write_engine(engine)
        self._reader = read_engine(engine)
        self.path = sqlite_path(url)
        self._policy_text: str | None = None
        self._policy: Policy | None = None
        # A dedicated connection for PRAGMA data_version.
        self._watch: PoolProxiedConnection | None = None
        # The app polls from a worker thread; closing the connection under a running
        # PRAGMA crashed the process (a segfault in sqlite3: seen at a test's teardown).
        self._watch_lock = threading.Lock()
        self.migrated_from: str | None = None  # PostgreSQL init: the revision it migrated from
        self.initialised_before = False  # PostgreSQL init on a store that already had people

    @classmethod
    def open(cls, target: str | None = None, *, create: bool = False) -> Store:
        """Open (and migrate) the store. ``create`` allows a new file to be made."""
        url = resolve_target(target)
        from panel_tui.store import postgres

        if postgres.is_postgres(url):
            return cls._open_postgres(url, create=create)
        path = sqlite_path(url)
        if path is not None:
            if not path.exists():
                if not create:
                    raise StoreError(
                        f"no store at {path}. Create one with `panel-tui init --db {path}` "
                        "or try `panel-tui demo`."
                    )
                path.parent.mkdir(parents=True, exist_ok=True)
                refuse_network_filesystem(path)  # before the file exists: leave nothing there
                # Owner-only from the start (SQLite would make it 0644 under umask 022);
                # its -wal and -shm take the same mode.
                from panel_tui.store.private_files import reserve_private

                reserve_private(path)
            else:
                revision = migrate.sqlite_revision(path)
                migrate.check_not_newer(revision, str(path))
                if revision is None:
                    _refuse_foreign(path)
        engine = make_engine(url)
        try:
            migrate.upgrade(engine, path)
        except OperationalError as exc:
            engine.dispose()
            raise StoreError(f"the store at {path or url} cannot be opened: {exc.orig}") from None
        except BaseException:
            engine.dispose()
            raise
        return cls(url, engine)

    @classmethod
    def _open_postgres(cls, url: str, *, create: bool) -> Store:
        """Open a PostgreSQL store; only ``create`` (init) makes or migrates its schema."""
        from panel_tui.store import postgres

        engine = make_engine(url)
        try:
            with engine.connect() as connection:
                revision = migrate.current_revision(connection)
                migrate.check_not_newer(revision, postgres.redacted(url))
                if revision is None and not create:
                    postgres.refuse_missing(url, connection)
            if revision != migrate.HEAD:
                if not create:
                    postgres.refuse_older(url, str(revision), migrate.HEAD)
                migrate.upgrade(engine, None)
        except DatabaseError as exc:
            engine.dispose()
            raise postgres.cannot_open(url, exc) from None
        except BaseException:
            engine.dispose()
            raise
        store = cls(url, engine)
        if revision is not None and revision != migrate.HEAD:
            store.migrated_from = revision
        return store

    @property
    def label(self) -> str:
        if self.path:
            return str(self.path)
        return self.engine.url.render_as_string(hide_password=True)

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def close(self) -> None:
        with self._watch_lock:
            if self._watch is not None:
                self._watch.close()
                self._watch = None
        self.engine.dispose()

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A short read transaction (deferred BEGIN on SQLite: never blocks the writer).

        One snapshot: on PostgreSQL a REPEATABLE READ, read-only transaction, so a
        queue's count and its page, or a dispute's detail, never mix two commits.
        A read that waited out the busy timeout (a checkpoint or a writer holding
        the file exclusively) raises StoreBusyError, which callers may retry.
        """
        try:
            with Session(self._reader, expire_on_commit=False) as session, session.begin():
                yield session
        except DatabaseError as exc:
            if is_busy(exc):
                raise StoreBusyError(
                    "the store is busy: another user held it for longer than 10 seconds; try again."
                ) from None
            if self.is_postgres:
                from panel_tui.store import postgres

                raise postgres.cannot_open(self.url, exc) from None
            if is_damaged(exc):
                raise damaged_store() from None
            raise

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction, committed on success (BEGIN IMMEDIATE on SQLite)."""
        try:
            with Session(self._writer, expire_on_commit=False) as session, session.begin():
                if self.is_postgres:
                    from panel_tui.store.postgres import CHAIN_LOCK

                    # Serialise writers so the event chain's head is extended by one at a
                    # time; waiting longer than lock_timeout is "busy", as on SQLite.
                    session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": CHAIN_LOCK})
                yield session
        except DatabaseError as exc:
            if is_busy(exc):
                raise StoreBusyError() from None
            if is_damaged(exc):
                raise damaged_store() from None
            raise

    # --- settings ---------------------------------------------------------
    def setting(self, key: str) -> str | None:
        with self.read() as session:
            row = session.get(Setting, key)
            return row.value if row else None

    def policy(self, session: Session | None = None) -> Policy:
        """The store's policy (the shipped default until one is installed).

        Given a session, read it there: a write checks its rules against the
        policy as it stands inside the same transaction.
        """
        if session is not None:
            row = session.get(Setting, POLICY_KEY)
            text_value = row.value if row else None
        else:
            text_value = self.setting(POLICY_KEY)
        if text_value is None:
            return default_policy()
        if text_value != self._policy_text:
            self._policy = parse_policy(text_value, source="the store's policy")
            self._policy_text = text_value
        assert self._policy is not None
        return self._policy

    def policy_text(self) -> str:
        return self.setting(POLICY_KEY) or default_policy_text()

    def identity(self) -> str:
        """What names this store outside it: its id, made at init (older stores: its path)."""
        return self.setting(STORE_ID_KEY) or f"path:{self.label}"

    def kind(self) -> str:
        return self.setting(KIND_KEY) or DEFAULT_KIND

    def data_version(self) -> int:
        """Changes when any other connection commits (SQLite); cheap enough to poll."""
        if not self.is_sqlite:
            with self.read() as session:
                return int(session.execute(text("SELECT max(id) FROM event")).scalar() or 0)
        # data_version is per connection, so keep one connection for polling.
        with self._watch_lock:
            if self._watch is None:
                self._watch = self.engine.raw_connection()
            cursor = self._watch.cursor()
            try:
                return int(cursor.execute("PRAGMA data_version").fetchone()[0])
            finally:
                cursor.close()
