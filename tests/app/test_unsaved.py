"""Leaving a screen or quitting with unsaved typing asks first (issue 11)."""

from __future__ import annotations

from helpers import dispute_shown, queue_ready, type_text, wait_for, wait_text
from storefix import NOW
from textual.widgets import TextArea

from panel_tui.screens.detail import DisputeScreen
from panel_tui.screens.modals import ConfirmModal, FormModal
from panel_tui.screens.panel import PanelScreen
from panel_tui.store.read import orm_detail

SIZE = (80, 24)


async def test_panel_mode_asks_before_throwing_a_rationale_away(make_app) -> None:
    app = make_app("chair")
    async with app.run_test(size=SIZE) as pilot:
        await queue_ready(pilot)
        await pilot.press("P")
        await wait_text(pilot, "D-2026-0004 eligibility")
        await pilot.press("2")
        await type_text(pilot, "Joint plan: CBH clinical, MCO funding")
        await pilot.press("escape", "escape")  # out of the rationale, then off the screen
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmModal))
        await wait_text(pilot, "the rationale typed for D-2026-0004")
        await pilot.press("n")  # stay
        await wait_for(pilot, lambda: isinstance(app.screen, PanelScreen))
        assert app.screen.query_one("#p-rationale", TextArea).text.startswith("Joint plan")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmModal))
        await pilot.press("y")
        await wait_for(pilot, lambda: not isinstance(app.screen, PanelScreen | ConfirmModal))


async def test_q_with_a_typed_rationale_asks_and_n_keeps_the_app(make_app) -> None:
    app = make_app("chair")
    async with app.run_test(size=SIZE) as pilot:
        await queue_ready(pilot)
        await pilot.press("P")
        await wait_text(pilot, "D-2026-0004 eligibility")
        await pilot.press("1")
        await type_text(pilot, "MCO funds it")
        await pilot.press("escape", "q")  # the agenda has the focus: q is quit
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmModal))
        await wait_text(pilot, "Quit panel-tui?")
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, PanelScreen))
        assert app.return_code is None
        await pilot.press("q")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmModal))
        await pilot.press("y")
        await wait_for(pilot, lambda: app.return_code is not None)


async def test_a_dialog_with_typing_asks_before_cancelling(make_app, store) -> None:
    app = make_app("duty")
    async with app.run_test(size=SIZE) as pilot:
        await dispute_shown(pilot, "D-2026-0002")
        await pilot.press("w")
        await wait_for(pilot, lambda: isinstance(app.screen, FormModal))
        await wait_for(pilot, lambda: isinstance(app.focused, TextArea))
        await type_text(pilot, "agreed")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmModal))
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, FormModal))
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, DisputeScreen))
    assert orm_detail.dispute_detail(store, "D-2026-0002", NOW).status == "withdrawn"
