"""The keys every scrolling list in the app moves by, the same in each list, and how
each keeps its cursor row in view.

Each list's bindings have ids under its own scope (``queue.up``, ``shift.up``...), so a
key can be rebound for one list from the config file without moving it in another.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.binding import Binding

if TYPE_CHECKING:
    from textual.scroll_view import ScrollView


def motion_bindings(scope: str) -> list[Binding]:
    """Up and down (also k and j), page up and down, first and last (also g and G)."""
    return [
        Binding("up,k", "cursor(-1)", "Up", show=False, id=f"{scope}.up"),
        Binding("down,j", "cursor(1)", "Down", show=False, id=f"{scope}.down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id=f"{scope}.page_up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id=f"{scope}.page_down"),
        Binding("home,g", "jump(0)", "First", show=False, id=f"{scope}.first"),
        Binding("end,G", "jump(-1)", "Last", show=False, id=f"{scope}.last"),
    ]


def top_showing(view: ScrollView, row: int) -> int:
    """The first line on screen once ``row`` is scrolled into view (``scroll_into_view``)."""
    height = max(1, view.size.height)
    top = int(view.scroll_offset.y)
    if row < top:
        return row
    if row >= top + height:
        return row - height + 1
    return top


def scroll_into_view(view: ScrollView, row: int) -> None:
    """Scroll ``view`` (one line a row) just enough that ``row`` is on screen: up to put
    it at the top, down to put it at the bottom, not at all if it is already shown."""
    top = top_showing(view, row)
    if top != int(view.scroll_offset.y):
        view.scroll_to(y=top, animate=False, immediate=True)
