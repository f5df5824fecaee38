"""Panel mode's n and p: the item stepped to is the one shown, and the one ctrl+s records.

By hand in tmux (issue 11's check at 120×40): n moved the agenda's highlight but
the status still said "item 1" and the first item's case stayed on screen until
another key moved the highlight; a decision typed then and ctrl+s recorded nothing,
with no word said.
"""

from __future__ import annotations

from helpers import open_panel, type_text, wait_for, wait_text
from storefix import NOW
from textual.widgets import Select, TextArea

from panel_tui.screens.modals import ConfirmModal
from panel_tui.store.read.agenda import agenda

SIZE = (80, 24)


async def test_n_and_p_show_the_item_they_step_to(make_app) -> None:
    app = make_app("chair")
    async with app.run_test(size=SIZE) as pilot:
        await open_panel(pilot)
        await wait_text(pilot, "item 1 of 2 · 0 decided")
        await pilot.press("n")
        await wait_text(pilot, "item 2 of 2")
        await wait_text(pilot, "D-2026-0005 eligibility")
        await pilot.press("p")
        await wait_text(pilot, "item 1 of 2")
        await wait_text(pilot, "D-2026-0004 eligibility")


async def test_a_decision_after_n_is_recorded_on_the_item_stepped_to(make_app, store) -> None:
    app = make_app("chair")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_panel(pilot)
        await pilot.press("n")
        await wait_text(pilot, "D-2026-0005 eligibility")
        await pilot.press("1")
        await type_text(pilot, "MCO funds the ACT place from Monday")
        screen.query_one("#p-receiving", Select).value = "MCO"
        await pilot.press("ctrl+s")
        await wait_text(pilot, "1 decided")
    decided = {e.ref: [d.outcome for d in e.decisions] for e in agenda(store, NOW.date(), NOW)}
    assert decided == {"D-2026-0004": [], "D-2026-0005": ["assigned"]}


async def test_a_rationale_typed_is_kept_when_stepping_to_another_item_and_back(
    make_app,
) -> None:
    """A rationale typed, esc, n: it was cleared without a word (p showed the item empty)
    and leaving the panel then asked nothing."""
    app = make_app("chair")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_panel(pilot)
        rationale = screen.query_one("#p-rationale", TextArea)
        await pilot.press("2")
        await type_text(pilot, "Joint plan: CBH clinical, MCO funding")
        await pilot.press("escape", "n")  # out of the rationale, on to the next item
        await wait_text(pilot, "D-2026-0005 eligibility")
        await wait_for(pilot, lambda: rationale.text == "")  # the next item's own, empty
        await pilot.press("escape")  # leaving asks: the first item's rationale is kept
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmModal))
        await wait_text(pilot, "the rationale typed for D-2026-0004")
        await pilot.press("n")  # stay
        await wait_for(pilot, lambda: app.screen is screen)
        await pilot.press("p")
        await wait_text(pilot, "D-2026-0004 eligibility")
        await wait_for(pilot, lambda: rationale.text == "Joint plan: CBH clinical, MCO funding")
