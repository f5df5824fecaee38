"""panel-tui as users run it, with a hook that says when the queue's first page is on screen.

Nothing in panel_tui changes for the harness: ``BenchPanelApp`` hears the
queue's ``QueueView.Loaded`` message as it bubbles up to the App and asks
Textual for a callback after the next screen refresh. That callback is the
moment the rows are painted.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.app import App

from benchmarks.bare import screen_text
from panel_tui import app as app_module
from panel_tui.app import PanelApp
from panel_tui.widgets.queue_view import QueueView


def rows_visible(app: App) -> bool:
    """True when dispute rows (refs like D-2026-0001) are drawn."""
    return any(line.lstrip().startswith("D-") for line in screen_text(app).splitlines())


class BenchPanelApp(PanelApp):
    """Counts the queue's loads; reports the first painted page to ``on_first_paint``."""

    # Textual reads CSS_PATH relative to the subclass's module: point it back at the app's.
    CSS_PATH = str(Path(app_module.__file__).with_name("app.tcss"))

    def __init__(
        self, *args: Any, on_first_paint: Callable[[App], None] | None = None, **kwargs: Any
    ) -> None:
        from panel_tui.config import Settings

        # The queue's figures start on the queue: the shift-start view, which opening
        # shows over it, has its own figure (the `w` key, interact.py).
        kwargs.setdefault("settings", Settings(shift_start=False))
        super().__init__(*args, **kwargs)
        self.loads = 0
        self._on_first_paint = on_first_paint

    def on_queue_view_loaded(self, message: QueueView.Loaded) -> None:
        self.loads += 1
        if self.loads == 1 and self._on_first_paint is not None:
            self.call_after_refresh(self._on_first_paint, self)
