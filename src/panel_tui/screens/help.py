"""Help (? and F1): the keys of the screen you came from, as they are bound now.

Lists the screen's active bindings (after any keymap overrides from the
config file), so what it says is what the keys do.
"""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from panel_tui.config import config_path

GENERIC = ("scroll_", "page_", "focus_", "copy", "cursor_")


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 72; max-width: 100%; height: auto; max-height: 90%;
        border: round $accent; background: $panel; padding: 0 1;
    }
    """
    BINDINGS = [
        Binding("escape,f1,question_mark,q", "dismiss", "Close", id="help.close"),
    ]

    def __init__(self, under: Screen) -> None:
        super().__init__()
        self._under = under

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        seen: set[tuple[str, str]] = set()
        # The screen's own keys first, then its widgets', then the app's; generic
        # scrolling and focus keys are left out (they work everywhere).
        ranked = sorted(
            self._under.active_bindings.values(),
            key=lambda a: 0 if a.node is self._under else (2 if a.node is self.app else 1),
        )
        for active in ranked:
            binding = active.binding
            generic = binding.action.split(".")[-1].startswith(GENERIC) or binding.system
            if not binding.description or generic or (binding.action, binding.description) in seen:
                continue
            seen.add((binding.action, binding.description))
            keys = self.app.get_key_display(binding)
            state = "" if active.enabled else " (not available here)"
            table.add_row(keys, f"{binding.description}{state}")
        with VerticalScroll():
            yield Static("[b]Keys on this screen[/b]  (ctrl+p: command palette)\n")
            yield Static(table)
            yield Static(f'\nRebind keys in {config_path()} under [keymap] (binding id = "keys").')

    def action_dismiss(self) -> None:  # type: ignore[override]
        self.dismiss(None)
