"""What the store refuses, the app says: a search over the limit is never silently dropped."""

from __future__ import annotations

import pytest
from helpers import queue_ready, screen_text, type_text, wait_for, wait_text
from textual.widgets import Input

from panel_tui.rules.limits import SHORT_MAX
from panel_tui.widgets.queue_view import QueueView


async def test_a_search_longer_than_the_limit_is_refused_on_screen(make_app) -> None:
    app = make_app("duty")
    async with app.run_test(size=(120, 40)) as pilot:
        queue = await queue_ready(pilot)
        await wait_text(pilot, "6 disputes")
        await pilot.press("slash")
        await type_text(pilot, "P-1001")
        await wait_text(pilot, "1 dispute · All open · /P-1001")
        box = queue.query_one("#filter", Input)
        box.value = "P-1001" + "x" * SHORT_MAX  # a paste: one change of the whole value
        await wait_text(pilot, f"search too long: at most {SHORT_MAX} characters (this has 206)")
        assert any("search too long" in n.message for n in app._notifications)
        assert box.has_class("-invalid")
        # The list is still the last search's, not the unfiltered queue.
        assert queue.query_one(QueueView).total == 1
        assert "/P-1001 ·" in screen_text(app)
        box.value = "P-100"
        await wait_for(pilot, lambda: "search too long" not in screen_text(app))
        await wait_text(pilot, "6 disputes · All open · /P-100")
        assert not box.has_class("-invalid")


async def test_a_search_is_shown_as_typed_never_as_markup(make_app) -> None:
    app = make_app("duty")
    async with app.run_test(size=(120, 40)) as pilot:
        await queue_ready(pilot)
        await pilot.press("slash")
        await type_text(pilot, "[b]x")
        await wait_text(pilot, "/[b]x")


@pytest.mark.backend
async def test_select_labels_show_a_name_literally(make_app, store) -> None:
    from textual.widgets import Select

    from panel_tui.store.ledger.admin import Admin

    Admin(store, "root").add_agency("MRK", "[b]x[/b] Markup [red]Agency")
    app = make_app("duty")
    async with app.run_test(size=(120, 40)) as pilot:
        await queue_ready(pilot)
        await pilot.press("down", "down", "enter")
        await wait_text(pilot, "D-2026-0004 person")
        await pilot.press("c")  # interim cover: a Select of agencies
        await wait_for(pilot, lambda: isinstance(app.focused, Select))
        await pilot.press("enter")  # open the drop-down
        await wait_text(pilot, "MRK [b]x[/b] Markup [red]Agency")
        for _ in range(5):
            await pilot.press("down")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.focused.value == "MRK")  # type: ignore[union-attr]
        await wait_text(pilot, "MRK [b]x[/b] Markup [red]Agency")
