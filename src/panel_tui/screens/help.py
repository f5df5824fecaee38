"""Help (? and F1): the keys of the screen you came from, as they are bound now.

Lists the screen's active bindings (after any keymap overrides from the
config file), so what it says is what the keys do.
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
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
        table.add_column(style="dim", no_wrap=True)
        with VerticalScroll():
            yield Static(
                Text.assemble(("Keys on this screen", "bold"), "  (ctrl+p: command palette)\n")
            )
            for keys, description, binding_id in self.rows():
                table.add_row(keys, description, binding_id)
            yield Static(table)
            # Literal text: "[keymap]" is the config file's table, not markup.
            yield Static(
                Text(
                    f"\nRebind keys in {config_path()} under [keymap], "
                    'one line per key: binding id (the grey column) = "keys".'
                )
            )

    def rows(self) -> list[tuple[str, str, str]]:
        """(keys, what they do, binding id) for every key of the screen below, grouped by action.

        Each binding is listed once per key in Textual's active bindings; grouped,
        "down" and "j" read "↓ j". The keys the footer shows come first (``q``
        before Textual's own ``ctrl+q``).
        """
        # The screen's own keys first, then its widgets', then the app's; generic
        # scrolling and focus keys are left out (they work everywhere).
        ranked = sorted(
            self._under.active_bindings.values(),
            key=lambda a: 0 if a.node is self._under else (2 if a.node is self.app else 1),
        )
        groups: dict[tuple[str, str], list] = {}
        for active in ranked:
            binding = active.binding
            generic = binding.action.split(".")[-1].startswith(GENERIC) or binding.system
            if not binding.description or generic:
                continue
            groups.setdefault((binding.action, binding.description), []).append(active)
        rows = []
        for (_, description), actives in groups.items():
            actives.sort(key=lambda a: not a.binding.show)  # stable: the footer's key first
            keys: list[str] = []
            for active in actives:
                key = self.app.get_key_display(active.binding)
                if key not in keys:
                    keys.append(key)
            ids = [a.binding.id for a in actives if a.binding.id]
            state = "" if any(a.enabled for a in actives) else " (not available here)"
            rows.append((" ".join(keys), f"{description}{state}", ids[0] if ids else ""))
        return rows

    def action_dismiss(self) -> None:  # type: ignore[override]
        self.dismiss(None)
