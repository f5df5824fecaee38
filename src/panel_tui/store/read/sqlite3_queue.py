"""The quick queue read (``quick_queue.py``) on a SQLite file, through its bare driver.

``store/sqlite_driver.py``'s connection, read-only, one snapshot per read;
the SQL text is ``queue_sql.py``'s, in SQLite's dialect. Only a file at this
release's schema revision is read: ``settings`` says None for anything else,
and ``Store.open`` then migrates or refuses it as before.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from panel_tui.rules.clocks import utc
from panel_tui.store.constants import KIND_KEY, POLICY_KEY
from panel_tui.store.migrate import HEAD
from panel_tui.store.read import queue_sql
from panel_tui.store.read.interrupt import Interrupt, attached
from panel_tui.store.read.queue_models import QueueFilter, QueuePage, QueueRow, QueueRules
from panel_tui.store.read.queue_sql import SQLITE
from panel_tui.store.sqlite_driver import sqlite

if TYPE_CHECKING:
    from panel_tui.store.read.quick_queue import StoreHead


@contextmanager
def _read_only(path: Path | None) -> Iterator[sqlite.Connection]:
    assert path is not None, "a SQLite head names its file"
    with closing(sqlite.connect(f"file:{path}?mode=ro", uri=True, timeout=10)) as conn:
        yield conn


def settings(path: Path) -> dict[str, str] | None:
    """The store's kind and policy settings, if the file is a store at this release's
    revision; None means: open it the full way (it says what is wrong)."""
    try:
        with _read_only(path) as conn:
            (revision,) = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            if revision != HEAD:
                return None
            return dict(
                conn.execute(
                    "SELECT key, value FROM setting WHERE key IN (?, ?)", (KIND_KEY, POLICY_KEY)
                ).fetchall()
            )
    except (sqlite.Error, TypeError):
        return None  # Store.open says what is wrong with it, in full


def _runner(conn: sqlite.Connection) -> queue_sql.Run:
    def run(sql: str, params: Sequence[Any]) -> Any:
        return conn.execute(sql, params)

    return run


def _person(conn: sqlite.Connection) -> queue_sql.FindPerson:
    def find(login: str) -> tuple[int, str] | None:
        return conn.execute("SELECT id, roles FROM person WHERE login = ?", (login,)).fetchone()

    return find


def agency_codes(head: StoreHead) -> list[str]:
    """``[a.code for a in queries.agencies(store)]``, on sqlite3."""
    with _read_only(head.path) as conn:
        return [code for (code,) in conn.execute("SELECT code FROM agency ORDER BY code")]


def _filter_sql(
    conn: sqlite.Connection, f: QueueFilter, at: datetime, rules: QueueRules, *, steer: bool = True
) -> tuple[str, list]:
    return queue_sql.filter_sql(_person(conn), SQLITE, f, at, rules, steer=steer)


def page_sql(f: QueueFilter) -> str:
    """The page query's text, its WHERE left as ``{where}`` (tests EXPLAIN it)."""
    return queue_sql.page_sql(f, SQLITE)


def page(
    head: StoreHead,
    f: QueueFilter,
    at: datetime,
    *,
    offset: int = 0,
    limit: int = 100,
    total_limit: int | None = None,
    interrupt: Interrupt | None = None,
) -> QueuePage:
    """``orm_queries.queue_page(store, f, at, offset=..., limit=..., total_limit=...)``, on
    the bare driver; ``interrupt`` can stop it from another thread."""
    at = utc(at)
    with _read_only(head.path) as conn, attached(interrupt, conn):
        conn.execute("BEGIN")  # one snapshot for the count, the page and its lookups
        rules = head.rules
        run = _runner(conn)
        rows = queue_sql.page_rows(run, SQLITE, f, _filter_sql(conn, f, at, rules), offset, limit)
        total = 0
        if total_limit != 0 and offset <= 0 and len(rows) < limit:
            # The first page holds them all: counted already.
            total = len(rows) if total_limit is None else min(len(rows), total_limit)
        elif total_limit != 0:
            count_where, count_params = _filter_sql(conn, f, at, rules, steer=False)
            (total,) = conn.execute(
                queue_sql.count_sql(count_where, total_limit), count_params
            ).fetchone()
        built = queue_sql.built(run, SQLITE, rules, rows, at)
        conn.rollback()
    return QueuePage(rows=built, total=total, offset=offset, at=at)


def every_row(
    head: StoreHead, f: QueueFilter, at: datetime, *, limit: int | None = None, chunk: int = 1000
) -> list[QueueRow]:
    """``orm_queries.every_row``: the whole filtered queue in order, in one pass.

    One query read to its end in one snapshot (no OFFSET pages, each counting
    and skipping again what the last one read), its lookups a chunk at a time.
    """
    at = utc(at)
    out: list[QueueRow] = []
    with _read_only(head.path) as conn:
        conn.execute("BEGIN")
        rules = head.rules
        where, params = _filter_sql(conn, f, at, rules)
        cursor = conn.execute(
            page_sql(f).format(where=where),
            (*params, SQLITE.no_limit if limit is None else limit, 0),
        )
        run = _runner(conn)
        while batch := cursor.fetchmany(chunk):
            out += queue_sql.built(run, SQLITE, rules, queue_sql.disputes(batch, SQLITE), at)
        conn.rollback()
    return out
