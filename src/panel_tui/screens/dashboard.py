"""Dashboard (placeholder)."""

from __future__ import annotations

from panel_tui.screens.base import AppScreen


class DashboardScreen(AppScreen):
    pass
