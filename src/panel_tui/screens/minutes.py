"""The end of a panel: what was decided, exportable as Markdown minutes."""

from __future__ import annotations

from datetime import date

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Markdown

from panel_tui.config import exports_dir
from panel_tui.store.private_files import private_dir, write_private
from panel_tui.store.read.agenda import AgendaEntry
from panel_tui.store.read.minutes import minutes_markdown


class MinutesScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    MinutesScreen { align: center middle; }
    MinutesScreen > VerticalScroll {
        width: 90%; height: 90%; border: round $accent; background: $panel;
    }
    """
    BINDINGS = [
        Binding("m", "export", "Export Markdown", id="minutes.export"),
        Binding("escape", "dismiss_minutes", "Back", id="minutes.back"),
    ]

    def __init__(self, panel_date: date, entries: list[AgendaEntry]) -> None:
        super().__init__()
        self.panel_date = panel_date
        self._entries = entries
        self.text = ""

    def compose(self) -> ComposeResult:
        person = getattr(self.app, "person", None)
        chair = person.display_name if person else getattr(self.app, "login", "?")
        self.text = minutes_markdown(self.panel_date, self._entries, chair)
        with VerticalScroll():
            yield Markdown(self.text)
        yield Footer()

    def action_export(self) -> None:
        try:
            target = exports_dir() / f"panel-minutes-{self.panel_date.isoformat()}.md"
            private_dir(target.parent)
            write_private(target, self.text)  # owner-only whatever the umask
        except OSError as exc:
            self.notify(f"Could not write the minutes: {exc}", severity="error")
            return
        self.notify(f"Minutes written to {target}")

    def action_dismiss_minutes(self) -> None:
        self.dismiss(None)
