"""SVG snapshots without colour (NO_COLOR) and in a terminal's 16 colours, at both sizes:
state is in characters (✖ BREACHED, ▲, X ticks, [outcome]), so neither loses any.
"""

from __future__ import annotations

import pytest
from snapshot_steps import SIZE_IDS, SIZES, on_dispute, on_queue, settled, wait_text

# SQLite only: the title names the store's file (on PostgreSQL a new database's name).
pytestmark = pytest.mark.usefixtures("same_paths")
sizes = pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
looks = pytest.mark.parametrize("look", ["no_color", "ansi16"])


def _looking(make_app, monkeypatch, look: str, login: str = "duty"):  # noqa: ANN001, ANN202
    if look == "no_color":
        monkeypatch.setenv("NO_COLOR", "1")  # read when the app is made
    app = make_app(login)
    if look == "ansi16":
        app.ansi_color = True  # the terminal's own 16 colours, as a 16-colour terminal has
    return app


@looks
@sizes
def test_queue_looks(snap_compare, make_app, monkeypatch, size, look) -> None:
    async def before(pilot) -> None:  # noqa: ANN001
        await on_queue(pilot)
        await settled(pilot)

    app = _looking(make_app, monkeypatch, look)
    assert snap_compare(app, terminal_size=size, run_before=before)


@looks
@sizes
def test_detail_looks(snap_compare, make_app, monkeypatch, size, look) -> None:
    async def before(pilot) -> None:  # noqa: ANN001
        await on_dispute(pilot, "D-2026-0004")
        await settled(pilot)

    app = _looking(make_app, monkeypatch, look)
    assert snap_compare(app, terminal_size=size, run_before=before)


@looks
@sizes
def test_evidence_looks(snap_compare, make_app, monkeypatch, size, look) -> None:
    """Evidence present and absent differ by an X, not by its colour."""

    async def before(pilot) -> None:  # noqa: ANN001
        await on_dispute(pilot, "D-2026-0004")
        await pilot.press("x")
        await wait_text(pilot, "ctrl+s save")
        await settled(pilot)

    app = _looking(make_app, monkeypatch, look)
    assert snap_compare(app, terminal_size=size, run_before=before)


@looks
@sizes
def test_panel_looks(snap_compare, make_app, monkeypatch, size, look) -> None:
    """The chosen outcome is in brackets, not only in reverse video."""

    async def before(pilot) -> None:  # noqa: ANN001
        await on_queue(pilot)
        await pilot.press("P")
        await wait_text(pilot, "D-2026-0004 eligibility")
        await pilot.press("2")
        await settled(pilot)

    app = _looking(make_app, monkeypatch, look, "chair")
    assert snap_compare(app, terminal_size=size, run_before=before)
