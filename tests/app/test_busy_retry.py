"""A busy store becomes a notice and a retry in the app's workers, not a failure.

The store's own busy timeout (10 s) makes a real lock slow to reach, so the
call here is a real store read that the first attempts see as locked, the
way SQLite reports it through either driver.
"""

from __future__ import annotations

import sqlite3

import pytest
from helpers import wait_for
from sqlalchemy.exc import OperationalError
from storefix import NOW

from panel_tui.screens.base import RETRIES, retrying
from panel_tui.store import queries
from panel_tui.store.db import Store
from panel_tui.store.queue_models import QueueFilter

SIZE = (80, 24)


def locked_by(driver: str) -> Exception:
    error = sqlite3.OperationalError("database is locked")
    if driver == "sqlite3":
        return error
    return OperationalError("SELECT ...", {}, error)


@pytest.mark.parametrize("driver", ["sqlite3", "sqlalchemy"])
async def test_a_locked_store_is_retried_with_a_notice(make_app, store: Store, driver) -> None:
    app = make_app("duty")
    attempts: list[int] = []

    def read():  # noqa: ANN202
        attempts.append(1)
        if len(attempts) <= 2:
            raise locked_by(driver)
        return queries.queue_page(store, QueueFilter(), NOW)

    async with app.run_test(size=SIZE) as pilot:
        worker = app.run_worker(lambda: retrying(app, read), thread=True)
        await wait_for(pilot, lambda: worker.is_finished, timeout=10)
        assert worker.result is not None and worker.result.total > 0
        notices = [n.message for n in app._notifications]
    assert len(attempts) == 3
    assert any("The store is busy" in m and "retrying (1/5)" in m for m in notices)
    assert any("retrying (2/5)" in m for m in notices)


async def test_other_errors_and_a_lock_that_stays_are_not_hidden(make_app) -> None:
    app = make_app("duty")
    calls: list[str] = []

    def broken():  # noqa: ANN202
        calls.append("broken")
        raise sqlite3.OperationalError("no such table: dispute")

    def stuck():  # noqa: ANN202
        calls.append("stuck")
        raise locked_by("sqlalchemy")

    async with app.run_test(size=SIZE) as pilot:
        first = app.run_worker(lambda: retrying(app, broken), thread=True, exit_on_error=False)
        await wait_for(pilot, lambda: first.is_finished, timeout=10)
        assert isinstance(first.error, sqlite3.OperationalError)
        assert calls == ["broken"]  # not retried: only a lock is worth waiting for
        second = app.run_worker(lambda: retrying(app, stuck), thread=True, exit_on_error=False)
        await wait_for(pilot, lambda: second.is_finished, timeout=20)
        assert isinstance(second.error, OperationalError)  # the last one, after the retries
    assert calls.count("stuck") == RETRIES + 1
