"""The queue's filter box: Textual's Input without a screen layout per keystroke.

Textual's Input sets its virtual size (the text's width) on every change of
its value, and a widget's virtual size asks for a layout of the whole screen.
The box itself never changes size (one line, the screen's width), so the
queue was laid out again for each key typed before its rows even changed.
Here the virtual size is set as a plain value: scrolling the text inside the
box reads it from there, and the box has no scrollbar to update.

A typed character is drawn with the rows it asks for, not a frame before them.
Textual draws at most one frame per 1/60 s slot: the box's repaint took the
next slot on its own, and rows read ~10-15 ms after the key then waited for
the slot after (at a million disputes most filter keys took two frames, about
33 ms, where the bare framework's keystroke is one). So a change of the text
holds the box's repaints until the queue screen calls ``release`` as its rows
arrive (the frame then comes as soon as they do), or ``HOLD`` s have passed: a
slow read never keeps the character off the screen longer than that.
"""

from __future__ import annotations

from typing import Self

from textual.geometry import Region, Size
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Input


class FilterInput(Input):
    """An Input whose typing repaints the box, never lays out the screen, and is drawn
    with the rows the typed text asks for."""

    #: The longest a typed character waits to be drawn with its rows (three frames).
    HOLD = 0.05

    # Class defaults: Input's __init__ sets reactives, which call refresh, first.
    _hold: Timer | None = None  # until release(): the repaints wait
    _held = False  # a repaint was asked for while held

    def _watch_value(self, value: str) -> None:
        # Held first: Input's watcher moves the cursor, which repaints the box too.
        if self._hold is None and self.is_mounted:
            self._hold = self.set_timer(self.HOLD, self.release)
        # Input's watcher sets the same size next, which then changes nothing.
        self.set_reactive(Widget.virtual_size, Size(self.content_width, 1))
        super()._watch_value(value)

    def refresh(
        self, *regions: Region, repaint: bool = True, layout: bool = False, recompose: bool = False
    ) -> Self:
        if self._hold is not None and not (layout or recompose):
            self._held = True
            return self
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    def release(self) -> None:
        """Draw the box as it is now, in the frame being made (the rows' frame)."""
        if self._hold is not None:
            self._hold.stop()
            self._hold = None
        if self._held:
            self._held = False
            super().refresh()
