"""The commissioner liaison's section (8) and the liaison-only filter (l) in the app."""

from __future__ import annotations

from datetime import timedelta

from helpers import queue_ready, screen_text, wait_text
from storefix import NOW, form

from panel_tui.store.ledger import Ledger

SIZE = (100, 30)


async def test_the_liaison_section_and_filter(store, make_app) -> None:  # noqa: ANN001
    # Open 15 days: past the policy's 14, so commissioner liaison is triggered.
    old = Ledger(store, "duty").open_dispute(
        form("P-1099", risk="low"), at=NOW - timedelta(days=15)
    )
    app = make_app("duty")
    async with app.run_test(size=SIZE) as pilot:
        await queue_ready(pilot)
        assert "8 Liaison" in screen_text(app)
        await pilot.press("8")
        await wait_text(pilot, "1 dispute · Liaison")
        assert old in screen_text(app)
        assert "D-2026-0001" not in screen_text(app)  # breached, but not for liaison
        await pilot.press("6")  # All open, narrowed to liaison with l
        await wait_text(pilot, "disputes · All open")
        assert "D-2026-0001" in screen_text(app)
        await pilot.press("l")
        await wait_text(pilot, "1 dispute · All open · liaison")
        assert old in screen_text(app) and "D-2026-0001" not in screen_text(app)
        await pilot.press("escape")  # clears the filter, liaison-only with it
        await wait_text(pilot, "D-2026-0001")
        assert "· liaison" not in screen_text(app)
