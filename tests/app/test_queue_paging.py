"""Paging across the queue's page boundary: the cursor goes where the key sends it.

On both backends (tests/backends.py): a store on PostgreSQL pages as one on SQLite does,
Closed's pages past the first read from their first row's key (queue_sql.keyset).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import backends
import pytest
from demo_cache import demo_store
from helpers import queue_ready, wait_for
from sqlalchemy import event
from storefix import NOW

from panel_tui.app import PanelApp
from panel_tui.config import Settings
from panel_tui.screens.queue import QueueScreen
from panel_tui.store.db import Store
from panel_tui.store.read import orm_queries
from panel_tui.store.read.queue_models import QueueFilter, Section
from panel_tui.store.sqlite_driver import sqlite
from panel_tui.widgets.queue_view import PAGE, QueueView

pytestmark = pytest.mark.backend  # the app's pages on PostgreSQL as on SQLite

DEMO = {"disputes": 3000, "seed": 3, "now": NOW}


def _app(store: Store) -> PanelApp:
    return PanelApp(
        store, "duty", demo=True, clock=lambda: NOW, settings=Settings(shift_start=False)
    )


async def test_page_down_into_an_unloaded_page_keeps_the_new_row(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    with demo_store(tmp_path_factory, tmp_path, **DEMO) as store:
        app = _app(store)
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen))
            view = app.screen.query_one(QueueView)
            await wait_for(pilot, lambda: view.loaded)
            assert view.total > PAGE
            step = view.size.height - 1
            target = 0
            while target < PAGE:  # page down until the cursor lands in the second page
                target = view.cursor + step
                await pilot.press("pagedown")
            await wait_for(pilot, lambda: view.cursor_row is not None)
            await pilot.pause(0.2)  # let any later page arrive: it must not move the cursor
            # The page arrived: the cursor stays on the row it was sent to.
            assert view.cursor == target
            assert view.cursor_row is not None and view.cursor_id == view.cursor_row.id


#: A statement's OFFSET: a number (SQLite's trace), or the mark of its parameter.
OFFSET = re.compile(r"OFFSET (\d+|\?|%\((\w+)\)s)")
#: A Closed page read from its key, and the key's lookup (the ORM's text or queue_sql's);
#: ">=": from its last row's key, read from the end of the list (the count known).
KEYED = re.compile(r"\((dispute\.)?resolved_at, (dispute\.)?id\) (<=|>=)")
KEY_LOOKUP = re.compile(r"^SELECT (dispute\.)?resolved_at, (dispute\.)?id FROM dispute")


def _statements(store: Store, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int | None]]:
    """Every statement the app reads with from now on, with the OFFSET it ran with: the
    ORM's (PostgreSQL's pages) through the engine's events, which its read engine shares;
    the quick reader's (SQLite's pages: app.quick_page) through SQLite's trace of each
    connection it opens, its values written in."""
    seen: list[tuple[str, int | None]] = []

    def record(statement: str, params: Any = ()) -> None:
        text = " ".join(statement.split())
        found = OFFSET.search(text)
        offset = None
        if found and found[1].isdigit():
            offset = int(found[1])
        elif found:
            offset = params[found[2]] if found[2] else params[-1]
        seen.append((text, offset))

    def on_cursor(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        record(statement, params)

    event.listen(store.engine, "before_cursor_execute", on_cursor)
    connect = sqlite.connect

    def traced(*args: Any, **kwargs: Any) -> Any:
        conn = connect(*args, **kwargs)
        conn.set_trace_callback(record)
        return conn

    monkeypatch.setattr(sqlite, "connect", traced)
    return seen


async def test_page_down_and_end_in_closed_read_their_pages_by_key(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Closed's pages past the first come from their first row's key, not by OFFSET over
    the rows, in the app as in the store's tests (SQLite's pages through the quick reader,
    PostgreSQL's through the ORM): the rows shown are the one-pass read's."""
    with demo_store(tmp_path_factory, tmp_path, **DEMO) as store:
        closed = orm_queries.every_row(store, QueueFilter(section=Section.CLOSED), NOW)
        assert len(closed) > 3 * PAGE  # else End would not be pages away
        ran = _statements(store, monkeypatch)
        app = _app(store)
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await queue_ready(pilot)
            view = screen.query_one(QueueView)
            await pilot.press("7")
            await wait_for(
                pilot,
                lambda: screen.filter.section is Section.CLOSED and view.cursor_row == closed[0],
            )
            while view.cursor < PAGE:  # page down into the second page
                await pilot.press("pagedown")
            await wait_for(pilot, lambda: view.cursor_row is not None)
            assert view.cursor_row == closed[view.cursor]
            await wait_for(pilot, lambda: view.total == len(closed) and not view.total_capped)
            await pilot.press("end")
            await wait_for(
                pilot, lambda: view.cursor == len(closed) - 1 and view.cursor_row is not None
            )
            assert view.cursor_row == closed[-1]
    in_closed_order = ("resolved_at DESC", "ORDER BY resolved_at, id")  # or from the end
    closed_rows = [
        (s, n) for s, n in ran if "person_ref" in s and any(o in s for o in in_closed_order)
    ]
    keyed = [s for s, _ in closed_rows if KEYED.search(s)]
    assert len(keyed) >= 2, "the second page and the last were not read from their keys"
    if not backends.on_postgres():  # the quick reader, given the count: End from the end
        assert any(">=" in s for s in keyed), "the last page was not read from the end"
    skipped = [n for s, n in closed_rows if not KEYED.search(s) and n]
    assert skipped == [], f"Closed rows read past {skipped} by OFFSET, not from a key"
    # Each key was found along the order's index alone: the key's columns, no row's.
    lookups = [n for s, n in ran if KEY_LOOKUP.search(s)]
    # (from the end the last page's key is the list's last row: OFFSET 0)
    assert len(lookups) >= 2 and all(n is not None for n in lookups), lookups
