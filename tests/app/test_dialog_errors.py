"""Dialogs show every field's problem at once, beside each field, and save nothing."""

from __future__ import annotations

from helpers import queue_ready, screen_text, type_text, wait_for, wait_text
from storefix import NOW
from textual.widgets import Select, Static

from panel_tui.screens.detail import DisputeScreen
from panel_tui.screens.modals import FormModal
from panel_tui.store.read import orm_detail


def _errors(modal: FormModal) -> dict[str, str]:
    return {
        (box.id or "")[4:]: str(box.render())
        for box in modal.query(".error").results(Static)
        if box.display
    }


async def _open_d4(pilot) -> None:  # noqa: ANN001
    await queue_ready(pilot)
    await pilot.press("down", "down", "enter")
    await wait_text(pilot, "D-2026-0004 person")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, DisputeScreen))


async def test_the_cover_dialog_shows_both_problems_at_once(make_app, store) -> None:
    app = make_app("duty")
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_d4(pilot)
        events = len(orm_detail.dispute_detail(store, "D-2026-0004", NOW).events)
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.focused, Select))
        await pilot.press("ctrl+s")  # no provider, no support level
        modal = app.screen
        assert isinstance(modal, FormModal)
        await wait_for(pilot, lambda: len(_errors(modal)) == 2)
        errors = _errors(modal)
        assert errors["provider_agency"] == "✖ choose the agency that provides the cover"
        assert "minimum support level is required" in errors["support_level"]
        assert "unknown agency" not in screen_text(app)
        assert "2 problems" in screen_text(app)
        assert app.focused is modal.query_one("#f-provider_agency")  # the first one
    assert len(orm_detail.dispute_detail(store, "D-2026-0004", NOW).events) == events


async def test_the_decision_dialog_shows_every_problem_then_saves(make_app, store) -> None:
    app = make_app("chair")
    async with app.run_test(size=(120, 40)) as pilot:
        await _open_d4(pilot)
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, FormModal))
        modal = app.screen
        await wait_for(pilot, lambda: app.focused is modal.query_one("#f-outcome"))
        modal.query_one("#f-review_date").value = "2020-01-01"
        await pilot.press("ctrl+s")  # assigned with no agency, no rationale, a past review
        await wait_for(pilot, lambda: len(_errors(modal)) == 3)
        assert set(_errors(modal)) == {"receiving_agency", "rationale", "review_date"}
        modal.query_one("#f-receiving_agency", Select).value = "MCO"
        modal.query_one("#f-review_date").value = "+28"
        modal.query_one("#f-rationale").focus()
        await type_text(pilot, "MCO holds the contract for ACT")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, DisputeScreen))
    detail = orm_detail.dispute_detail(store, "D-2026-0004", NOW)
    assert detail.decisions[-1].receiving_agency == "MCO"
