"""Paging across the queue's page boundary: the cursor goes where the key sends it."""

from __future__ import annotations

from pathlib import Path

import pytest
from demo_cache import open_demo_copy
from helpers import wait_for
from storefix import NOW

from panel_tui.app import PanelApp
from panel_tui.config import Settings
from panel_tui.screens.queue import QueueScreen
from panel_tui.widgets.queue_view import PAGE, QueueView


async def test_page_down_into_an_unloaded_page_keeps_the_new_row(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    store = open_demo_copy(tmp_path_factory, tmp_path / "big.db", disputes=3000, seed=3, now=NOW)
    try:
        app = PanelApp(
            store, "duty", demo=True, clock=lambda: NOW, settings=Settings(shift_start=False)
        )
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
    finally:
        store.close()
