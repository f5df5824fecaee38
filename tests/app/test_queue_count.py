"""The count follows the first page: "1000+" at first, the exact number after the paint.

And a filter typed in a burst ends on the last text's rows, whatever reads
were stopped or skipped on the way (the stale ones are cancelled). On both backends
(tests/backends.py): PostgreSQL's count, End and case-blind filter as SQLite's.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from demo_cache import demo_store
from helpers import burst, chars, queue_ready, screen_text, wait_for, wait_text
from storefix import NOW

from panel_tui.app import PanelApp
from panel_tui.config import Settings
from panel_tui.store.read import orm_queries
from panel_tui.store.read.queue_models import COUNT_CAP, QueueFilter, Section
from panel_tui.widgets.queue_view import QueueView

pytestmark = pytest.mark.backend


async def test_a_long_section_is_counted_exactly_after_its_first_page(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    with demo_store(tmp_path_factory, tmp_path, disputes=3000, seed=3, now=NOW) as store:
        closed = orm_queries.queue_page(store, QueueFilter(section=Section.CLOSED), NOW).total
        assert closed > COUNT_CAP  # else this test shows nothing
        app = PanelApp(
            store, "duty", demo=True, clock=lambda: NOW, settings=Settings(shift_start=False)
        )
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await queue_ready(pilot)
            view = screen.query_one(QueueView)
            seen: list[str] = []
            shown = screen._update

            def spy(selector: str, content: object) -> None:  # each status line shown
                if selector == "#status":
                    seen.append(str(content))
                shown(selector, content)

            screen._update = spy
            await pilot.press("7")
            await wait_for(pilot, lambda: view.total == closed and not view.total_capped)
            await wait_for(pilot, lambda: f"{closed} disputes" in screen_text(app))
            # The first page said "1000+" while the count was read.
            # (What follows, "row x of y", says the same number.)
            said = (t.split(" · row ")[0] for t in seen if "Closed" in t and "…" not in t)
            counted = list(dict.fromkeys(said))
            assert counted == [f"{COUNT_CAP - 1}+ disputes · Closed", f"{closed} disputes · Closed"]
            await pilot.press("end")  # the exact count lets End reach the last row
            await wait_for(pilot, lambda: view.cursor == closed - 1 and view.cursor_row is not None)


async def test_a_burst_of_filter_keys_ends_on_the_last_texts_rows(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    with demo_store(tmp_path_factory, tmp_path, disputes=3000, seed=3, now=NOW) as store:
        expected = orm_queries.queue_page(store, QueueFilter(text="housing"), NOW, limit=100)
        assert 0 < expected.total < COUNT_CAP
        app = PanelApp(
            store, "duty", demo=True, clock=lambda: NOW, settings=Settings(shift_start=False)
        )
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await queue_ready(pilot)
            view = screen.query_one(QueueView)
            await pilot.press("slash")
            await burst(pilot, chars("housing"))
            await wait_for(pilot, lambda: screen.filter.text == "housing")
            await wait_for(pilot, lambda: view.loaded and view.total == expected.total)
            await wait_for(pilot, lambda: view.cursor_row is not None)
            assert view.cursor_row == expected.rows[0]
            # The status line is drawn on the next refresh after the count arrives.
            await wait_text(pilot, f"{expected.total} disputes")
