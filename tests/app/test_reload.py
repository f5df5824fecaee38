"""ctrl+r after a stale write: the dialog shows the dispute as it is now, and saves that.

Issue 11: two users in the escalate dialog; the first saves; the second
presses ctrl+r as told. The dialog must then read "from stage 1 to stage 2"
and ask again before escalating further, and untouched prefilled values
follow the dispute.
"""

from __future__ import annotations

from helpers import dispute_shown, screen_text, type_text, wait_for, wait_text
from storefix import NOW
from textual.widgets import Select, TextArea

from panel_tui.screens.detail import DisputeScreen
from panel_tui.screens.modals import FormModal
from panel_tui.store.ledger import Ledger
from panel_tui.store.read import orm_detail

SIZE = (80, 24)
REF = "D-2026-0002"


async def open_dispute(pilot, ref: str = REF) -> None:  # noqa: ANN001
    await dispute_shown(pilot, ref)


async def test_reload_in_the_escalate_dialog_shows_the_new_stage_and_asks_again(
    make_app, store
) -> None:
    app = make_app("duty")
    async with app.run_test(size=SIZE) as pilot:
        await open_dispute(pilot)
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.focused, TextArea))
        await wait_text(pilot, "from stage 0 to stage 1")
        await type_text(pilot, "supervisor call booked")
        await pilot.press("tab")
        await type_text(pilot, "no contact for two days")
        Ledger(store, "sup", clock=lambda: NOW).escalate(
            REF, "I escalated it first", impact="the person waits without agreed support"
        )
        await pilot.press("ctrl+s")
        await wait_text(pilot, "was changed by sup")
        await pilot.press("ctrl+r")
        await wait_text(pilot, "from stage 1 to stage 2")
        assert "from stage 0 to stage 1" not in screen_text(app)
        assert app.screen.query_one("#f-note", TextArea).text == "supervisor call booked"
        await pilot.press("ctrl+s")  # the action means something else now: asked again
        await wait_text(pilot, "ctrl+s again to go ahead")
        assert orm_detail.dispute_detail(store, REF, NOW).stage == 1
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, DisputeScreen))
    detail = orm_detail.dispute_detail(store, REF, NOW)
    assert detail.stage == 2
    assert detail.stages[2].note == "supervisor call booked"


async def test_reload_in_the_decision_dialog_updates_untouched_prefills(make_app, store) -> None:
    app = make_app("chair")
    ref = "D-2026-0004"
    async with app.run_test(size=SIZE) as pilot:
        await open_dispute(pilot, ref)
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, FormModal))
        modal = app.screen
        await wait_for(pilot, lambda: modal.is_mounted)
        modal.query_one("#f-rationale", TextArea).focus()
        await type_text(pilot, "MCO funds it")
        modal.query_one("#f-receiving_agency", Select).value = "MCO"
        Ledger(store, "duty", clock=lambda: NOW).edit_form(
            ref, {"proposed_pathway": "Step-down bed at Elm House"}
        )
        await pilot.press("ctrl+s")
        await wait_text(pilot, "was changed by duty")
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: modal.values()["pathway"] == "Step-down bed at Elm House")
        assert modal.values()["rationale"] == "MCO funds it"
