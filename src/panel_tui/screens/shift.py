"""Shift start: what changed since you last looked, to walk through and mark seen.

Shown on opening when something changed (the app reads it right after the
store opens; keys wait for it), and on `w` from the queue. One line per change,
what is burning first (breached, newly at warning, packages expiring, reviews
due, then what people did). `n`/`p` step through them, `enter` opens the
dispute, `m` marks everything listed seen (an audited event) and goes back;
`esc` goes back without marking, so they are shown again next time.
"""

from __future__ import annotations

from datetime import UTC

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Header, Static

from panel_tui.rules.text import visible
from panel_tui.screens.base import retrying
from panel_tui.screens.kept import KeptScreen
from panel_tui.store.read.changes import KINDS, LABELS, Changes
from panel_tui.widgets.changes_list import ChangesList
from panel_tui.widgets.footer import KeysFooter


def read_changes_for(app: object, login: str) -> Changes:
    """Everything changed since ``login``'s seen mark, as the app's clock stands (a worker)."""
    from panel_tui.store.read.changes import read_changes, since_last

    store = app.store  # type: ignore[attr-defined]
    now = app.now()  # type: ignore[attr-defined]
    with store.read() as session:
        return read_changes(session, store.policy(session), since_last(session, login, now), now)


class ShiftStartScreen(KeptScreen):
    """The changes since the last look, one per row."""

    DEFAULT_CSS = """
    ShiftStartScreen #summary { padding: 0 1; height: auto; }
    ShiftStartScreen #changes-head { height: 1; text-style: bold; }
    """
    BINDINGS = [
        Binding("n", "step(1)", "Next", id="shift.next"),
        Binding("p", "step(-1)", "Prev", id="shift.previous"),
        Binding("enter", "open", "Open", id="shift.open"),
        Binding("m", "mark_seen", "Mark seen", id="shift.mark_seen"),
        Binding("escape", "back", "Back", id="shift.back"),
    ]

    def __init__(self, changes: Changes) -> None:
        super().__init__()
        self.changes = changes

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield Static(self._summary(), id="summary")
        yield Static(id="changes-head")
        yield ChangesList(id="changes")
        yield KeysFooter()

    def on_mount(self) -> None:
        self._fill()

    def show(self, changes: Changes) -> None:
        """Refill with newer changes: one screen is kept and reused (mounting took longest).

        Off the stack (the app reads the view ahead) it is laid out again now, so
        that `w` only pushes it; the same changes read again are not redrawn."""
        before, self.changes = self.changes, changes
        same = (before.since, before.counts, before.items) == (
            changes.since,
            changes.counts,
            changes.items,
        )
        if self.is_mounted and not same:
            self._fill()

    def _fill(self) -> None:
        """Show the changes: only the lines on screen are drawn (ChangesList)."""
        self.query_one("#summary", Static).update(self._summary())
        listed = self.query_one(ChangesList)
        listed.show(self.changes.items)
        self.query_one("#changes-head", Static).update(Text(listed.header(), no_wrap=True))
        listed.focus()
        if not self.is_current:
            self.call_later(self.lay_out_ahead)

    def _summary(self) -> Text:
        c = self.changes
        head = f"What changed {c.since.words(f'{c.since.at.astimezone(UTC):%d %b %H:%M} UTC')}"
        parts = [f"{LABELS[k]} {c.counts[k]}" for k in KINDS if c.counts.get(k)]
        listed = len(c.items)
        more = f" · {listed} of {c.total} listed" if listed < c.total else ""
        body = " · ".join(parts) if parts else "Nothing changed."
        return Text(visible(f"{head}\n{body}{more}"))

    def action_step(self, delta: int) -> None:
        listed = self.query_one(ChangesList)
        if listed.row_count:
            listed.move_cursor(row=listed.cursor_row + delta)

    def action_open(self) -> None:
        listed = self.query_one(ChangesList)
        if listed.row_count:
            self.panel.open_dispute(self.changes.items[listed.cursor_row].ref)

    def on_changes_list_selected(self, event: ChangesList.Selected) -> None:
        event.stop()
        self.action_open()

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_mark_seen(self) -> None:
        self._mark()

    @work(thread=True, exclusive=True, group="shift-mark")
    def _mark(self) -> None:
        from panel_tui.store.ledger.shift import mark_seen

        app, changes = self.panel, self.changes
        retrying(app, lambda: mark_seen(app.store, app.login, changes.head_event, changes.until))
        app.call_from_thread(self._marked)

    def _marked(self) -> None:
        self.notify(f"Marked {self.changes.total} changes seen.")
        if self.app.screen is self:
            self.app.pop_screen()
