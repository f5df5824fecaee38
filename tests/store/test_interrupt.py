"""A stale read is stopped from another thread (the queue's cancelled filters)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from panel_tui.store.db import Store
from panel_tui.store.read import orm_queries, quick_queue
from panel_tui.store.read.interrupt import Cancelled, Interrupt, attached
from panel_tui.store.read.queue_models import QueueFilter
from panel_tui.store.sqlite_driver import sqlite as sqlite3

ENDLESS = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n"


def test_cancel_stops_a_running_query(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "x.db", check_same_thread=False)
    interrupt = Interrupt()
    started, done = threading.Event(), threading.Event()

    def cancel_until_done() -> None:
        # An interrupt that arrives before the query has begun does nothing: repeat it.
        started.wait(10)
        while not done.wait(0.05):
            interrupt.cancel()

    timer = threading.Thread(target=cancel_until_done)
    timer.start()
    try:
        with pytest.raises(Cancelled), attached(interrupt, conn):
            started.set()
            conn.execute(ENDLESS).fetchone()  # never ends by itself
    finally:
        done.set()
        timer.join()
        conn.close()
    assert interrupt.cancelled


def test_an_error_that_is_not_a_cancel_stays_itself(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "x.db")
    try:
        with pytest.raises(sqlite3.OperationalError), attached(Interrupt(), conn):
            conn.execute("SELECT * FROM no_such_table")
    finally:
        conn.close()


def test_a_read_begun_after_cancel_stops_at_once(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    Store.open(str(path), create=True).close()
    head = quick_queue.peek(str(path))
    assert head is not None
    interrupt = Interrupt()
    interrupt.cancel()
    with pytest.raises(Cancelled):
        quick_queue.page(head, QueueFilter(), _now(), interrupt=interrupt)
    store = Store.open(str(path))
    try:
        with pytest.raises(Cancelled):
            orm_queries.queue_page(store, QueueFilter(), _now(), interrupt=interrupt)
        # Without a cancel the same reads answer.
        assert (
            orm_queries.queue_page(store, QueueFilter(), _now(), interrupt=Interrupt()).total == 0
        )
    finally:
        store.close()


def _now():  # noqa: ANN202
    from datetime import UTC, datetime

    return datetime.now(UTC)
