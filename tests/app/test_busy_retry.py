"""A busy store becomes a notice and a retry in the app's workers, not a failure.

The store is really locked (another connection holds its write lock) and its
busy timeout made short, so the store raises its busy type the way it does
after 10 s. Only that type is retried: an error that merely mentions "busy"
or "locked" is shown at once.

SQLite only: the lock is SQLite's own, held through sqlite3 on the file (PostgreSQL's
bounded wait then "busy": tests/postgres/test_pg_reads_writes.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import wait_for
from storefix import NOW

from panel_tui.app import PanelApp
from panel_tui.config import Settings
from panel_tui.rules.errors import StoreBusyError, StoreError
from panel_tui.screens.base import RETRIES, retrying
from panel_tui.store import engine
from panel_tui.store.db import Store
from panel_tui.store.ledger import Ledger
from panel_tui.store.sqlite_driver import sqlite as sqlite3

SIZE = (80, 24)


@pytest.fixture
def quick_store(store: Store, monkeypatch: pytest.MonkeyPatch) -> Store:
    """The same file, opened with a busy timeout of 0.1 s instead of 10 s."""
    monkeypatch.setattr(engine, "BUSY_TIMEOUT_MS", 100)
    quick = Store.open(str(store.path))
    yield quick
    quick.close()


def notes_on(path: Path, ref: str) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(
            "SELECT n.text FROM note n JOIN dispute d ON d.id = n.dispute_id WHERE d.ref = ?",
            (ref,),
        ).fetchall()
    finally:
        conn.close()
    return [r[0] for r in rows]


async def test_a_locked_store_is_retried_with_a_notice(quick_store: Store) -> None:
    app = PanelApp(
        quick_store, "duty", demo=True, clock=lambda: NOW, settings=Settings(shift_start=False)
    )
    ledger = Ledger(quick_store, "duty", clock=lambda: NOW)
    holder = sqlite3.connect(quick_store.path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another user's long write
    async with app.run_test(size=SIZE) as pilot:
        worker = app.run_worker(
            lambda: retrying(app, lambda: ledger.add_note("D-2026-0002", "after the lock")),
            thread=True,
            exit_on_error=False,
        )
        notices = lambda: [n.message for n in app._notifications]  # noqa: E731
        await wait_for(pilot, lambda: any("retrying (1/5)" in m for m in notices()))
        holder.execute("ROLLBACK")
        await wait_for(pilot, lambda: worker.is_finished)
        assert worker.error is None
        assert any("The store is busy" in m for m in notices())
    holder.close()
    assert notes_on(quick_store.path, "D-2026-0002") == ["after the lock"]


async def test_only_the_busy_type_is_retried(make_app) -> None:
    app = make_app("duty")
    calls: list[str] = []

    def worded():  # noqa: ANN202
        calls.append("worded")  # says "busy" and "locked", but is not the busy type
        raise StoreError("no store at /srv/busy/locked.db. Create one with `panel-tui init`.")

    def driver():  # noqa: ANN202
        calls.append("driver")
        raise sqlite3.OperationalError("database is locked")

    def stuck():  # noqa: ANN202
        calls.append("stuck")
        raise StoreBusyError()

    async with app.run_test(size=SIZE) as pilot:
        for call, kind in ((worded, StoreError), (driver, sqlite3.OperationalError)):
            worker = app.run_worker(
                lambda c=call: retrying(app, c), thread=True, exit_on_error=False
            )
            await wait_for(pilot, lambda w=worker: w.is_finished)
            assert isinstance(worker.error, kind)
        assert calls == ["worded", "driver"]  # each once: not retried
        last = app.run_worker(lambda: retrying(app, stuck), thread=True, exit_on_error=False)
        await wait_for(pilot, lambda: last.is_finished, timeout=20)
        assert isinstance(last.error, StoreBusyError)  # the last one, after the retries
    assert calls.count("stuck") == RETRIES + 1
