"""SVG snapshots of every dialog at 80×24 and 120×40: each action's, saved empty so
every problem shows beside its field, and the confirmations and questions.

Each action is pictured on a dispute where it is offered, as a person who may take it.
The pictures of one person on one dispute are taken in one run of the app
(snapshot_steps.Pictures): each dialog opened from the detail, pictured, and left
(a start-up cost more than a picture, and a dialog left leaves the detail as it was).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from helpers import screen_text, wait_for
from snapshot_steps import SIZE_IDS, SIZES, Pictures, dialog_open, on_dispute, on_queue, wait_text
from storefix import NOW

from panel_tui.screens.detail import DisputeScreen
from panel_tui.screens.modals import ConfirmModal
from panel_tui.store.ledger import Ledger

# SQLite only: the title names the store's file (on PostgreSQL a new database's name).
pytestmark = pytest.mark.usefixtures("same_paths")
sizes = pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)

#: The duty lead's actions on D-2026-0004, where each is offered.
DUTY_KEYS = ["e", "c", "v", "t", "w", "h", "x", "n", "p", "g", "r", "k", "C"]
#: Dialogs with nothing required (each field optional or filled in): saved empty, they
#: would save, so they are pictured as they open. (Escalate is not: the impact on the
#: person is required since 0011.)
COMPLETE_AS_OPENED = {"p", "x"}


@pytest.fixture
def pictures(snapshot, tmp_path) -> Pictures:  # noqa: ANN001
    return Pictures(snapshot, tmp_path)


async def picture_with_problems(pilot, pictures: Pictures, key: str) -> None:  # noqa: ANN001
    """Open ``key``'s dialog, save it empty (problems shown), picture it, leave it."""
    await dialog_open(pilot, key)
    if key not in COMPLETE_AS_OPENED:
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: any(e.display for e in pilot.app.screen.query(".error")))
    await pictures.take(pilot, key)
    await pilot.press("escape")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, DisputeScreen | ConfirmModal))
    if isinstance(pilot.app.screen, ConfirmModal):  # a dialog that starts filled in
        await pilot.press("y")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, DisputeScreen))


@sizes
async def test_the_duty_leads_dialogs(make_app, pictures, size) -> None:
    """Each of the duty lead's dialogs with its problems, then leaving one with typing."""
    app = make_app("duty")
    async with app.run_test(size=size) as pilot:
        await on_dispute(pilot, "D-2026-0004")
        for key in DUTY_KEYS:
            await picture_with_problems(pilot, pictures, key)
        await dialog_open(pilot, "n")
        await pilot.press("h", "i", "escape")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmModal))
        await pictures.take(pilot, "leave-dialog")
    pictures.check()


@sizes
async def test_the_chairs_decision(make_app, pictures, size) -> None:
    """The decision dialog with its problems; then its drop-down open, inside its border."""
    app = make_app("chair")
    async with app.run_test(size=size) as pilot:
        await on_dispute(pilot, "D-2026-0004")
        await picture_with_problems(pilot, pictures, "d")
        await dialog_open(pilot, "d")
        await pilot.press("enter")  # the outcome's list
        await wait_text(pilot, "no agreement: escalate")
        await pictures.take(pilot, "select-open")
    pictures.check()


#: key -> (who, on which dispute)
ONE_DIALOG = {
    "a": ("sup", "D-2026-0006"),  # a decision awaiting acceptance
    "f": ("pm", "D-2026-0005"),  # once the panel has escalated it to the final authority
    "s": ("duty", "D-2026-0005"),  # once it has a plan holder to convene it
}


@pytest.mark.parametrize("key", list(ONE_DIALOG))
@sizes
async def test_a_dialog_of_its_own(make_app, store, pictures, size, key) -> None:
    login, ref = ONE_DIALOG[key]
    if key == "f":
        Ledger(store, "chair", clock=lambda: NOW).escalate(
            ref, "no agreement at panel", impact="the person waits without agreed support", at=NOW
        )
    if key == "s":
        Ledger(store, "duty").assign_plan_holder(ref, "duty", at=NOW - timedelta(hours=1))
    app = make_app(login)
    async with app.run_test(size=size) as pilot:
        await on_dispute(pilot, ref)
        await picture_with_problems(pilot, pictures, key)
    pictures.check()


@sizes
async def test_the_panels_questions(make_app, pictures, size) -> None:
    """Add to agenda; leaving panel mode, then quitting, with a rationale typed."""
    app = make_app("chair")
    async with app.run_test(size=size) as pilot:
        await on_queue(pilot)
        await pilot.press("P")
        await wait_text(pilot, "D-2026-0004 eligibility")
        await pilot.press("plus")
        await wait_text(pilot, "Add to today's agenda")
        await pictures.take(pilot, "add-to-agenda")
        await pilot.press("escape")
        await wait_for(pilot, lambda: "Add to today's agenda" not in screen_text(app))
        await pilot.press("1", "h", "i")
        await pilot.press("escape", "escape")
        await wait_text(pilot, "Leave panel mode?")
        await pictures.take(pilot, "leave-panel")
        await pilot.press("n")
        await wait_for(pilot, lambda: "Leave panel mode?" not in screen_text(app))
        await pilot.press("q")  # the agenda has the focus: q is quit
        await wait_text(pilot, "Quit panel-tui?")
        await pictures.take(pilot, "quit")
    pictures.check()
