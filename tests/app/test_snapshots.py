"""SVG snapshots of every screen at 80×24 and 120×40 (pytest-textual-snapshot).

The dialogs are in test_snapshot_dialogs.py, NO_COLOR and 16 colours in
test_snapshot_looks.py; snapshot_steps.py says what makes each picture the
same every run. Update with `uv run pytest tests/app -k snapshot --snapshot-update`
after a deliberate change, and look at every picture that changed.
"""

from __future__ import annotations

import pytest
from helpers import wait_for
from snapshot_steps import SIZE_IDS, SIZES, on_dispute, on_queue, settled, wait_text
from storefix import NOW
from textual.widgets import Input, TextArea

from panel_tui.store.ledger import Ledger

# SQLite only: the title names the store's file (on PostgreSQL a new database's name).
pytestmark = pytest.mark.usefixtures("same_paths")
sizes = pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)


@sizes
def test_queue(snap_compare, make_app, size) -> None:
    async def before(pilot) -> None:  # noqa: ANN001
        await on_queue(pilot)
        await settled(pilot)

    assert snap_compare(make_app("duty"), terminal_size=size, run_before=before)


@sizes
def test_queue_filtered(snap_compare, make_app, size) -> None:
    async def before(pilot) -> None:  # noqa: ANN001
        await on_queue(pilot)
        await pilot.press("slash", "1", "0", "0", "4")
        # The filtered page and its count, not only the typed text: under load the
        # page could land after settled()'s quiet spell (it failed so twice).
        await wait_text(pilot, "1 dispute · All open · /1004 · row 1 of 1")
        await settled(pilot)

    assert snap_compare(make_app("duty"), terminal_size=size, run_before=before)


@sizes
def test_detail(snap_compare, make_app, size) -> None:
    async def before(pilot) -> None:  # noqa: ANN001
        await on_dispute(pilot, "D-2026-0004")  # cover, a package, contacts
        await settled(pilot)

    assert snap_compare(make_app("duty"), terminal_size=size, run_before=before)


@sizes
def test_detail_decided(snap_compare, make_app, size) -> None:
    async def before(pilot) -> None:  # noqa: ANN001
        await on_dispute(pilot, "D-2026-0006")  # a decision awaiting acceptance
        await settled(pilot)

    assert snap_compare(make_app("sup"), terminal_size=size, run_before=before)


@sizes
def test_form(snap_compare, make_app, size) -> None:
    async def before(pilot) -> None:  # noqa: ANN001
        await on_queue(pilot)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(pilot.app.focused, Input))
        await pilot.press("ctrl+s")  # show the messages
        await wait_text(pilot, "problem(s)")
        await settled(pilot)

    assert snap_compare(make_app("duty"), terminal_size=size, run_before=before)


@sizes
def test_form_with_a_field_both_changed(snap_compare, make_app, store, size) -> None:
    """The edit form after a stale write and ctrl+r: their text beside mine, marked ▲."""

    async def before(pilot) -> None:  # noqa: ANN001
        from panel_tui.screens.form import DisputeFormScreen

        app = pilot.app
        await on_dispute(pilot, "D-2026-0002")
        await pilot.press("E")
        await wait_for(
            pilot, lambda: isinstance(app.screen, DisputeFormScreen) and app.screen._loaded
        )
        app.screen.query_one("#f-problem_statement", TextArea).focus()
        await pilot.press("end", "space", "M", "i", "n", "e", "full_stop")
        Ledger(store, "sup", clock=lambda: NOW).edit_form(
            "D-2026-0002", {"problem_statement": "Housing now offers a bed; MCO declines."}
        )
        await pilot.press("ctrl+s")  # stale: refused
        await wait_text(pilot, "ctrl+r reloads the dispute")
        await pilot.press("ctrl+r")
        await wait_text(pilot, "▲ Changed by someone else meanwhile: Problem")
        await settled(pilot)

    assert snap_compare(make_app("duty"), terminal_size=size, run_before=before)


@sizes
def test_panel(snap_compare, make_app, size) -> None:
    async def before(pilot) -> None:  # noqa: ANN001
        await on_queue(pilot)
        await pilot.press("P")
        await wait_text(pilot, "D-2026-0004 eligibility")
        await pilot.press("1")
        await settled(pilot)

    assert snap_compare(make_app("chair"), terminal_size=size, run_before=before)


@sizes
def test_panel_minutes(snap_compare, make_app, size) -> None:
    async def before(pilot) -> None:  # noqa: ANN001
        from panel_tui.screens.minutes import MinutesScreen

        await on_queue(pilot)
        await pilot.press("P")
        await wait_text(pilot, "D-2026-0004 eligibility")
        await pilot.press("S")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, MinutesScreen))
        await wait_text(pilot, "D-2026-0004")
        await settled(pilot)

    assert snap_compare(make_app("chair"), terminal_size=size, run_before=before)


@sizes
def test_dashboard(snap_compare, make_app, size) -> None:
    async def before(pilot) -> None:  # noqa: ANN001
        await on_queue(pilot)
        await pilot.press("D")
        await wait_text(pilot, "By type")
        await settled(pilot)

    assert snap_compare(make_app("duty"), terminal_size=size, run_before=before)


@sizes
def test_shift_start(snap_compare, make_app, size) -> None:
    async def before(pilot) -> None:  # noqa: ANN001
        from panel_tui.screens.shift import ShiftStartScreen

        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ShiftStartScreen))
        await wait_text(pilot, "What changed in the last 24 hours")
        await settled(pilot)

    assert snap_compare(make_app("duty", shift_start=True), terminal_size=size, run_before=before)


@sizes
def test_command_palette(snap_compare, make_app, size) -> None:
    async def before(pilot) -> None:  # noqa: ANN001
        await on_queue(pilot)
        await pilot.press("ctrl+p")
        await wait_text(pilot, "Go to dispute")
        await settled(pilot)

    assert snap_compare(make_app("duty"), terminal_size=size, run_before=before)


@sizes
def test_go_to_dispute(snap_compare, make_app, size) -> None:
    async def before(pilot) -> None:  # noqa: ANN001
        await on_queue(pilot)
        await pilot.press("ctrl+p")
        await wait_text(pilot, "Go to dispute")
        await pilot.press("G", "o", "space", "t", "o")
        await wait_text(pilot, "Open a dispute by its reference")
        await pilot.press("enter")
        await wait_text(pilot, "Reference, e.g. D-2026-0042")
        await settled(pilot)

    assert snap_compare(make_app("duty"), terminal_size=size, run_before=before)


@pytest.mark.parametrize("where", ["queue", "detail"])
@sizes
def test_help(snap_compare, make_app, size, where) -> None:
    async def before(pilot) -> None:  # noqa: ANN001
        if where == "queue":
            await on_queue(pilot)
        else:
            await on_dispute(pilot, "D-2026-0004")
        await pilot.press("f1")
        await wait_text(pilot, "Keys on this screen")
        await settled(pilot)

    assert snap_compare(make_app("duty"), terminal_size=size, run_before=before)
