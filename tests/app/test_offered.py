"""Only actions that can succeed are offered; no risky defaults (issue 11)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from helpers import dispute_shown, screen_text, wait_for, wait_text
from storefix import NOW

from panel_tui.screens.detail import DisputeScreen
from panel_tui.screens.modals import FormModal
from panel_tui.store.ledger import Ledger

SIZE = (120, 40)


async def show(pilot, ref: str) -> DisputeScreen:  # noqa: ANN001
    return await dispute_shown(pilot, ref)


def footer(app) -> str:  # noqa: ANN001
    lines = screen_text(app).splitlines()
    return lines[-1] if lines else ""  # a screen not drawn yet has no footer


@pytest.mark.backend
async def test_accept_is_offered_only_on_a_decision_awaiting_acceptance(make_app) -> None:
    app = make_app("duty")
    async with app.run_test(size=SIZE) as pilot:
        await show(pilot, "D-2026-0002")  # open, no decision
        await wait_for(pilot, lambda: "Withdraw" in footer(app))
        assert "Accept" not in footer(app)
        await pilot.press("a")
        await pilot.pause(0.3)
        assert isinstance(app.screen, DisputeScreen)  # no start plan typed in vain
        await pilot.press("escape")
        await show(pilot, "D-2026-0006")  # decided for MCO: awaiting MCO's acceptance
        await wait_for(pilot, lambda: "Withdraw" in footer(app))
        assert "Accept" not in footer(app)  # duty is of CBH: only MCO's team confirms
    app = make_app("sup")  # a supervisor of MCO
    async with app.run_test(size=SIZE) as pilot:
        await show(pilot, "D-2026-0006")
        await wait_for(pilot, lambda: "Accept" in footer(app))


@pytest.mark.backend
async def test_contact_outcome_and_receiving_agency_start_unchosen(make_app) -> None:
    app = make_app("duty")
    async with app.run_test(size=SIZE) as pilot:
        await show(pilot, "D-2026-0004")
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, FormModal))
        modal = app.screen
        await wait_for(pilot, lambda: modal.is_mounted)
        assert modal.values()["outcome"] == ""  # not "reached" unless someone says so
        await pilot.press("ctrl+s")
        await wait_text(pilot, "✖")
        assert isinstance(app.screen, FormModal)
    app = make_app("chair")
    async with app.run_test(size=SIZE) as pilot:
        await show(pilot, "D-2026-0004")
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, FormModal))
        await wait_for(pilot, lambda: app.screen.is_mounted)
        assert app.screen.values()["receiving_agency"] == ""


@pytest.mark.backend
async def test_a_not_upheld_decision_names_no_receiving_agency(make_app, store) -> None:
    Ledger(store, "chair", clock=lambda: NOW).record_decision(
        "D-2026-0005",
        "not_upheld",
        "the current arrangement stands",
        (NOW + timedelta(days=28)).date(),
        receiving_agency="MCO",
    )
    app = make_app("duty")
    async with app.run_test(size=SIZE) as pilot:
        await show(pilot, "D-2026-0005")
        await wait_text(pilot, "not_upheld")
        assert "→ MCO" not in screen_text(app)
