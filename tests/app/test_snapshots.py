"""SVG snapshots of the main screens at 80×24 and 120×40 (pytest-textual-snapshot).

Deterministic: a fixed store and clock (storefix.NOW), TZ=UTC, cursor blink off.
Update with `uv run pytest tests/app --snapshot-update` after a deliberate change.
"""

from __future__ import annotations

import pytest
from helpers import queue_ready, wait_for, wait_text
from textual.widgets import Input, TextArea

SIZES = [(80, 24), (120, 40)]


async def _settle(pilot) -> None:  # noqa: ANN001
    for box in pilot.app.screen.query(Input):
        box.cursor_blink = False
    for area in pilot.app.screen.query(TextArea):
        area.cursor_blink = False
    await pilot.pause(0.2)


async def _queue(pilot) -> None:  # noqa: ANN001
    await queue_ready(pilot)
    await wait_text(pilot, "6 disputes")


@pytest.mark.parametrize("size", SIZES)
def test_queue(snap_compare, make_app, size) -> None:
    async def before(pilot) -> None:  # noqa: ANN001
        await _queue(pilot)
        await _settle(pilot)

    assert snap_compare(make_app("duty"), terminal_size=size, run_before=before)


@pytest.mark.parametrize("size", SIZES)
def test_detail(snap_compare, make_app, size) -> None:
    async def before(pilot) -> None:  # noqa: ANN001
        await _queue(pilot)
        await pilot.press("down", "down", "enter")  # D-2026-0004: cover, package, contacts
        await wait_text(pilot, "D-2026-0004 person")
        await _settle(pilot)

    assert snap_compare(make_app("duty"), terminal_size=size, run_before=before)


@pytest.mark.parametrize("size", SIZES)
def test_form(snap_compare, make_app, size) -> None:
    async def before(pilot) -> None:  # noqa: ANN001
        await _queue(pilot)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(pilot.app.focused, Input))
        await pilot.press("ctrl+s")  # show the messages
        await wait_text(pilot, "problem(s)")
        await _settle(pilot)

    assert snap_compare(make_app("duty"), terminal_size=size, run_before=before)


@pytest.mark.parametrize("size", SIZES)
def test_panel(snap_compare, make_app, size) -> None:
    async def before(pilot) -> None:  # noqa: ANN001
        await _queue(pilot)
        await pilot.press("P")
        await wait_text(pilot, "D-2026-0004 eligibility")
        await pilot.press("1")
        await _settle(pilot)

    assert snap_compare(make_app("chair"), terminal_size=size, run_before=before)


@pytest.mark.parametrize("size", SIZES)
def test_dashboard(snap_compare, make_app, size) -> None:
    async def before(pilot) -> None:  # noqa: ANN001
        await _queue(pilot)
        await pilot.press("D")
        await wait_text(pilot, "By type")
        await _settle(pilot)

    assert snap_compare(make_app("duty"), terminal_size=size, run_before=before)
