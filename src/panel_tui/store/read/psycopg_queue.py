"""The quick queue read (``quick_queue.py``) on a PostgreSQL store, through psycopg alone.

No SQLAlchemy: the URL goes to libpq as the user wrote it (any usual spelling,
the driver's ``+psycopg`` taken off), with the connection settings every store
connection has (``postgres.connect_args``: the store's schema, a lock timeout);
each read is one REPEATABLE READ, read-only transaction (one snapshot for the
count, the page and its lookups, as ``Store.read`` takes them). The SQL text is
``queue_sql.py``'s, in PostgreSQL's dialect.

Only a store at this release's schema revision is read: ``settings`` says None
for anything else, and for a server that cannot be reached or refuses us, and
``Store.open`` then says what is wrong in full (its password hidden).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import psycopg

from panel_tui.store.constants import KIND_KEY, POLICY_KEY
from panel_tui.store.migrate import HEAD
from panel_tui.store.postgres import SCHEMA, VERSION_TABLE, connect_args
from panel_tui.store.read import queue_sql
from panel_tui.store.read.interrupt import Interrupt, attached
from panel_tui.store.read.queue_sql import POSTGRES

if TYPE_CHECKING:
    from panel_tui.store.read.quick_queue import StoreHead


def libpq_url(url: str) -> str:
    """The URL as libpq reads it: ``postgres://``, ``postgresql://`` or a SQLAlchemy
    ``postgresql+driver://`` spelling, all as ``postgresql://``."""
    _, _, rest = url.partition("://")
    return f"postgresql://{rest}"


def database_name(url: str) -> str:
    """The database a URL names (its path, without the query), for a title."""
    _, _, rest = url.partition("://")
    path = rest.partition("/")[2]
    return path.partition("?")[0] or "postgres"


@contextmanager
def _snapshot(url: str | None) -> Iterator[psycopg.Connection[Any]]:
    """A read-only connection in one REPEATABLE READ transaction, rolled back after."""
    assert url is not None, "a PostgreSQL head names its URL"
    conn = psycopg.connect(libpq_url(url), **connect_args())
    try:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        yield conn
    finally:
        conn.close()  # never committed: the transaction ends with the connection


def settings(url: str) -> dict[str, str] | None:
    """The store's kind and policy settings, if the database holds a store at this
    release's revision; None means: open it the full way (it says what is wrong)."""
    try:
        with _snapshot(url) as conn:
            found = conn.execute(
                "SELECT to_regclass(%s)", (f"{SCHEMA}.{VERSION_TABLE}",)
            ).fetchone()
            if found is None or found[0] is None:
                return None
            row = conn.execute(f"SELECT version_num FROM {SCHEMA}.{VERSION_TABLE}").fetchone()
            if row is None or row[0] != HEAD:
                return None
            return dict(
                conn.execute(
                    "SELECT key, value FROM setting WHERE key IN (%s, %s)", (KIND_KEY, POLICY_KEY)
                ).fetchall()
            )
    except psycopg.Error:
        return None  # Store.open says what is wrong with it, in full (password hidden)


def _runner(conn: psycopg.Connection[Any]) -> queue_sql.Run:
    def run(sql: str, params: Sequence[Any]) -> Any:
        return conn.execute(POSTGRES.marks(sql), params)

    return run


def _person(conn: psycopg.Connection[Any]) -> queue_sql.FindPerson:
    def find(login: str) -> tuple[int, str] | None:
        return conn.execute("SELECT id, roles FROM person WHERE login = %s", (login,)).fetchone()

    return find


def agency_codes(head: StoreHead) -> list[str]:
    """``[a.code for a in queries.agencies(store)]``, on psycopg."""
    with _snapshot(head.url) as conn:
        return [code for (code,) in conn.execute("SELECT code FROM agency ORDER BY code")]


@contextmanager
def reading(head: StoreHead, interrupt: Interrupt | None = None) -> Iterator[queue_sql.Reader]:
    """One REPEATABLE READ, read-only snapshot for ``queue_sql.read_page``/``read_every_row``;
    ``interrupt`` can stop it from another thread (a cancel request)."""
    with _snapshot(head.url) as conn, attached(interrupt, conn):
        yield queue_sql.Reader(_runner(conn), _person(conn), POSTGRES)
