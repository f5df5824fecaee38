"""Shift start in the app at 80×24: shown on opening, walked with n/p, enter opens, m marks seen."""

from __future__ import annotations

from datetime import timedelta

import pytest
from backends import store_sql
from helpers import screen_text, wait_for, wait_text

from panel_tui.screens.detail import DisputeScreen
from panel_tui.screens.queue import QueueScreen
from panel_tui.screens.shift import ShiftStartScreen

pytestmark = pytest.mark.backend  # what changed is read from the store: on PostgreSQL too

SIZE = (80, 24)


def marks(store) -> list[tuple[str, int]]:  # noqa: ANN001
    return store_sql(store, "SELECT login, event_id FROM seenmark")


async def test_opening_shows_what_changed_and_m_marks_it_seen(make_app, store) -> None:
    app = make_app("duty", shift_start=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ShiftStartScreen))
        screen = app.screen
        # Never marked: the last day, said as such (it read "since the last 24 hours").
        await wait_text(pilot, "What changed in the last 24 hours (since 09 Mar 09:00 UTC;")
        text = screen_text(app)
        assert "BREACHED" in text and "opened" in text
        changes = screen.changes
        assert changes.total > 0 and changes.items[0].kind == "breached"
        table = screen.query_one("#changes")
        assert table.row_count == len(changes.items)
        # n and p walk the list; enter opens the dispute under the cursor.
        await pilot.press("n", "n", "p")
        assert table.cursor_row == 1
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, DisputeScreen) and app.screen.detail is not None,
        )
        assert app.screen.detail.ref == changes.items[1].ref
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)
        assert marks(store) == []  # looking is not marking
        await pilot.press("m")
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen))
        assert marks(store) == [("duty", changes.head_event)]
        # On demand from the queue, `w` now says nothing changed since the mark.
        await pilot.press("w")
        await wait_for(pilot, lambda: isinstance(app.screen, ShiftStartScreen))
        await wait_text(pilot, "Nothing changed.")
        assert "What changed since you last looked (10 Mar 09:00 UTC)" in screen_text(app)
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen))
        assert marks(store) == [("duty", changes.head_event)]


async def test_nothing_new_opens_on_the_queue(make_app, store) -> None:
    from storefix import NOW

    from panel_tui.store.ledger.shift import mark_seen
    from panel_tui.store.read.changes import read_changes, since_last

    with store.read() as session:
        seen = read_changes(session, store.policy(session), since_last(session, "duty", NOW), NOW)
    mark_seen(store, "duty", seen.head_event, NOW)
    app = make_app("duty", shift_start=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen))
        await wait_for(pilot, lambda: "shift" not in app._holds)
        await pilot.press("1")  # keys go to the queue, as before
        await wait_for(pilot, lambda: app.screen.filter.section.value == "mine")
        assert isinstance(app.screen, QueueScreen)


async def test_keys_typed_while_it_is_read_land_on_it(make_app) -> None:
    """Keys wait for the shift-start decision: `n` is the view's next, not the queue's New."""
    app = make_app("duty", shift_start=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, ShiftStartScreen))
        table = app.screen.query_one("#changes")
        await wait_for(pilot, lambda: table.cursor_row == 1)


async def test_a_late_shift_start_view_does_not_cover_the_screen_the_user_went_to(
    make_app, store
) -> None:
    """Keys that outwait the hold (a slow store) may open the palette first: the view
    arriving after them says so in a notice instead of covering where the keys go."""
    from textual.command import CommandPalette

    from panel_tui.screens.shift import read_changes_for

    app = make_app("duty")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen))
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
        changes = read_changes_for(app, "duty")
        assert changes.total > 0
        app._push_shift_start(changes, False)  # as the opening's worker delivers it
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        assert not any(isinstance(s, ShiftStartScreen) for s in app.screen_stack)
        assert any("w on the queue" in n.message for n in app._notifications)


async def test_w_shows_the_view_read_ahead_without_reading_again(make_app, monkeypatch) -> None:
    """While the queue idles the view is read ahead; `w` then only shows it."""
    from panel_tui.screens import shift

    app = make_app("duty")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen))
        await wait_for(pilot, lambda: app._shift_ahead is not None)
        reads: list[str] = []
        original = shift.read_changes_for
        monkeypatch.setattr(
            shift, "read_changes_for", lambda a, login: reads.append(login) or original(a, login)
        )
        await pilot.press("w")
        await wait_for(pilot, lambda: isinstance(app.screen, ShiftStartScreen))
        await wait_text(pilot, "BREACHED")
        assert reads == []
        assert app.screen.changes is app._shift_ahead[1]


async def test_w_after_a_commit_shows_it_not_the_view_read_before(make_app, store) -> None:
    """A commit since the read ahead (another terminal's, or this app's own, before the
    poll has seen it) makes `w` read again: the new dispute is listed as opened."""
    from storefix import NOW, form

    from panel_tui.store.ledger import Ledger

    app = make_app("duty")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen))
        await wait_for(pilot, lambda: app._shift_ahead is not None)
        before = app._shift_ahead[1]
        ref = Ledger(store, "duty").open_dispute(form("P-9001"), at=NOW - timedelta(minutes=1))
        app.show_shift_start()  # what `w` calls; at once, before the next poll can see it
        await wait_for(pilot, lambda: isinstance(app.screen, ShiftStartScreen))
        screen = app.screen
        await wait_for(pilot, lambda: screen.changes is not before)
        assert ref in [c.ref for c in screen.changes.of("opened")]
        assert ref not in [c.ref for c in before.of("opened")]
        await wait_text(pilot, ref)
