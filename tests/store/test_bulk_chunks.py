"""A big demo is written a chunk per transaction, with no WAL beside it.

The bulk chunks go straight into the file (no journal while the store is
built: a million disputes in one WAL transaction needed a WAL as big as the
store, and in chunks every page was still written twice), the store is the
same as one written in a single transaction (the same disputes and the same
chain), and the file is a WAL-mode store again once built.
"""

from __future__ import annotations

import os
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from panel_tui.rules.errors import StoreError
from panel_tui.store.demo import build, build_demo, bulk
from panel_tui.store.demo.batches import POOL_FROM_JOBS, batches
from panel_tui.store.demo.rows import BulkContext, BulkJob
from panel_tui.store.sqlite_driver import sqlite as sqlite3

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def _build(path: Path, chunk: int, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Build a 1,200-dispute demo; the WAL's size at each of the bulk path's messages."""
    monkeypatch.setattr(bulk, "BATCH", 200)
    monkeypatch.setattr(bulk, "CHUNK", chunk)
    building = build.building_name(path)
    wal = Path(f"{building}-wal")
    sizes: list[int] = []

    def said(message: str) -> None:
        if message.startswith("bulk: ") and "adding" not in message:
            # Written under a name of its own: the user's name appears only when it is whole.
            assert building.exists() and not path.exists()
            sizes.append(wal.stat().st_size if wal.exists() else 0)

    build_demo(str(path), disputes=1200, seed=5, now=NOW, progress=said).close()
    assert path.exists() and not list(path.parent.glob(f"{building.name}*"))
    return sizes


def test_a_bulk_build_that_fails_leaves_nothing_under_either_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build stopped half-way (here its progress raises, as Ctrl-C would) leaves neither
    the user's name nor the building file; one killed outright leaves only the building
    file, which the next build removes."""
    monkeypatch.setattr(bulk, "BATCH", 200)
    path = tmp_path / "demo.db"
    stale = build.building_name(path)
    stale.write_bytes(b"a build killed before this one")

    def interrupted(message: str) -> None:
        assert stale.exists()
        if message.startswith("bulk: ") and "committed" in message:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        build_demo(str(path), disputes=1200, seed=5, now=NOW, progress=interrupted)
    assert not list(tmp_path.iterdir())


def _summary(path: Path) -> tuple:
    conn = sqlite3.connect(path)
    try:
        return (
            conn.execute("SELECT count(*), max(ref) FROM dispute").fetchone(),
            # (Hashes differ: each new store has its own random id, in its first event.)
            conn.execute(
                "SELECT ref, status, current_due_at, resolved_at, version FROM dispute ORDER BY id"
            ).fetchall(),
            conn.execute(
                "SELECT id, at, action, dispute_ref, rows FROM event WHERE id > 100"
            ).fetchall(),
            conn.execute("SELECT key, value FROM setting WHERE key LIKE 'ref_seq:%'").fetchall(),
        )
    finally:
        conn.close()


def test_chunks_write_no_wal_and_the_same_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = _build(tmp_path / "whole.db", 10**9, monkeypatch)
    chunked = _build(tmp_path / "chunked.db", 200, monkeypatch)
    assert _summary(tmp_path / "chunked.db") == _summary(tmp_path / "whole.db")
    # No WAL while the bulk path writes, in one transaction or in chunks (in WAL mode
    # it grew to most of the store in one, a chunk's pages in chunks).
    assert len(chunked) > 6 and set(whole) == set(chunked) == {0}


def test_a_bulk_built_store_is_in_wal_mode_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "built.db"
    _build(path, 200, monkeypatch)
    # The file's own mode (its header's read and write versions: 2 is WAL), as any store's.
    with path.open("rb") as file:
        assert file.read(20)[18:20] == bytes([2, 2])
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()


def test_worker_processes_write_the_same_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 1,140 bulk disputes in batches of 200: six jobs, made by two workers in turn.
    monkeypatch.setattr(bulk, "default_workers", lambda: 2)
    _build(tmp_path / "workers.db", 10**9, monkeypatch)
    monkeypatch.setattr(bulk, "default_workers", lambda: 0)
    _build(tmp_path / "here.db", 10**9, monkeypatch)
    assert _summary(tmp_path / "workers.db") == _summary(tmp_path / "here.db")


def test_a_failing_worker_is_one_line_and_leaves_no_process(tmp_path: Path) -> None:
    # An empty policy: making the rows fails in the worker, with a traceback on its stderr.
    context = BulkContext("", NOW, {}, {}, {})
    jobs = [BulkJob(f"j{n}", 1 + n, {}, ages=(100.0,)) for n in range(POOL_FROM_JOBS)]
    before = _children()
    with (
        pytest.raises(StoreError, match=r"^a bulk demo worker failed: [\w.]+Error: [^\n]+$"),
        batches(context, jobs, workers=2) as made,
    ):
        list(made)
    assert _children() == before


def _children() -> set[int]:
    """This process's child processes now (from /proc)."""
    me = str(os.getpid())
    found = set()
    for status in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = status.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[1] == me:
            found.add(int(status.parent.name))
    return found


def _resident_pages(path: Path) -> int:
    """Pages of ``path`` in the page cache, as util-linux's fincore counts them."""
    out = subprocess.run(
        ["fincore", "--bytes", "--noheadings", "--output", "PAGES", str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return int(out.split()[0])


@pytest.mark.skipif(not hasattr(os, "posix_fadvise"), reason="no posix_fadvise (macOS)")
def test_the_store_being_built_leaves_no_written_pages_in_the_page_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While a bulk build runs, what it has written is handed back to the OS (the build
    writes each page once: kept, 13 GB of them filled memory at 1M and slowed every
    write after the first few GB); a store written outside stays cached."""
    monkeypatch.setattr(bulk, "TRIM_EVERY", 0.05)
    path = tmp_path / "being-built.db"
    path.write_bytes(os.urandom(8 << 20))  # 8 MB, all of it in the page cache
    with open(path, "rb+") as file:
        os.fsync(file.fileno())
    before = _resident_pages(path)
    assert before >= 2000
    engine = create_engine(f"sqlite:///{path}")
    with bulk.page_cache_trimmed(engine):
        deadline = time.monotonic() + 5
        while _resident_pages(path) > before // 10 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _resident_pages(path) <= before // 10
    # Outside the build nothing is dropped: the same file, read again, stays cached.
    path.read_bytes()
    time.sleep(0.2)
    assert _resident_pages(path) >= before
