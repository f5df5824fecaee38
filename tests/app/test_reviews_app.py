"""Issue 12 §2 and §3 in the app: an expired package says so and offers its next step;
reviews and re-rating are offered to the roles the policy names, and to nobody else."""

from __future__ import annotations

from datetime import timedelta

import pytest
from backends import store_sql
from helpers import dispute_shown, queue_ready, screen_text, wait_for, wait_text
from storefix import NOW

from panel_tui.app import PanelApp
from panel_tui.config import Settings
from panel_tui.screens.detail import DisputeScreen
from panel_tui.screens.modals import FormModal

pytestmark = pytest.mark.backend  # what the dialogs write: on PostgreSQL too (tests/backends.py)

SIZE = (200, 40)  # wide enough for every key the footer offers
#: D-2026-0004's 7-day package (started 6 days before NOW) has expired by then.
LATER = NOW + timedelta(days=2)


def app_at(store, login: str) -> PanelApp:  # noqa: ANN001
    settings = Settings(poll_seconds=0.2, shift_start=False)  # the queue first, as conftest
    return PanelApp(store, login, demo=True, clock=lambda: LATER, settings=settings)


def footer(app) -> str:  # noqa: ANN001
    return screen_text(app).splitlines()[-1]


def stored(store, sql: str):  # noqa: ANN001, ANN201
    return store_sql(store, sql)


async def test_an_expired_package_is_marked_and_its_next_step_recorded(store) -> None:
    app = app_at(store, "duty")
    async with app.run_test(size=SIZE) as pilot:
        queue = await queue_ready(pilot)
        await pilot.press("9")  # Provisional expired (8 is Liaison)
        await wait_text(pilot, "D-2026-0004")
        assert "EXPIRED" in screen_text(app)
        assert queue.filter.section.value == "provisional_expired"
        await pilot.press("escape")
        await dispute_shown(pilot, "D-2026-0004")
        await wait_text(pilot, "NEXT STEP DUE")
        await wait_text(pilot, "✖ EXPIRED")  # the package section follows the first frame
        await wait_for(pilot, lambda: "Pathway" in footer(app))
        assert "Contact" not in footer(app)  # no contacts on an expired package
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, FormModal))
        await wait_for(pilot, lambda: app.screen.is_mounted)
        assert "EXPIRED" in screen_text(app)
        await pilot.press("ctrl+a")  # the proposed pathway is the default; say which
        await pilot.press(*"MCO ACT team")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, DisputeScreen))
        await wait_for(
            pilot,
            lambda: (
                stored(store, "SELECT status FROM provisionalpackage WHERE dispute_id = 4")
                == [("converted",)]
            ),
        )
        await wait_for(pilot, lambda: "NEXT STEP DUE" not in screen_text(app))


async def test_review_actions_follow_the_policys_roles(store) -> None:
    app = app_at(store, "duty")  # a duty lead: triggers and re-rating, not reviews
    async with app.run_test(size=SIZE) as pilot:
        await dispute_shown(pilot, "D-2026-0002")
        await wait_for(pilot, lambda: "Trigger" in footer(app))
        assert "Re-rate" in footer(app)
        await pilot.press("g")
        await wait_for(pilot, lambda: isinstance(app.screen, FormModal))
        modal = app.screen
        await wait_for(pilot, lambda: modal.is_mounted)
        assert modal.values()["trigger"] == ""  # which trigger is chosen, never assumed
    app = app_at(store, "watcher")  # oversight reads and changes nothing
    async with app.run_test(size=SIZE) as pilot:
        await dispute_shown(pilot, "D-2026-0002")
        await wait_text(pilot, "D-2026-0002")
        await pilot.pause(0.3)
        assert not {"Trigger", "Re-rate", "Review", "Pathway"} & set(footer(app).split())
        await pilot.press("k")
        await pilot.pause(0.3)
        assert isinstance(app.screen, DisputeScreen)  # nothing offered, nothing opened
