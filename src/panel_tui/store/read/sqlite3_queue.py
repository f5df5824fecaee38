"""The quick queue read (``quick_queue.py``) on a SQLite file, through its bare driver.

``store/sqlite_driver.py``'s connection, read-only, one snapshot per read;
the SQL text is ``queue_sql.py``'s, in SQLite's dialect. Only a file at this
release's schema revision is read: ``settings`` says None for anything else,
and ``Store.open`` then migrates or refuses it as before.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from panel_tui.store.constants import KIND_KEY, POLICY_KEY
from panel_tui.store.migrate import HEAD
from panel_tui.store.read import live_text, queue_sql
from panel_tui.store.read.interrupt import Cancelled, Interrupt, attached
from panel_tui.store.read.queue_models import QueueFilter, QueueRules
from panel_tui.store.read.queue_sql import SQLITE
from panel_tui.store.sqlite_driver import sqlite

if TYPE_CHECKING:
    from panel_tui.store.read.quick_queue import StoreHead


@contextmanager
def _read_only(path: Path | None) -> Iterator[sqlite.Connection]:
    assert path is not None, "a SQLite head names its file"
    with closing(_connect(path)) as conn:
        yield conn


def _connect(path: Path) -> sqlite.Connection:
    # Any thread: a kept connection serves the next read's worker, one read at a time.
    return sqlite.connect(f"file:{path}?mode=ro", uri=True, timeout=10, check_same_thread=False)


#: Read-only connections kept open between the app's page reads, a few per file: a new
#: connection reads the whole schema before its first statement (about 1.4 ms, at
#: 1,000,000 disputes a sixth of a filter key's read, which decides whether its rows
#: make the key's frame). Keyed by the file's identity as well as its path: a store
#: replaced at the same path (a restore, a rebuilt demo) is never read through a
#: connection to the file it replaced.
_KEPT: OrderedDict[tuple[str, int, int], list[sqlite.Connection]] = OrderedDict()
_KEPT_LOCK = threading.Lock()
#: A page's read and the exact count after it can run at once.
KEEP_PER_FILE = 2
#: Files with kept connections (a test run opens hundreds, the app one).
KEEP_FILES = 4


def _identity(path: Path) -> tuple[str, int, int] | None:
    try:
        found = os.stat(path)
    except OSError:
        return None  # connecting says what is wrong
    return str(path), found.st_dev, found.st_ino


@contextmanager
def _kept(path: Path | None) -> Iterator[sqlite.Connection]:
    """A read-only connection to ``path``, kept for the next read when this one ends
    well or was stopped (a newer filter's: the queue stops one on most keys, and a new
    connection for the next read cost its schema and a cold cache); one that failed
    otherwise is closed."""
    assert path is not None, "a SQLite head names its file"
    key = _identity(path)
    conn = None
    with _KEPT_LOCK:
        idle = _KEPT.get(key) if key is not None else None
        if idle:
            conn = idle.pop()
    conn = conn or _connect(path)
    try:
        yield conn
    except Cancelled:
        _keep(key, conn)
        raise
    except BaseException:
        conn.close()
        raise
    _keep(key, conn)


def _keep(key: tuple[str, int, int] | None, conn: sqlite.Connection) -> None:
    """Give ``conn`` back for the next read, if it answers as new: its snapshot ended, and
    a statement the interrupt stopped leaves nothing pending (SQLite clears an interrupt
    once no statement runs; ``SELECT 1`` shows it did). Else close it."""
    try:
        conn.rollback()
        sound = conn.execute("SELECT 1").fetchone() == (1,)
    except sqlite.Error:
        sound = False
    if key is None or not sound:
        conn.close()
        return
    closing_now: list[sqlite.Connection] = []
    with _KEPT_LOCK:
        idle = _KEPT.setdefault(key, [])
        _KEPT.move_to_end(key)
        if len(idle) < KEEP_PER_FILE:
            idle.append(conn)
        else:
            closing_now.append(conn)
        while len(_KEPT) > KEEP_FILES:
            closing_now.extend(_KEPT.popitem(last=False)[1])
    for extra in closing_now:
        extra.close()


def settings(path: Path) -> dict[str, str] | None:
    """The store's kind and policy settings, if the file is a store at this release's
    revision; None means: open it the full way (it says what is wrong)."""
    try:
        with _kept(path) as conn:  # the first page is read on it next
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
    with _kept(head.path) as conn:
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
    # A one-pass read's mapped connection is not kept: the app's pages keep SQLite's reads.
    connected = _read_only(head.path) if mapped else _kept(head.path)
    with connected as conn, attached(interrupt, conn):
        if mapped:
            conn.execute(f"PRAGMA mmap_size = {MAPPED}")
        conn.execute("BEGIN")  # one snapshot for the count, the page and its lookups
        yield queue_sql.Reader(_runner(conn), _person(conn), SQLITE, _text(conn))
        conn.rollback()
