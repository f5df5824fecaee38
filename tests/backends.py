"""The backend a test run uses: SQLite files by default, a real PostgreSQL server on request.

``PANEL_TUI_TEST_BACKEND=postgresql`` with ``PANEL_TUI_TEST_PG_URL`` (a superuser's URL
on a throwaway cluster; ``.ci/pg-cluster`` starts one) makes the tests marked
``backend`` run on PostgreSQL, each in a database of its own, and lets the tests
marked ``postgres`` (PostgreSQL only) run at all. ``.ci/run`` does both runs; the
README's ``uv run pytest`` deselects ``postgres`` (pyproject's addopts). Never a mock:
a test that needs the server and has none fails, saying how to start one.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

ENV_BACKEND = "PANEL_TUI_TEST_BACKEND"
ENV_PG_URL = "PANEL_TUI_TEST_PG_URL"


def backend() -> str:
    return os.environ.get(ENV_BACKEND, "sqlite")


def on_postgres() -> bool:
    return backend() == "postgresql"


def admin_url() -> str:
    url = os.environ.get(ENV_PG_URL)
    if not url:
        raise RuntimeError(
            f"{ENV_PG_URL} is not set: PostgreSQL tests need a real server. Start one with "
            "`.ci/pg-cluster start DIR PORT` (it prints the URL), or run `bash .ci/run`."
        )
    return url


def database_url(name: str, *, user: str | None = None, password: str | None = None) -> str:
    """The admin URL pointed at database ``name`` (as ``user``, if given)."""
    from sqlalchemy.engine import make_url

    url = make_url(admin_url()).set(database=name)
    if user is not None:
        url = url._replace(username=user, password=password)  # set() keeps a None's old value
    return url.render_as_string(hide_password=False)


@contextmanager
def admin_connection(database: str = "postgres") -> Iterator[Any]:
    import psycopg

    conn = psycopg.connect(database_url(database).replace("+psycopg", ""), autocommit=True)
    try:
        yield conn
    finally:
        conn.close()


def create_database(template: str | None = None, owner: str | None = None) -> str:
    """A new, empty (or copied from ``template``) database; its name."""
    name = f"t_{uuid.uuid4().hex[:16]}"
    clauses = (f" TEMPLATE {template}" if template else "") + (f" OWNER {owner}" if owner else "")
    with admin_connection() as conn:
        conn.execute(f"CREATE DATABASE {name}{clauses}")
    return name


def drop_database(name: str) -> None:
    with admin_connection() as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@contextmanager
def fresh_database(template: str | None = None, owner: str | None = None) -> Iterator[str]:
    name = create_database(template, owner)
    try:
        yield name
    finally:
        drop_database(name)


def cli_env(home: Any) -> dict[str, str]:
    """A command line's environment for a test: its own data and config, no password."""
    env = dict(os.environ)
    env.update(
        XDG_DATA_HOME=str(home / "data"),
        XDG_CONFIG_HOME=str(home / "config"),
        NO_COLOR="1",
        COLUMNS="200",
    )
    env.pop("PANEL_TUI_DB", None)
    env.pop("PGPASSWORD", None)
    return env


def tables_at(target: str) -> list[str]:
    """The tables a store target holds, read directly (a missing SQLite file holds none)."""
    if "://" in target:
        from sqlalchemy.engine import make_url

        with admin_connection(str(make_url(target).database)) as conn:
            rows = conn.execute(
                "SELECT table_schema || '.' || table_name FROM information_schema.tables "
                "WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1"
            ).fetchall()
        return [r[0] for r in rows]
    import sqlite3
    from pathlib import Path

    if not Path(target).exists():
        return []
    conn = sqlite3.connect(f"file:{target}?mode=ro", uri=True)
    try:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY 1")
        return [r[0] for r in rows.fetchall()]
    finally:
        conn.close()


class Row(tuple):  # type: ignore[type-arg]
    """A row read by position or by column name, as ``sqlite3.Row`` is (``dict(row)`` too)."""

    _names: tuple[str, ...] = ()

    def __getitem__(self, key: Any) -> Any:  # type: ignore[override]
        if isinstance(key, str):
            return tuple.__getitem__(self, self._names.index(key))
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._names)


def as_sqlite_holds_it(value: Any) -> Any:
    """A value as SQLite hands it back: times and dates as the text SQLAlchemy stores there
    (naive UTC, always with microseconds), so a test compares one form on both backends."""
    import datetime as dt

    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _row_factory(cursor: Any) -> Any:
    names = tuple(c.name for c in cursor.description or ())

    def make(values: Any) -> Row:
        row = Row(as_sqlite_holds_it(v) for v in values)
        row._names = names
        return row

    return make


def pg_connect(database: str) -> Any:
    """A connection to a store's database as its owner would open one in psql: in the
    store's schema, each statement committed, rows readable as ``sqlite3.Row``s are."""
    import psycopg

    url = database_url(database).replace("+psycopg", "")
    return psycopg.connect(
        url, autocommit=True, options="-c search_path=panel_tui", row_factory=_row_factory
    )


def pg_run(conn: Any, query: str, *args: Any) -> list[Row]:
    """``query`` (written for sqlite3: ``?`` placeholders) on a ``pg_connect`` connection."""
    if args:
        query = query.replace("%", "%%").replace("?", "%s")
    cursor = conn.execute(query, args or None)
    return cursor.fetchall() if cursor.description is not None else []  # an UPDATE: none


def pg_query(database: str, query: str, *args: Any) -> list[Row]:
    """``query`` (written for sqlite3: ``?`` placeholders) on a store's database, as its
    owner would run it in psql: in the store's schema, outside the code under test."""
    with pg_connect(database) as conn:
        return pg_run(conn, query, *args)


def database_of(target: str) -> str:
    """The database a PostgreSQL store URL names."""
    from sqlalchemy.engine import make_url

    return str(make_url(target).database)


def target_of(store: Any) -> str:
    """What names an open Store to ``Store.open``, ``peek`` or another process: its
    SQLite file, or its PostgreSQL URL (with the test cluster's password)."""
    return str(store.path) if store.path is not None else str(store.url)


def store_sql(store: Any, query: str, *args: Any) -> list[Any]:
    """``query`` (``?`` marks) on an open Store's own database, outside the code under test:
    sqlite3 on its file, or psycopg as its owner (times and dates as SQLite holds them)."""
    if store.path is None:
        return pg_query(database_of(store.url), query, *args)
    from panel_tui.store.sqlite_driver import sqlite as sqlite3

    conn = sqlite3.connect(store.path)
    try:
        with conn:
            return conn.execute(query, args).fetchall()
    finally:
        conn.close()
