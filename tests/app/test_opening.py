"""While the store opens, keys wait and follow; the palette neither freezes nor crashes.

The app paints the first page from a quick read and opens the Store in a
worker (app.py). Here that opening is held back until the test lets it go,
as a slow disk or a cold import would: what the user types meanwhile must
not be dropped, and "go to dispute" from the palette must land on the dispute.
"""

from __future__ import annotations

import threading

import pytest
from backends import target_of
from helpers import type_text, wait_for, wait_notice, wait_text
from storefix import NOW

from panel_tui.app import PanelApp
from panel_tui.config import Settings
from panel_tui.screens.detail import DisputeScreen
from panel_tui.screens.form import DisputeFormScreen
from panel_tui.screens.queue import QueueScreen
from panel_tui.store.db import Store
from panel_tui.store.lazy import LazyStore
from panel_tui.store.read.quick_queue import peek
from panel_tui.widgets.queue_view import QueueView

pytestmark = pytest.mark.backend  # the quick read and the opening on PostgreSQL too

SIZE = (80, 24)


class HeldOpening(LazyStore):
    """The real store, opened only once the test lets it (``gate.set()``)."""

    def __init__(self, target: str) -> None:
        super().__init__(target)
        self.gate = threading.Event()

    def get(self) -> Store:
        self.gate.wait(30)
        return super().get()


def held_app(store: Store) -> tuple[PanelApp, HeldOpening]:
    lazy = HeldOpening(target_of(store))
    app = PanelApp(
        lazy,
        "duty",
        demo=True,
        clock=lambda: NOW,
        settings=Settings(poll_seconds=0.2, shift_start=False),
        head=peek(target_of(store)),
    )
    return app, lazy


async def first_page(pilot) -> None:  # noqa: ANN001
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, QueueScreen))
    await wait_for(pilot, lambda: pilot.app.screen.query_one(QueueView).loaded)


async def test_a_key_pressed_while_opening_follows_when_open(store: Store) -> None:
    app, lazy = held_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await first_page(pilot)
        assert "opening" in app.sub_title and not app.store_is_open
        await pilot.press("n")  # New dispute: who may is not known yet
        await wait_notice(pilot, "Opening the store")
        assert isinstance(app.screen, QueueScreen)  # waiting, said so, not dropped
        lazy.gate.set()
        await wait_for(
            pilot, lambda: isinstance(app.screen, DisputeFormScreen) and app.screen._loaded
        )


async def test_go_to_dispute_from_the_palette_while_opening(store: Store) -> None:
    app, lazy = held_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await first_page(pilot)
        await pilot.press("ctrl+p")
        await type_text(pilot, "Go to dispute")
        await pilot.press("enter")
        lazy.gate.set()
        await wait_text(pilot, "Reference, e.g.")
        await type_text(pilot, "d-2026-0003")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DisputeScreen))
        await wait_text(pilot, "D-2026-0003 person P-1003")
        await pilot.press("down")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen))
        assert app.return_code is None  # still running: no "Can't pop screen"
