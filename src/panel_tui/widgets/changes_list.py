"""The shift-start list: one line per change, only the lines on screen drawn.

A DataTable measured every cell of every row each time the view was filled
(about 290 rows at 100,000 disputes: most of the time from ``w`` to the list
on screen). Here filling is keeping the changes; each line is formatted when
it is drawn, in fixed columns (the reference column as wide as the longest
reference listed), as the queue's own view draws its rows.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from textual import events
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from panel_tui.rules.text import visible
from panel_tui.store.read.changes import BREACHED, Change
from panel_tui.widgets.list_keys import motion_bindings, scroll_into_view

#: A time as the handover writes it in a change's detail ("due 2026-03-10 17:00 UTC").
_FULL_TIME = re.compile(r"\b(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}) UTC\b")


def short_times(detail: str) -> str:
    """A detail's times as the "when (UTC)" column writes them ("due 10 Mar 17:00"):
    written in full, the detail ran past 80 columns and was cut."""

    def short(match: re.Match[str]) -> str:
        moment = datetime.strptime(f"{match[1]} {match[2]}", "%Y-%m-%d %H:%M")
        return moment.strftime("%d %b %H:%M")

    return _FULL_TIME.sub(short, detail)


#: Short labels for the kind column (the list is 80 columns wide at the least).
SHORT = {
    BREACHED: "BREACHED",
    "warning": "warning",
    "package_expiring": "package",
    "review_due": "review",
    "opened": "opened",
    "escalated": "escalated",
    "decided": "decided",
    "accepted": "accepted",
    "withdrawn": "withdrawn",
    "agenda_added": "agenda",
    "synced": "sync",
    "consent": "consent",
}
KIND_WIDTH = max(len(s) for s in SHORT.values())
WHEN_WIDTH = len("03 Dec 14:20")
STAGE_WIDTH = len("stage")
BY_WIDTH = 10


def _cell(text: str, width: int) -> str:
    """``text`` in ``width`` cells (a wide character takes two): cut with … when longer,
    padded when shorter."""
    if cell_len(text) > width:
        return set_cell_size(text, width - 1) + "…"
    return set_cell_size(text, width)


class ChangesList(ScrollView, can_focus=True):
    """The changes in order; arrows and page keys move, enter opens."""

    BINDINGS = [*motion_bindings("shift")]
    COMPONENT_CLASSES = {"changes-list--cursor", "changes-list--breached"}
    DEFAULT_CSS = """
    ChangesList { height: 1fr; overflow-x: hidden; overflow-y: auto; }
    ChangesList > .changes-list--cursor { background: $surface-lighten-2; }
    ChangesList:focus > .changes-list--cursor { background: $accent; color: $text; }
    ChangesList > .changes-list--breached { color: $error; text-style: bold; }
    """

    cursor_row: reactive[int] = reactive(0, repaint=False)

    class Selected(Message):
        """Enter (or a double click) on a change."""

        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self._items: tuple[Change, ...] = ()
        self._ref_width = len("ref")

    @property
    def row_count(self) -> int:
        return len(self._items)

    def show(self, items: tuple[Change, ...]) -> None:
        """List ``items``, the cursor on the first."""
        self._items = items
        self._ref_width = max(
            [len("ref"), *(cell_len(visible(c.ref, multiline=False)) for c in items)]
        )
        self.cursor_row = 0
        self.virtual_size = Size(self.size.width, len(items))
        self.scroll_to(y=0, animate=False, immediate=True)
        self.refresh()

    def header(self) -> str:
        """The column titles, in the lines' columns."""
        return self._line("what", "ref", "when (UTC)", "stage", "by", "detail")

    def _line(self, kind: str, ref: str, when: str, stage: str, by: str, detail: str) -> str:
        return " ".join(
            (
                "",
                _cell(kind, KIND_WIDTH),
                _cell(ref, self._ref_width),
                _cell(when, WHEN_WIDTH),
                _cell(stage, STAGE_WIDTH),
                _cell(by, BY_WIDTH),
                detail,
            )
        )

    # --- moving ------------------------------------------------------------------------
    def move_cursor(self, *, row: int) -> None:
        self.cursor_row = max(0, min(row, self.row_count - 1))
        scroll_into_view(self, self.cursor_row)
        self.refresh()

    def action_cursor(self, step: int) -> None:
        self.move_cursor(row=self.cursor_row + step)

    def action_page(self, direction: int) -> None:
        self.move_cursor(row=self.cursor_row + direction * max(1, self.size.height - 1))

    def action_jump(self, where: int) -> None:
        self.move_cursor(row=self.row_count - 1 if where < 0 else 0)

    def on_click(self, event: events.Click) -> None:
        index = int(self.scroll_offset.y) + event.y
        if index < self.row_count:
            self.move_cursor(row=index)
            if event.chain >= 2:
                self.post_message(self.Selected(index))

    # --- drawing -----------------------------------------------------------------------
    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(event.size.width, self.row_count)

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.rich_style
        index = int(self.scroll_offset.y) + y
        if index >= self.row_count:
            return Strip.blank(width, base)
        change = self._items[index]
        style = base
        if change.kind == BREACHED:
            style += self.get_component_rich_style("changes-list--breached")
        if index == self.cursor_row:
            style += self.get_component_rich_style("changes-list--cursor")
        # Text from the store is shown as it is, its controls made visible.
        text = self._line(
            SHORT.get(change.kind, change.kind),
            visible(change.ref, multiline=False),
            change.at.astimezone(UTC).strftime("%d %b %H:%M"),
            "" if change.stage is None else str(change.stage),
            visible(change.actor or "", multiline=False),
            visible(short_times(change.detail), multiline=False),
        )
        # Cut and padded by cells, not characters: a wide character takes two.
        return Strip([Segment(text, style)]).adjust_cell_length(width, base)
