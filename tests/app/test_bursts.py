"""Keys typed in a burst land where they would have landed typed slowly.

Issue 11: ``tmux send-keys "Consent ok" Tab "Problem…"`` put both texts in
Consent; in panel mode ``send-keys "2" "Joint funding…"`` let J reorder the
agenda (saved) and n move to another item. ``burst`` sends keys the way a
terminal does, back to back, not waiting for the app between them.
"""

from __future__ import annotations

from helpers import burst, chars, dispute_shown, open_panel, queue_ready, wait_for, wait_text
from storefix import NOW
from textual import events
from textual.widgets import TextArea

from panel_tui.screens.form import DisputeFormScreen
from panel_tui.screens.modals import FormModal
from panel_tui.screens.panel import PanelScreen
from panel_tui.store.read.agenda import agenda

SIZE = (80, 24)


async def test_text_tab_text_in_the_form_lands_in_two_fields(make_app) -> None:
    app = make_app("duty")
    async with app.run_test(size=SIZE) as pilot:
        await dispute_shown(pilot, "D-2026-0002")
        # E, then the form's first field, tab, the next: all at once.
        await burst(pilot, ["E", *chars("Consent ok"), "tab", *chars("Problem now")])
        await wait_for(
            pilot, lambda: isinstance(app.screen, DisputeFormScreen) and app.screen._loaded
        )
        form = app.screen
        problem = form.query_one("#f-problem_statement", TextArea)
        await wait_for(pilot, lambda: "Problem now" in problem.text)
        assert form.query_one("#f-consent_basis").value == "Consent ok"


async def test_outcome_then_rationale_in_panel_mode_is_all_rationale(make_app, store) -> None:
    app = make_app("chair")
    before = [e.ref for e in agenda(store, NOW.date(), NOW)]
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_panel(pilot)
        await burst(pilot, ["2", *chars("Joint funding: MCO and CBH")])
        rationale = screen.query_one("#p-rationale", TextArea)
        await wait_for(pilot, lambda: rationale.text == "Joint funding: MCO and CBH")
        assert screen.index == 0 and screen.entries[0].ref == before[0]  # n did not step on
    assert [e.ref for e in agenda(store, NOW.date(), NOW)] == before  # J did not reorder


async def test_an_action_key_then_text_lands_in_the_dialog(make_app) -> None:
    app = make_app("duty")
    async with app.run_test(size=SIZE) as pilot:
        await dispute_shown(pilot, "D-2026-0002")
        # w opens the withdraw dialog (prepared in a worker); the reason follows at once.
        await burst(pilot, ["w", *chars("agreed at the team call")])
        await wait_for(pilot, lambda: isinstance(app.screen, FormModal) and app.screen.is_mounted)
        reason = app.screen.query_one("#f-reason", TextArea)
        await wait_for(pilot, lambda: reason.text == "agreed at the team call")


async def test_enter_on_a_row_then_a_key_acts_on_the_dispute(make_app) -> None:
    app = make_app("duty")
    async with app.run_test(size=SIZE) as pilot:
        await queue_ready(pilot)
        await burst(pilot, ["down", "enter", "n"])  # open D-2026-0002, then a note
        await wait_for(pilot, lambda: isinstance(app.screen, FormModal))
        await wait_text(pilot, "Note on D-2026-0002")


async def test_outcome_and_rationale_typed_right_after_p_wait_for_the_first_item(
    make_app, store, monkeypatch
) -> None:
    """By hand in tmux: "2" and a rationale right after P, before the first item was
    shown, were reset by its arrival, and the letters met the agenda (J reordered it)."""
    import time

    from panel_tui.store.read import orm_detail

    read = orm_detail.dispute_detail

    def slow_store(*args: object, **kwargs: object) -> object:  # a loaded machine's read
        time.sleep(0.5)
        return read(*args, **kwargs)

    monkeypatch.setattr(orm_detail, "dispute_detail", slow_store)
    app = make_app("chair")
    before = [e.ref for e in agenda(store, NOW.date(), NOW)]
    async with app.run_test(size=SIZE) as pilot:
        await queue_ready(pilot)
        await burst(pilot, ["P", "2", *chars("Joint funding: MCO and CBH")])
        # (the screen is pushed before it is composed: wait for its fields)
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, PanelScreen) and bool(app.screen.query("#p-rationale")),
        )
        screen = app.screen
        await wait_for(pilot, lambda: bool(screen.query("#p-rationale")))  # mounted with the item
        rationale = screen.query_one("#p-rationale", TextArea)
        await wait_for(pilot, lambda: rationale.text == "Joint funding: MCO and CBH")
        assert screen.index == 0 and screen.outcome.value == "joint"
    assert [e.ref for e in agenda(store, NOW.date(), NOW)] == before  # J did not reorder


async def test_go_to_dispute_typed_in_one_burst_opens_it(make_app) -> None:
    """ctrl+p, "go", Enter, a reference, Enter, sent at once (tmux send-keys)."""
    app = make_app("duty")
    async with app.run_test(size=SIZE) as pilot:
        await queue_ready(pilot)
        await burst(pilot, ["ctrl+p", *chars("go"), "enter", *chars("D-2026-0004"), "enter"])
        await wait_text(pilot, "D-2026-0004 person")


async def test_enter_in_the_palette_before_its_list_appears_waits_for_it(
    make_app, monkeypatch
) -> None:
    """By hand, on a loaded machine: ctrl+p, "go", Enter before the list of commands had
    appeared did nothing, and the reference typed next went into the palette's search."""
    import asyncio

    from textual.command import CommandPalette

    search = CommandPalette._search_for

    async def slow_search(self, value):  # noqa: ANN001, ANN202 - a loaded machine's search
        await asyncio.sleep(0.6)
        found = search(self, value)
        try:
            hit = await found.__anext__()
            while True:
                hit = await found.asend((yield hit))
        except StopAsyncIteration:
            return

    monkeypatch.setattr(CommandPalette, "_search_for", slow_search)
    app = make_app("duty")
    async with app.run_test(size=SIZE) as pilot:
        await queue_ready(pilot)
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
        await burst(pilot, [*chars("go"), "enter", *chars("D-2026-0004"), "enter"])
        await wait_text(pilot, "D-2026-0004 person")


async def test_keys_waiting_when_the_app_closes_raise_nothing(make_app) -> None:
    """Once the app has closed its screens, the settler of a key still waiting finds no
    screen to look at: it counts as quiet (nothing left to wait for) instead of raising
    Textual's ScreenStackError, as it once did at the end of a run."""
    app = make_app("duty")
    async with app.run_test(size=SIZE) as pilot:
        await queue_ready(pilot)
    assert not app.screen_stack
    assert app._quiet()
    app._keys.append(events.Key("a", "a"))
    app._key_in_flight = True
    await app._send_next_key()  # dropped: no screen to route it to
    assert not app._keys and not app._key_in_flight
