"""Panel mode (placeholder until the agenda store lands)."""

from __future__ import annotations

from panel_tui.screens.base import AppScreen


class PanelScreen(AppScreen):
    pass
