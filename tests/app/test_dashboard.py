"""The dashboard: its period never walks into the future, and its themes are cut at words."""

from __future__ import annotations

import pytest
from helpers import queue_ready, screen_text, wait_for, wait_notice, wait_text

from panel_tui.screens.dashboard import DashboardScreen, _theme


@pytest.mark.backend
async def test_next_period_stops_at_the_current_one(make_app) -> None:
    app = make_app("duty")
    async with app.run_test(size=(120, 40)) as pilot:
        await queue_ready(pilot)
        await pilot.press("D")
        await wait_text(pilot, "By type")
        screen = app.screen
        assert isinstance(screen, DashboardScreen)
        current = screen.end
        await wait_text(pilot, "2026-02-09 – 2026-03-10 (30 days)")
        await pilot.press("right_square_bracket")
        await wait_notice(pilot, "current period")
        assert screen.end == current
        assert "2026-02-09 – 2026-03-10" in screen_text(app)
        await pilot.press("left_square_bracket")
        await wait_text(pilot, "2026-01-10 – 2026-02-08 (30 days)")
        await pilot.press("right_square_bracket", "right_square_bracket")
        await wait_for(pilot, lambda: screen.end == current)
        await wait_text(pilot, "2026-02-09 – 2026-03-10 (30 days)")


def test_a_theme_is_cut_at_a_word_never_mid_word() -> None:
    theme = "MCO reads criterion 4.2 as excluding dual diagnosis"
    short = _theme(theme)
    assert len(short) <= 30 and short.endswith("…")
    assert theme.startswith(short[:-1]) and theme[len(short) - 1] == " "
    assert _theme("short theme") == "short theme"
    assert _theme("x" * 50) == "x" * 29 + "…"
