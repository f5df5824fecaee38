"""SVG snapshots of every dialog at 80×24 and 120×40: each action's, saved empty so
every problem shows beside its field, and the confirmations and questions.

Each action is pictured on a dispute where it is offered, as a person who may take it.
"""

from __future__ import annotations

import pytest
from helpers import wait_for
from snapshot_steps import SIZE_IDS, SIZES, dialog_open, on_dispute, on_queue, settled, wait_text
from storefix import NOW

from panel_tui.store.ledger import Ledger

pytestmark = pytest.mark.usefixtures("same_paths")
sizes = pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)

#: action key -> (who, on which dispute): every action of a dispute, where it is offered.
DIALOGS = {
    "e": ("duty", "D-2026-0004"),
    "c": ("duty", "D-2026-0004"),
    "v": ("duty", "D-2026-0004"),
    "t": ("duty", "D-2026-0004"),
    "w": ("duty", "D-2026-0004"),
    "h": ("duty", "D-2026-0004"),
    "x": ("duty", "D-2026-0004"),
    "n": ("duty", "D-2026-0004"),
    "p": ("duty", "D-2026-0004"),
    "g": ("duty", "D-2026-0004"),
    "r": ("duty", "D-2026-0004"),
    "k": ("duty", "D-2026-0004"),
    "d": ("chair", "D-2026-0004"),
    "a": ("sup", "D-2026-0006"),
    "f": ("pm", "D-2026-0005"),  # once the panel has escalated it to the final authority
}
#: Dialogs with nothing required (each field optional or filled in): saved empty, they
#: would save, so they are pictured as they open. (Escalate is not: the impact on the
#: person is required since 0011.)
COMPLETE_AS_OPENED = {"p", "x"}


@pytest.mark.parametrize("key", list(DIALOGS))
@sizes
def test_action_dialog_with_its_problems(snap_compare, make_app, store, size, key) -> None:
    login, ref = DIALOGS[key]
    if key == "f":
        Ledger(store, "chair", clock=lambda: NOW).escalate(
            ref, "no agreement at panel", impact="the person waits without agreed support", at=NOW
        )

    async def before(pilot) -> None:  # noqa: ANN001
        await on_dispute(pilot, ref)
        await dialog_open(pilot, key)
        if key not in COMPLETE_AS_OPENED:
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: any(e.display for e in pilot.app.screen.query(".error")))
        await settled(pilot)

    assert snap_compare(make_app(login), terminal_size=size, run_before=before)


@sizes
def test_select_open_in_a_dialog(snap_compare, make_app, size) -> None:
    """A drop-down opened in the decision dialog stays inside the dialog's border."""

    async def before(pilot) -> None:  # noqa: ANN001
        await on_dispute(pilot, "D-2026-0004")
        await dialog_open(pilot, "d")
        await pilot.press("enter")  # the outcome's list
        await wait_text(pilot, "no agreement: escalate")
        await settled(pilot)

    assert snap_compare(make_app("chair"), terminal_size=size, run_before=before)


@sizes
def test_quit_confirmation(snap_compare, make_app, size) -> None:
    async def before(pilot) -> None:  # noqa: ANN001
        await on_queue(pilot)
        await pilot.press("P")
        await wait_text(pilot, "D-2026-0004 eligibility")
        await pilot.press("1", "h", "i")
        await pilot.press("escape", "q")  # the agenda has the focus: q is quit
        await wait_text(pilot, "Quit panel-tui?")
        await settled(pilot)

    assert snap_compare(make_app("chair"), terminal_size=size, run_before=before)


@sizes
def test_leave_panel_confirmation(snap_compare, make_app, size) -> None:
    async def before(pilot) -> None:  # noqa: ANN001
        await on_queue(pilot)
        await pilot.press("P")
        await wait_text(pilot, "D-2026-0004 eligibility")
        await pilot.press("1", "h", "i")
        await pilot.press("escape", "escape")
        await wait_text(pilot, "Leave panel mode?")
        await settled(pilot)

    assert snap_compare(make_app("chair"), terminal_size=size, run_before=before)


@sizes
def test_leave_dialog_confirmation(snap_compare, make_app, size) -> None:
    async def before(pilot) -> None:  # noqa: ANN001
        from panel_tui.screens.modals import ConfirmModal

        await on_dispute(pilot, "D-2026-0004")
        await dialog_open(pilot, "n")
        await pilot.press("h", "i", "escape")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmModal))
        await settled(pilot)

    assert snap_compare(make_app("duty"), terminal_size=size, run_before=before)


@sizes
def test_add_to_agenda(snap_compare, make_app, size) -> None:
    async def before(pilot) -> None:  # noqa: ANN001
        await on_queue(pilot)
        await pilot.press("P")
        await wait_text(pilot, "D-2026-0004 eligibility")
        await pilot.press("plus")
        await wait_text(pilot, "Add to today's agenda")
        await settled(pilot)

    assert snap_compare(make_app("chair"), terminal_size=size, run_before=before)
