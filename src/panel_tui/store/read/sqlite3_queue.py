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

from panel_tui.store.constants import KIND_KEY, POLICY_KEY
from panel_tui.store.migrate import HEAD
from panel_tui.store.read import live_text, queue_sql
from panel_tui.store.read.interrupt import Interrupt, attached
from panel_tui.store.read.queue_models import QueueFilter, QueueRules
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


def _text(conn: sqlite.Connection) -> live_text.TextIndex:
    """A rare search's candidates from the live text index (migration 0014), each text
    asked once per snapshot (a page and its count ask alike)."""

    def has_index() -> bool:
        return bool(
            conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (live_text.TABLE,)
            ).fetchone()
        )

    return live_text.TextIndex(_runner(conn), has_index)


def _filter_sql(
    conn: sqlite.Connection,
    f: QueueFilter,
    at: datetime,
    rules: QueueRules,
    *,
    steer: bool = True,
    text_index: bool = True,
) -> tuple[str, list]:
    """A page's WHERE and its parameters (tests EXPLAIN it with ``page_sql``; without the
    text index, the scan a common term keeps)."""
    find_text = _text(conn) if text_index else None
    return queue_sql.filter_sql(
        _person(conn), SQLITE, f, at, rules, steer=steer, find_text=find_text
    )


def page_sql(f: QueueFilter) -> str:
    """The page query's text, its WHERE left as ``{where}`` (tests EXPLAIN it)."""
    return queue_sql.page_sql(f, SQLITE)


#: ``PRAGMA mmap_size`` of a one-pass read: the whole file (SQLite maps no more than the
#: file, and no more than its build allows: pysqlite3's 1 TiB, often 2 GiB elsewhere).
MAPPED = 1 << 40


@contextmanager
def reading(
    head: StoreHead, interrupt: Interrupt | None = None, *, mapped: bool = False
) -> Iterator[queue_sql.Reader]:
    """One read-only snapshot of the file for ``queue_sql.read_page``/``read_every_row``;
    ``interrupt`` can stop it from another thread.

    ``mapped``: the file is read through a memory map rather than a ``pread`` a page.
    ``queue --breached`` at 1,000,000 disputes reads about 20,000 pages scattered over
    the 13 GB file (each row and its lookups); their syscalls were 40-60 ms of its
    system time, the map's page faults about a third of that. Only the one-pass read asks
    for it: a page of 100 reads a few hundred pages, where the map gains nothing.
    """
    with _read_only(head.path) as conn, attached(interrupt, conn):
        if mapped:
            conn.execute(f"PRAGMA mmap_size = {MAPPED}")
        conn.execute("BEGIN")  # one snapshot for the count, the page and its lookups
        yield queue_sql.Reader(_runner(conn), _person(conn), SQLITE, _text(conn))
        conn.rollback()
