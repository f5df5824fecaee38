"""The harness's store reads (benchmarks/reads.py) are the reads the app makes.

The app runs on a demo (Pilot) as the harness's Mine login; every page it asks its quick
reader for is recorded (``PanelApp.quick_page``) as it switches section, goes to the
middle row and presses End. The harness's read of each page it times (``reads.depths``,
``reads.app_page``) must be one the app asked for, with the same arguments, and return
the same rows and count: a deep page of Closed from its key, read from the end of the
list, as the app reads it, not by position.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from demo_cache import demo_store
from helpers import queue_ready, wait_for
from storefix import NOW

from benchmarks import reads
from panel_tui.app import PanelApp
from panel_tui.config import Settings
from panel_tui.store.read.queue_models import QueueFilter, QueuePage, Section
from panel_tui.widgets.queue_view import PAGE, QueueView

#: The demo test_queue_paging reads (built once per run): Closed is pages long.
DEMO = {"disputes": 3000, "seed": 3, "now": NOW}

#: (offset, limit, total_limit, total) of a page's read → its filter and the page.
Asked = dict[tuple[int, int, int | None, int | None], tuple[QueueFilter, QueuePage]]


def _record(monkeypatch: pytest.MonkeyPatch, section: Section) -> Asked:
    asked: Asked = {}
    real = PanelApp.quick_page

    def quick_page(
        self: PanelApp,
        f: QueueFilter,
        offset: int,
        limit: int,
        total_limit: int | None = None,
        interrupt: Any = None,
        total: int | None = None,
    ) -> QueuePage | None:
        got = real(self, f, offset, limit, total_limit, interrupt, total)
        if got is not None and f.section is section and limit:  # a page, not the count
            asked[(offset, limit, total_limit, total)] = (f, got)
        return got

    monkeypatch.setattr(PanelApp, "quick_page", quick_page)
    return asked


@pytest.mark.parametrize("section", ["closed", "all_open", "mine"])
async def test_the_harness_times_the_pages_the_app_reads(
    section: str,
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    f = reads.case_filter(section, "")
    with demo_store(tmp_path_factory, tmp_path, **DEMO) as store:
        asked = _record(monkeypatch, f.section)
        app = PanelApp(
            store,
            reads.MINE_LOGIN,
            demo=True,
            clock=lambda: NOW,
            settings=Settings(shift_start=False),
        )
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await queue_ready(pilot)
            view = screen.query_one(QueueView)
            await wait_for(pilot, lambda: app.store_is_open)
            screen.show_section(f.section)
            await wait_for(
                pilot,
                lambda: (
                    screen.filter.section is f.section and view.loaded and not view.total_capped
                ),
            )
            total = view.total
            for index in (total // 2, total - 1):  # the middle row, then End
                view.go_to(index)
                await wait_for(pilot, lambda i=index: view.cursor == i and view.cursor_row)
    page, _, _ = reads.readers(str(store.path))
    timed = [(o, k) for depth, o, k in reads.depths(total) if depth == "top" or o > 0]
    if section == "closed":  # the middle page read from its key, the last from the end
        middle, last = total // 2 // PAGE * PAGE, (total - 1) // PAGE * PAGE
        assert total > 3 * PAGE and timed == [(0, None), (middle, total), (last, total)]
    called: list[tuple[int, int, int | None, int | None]] = []

    def harness_page(f: QueueFilter, at: datetime, **how: Any) -> QueuePage:
        called.append((how["offset"], how["limit"], how["total_limit"], how.get("total")))
        return page(f, at, **how)

    for offset, known in timed:
        called.clear()
        ours = reads.app_page(harness_page, f, NOW, offset, known)
        # Read with the app's arguments (the count it knows: from the end past the middle).
        assert len(called) == 1 and called[0] in asked, (called, sorted(asked))
        app_filter, app_page = asked[called[0]]
        assert app_filter == f
        assert ours.rows == app_page.rows and len(ours.rows) > 0
        assert (ours.offset, ours.total) == (app_page.offset, app_page.total)


def test_each_page_figure_says_how_the_app_reads_it() -> None:
    # At 1,000,000 disputes: 950,000 closed, Mine 11,355 live disputes.
    assert reads.how_read("page top, Closed", 950_000) == "; the first page, its count capped"
    assert reads.how_read("page end, Closed", 950_000) == "; read from the end by key"
    assert reads.how_read("page middle, Mine", 11_355) == "; read from the start by OFFSET"
    assert reads.how_read("page end, Mine", 11_355) == "; read from the end by OFFSET"
    assert reads.how_read("exact count, Mine", 11_355) == ""
