"""The dispute under the queue's cursor is read and laid out ahead once the cursor rests,
so Enter only shows it (issue 13); what was read ahead is never shown stale.

Each test counts the detail's reads (a real read of the store, counted on the way) and
checks what the screen shows. The poll is slowed to a minute so that only what a test
does (a write, a tick) changes the store or the clocks under the screen read ahead.
"""

from __future__ import annotations

import threading
from datetime import timedelta

from helpers import burst, queue_ready, wait_for, wait_text
from storefix import NOW

from panel_tui.app import PanelApp
from panel_tui.config import Settings
from panel_tui.rules.clocks import clock_plain
from panel_tui.screens import queue as queue_screen
from panel_tui.screens.detail import DisputeScreen
from panel_tui.screens.modals import FormModal
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


async def test_a_move_of_the_cursor_reads_ahead_sooner_than_a_new_page(
    store, reads, monkeypatch
) -> None:
    """A page waits ``REST`` before its row is read ahead; a move of the cursor only
    ``MOVED_REST``, so an Enter soon after the move finds the dispute read."""
    monkeypatch.setattr(queue_screen, "REST", 600.0)  # a page's wait: never, in this test
    app = _app(store, [NOW])
    async with app.run_test(size=SIZE) as pilot:
        await queue_ready(pilot)
        await pilot.press("down")
        await wait_for(pilot, lambda: _ahead(app, "D-2026-0002"))
        assert "D-2026-0001" not in reads  # the first page's row waits its REST


class _Gate:
    """Holds the detail's read of one dispute until opened (the read ahead under way)."""

    def __init__(self, monkeypatch, ref: str, fail: bool = False) -> None:  # noqa: ANN001
        self.ref, self.fail = ref, fail
        self.entered, self.opened = threading.Event(), threading.Event()
        self.reads: list[str] = []
        real = orm_detail.dispute_detail

        def gated(store, ref, at):  # noqa: ANN001, ANN202
            self.reads.append(ref)
            if ref == self.ref and not self.entered.is_set():
                self.entered.set()
                self.opened.wait(30)
                if self.fail:
                    raise RuntimeError("the read ahead failed")
            return real(store, ref, at)

        monkeypatch.setattr(orm_detail, "dispute_detail", gated)


def _waiting_for_its_read(app: PanelApp) -> bool:
    """Enter was taken: the keys after it wait for the dispute to be shown."""
    return "dispute" in app._holds


async def test_enter_while_the_row_is_read_ahead_shows_that_read(store, monkeypatch) -> None:
    app = _app(store, [NOW])
    async with app.run_test(size=SIZE) as pilot:
        await queue_ready(pilot)
        await wait_for(pilot, lambda: _ahead(app, "D-2026-0001"))
        gate = _Gate(monkeypatch, "D-2026-0002")
        await pilot.press("down")
        await wait_for(pilot, gate.entered.is_set)  # its read ahead is under way
        await burst(pilot, ["enter"])
        await wait_for(pilot, lambda: _waiting_for_its_read(app))
        gate.opened.set()
        await wait_for(pilot, lambda: _shown(app, "D-2026-0002"))
        await wait_text(pilot, "D-2026-0002 person")
        assert gate.reads.count("D-2026-0002") == 1  # not read a second time for the Enter


async def test_a_read_ahead_that_fails_under_an_enter_is_read_again_and_shown(
    store, monkeypatch
) -> None:
    app = _app(store, [NOW])
    async with app.run_test(size=SIZE) as pilot:
        await queue_ready(pilot)
        await wait_for(pilot, lambda: _ahead(app, "D-2026-0001"))
        gate = _Gate(monkeypatch, "D-2026-0002", fail=True)
        await pilot.press("down")
        await wait_for(pilot, gate.entered.is_set)
        await burst(pilot, ["enter", "n"])  # a note, typed before the dispute is shown
        await wait_for(pilot, lambda: _waiting_for_its_read(app))
        gate.opened.set()
        await wait_for(pilot, lambda: isinstance(app.screen, FormModal))
        screen = app._detail
        assert isinstance(screen, DisputeScreen) and screen.ref == "D-2026-0002"
        assert gate.reads.count("D-2026-0002") == 2  # the open read it again
        # The dialog up and ready before the app closes (closed mid-mount, it fails).
        await wait_for(pilot, lambda: app.screen.is_mounted and app.focused is not None)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)


async def test_a_dispute_changed_while_read_ahead_under_an_enter_is_read_again(
    store, monkeypatch
) -> None:
    app = _app(store, [NOW])
    async with app.run_test(size=TALL) as pilot:
        await queue_ready(pilot)
        await wait_for(pilot, lambda: _ahead(app, "D-2026-0001"))
        gate = _Gate(monkeypatch, "D-2026-0002")
        await pilot.press("down")
        await wait_for(pilot, gate.entered.is_set)
        await burst(pilot, ["enter"])
        await wait_for(pilot, lambda: _waiting_for_its_read(app))
        Ledger(store, "sup", clock=lambda: NOW).add_note("D-2026-0002", "written meanwhile")
        gate.opened.set()
        await wait_for(pilot, lambda: _shown(app, "D-2026-0002"))
        await wait_text(pilot, "written meanwhile")
        assert gate.reads.count("D-2026-0002") == 2
