"""What the app saves for people (panel minutes, dashboard exports, Textual's screenshot) is
owner-only under umask 022.

The export of the view has its own test (test_habits); the drafts theirs (test_drafts).
"""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from helpers import queue_ready, wait_for, wait_text


def _saved(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "exports"
    return sorted(folder.iterdir()) if folder.exists() else []


def _assert_private(tmp_path: Path, prefix: str) -> None:
    (target,) = [p for p in _saved(tmp_path) if p.name.startswith(prefix)]
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert stat.S_IMODE(target.parent.stat().st_mode) == 0o700  # made for it, private too


@pytest.mark.parametrize("key", ["m", "c"])
async def test_a_dashboard_export_is_owner_only(make_app, tmp_path, umask_022, key) -> None:
    app = make_app("duty")
    async with app.run_test(size=(120, 40)) as pilot:
        await queue_ready(pilot)
        await pilot.press("D")
        await wait_text(pilot, "By type")
        await pilot.press(key)
        await wait_for(pilot, lambda: bool(_saved(tmp_path)))
    _assert_private(tmp_path, "oversight-")


async def test_panel_minutes_are_owner_only(make_app, tmp_path, umask_022) -> None:
    app = make_app("chair")
    async with app.run_test(size=(80, 24)) as pilot:
        await queue_ready(pilot)
        await pilot.press("P")
        await wait_text(pilot, "item 1 of 2")
        await pilot.press("S")
        await wait_text(pilot, "Panel minutes, 2026-03-10")
        await pilot.press("m")
        await wait_for(pilot, lambda: bool(_saved(tmp_path)))
    _assert_private(tmp_path, "panel-minutes-2026-03-10")


async def test_the_screenshot_command_saves_an_owner_only_file(
    make_app, tmp_path, umask_022
) -> None:
    """Textual's own Screenshot (command palette) saves the screen, personal data and all."""
    app = make_app("duty")
    async with app.run_test(size=(80, 24)) as pilot:
        await queue_ready(pilot)
        app.deliver_screenshot()  # what the palette's Screenshot command calls
        await wait_for(pilot, lambda: bool(_saved(tmp_path)))
    _assert_private(tmp_path, "")
    (shot,) = _saved(tmp_path)
    assert shot.suffix == ".svg" and "D-2026-0001" in shot.read_text()
