"""Panel mode: keys typed in a burst while it reads (a new item, the agenda again after
"switch user") wait for what they belong to.

By hand in tmux (issue 11): after "switch user" to the chair in panel mode,
`send-keys Enter n 2 "Joint funding…"` showed the next item with its outcome back
at "assigned": the "2" had been chosen for the item being left, then reset when
the next one arrived. Right after a switch the decision fields were still
disabled for the previous user, so the "2"'s move to the rationale could fail
and its letters meet the agenda (J reorders, n steps on).
"""

from __future__ import annotations

import time

from helpers import burst, chars, open_panel, wait_for, wait_text
from storefix import NOW
from textual.widgets import TextArea

from panel_tui.screens import panel as panel_module
from panel_tui.store.read import orm_detail
from panel_tui.store.read.agenda import agenda

SIZE = (80, 24)
TEXT = "Joint funding: MCO and CBH"


def _slow(monkeypatch, module: object, name: str) -> None:
    """A loaded machine's read: half a second."""
    read = getattr(module, name)

    def slow(*args: object, **kwargs: object) -> object:
        time.sleep(0.5)
        return read(*args, **kwargs)

    monkeypatch.setattr(module, name, slow)


async def test_n_then_an_outcome_and_a_rationale_land_on_the_next_item(
    make_app, store, monkeypatch
) -> None:
    app = make_app("chair")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_panel(pilot)
        _slow(monkeypatch, orm_detail, "dispute_detail")
        await burst(pilot, ["n", "2", *chars(TEXT)])
        await wait_text(pilot, "D-2026-0005 eligibility")
        rationale = screen.query_one("#p-rationale", TextArea)
        await wait_for(pilot, lambda: rationale.text == TEXT)
        assert screen.index == 1 and screen.outcome.value == "joint"


async def test_keys_typed_right_after_switching_user_wait_for_the_panel_to_reread(
    make_app, store, monkeypatch
) -> None:
    app = make_app("duty")  # in panel mode the duty lead only looks
    before = [e.ref for e in agenda(store, NOW.date(), NOW)]
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_panel(pilot)
        await wait_text(pilot, "view only")
        _slow(monkeypatch, panel_module, "agenda")
        _slow(monkeypatch, orm_detail, "dispute_detail")
        app.switch_user("chair")  # as the palette's "Switch user: chair" does
        await burst(pilot, ["2", *chars(TEXT)])
        rationale = screen.query_one("#p-rationale", TextArea)
        await wait_for(pilot, lambda: rationale.text == TEXT)
        assert screen.index == 0 and screen.outcome.value == "joint"
    assert [e.ref for e in agenda(store, NOW.date(), NOW)] == before  # J did not reorder
