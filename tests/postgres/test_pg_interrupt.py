"""A read the app no longer wants stops on PostgreSQL too: ``Interrupt.cancel()`` sends the
server a cancel request (sqlite3's ``interrupt()`` is not psycopg's), and the read raises
``Cancelled``. Switching a section while a page was being read crashed the app here."""

from __future__ import annotations

import threading
import time

import backends
import pytest
from sqlalchemy import text

from panel_tui.store.db import Store
from panel_tui.store.ledger.admin import init_store
from panel_tui.store.read.interrupt import Cancelled, Interrupt, attached


def test_cancel_stops_a_running_read_on_the_server(pg_database: str) -> None:
    url = backends.database_url(pg_database)
    init_store(url, "admin", "Admin").close()
    store = Store.open(url)
    interrupt = Interrupt()
    outcome: list[BaseException | str] = []

    def read() -> None:
        try:
            with store.read() as session:
                driver = session.connection().connection.driver_connection
                with attached(interrupt, driver):
                    session.execute(text("SELECT pg_sleep(60)"))
            outcome.append("finished")
        except BaseException as exc:
            outcome.append(exc)

    reader = threading.Thread(target=read)
    started = time.monotonic()
    reader.start()
    with backends.admin_connection(pg_database) as conn:  # wait until the query runs
        while not conn.execute(
            "SELECT 1 FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(60)' "
            "AND state = 'active'"
        ).fetchone():
            assert time.monotonic() - started < 30, "the read never started"
            time.sleep(0.05)
    interrupt.cancel()
    reader.join(30)
    assert not reader.is_alive()
    assert len(outcome) == 1 and isinstance(outcome[0], Cancelled), outcome
    assert time.monotonic() - started < 30
    # A read attached after the cancel stops at once.
    with pytest.raises(Cancelled), store.read() as session, attached(interrupt, session):
        pass
    with store.read() as session:  # the pool's connection is fine afterwards
        assert session.execute(text("SELECT 1")).scalar() == 1
    store.close()
