"""The queue's filter box: Textual's Input without a screen layout per keystroke.

Textual's Input sets its virtual size (the text's width) on every change of
its value, and a widget's virtual size asks for a layout of the whole screen.
The box itself never changes size (one line, the screen's width), so the
queue was laid out again for each key typed before its rows even changed.
Here the virtual size is set as a plain value: scrolling the text inside the
box reads it from there, and the box has no scrollbar to update.
"""

from __future__ import annotations

from textual.geometry import Size
from textual.widget import Widget
from textual.widgets import Input


class FilterInput(Input):
    """An Input whose typing repaints the box, never lays out the screen."""

    def _watch_value(self, value: str) -> None:
        # Input's watcher sets the same size next, which then changes nothing.
        self.set_reactive(Widget.virtual_size, Size(self.content_width, 1))
        super()._watch_value(value)
