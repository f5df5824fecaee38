"""Steps the snapshot tests share: the sizes, and the ways to the screens they picture.

Every picture is of one settled state (``helpers.settled``): a fixed store and
clock (storefix.NOW), TZ=UTC, paths that read the same (``same_paths``),
cursors steady, and the screen read until it stops changing.
"""

from __future__ import annotations

from pathlib import Path

from helpers import dispute_shown, queue_ready, settled, wait_for, wait_text
from pytest_textual_snapshot import SVGImageExtension
from syrupy.assertion import SnapshotAssertion
from textual.app import App
from textual.pilot import Pilot

SIZES = [(80, 24), (120, 40)]
SIZE_IDS = ["80x24", "120x40"]


async def on_queue(pilot: Pilot) -> None:
    await queue_ready(pilot)
    await wait_text(pilot, "6 disputes")


async def on_dispute(pilot: Pilot, ref: str) -> None:
    """The dispute ``ref`` on screen, every section drawn: those below the fold are drawn
    a frame later, and a dialog opened before then pictured what was behind it either
    way (the no-colour evidence dialog at 120×40 did, from run to run)."""
    from panel_tui.widgets.stage_ladder import DetailSection

    await on_queue(pilot)
    await dispute_shown(pilot, ref)
    await wait_text(pilot, f"{ref} person")
    await wait_for(pilot, lambda: all(s.drawn for s in pilot.app.screen.query(DetailSection)))


async def dialog_open(pilot: Pilot, key: str) -> None:
    """The action ``key``'s dialog on screen, its fields in."""
    from panel_tui.screens.modals import FormModal

    await pilot.press(key)
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, FormModal))
    await wait_text(pilot, "ctrl+s save")


class Pictures:
    """Several pictures taken in one run of the app, each compared with its own stored
    SVG (``TEST[params][name].raw``, written by ``--snapshot-update`` as snap_compare's are).

    A start-up (the store read, the queue's first page, the dispute opened) cost more
    than a picture: the dialogs of one person on one dispute share one. Each picture
    is taken settled, as snap_compare's are; one that differs is kept beside the test's
    files and named at the end, after the others have been compared too.
    """

    def __init__(self, snapshot: SnapshotAssertion, keep: Path) -> None:
        self._snapshot = snapshot.use_extension(SVGImageExtension)
        self._keep = keep
        self._differ: list[str] = []

    async def take(self, pilot: Pilot, name: str) -> None:
        await settled(pilot)
        app: App = pilot.app
        svg = app.export_screenshot(title="panel-tui")
        matches = self._snapshot(name=name) == svg  # (syrupy records the comparison)
        if not matches:
            self._differ.append(name)
            (self._keep / f"{name}.svg").write_text(svg, encoding="utf-8")

    def check(self) -> None:
        assert not self._differ, (
            f"pictures that differ from the stored ones: {', '.join(self._differ)} "
            f"(taken now: {self._keep}/NAME.svg; after a deliberate change: --snapshot-update)"
        )


__all__ = [
    "Pictures",
    "SIZES",
    "SIZE_IDS",
    "dialog_open",
    "on_dispute",
    "on_queue",
    "settled",
    "wait_text",
]
