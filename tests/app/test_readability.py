"""Readable without colour and without glyphs: state in characters, ASCII where glyphs fail."""

from __future__ import annotations

import pytest
from helpers import open_panel, queue_ready, screen_text, wait_for, wait_text
from textual.widgets import Select

from panel_tui.screens.form import DisputeFormScreen
from panel_tui.widgets import glyphs
from panel_tui.widgets.evidence import StateCheckbox


def test_the_terminal_decides_whether_glyphs_are_drawn() -> None:
    utf8 = {"TERM": "xterm-256color", "LANG": "en_GB.UTF-8"}
    assert not glyphs.ascii_terminal(utf8)
    assert glyphs.ascii_terminal({**utf8, "TERM": "linux"})  # the Linux console's fonts
    assert glyphs.ascii_terminal({"TERM": "xterm", "LANG": "en_US.ISO-8859-1"})
    assert glyphs.ascii_terminal({"TERM": "xterm", "LC_ALL": "C", "LANG": "en_US.UTF-8"})
    assert not glyphs.ascii_terminal({"TERM": "xterm", "LC_CTYPE": "de_DE.utf8"})
    assert glyphs.ascii_terminal({**utf8, "PANEL_TUI_GLYPHS": "ascii"})
    assert not glyphs.ascii_terminal({"TERM": "linux", "PANEL_TUI_GLYPHS": "unicode"})
    # One character for one: nothing on screen moves; typed text is left alone.
    assert glyphs.translate("✖ BREACHED ▲ ⏎ ⭘ ╭─╮ café") == "X BREACHED ^ < o +-+ café"


async def test_an_ascii_terminal_gets_no_glyphs_from_any_widget(make_app) -> None:
    app = make_app("duty", ascii_glyphs=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await queue_ready(pilot)
        await wait_text(pilot, "enter Open")  # the footer names the key in a word
        await pilot.press("2")
        await wait_text(pilot, "BREACHED")
        # Everything the driver would be sent for this screen (header, rows, footer).
        update = app.screen._compositor.render_update(full=True)
        sent = app.terminal_text(update.render_segments(app.console))
        assert "X BREACHED" in sent
        assert not set(sent) & set(glyphs.ASCII), set(sent) & set(glyphs.ASCII)
        assert app._driver.write is not type(app._driver).write  # every write is translated


async def test_evidence_in_the_form_is_ticked_by_a_character_not_a_colour(make_app) -> None:
    app = make_app("duty")
    async with app.run_test(size=(120, 40)) as pilot:
        await queue_ready(pilot)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, DisputeFormScreen))
        box = app.screen.query(StateCheckbox).first()
        await wait_for(pilot, lambda: not box.disabled)
        assert "X" not in str(box.render())
        box.value = True
        await pilot.pause()
        assert "X" in str(box.render())


async def test_panel_outcome_is_marked_in_text_and_receiving_is_never_a_guess(make_app) -> None:
    app = make_app("chair")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_panel(pilot)
        await pilot.press("2")
        await wait_text(pilot, "2 [joint]")
        assert "[assigned]" not in screen_text(app)
        # Nothing decided yet on this dispute: no receiving agency is known, none is chosen.
        assert app.screen.query_one("#p-receiving", Select).value is Select.NULL
        assert "· D-2026-0004 high" in screen_text(app)


@pytest.mark.backend
async def test_panel_prefills_the_receiving_agency_an_earlier_decision_named(
    make_app, store
) -> None:
    from storefix import NOW

    from panel_tui.store.ledger import Ledger
    from panel_tui.store.ledger.agenda import PanelAgenda

    # D-2026-0006 was decided (MCO) and not accepted: escalated, it comes back to a panel.
    Ledger(store, "duty", clock=lambda: NOW).escalate(
        "D-2026-0006", "MCO did not accept", impact="the person waits without agreed support"
    )
    PanelAgenda(store, "chair", clock=lambda: NOW).add(NOW.date(), "D-2026-0006")
    app = make_app("chair")
    async with app.run_test(size=(120, 40)) as pilot:
        await queue_ready(pilot)
        await pilot.press("P")
        await wait_text(pilot, "D-2026-0006")
        screen = app.screen
        for _ in range(3):  # step through the agenda to it
            if screen.detail is not None and screen.detail.ref == "D-2026-0006":
                break
            await pilot.press("n")
            await pilot.pause(0.3)
        await wait_for(pilot, lambda: screen.detail.ref == "D-2026-0006")
        await wait_for(pilot, lambda: screen.query_one("#p-receiving", Select).value == "MCO")
