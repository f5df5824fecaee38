"""The writes' throwaway copy (benchmarks/stores.work_copy): the store as its readers see
it, in a file of its own, the cached store only read."""

from __future__ import annotations

import hashlib
from pathlib import Path

from benchmarks.stores import work_copy
from panel_tui.store.sqlite_driver import sqlite as sqlite3


def _store(path: Path, rows: int) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
    conn.executemany("INSERT INTO t (v) VALUES (?)", [(f"row {i}",) for i in range(rows)])
    conn.commit()
    conn.close()  # the last connection checkpoints: nothing left in the WAL


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _rows(path: Path) -> int:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT count(*) FROM t").fetchone()[0]
    finally:
        conn.close()


def test_the_copy_is_the_store_and_writing_it_leaves_the_store_alone(tmp_path: Path) -> None:
    source = tmp_path / "store.db"
    _store(source, 500)
    before = _digest(source)
    stale = tmp_path / "cache" / "work" / "store-writes.db-wal"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"an earlier run's WAL")
    copy = work_copy(tmp_path / "cache", source, "writes")
    assert copy.parent == tmp_path / "cache" / "work"
    assert not stale.exists()  # an earlier copy's WAL is never read as this one's
    assert _digest(copy) == before
    conn = sqlite3.connect(copy)
    conn.execute("INSERT INTO t (v) VALUES ('written to the copy')")
    conn.commit()
    conn.close()
    assert _rows(copy) == 501
    assert _digest(source) == before and _rows(source) == 500


def test_a_store_with_commits_still_in_its_wal_is_copied_with_them(tmp_path: Path) -> None:
    source = tmp_path / "store.db"
    _store(source, 100)
    holder = sqlite3.connect(source)  # kept open with its commits in the WAL
    try:
        holder.execute("PRAGMA wal_autocheckpoint = 0")
        holder.executemany("INSERT INTO t (v) VALUES (?)", [(f"late {i}",) for i in range(50)])
        holder.commit()
        assert Path(f"{source}-wal").stat().st_size > 0
        file_before = _digest(source)
        copy = work_copy(tmp_path / "cache", source, "writes")
        # The file alone holds 100 rows: the copy has the 50 committed in the WAL too.
        assert _rows(copy) == 150
        assert _digest(source) == file_before
    finally:
        holder.close()
