"""Steps the snapshot tests share: the sizes, and the ways to the screens they picture.

Every picture is of one settled state (``helpers.settled``): a fixed store and
clock (storefix.NOW), TZ=UTC, paths that read the same (``same_paths``),
cursors steady, and the screen read until it stops changing.
"""

from __future__ import annotations

from helpers import dispute_shown, queue_ready, settled, wait_for, wait_text
from textual.pilot import Pilot

SIZES = [(80, 24), (120, 40)]
SIZE_IDS = ["80x24", "120x40"]


async def on_queue(pilot: Pilot) -> None:
    await queue_ready(pilot)
    await wait_text(pilot, "6 disputes")


async def on_dispute(pilot: Pilot, ref: str) -> None:
    await on_queue(pilot)
    await dispute_shown(pilot, ref)
    await wait_text(pilot, f"{ref} person")


async def dialog_open(pilot: Pilot, key: str) -> None:
    """The action ``key``'s dialog on screen, its fields in."""
    from panel_tui.screens.modals import FormModal

    await pilot.press(key)
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, FormModal))
    await wait_text(pilot, "ctrl+s save")


__all__ = ["SIZES", "SIZE_IDS", "dialog_open", "on_dispute", "on_queue", "settled", "wait_text"]
