"""The quick reader keeps its read-only connections between the app's page reads.

A new connection reads the schema before its first statement (about 1.4 ms, a sixth
of a filter key's read at 1,000,000 disputes), so pages are read on kept ones. These
tests hold what keeping must not change: each read is its own snapshot, a store
replaced at the same path is read as it is now, a read that failed or was stopped
leaves nothing behind, and a run that opens many stores keeps a few connections only.
"""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import pytest
from worlds import World

from panel_tui.store.read import quick_queue, sqlite3_queue
from panel_tui.store.read.interrupt import Cancelled, Interrupt, attached
from panel_tui.store.read.queue_models import QueueFilter
from panel_tui.store.sqlite_driver import sqlite


@pytest.fixture
def connects(monkeypatch: pytest.MonkeyPatch) -> list[sqlite.Connection]:
    """Every new connection the quick reader makes; none kept from before the test."""
    made: list[sqlite.Connection] = []
    connect = sqlite3_queue._connect

    def counted(path: Path) -> sqlite.Connection:
        made.append(connect(path))
        return made[-1]

    monkeypatch.setattr(sqlite3_queue, "_connect", counted)
    monkeypatch.setattr(sqlite3_queue, "_KEPT", type(sqlite3_queue._KEPT)())
    return made


@pytest.fixture
def one_open(world: World) -> Path:
    """The world's store file, with one dispute open in it."""
    world.open()
    return Path(world.path)


def _kept_now() -> list[sqlite.Connection]:
    return [conn for conns in sqlite3_queue._KEPT.values() for conn in conns]


def _head(path: Path) -> quick_queue.StoreHead:
    head = quick_queue.peek(str(path))
    assert head is not None
    return head


def _refs(path: Path) -> list[str]:
    return [r.ref for r in quick_queue.page(_head(path), QueueFilter(), World.T0).rows]


def test_pages_are_read_on_a_kept_connection_each_its_own_snapshot(
    world: World, one_open: Path, connects: list[sqlite.Connection]
) -> None:
    path = one_open
    assert len(_refs(path)) == 1
    before = len(connects)
    assert len(_refs(path)) == 1
    assert len(connects) == before  # the second page's read made no connection
    world.open()  # committed by another connection: the next read sees it
    assert len(_refs(path)) == 2
    assert len(connects) == before
    assert all(not conn.in_transaction for conn in _kept_now())  # no snapshot held open


def test_a_store_replaced_at_its_path_is_read_as_it_is_now(
    world: World, connects: list[sqlite.Connection], tmp_path: Path
) -> None:
    path = Path(world.path)
    empty = tmp_path / "empty.db"
    shutil.copy(path, empty)  # no disputes yet
    world.open()
    assert len(_refs(path)) == 1
    world.store.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    replacement = tmp_path / "replacement.db"
    shutil.copy(empty, replacement)
    replacement.replace(path)  # a restore: a new file under the same name
    assert _refs(path) == []


def test_a_read_stopped_before_it_starts_gives_its_connection_back(
    one_open: Path, connects: list[sqlite.Connection]
) -> None:
    path = one_open
    head = _head(path)
    assert len(_refs(path)) == 1
    (kept,) = _kept_now()
    stop = Interrupt()
    stop.cancel()
    with pytest.raises(Cancelled):  # taken from the kept ones, and stopped
        quick_queue.page(head, QueueFilter(), World.T0, interrupt=stop)
    assert _kept_now() == [kept]
    before = len(connects)
    assert len(_refs(path)) == 1  # answered on it, as new
    assert len(connects) == before


def test_a_read_stopped_in_the_middle_leaves_a_connection_that_answers_as_new(
    one_open: Path, connects: list[sqlite.Connection]
) -> None:
    """The queue stops a read on most keys (a newer filter's rows are wanted): SQLite
    stops the statement where it is; the connection is kept only if nothing of that is
    left to trip the next read."""
    path = one_open
    stop = Interrupt()
    running = threading.Event()
    stopped: list[BaseException] = []

    def endless() -> None:
        try:
            with sqlite3_queue._kept(path) as conn, attached(stop, conn):
                conn.execute("BEGIN")
                running.set()
                conn.execute(
                    "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) "
                    "SELECT count(*) FROM n"
                ).fetchone()
        except BaseException as exc:  # noqa: BLE001 - what the read raised is the result
            stopped.append(exc)

    reader = threading.Thread(target=endless)
    reader.start()
    assert running.wait(30)
    deadline = time.monotonic() + 30
    while reader.is_alive() and time.monotonic() < deadline:
        stop.cancel()  # again until it lands inside the statement (before it, it is lost)
        reader.join(0.05)
    assert not reader.is_alive() and isinstance(stopped[0], Cancelled)
    (kept,) = _kept_now()
    before = len(connects)
    assert len(_refs(path)) == 1
    assert len(connects) == before and _kept_now() == [kept]


def test_reads_at_once_each_have_their_own_and_few_are_kept(
    one_open: Path, connects: list[sqlite.Connection]
) -> None:
    head = _head(one_open)
    start = threading.Barrier(4)
    answers: list[int] = []

    def read() -> None:
        start.wait()
        answers.append(len(quick_queue.page(head, QueueFilter(), World.T0).rows))

    threads = [threading.Thread(target=read) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [1, 1, 1, 1]
    assert len(_kept_now()) <= sqlite3_queue.KEEP_PER_FILE


def test_only_the_last_few_stores_keep_connections(
    world: World, connects: list[sqlite.Connection], tmp_path: Path
) -> None:
    world.open()
    world.store.close()
    copies = []
    for n in range(sqlite3_queue.KEEP_FILES + 3):
        copy = tmp_path / f"copy-{n}.db"
        shutil.copy(world.path, copy)
        copies.append(copy)
        assert len(_refs(copy)) == 1
    kept_paths = [key[0] for key in sqlite3_queue._KEPT]
    assert kept_paths == [str(c) for c in copies[-sqlite3_queue.KEEP_FILES :]]
