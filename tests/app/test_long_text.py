"""Long free texts (a rationale, a note, a reason) are wrapped text areas: enter makes a
new line and it is stored; tab moves on; ctrl+s saves from inside; keys typed there are text.
"""

from __future__ import annotations

import pytest
from helpers import open_panel, queue_ready, type_text, wait_for, wait_text
from storefix import NOW
from textual.widgets import Input, OptionList, Select, TextArea

from panel_tui.rules.enums import Outcome
from panel_tui.screens.detail import DisputeScreen
from panel_tui.screens.modals import FormModal
from panel_tui.store.read import orm_detail

SIZE = (80, 24)


async def _decision_dialog(pilot) -> FormModal:  # noqa: ANN001
    """The chair's decision dialog on D-2026-0004, its first field focused."""
    await queue_ready(pilot)
    pilot.app.open_dispute("D-2026-0004")
    await wait_text(pilot, "D-2026-0004 person P-1004")
    await pilot.press("d")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, FormModal))
    await wait_for(pilot, lambda: pilot.app.screen.focused is not None)
    return pilot.app.screen


@pytest.mark.backend
async def test_a_two_line_rationale_in_the_decision_dialog_is_stored_with_its_newline(
    make_app, store
) -> None:
    app = make_app("chair")
    async with app.run_test(size=SIZE) as pilot:
        modal = await _decision_dialog(pilot)
        rationale = modal.query_one("#f-rationale", TextArea)
        modal.query_one("#f-receiving_agency", Select).value = "MCO"  # chosen: never pre-filled
        await pilot.press("tab", "tab", "tab")  # outcome → receiving → pathway → rationale
        await wait_for(pilot, lambda: app.focused is rationale)
        await type_text(pilot, "MCO funds the ACT place from Monday.")
        await pilot.press("enter")  # a new line, not a submit
        await type_text(pilot, "CBH keeps the daily welfare call until then.")
        assert isinstance(app.screen, FormModal)
        await pilot.press("tab")  # tab leaves the text area for the review date
        await wait_for(pilot, lambda: app.focused is modal.query_one("#f-review_date", Input))
        await pilot.press("shift+tab")
        await wait_for(pilot, lambda: app.focused is rationale)
        await pilot.press("ctrl+s")  # saves from inside the text area
        await wait_for(pilot, lambda: isinstance(app.screen, DisputeScreen))
        await wait_for(pilot, lambda: any(n.message == "Saved." for n in app._notifications))
    decision = orm_detail.dispute_detail(store, "D-2026-0004", NOW).decisions[-1]
    assert decision.rationale == (
        "MCO funds the ACT place from Monday.\nCBH keeps the daily welfare call until then."
    )
    assert (decision.outcome, decision.decided_by_login) == ("assigned", "chair")


async def test_tab_cycles_the_fields_of_a_dialog_and_nothing_else(make_app) -> None:
    app = make_app("chair")
    async with app.run_test(size=SIZE) as pilot:
        await _decision_dialog(pilot)
        first = app.focused
        fields = ["outcome", "receiving_agency", "pathway", "rationale", "review_date"]
        seen = []
        for _ in fields:
            seen.append(app.focused.id)
            await pilot.press("tab")
        assert seen == [f"f-{name}" for name in fields]
        assert app.focused is first  # round again, with no stop on the dialog's box


@pytest.mark.backend
async def test_a_note_of_two_paragraphs_is_stored_as_typed(make_app, store) -> None:
    app = make_app("duty")
    async with app.run_test(size=SIZE) as pilot:
        await queue_ready(pilot)
        app.open_dispute("D-2026-0002")
        await wait_text(pilot, "D-2026-0002 person P-1002")
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.focused, TextArea))
        await type_text(pilot, "Rang MCO at 10.")
        await pilot.press("enter")
        await type_text(pilot, "Callback promised by 2pm.")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, DisputeScreen))
        await wait_for(pilot, lambda: any(n.message == "Saved." for n in app._notifications))
    notes = orm_detail.dispute_detail(store, "D-2026-0002", NOW).notes
    assert notes[-1].text == "Rang MCO at 10.\nCallback promised by 2pm."


@pytest.mark.backend
async def test_panel_rationale_keeps_its_newline_and_digits_typed_in_it_are_text(
    make_app, store
) -> None:
    app = make_app("chair")
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_panel(pilot)
        await wait_text(pilot, "item 1 of 2 · 0 decided")
        rationale = panel.query_one("#p-rationale", TextArea)
        await pilot.press("2")  # joint, and the cursor goes to the rationale
        assert app.focused is rationale and panel.outcome is Outcome.JOINT
        await type_text(pilot, "Joint plan 1: CBH clinical")
        assert panel.outcome is Outcome.JOINT  # the "1" was typed, not taken as an outcome
        await pilot.press("enter")
        await type_text(pilot, "MCO funds 4 weeks, then review")
        # Every key lands, if late: a refresh (on PostgreSQL, a notification) can hold
        # them for a moment, and type_text does not wait out the app's holds.
        await wait_for(
            pilot,
            lambda: rationale.text == "Joint plan 1: CBH clinical\nMCO funds 4 weeks, then review",
        )
        assert panel.outcome is Outcome.JOINT and panel.index == 0  # nor "n"/"p" a step

        await pilot.press("escape")  # out of the rationale, still in panel mode, text kept
        assert isinstance(app.focused, OptionList) and app.screen is panel
        assert rationale.text.endswith("then review")
        panel.query_one("#p-receiving", Select).value = "MCO"
        rationale.focus()
        await pilot.press("ctrl+s")
        await wait_text(pilot, "1 decided")
    decision = orm_detail.dispute_detail(store, "D-2026-0004", NOW).decisions[-1]
    assert decision.outcome == "joint"
    assert decision.rationale == "Joint plan 1: CBH clinical\nMCO funds 4 weeks, then review"
