"""The dispute under the queue's cursor is read and laid out ahead once the cursor rests,
so Enter only shows it (issue 13); what was read ahead is never shown stale.

Each test counts the detail's reads (a real read of the store, counted on the way) and
checks what the screen shows. The poll is slowed to a minute so that only what a test
does (a write, a tick) changes the store or the clocks under the screen read ahead.
"""

from __future__ import annotations

from datetime import timedelta

from helpers import burst, queue_ready, wait_for, wait_text
from storefix import NOW

from panel_tui.app import PanelApp
from panel_tui.config import Settings
from panel_tui.rules.clocks import clock_plain
from panel_tui.screens.detail import DisputeScreen
from panel_tui.store.db import Store
from panel_tui.store.ledger import Ledger
from panel_tui.store.read import orm_detail

SIZE = (100, 30)
TALL = (100, 70)  # every section of a demo dispute on screen, its notes too


def _app(store: Store, clock: list) -> PanelApp:  # noqa: ANN001
    settings = Settings(poll_seconds=60, shift_start=False)
    return PanelApp(store, "duty", demo=True, clock=lambda: clock[0], settings=settings)


def _ahead(app: PanelApp, ref: str) -> bool:
    screen = app._detail
    return isinstance(screen, DisputeScreen) and screen.ahead_ref == ref


def _shown(app: PanelApp, ref: str) -> bool:
    screen = app.screen
    return isinstance(screen, DisputeScreen) and screen.detail is not None and screen.ref == ref


async def test_enter_on_the_row_read_ahead_shows_it_without_reading_again(store, reads) -> None:
    app = _app(store, [NOW])
    async with app.run_test(size=SIZE) as pilot:
        await queue_ready(pilot)
        await wait_for(pilot, lambda: _ahead(app, "D-2026-0001"))
        await pilot.press("down")  # the cursor rests on the second row: read ahead in turn
        await wait_for(pilot, lambda: _ahead(app, "D-2026-0002"))
        before = len(reads)
        await pilot.press("enter")
        await wait_for(pilot, lambda: _shown(app, "D-2026-0002"))
        await wait_text(pilot, "D-2026-0002 person")
        assert len(reads) == before


async def test_enter_before_the_cursor_rests_opens_the_row_under_it(store, reads) -> None:
    app = _app(store, [NOW])
    async with app.run_test(size=SIZE) as pilot:
        await queue_ready(pilot)
        await wait_for(pilot, lambda: _ahead(app, "D-2026-0001"))
        await burst(pilot, ["down", "enter"])  # not the dispute read ahead: read now
        await wait_for(pilot, lambda: _shown(app, "D-2026-0002"))
        await wait_text(pilot, "D-2026-0002 person")
        assert reads[-1] == "D-2026-0002"


async def test_a_dispute_changed_after_its_read_ahead_is_read_again_on_enter(store, reads) -> None:
    app = _app(store, [NOW])
    async with app.run_test(size=TALL) as pilot:
        await queue_ready(pilot)
        await wait_for(pilot, lambda: _ahead(app, "D-2026-0001"))
        before = len(reads)
        # Another user writes; the poll has not seen it yet (a minute away).
        Ledger(store, "sup", clock=lambda: NOW).add_note("D-2026-0001", "written after the read")
        await pilot.press("enter")
        await wait_for(pilot, lambda: _shown(app, "D-2026-0001"))
        await wait_text(pilot, "written after the read")
        assert reads[before:] == ["D-2026-0001"]


async def test_a_clock_tick_drops_the_read_ahead_and_the_clocks_shown_are_the_new_ones(
    store, reads
) -> None:
    clock = [NOW]
    ref = "D-2026-0002"  # warning: due within hours
    later = NOW + timedelta(hours=3)
    then, now = (
        clock_plain(orm_detail.dispute_detail(store, ref, at).clock) for at in (NOW, later)
    )
    assert then != now
    app = _app(store, clock)
    async with app.run_test(size=SIZE) as pilot:
        await queue_ready(pilot)
        await pilot.press("down")
        await wait_for(pilot, lambda: _ahead(app, ref))
        clock[0] = later
        app._tick()  # what the app does every clock_seconds
        await wait_for(pilot, lambda: not _ahead(app, ref) or reads.count(ref) > 1)
        await pilot.press("enter")
        await wait_for(pilot, lambda: _shown(app, ref))
        await wait_text(pilot, now)
        assert app.screen.detail.at == later
