"""The habits of k9s and gh-dash, at 80×24: sort and back, start views, copy the
reference, the next breached, a bell on a breach while watching, "row x of y", the
high-contrast theme, one note on several marked disputes, exporting the view, and
``ctrl+e`` in $EDITOR. Each key is in the help screen and can be rebound.
"""

from __future__ import annotations

import csv
import json
import stat
from datetime import timedelta
from pathlib import Path

import pytest
from helpers import (
    note_started,
    queue_ready,
    screen_text,
    type_text,
    wait_for,
    wait_notice,
    wait_text,
)
from rich.table import Table
from storefix import NOW
from textual.widgets import Static

from panel_tui.app import PanelApp
from panel_tui.config import Settings
from panel_tui.rules.policy import default_policy_text
from panel_tui.screens.help import HelpScreen
from panel_tui.screens.modals import FormModal
from panel_tui.store.ledger.admin import Admin
from panel_tui.store.read import orm_detail
from panel_tui.widgets.queue_view import QueueView

SIZE = (80, 24)


def refs_on_screen(app: PanelApp) -> list[str]:
    return [line.split()[0] for line in screen_text(app).splitlines() if line.startswith(" D-")]


def status_line(app: PanelApp) -> str:
    """The queue's status line ("6 disputes · All open · ..."), just above the column
    heads: the sections above it take one line or two (wrapped at 80 columns)."""
    lines = screen_text(app).splitlines()
    heads = next(i for i, line in enumerate(lines) if line.lstrip().startswith("Ref"))
    return lines[heads - 1]


def first_row(app: PanelApp) -> str:
    return next(line for line in screen_text(app).splitlines() if line.startswith((" D-", "*D-")))


def cursor_ref(app: PanelApp) -> str | None:
    row = app.screen.query_one(QueueView).cursor_row
    return row.ref if row else None


@pytest.mark.backend
async def test_sort_by_each_column_and_back_to_urgency(make_app) -> None:
    app = make_app("duty")
    async with app.run_test(size=SIZE) as pilot:
        await queue_ready(pilot)
        urgency = refs_on_screen(app)
        assert urgency[0] == "D-2026-0001"  # breached first
        await pilot.press("o")  # by ref
        await wait_text(pilot, "by ref ▲")
        assert "Ref▲" in screen_text(app)
        assert refs_on_screen(app) == sorted(urgency)
        await pilot.press("O")
        await wait_text(pilot, "by ref ▼")
        await wait_for(pilot, lambda: refs_on_screen(app) == sorted(urgency, reverse=True))
        await pilot.press("o")  # by type
        await wait_text(pilot, "by type ▲")
        await pilot.press("o")  # by risk: critical first
        await wait_text(pilot, "by risk ▲")
        await wait_for(pilot, lambda: "CRIT" in first_row(app))
        for _ in range(7):  # stage, clock, agencies, cover, provisional, holder, urgency
            await pilot.press("o")
        await wait_for(pilot, lambda: " by " not in status_line(app))
        await wait_for(pilot, lambda: refs_on_screen(app) == urgency)


async def test_row_x_of_y_and_copy_the_reference(make_app) -> None:
    app = make_app("duty")
    async with app.run_test(size=SIZE) as pilot:
        await queue_ready(pilot)
        await wait_text(pilot, "row 1 of 6")
        await pilot.press("down", "down")
        await wait_text(pilot, "row 3 of 6")
        ref = cursor_ref(app)
        await pilot.press("y")
        assert app.clipboard == ref  # written to the terminal as OSC 52 by Textual
        await wait_notice(pilot, f"Copied {ref}.")


@pytest.mark.backend
async def test_next_breached_goes_round_the_view(store) -> None:
    # Nine hours on, D-2026-0002 has breached too: by ref descending the two breached
    # disputes are the last rows, after four that are not.
    later = NOW + timedelta(hours=9)
    app = PanelApp(
        store,
        "duty",
        demo=True,
        clock=lambda: later,
        settings=Settings(poll_seconds=0.2, shift_start=False),
    )
    async with app.run_test(size=SIZE) as pilot:
        await queue_ready(pilot)
        await pilot.press("o", "O")  # by ref, descending
        await wait_text(pilot, "by ref ▼")
        await wait_for(pilot, lambda: refs_on_screen(app)[0] == "D-2026-0006")
        await pilot.press("g")  # the cursor kept its dispute through the sort: to the top
        await wait_for(pilot, lambda: cursor_ref(app) == "D-2026-0006")
        await pilot.press("b")
        await wait_for(pilot, lambda: cursor_ref(app) == "D-2026-0002")
        await wait_text(pilot, "row 5 of 6")
        await pilot.press("b")
        await wait_for(pilot, lambda: cursor_ref(app) == "D-2026-0001")
        await pilot.press("b")  # none after it: round to the first breached
        await wait_for(pilot, lambda: cursor_ref(app) == "D-2026-0002")
        await pilot.press("4")  # At panel: nothing breached there
        await wait_text(pilot, "At panel")
        await pilot.press("b")
        await wait_notice(pilot, "Nothing breached in this view.")


@pytest.mark.backend
async def test_a_breach_on_screen_rings_the_bell_and_says_which(store) -> None:
    moment = [NOW]
    app = PanelApp(
        store,
        "duty",
        demo=True,
        clock=lambda: moment[0],
        settings=Settings(poll_seconds=0.2, shift_start=False),
    )
    rings: list[int] = []
    app.bell = lambda: rings.append(1)  # Textual writes BEL to the terminal; count instead
    async with app.run_test(size=SIZE) as pilot:
        await queue_ready(pilot)
        assert rings == []  # what was already breached when first shown rings nothing
        moment[0] = NOW + timedelta(hours=9)  # D-2026-0002's 48 h window ends at +8 h
        app._tick()
        await wait_notice(pilot, "Breached now: D-2026-0002")
        assert rings == [1]
        app._tick()  # still breached: no second bell
        await pilot.pause(0.3)
        assert rings == [1]


async def test_the_start_view_from_the_users_config(make_app, _config: Path) -> None:
    app = make_app("duty")
    app.settings = Settings(poll_seconds=0.2, shift_start=False, start_view="at_panel")
    async with app.run_test(size=SIZE) as pilot:
        await queue_ready(pilot)
        await wait_text(pilot, "3 disputes · At panel")


@pytest.mark.backend
async def test_the_start_view_by_role_from_the_policy(make_app, store) -> None:
    policy = default_policy_text() + '\n[start_view]\npanel_chair = "at_panel"\n'
    policy = policy.replace("allow_override = false", "allow_override = true")
    Admin(store, "root").set_policy(policy)
    async with make_app("chair").run_test(size=SIZE) as pilot:
        await queue_ready(pilot)
        await wait_text(pilot, "3 disputes · At panel")
    async with make_app("duty").run_test(size=SIZE) as pilot:  # no view for duty leads
        await queue_ready(pilot)
        await wait_text(pilot, "6 disputes · All open")


async def test_an_unknown_start_view_is_reported(make_app) -> None:
    app = make_app("duty")
    app.settings = Settings(poll_seconds=0.2, shift_start=False, start_view="everything")
    async with app.run_test(size=SIZE) as pilot:
        await queue_ready(pilot)
        await wait_notice(pilot, "no queue section 'everything'")
        assert "All open" in screen_text(app)


async def test_high_contrast_theme_on_a_key_and_from_config(make_app) -> None:
    app = make_app("duty")
    async with app.run_test(size=SIZE) as pilot:
        await queue_ready(pilot)
        assert app.theme != "high-contrast"
        await pilot.press("f2")
        assert app.theme == "high-contrast"
        assert app.current_theme.background == "#000000"
        await pilot.press("f2")
        assert app.theme != "high-contrast"
    app = make_app("duty")
    app.settings = Settings(poll_seconds=0.2, shift_start=False, theme="high-contrast")
    async with app.run_test(size=SIZE) as pilot:
        await queue_ready(pilot)
        assert app.theme == "high-contrast"


@pytest.mark.backend
async def test_one_note_on_several_marked_disputes(make_app, store) -> None:
    app = make_app("duty")
    async with app.run_test(size=SIZE) as pilot:
        await queue_ready(pilot)
        first = cursor_ref(app)
        await pilot.press("space")  # marks and moves on
        second = cursor_ref(app)
        await pilot.press("space")
        await wait_text(pilot, "2 marked")
        assert screen_text(app).count("\n*D-2026") == 2
        await pilot.press("N")
        await wait_for(pilot, lambda: isinstance(app.screen, FormModal))
        await wait_text(pilot, "Note on 2 disputes")
        await type_text(pilot, "chased both by phone")
        await pilot.press("ctrl+s")
        await wait_notice(pilot, "Note added to 2")
        assert "marked" not in status_line(app)
    for ref in (first, second):
        detail = orm_detail.dispute_detail(store, ref, NOW)
        assert detail.notes[-1].text == "chased both by phone"
        notes = [e for e in detail.events if e.action == "add_note"]
        assert notes[-1].actor == "duty"  # its own audited event on each dispute


@pytest.mark.backend
async def test_marked_disputes_the_store_refuses_stay_marked(make_app, store) -> None:
    """The store checks each write: a person deactivated meanwhile is refused on each."""
    app = make_app("duty")
    async with app.run_test(size=SIZE) as pilot:
        await queue_ready(pilot)
        await pilot.press("7")  # Closed disputes can be marked too
        await wait_text(pilot, "1 dispute · Closed")
        await pilot.press("space")
        await pilot.press("6")
        await wait_text(pilot, "All open")
        await pilot.press("space")
        await wait_text(pilot, "2 marked")
        Admin(store, "root").deactivate("duty", "left the service")
        await pilot.press("N")
        await wait_for(pilot, lambda: isinstance(app.screen, FormModal))
        await type_text(pilot, "weekly check")
        await pilot.press("ctrl+s")
        notice = await wait_notice(pilot, "D-2026-0007 refused")
        assert "D-2026-0001 refused" in notice and "Note added" not in notice
        await wait_text(pilot, "2 marked")
    for ref in ("D-2026-0001", "D-2026-0007"):
        notes = orm_detail.dispute_detail(store, ref, NOW).notes
        assert "weekly check" not in [n.text for n in notes]


@pytest.mark.parametrize("kind", ["csv", "json"])
async def test_export_the_view_to_a_private_file(make_app, tmp_path: Path, kind: str) -> None:
    app = make_app("duty")
    async with app.run_test(size=SIZE) as pilot:
        await queue_ready(pilot)
        await pilot.press("2")  # Breached
        await wait_text(pilot, "1 dispute · Breached")
        await pilot.press("x" if kind == "csv" else "X")
        await wait_notice(pilot, "Exported 1 dispute to")
    (target,) = (tmp_path / "exports").iterdir()
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert target.name.startswith("queue-breached-") and target.suffix == f".{kind}"
    if kind == "csv":
        rows = list(csv.DictReader(target.open()))
        assert [r["ref"] for r in rows] == ["D-2026-0001"]
        assert rows[0]["clock"].startswith("BREACHED")
    else:
        data = json.loads(target.read_text())
        assert data["view"]["section"] == "breached" and data["total"] == 1
        assert data["disputes"][0]["clock"]["state"] == "breached"


def _editor(tmp_path: Path, body: str) -> str:
    script = tmp_path / "fake-editor"
    script.write_text(f"#!/bin/sh\n{body}\n")
    script.chmod(0o700)
    return str(script)


async def test_ctrl_e_edits_the_long_text_in_the_editor(
    make_app, store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = tmp_path / "seen"
    # The editor sees the text so far in a private file, and appends to it.
    editor = _editor(
        tmp_path, f'stat -c %a "$1" > {seen}; cat "$1" >> {seen}; printf " and more" >> "$1"'
    )
    monkeypatch.setenv("EDITOR", editor)
    monkeypatch.delenv("VISUAL", raising=False)
    app = make_app("duty")
    async with app.run_test(size=SIZE) as pilot:
        await note_started(pilot)
        await type_text(pilot, "typed here")
        await pilot.press("ctrl+e")
        await wait_for(pilot, lambda: app.focused.text == "typed here and more")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, FormModal))
    assert seen.read_text().splitlines() == ["600", "typed here"]
    notes = orm_detail.dispute_detail(store, "D-2026-0001", NOW).notes
    assert notes[-1].text == "typed here and more"


@pytest.mark.parametrize(
    ("editor", "says"),
    [("no-such-editor-here", "Could not run the editor"), ("false", "exited with status 1")],
)
async def test_a_bad_editor_says_so_and_keeps_the_text(
    make_app, monkeypatch: pytest.MonkeyPatch, editor: str, says: str
) -> None:
    monkeypatch.setenv("EDITOR", editor)
    monkeypatch.delenv("VISUAL", raising=False)
    app = make_app("duty")
    async with app.run_test(size=SIZE) as pilot:
        await note_started(pilot)
        await type_text(pilot, "keep me")
        await pilot.press("ctrl+e")
        await wait_notice(pilot, says)
        assert app.focused.text == "keep me"


async def test_the_habits_are_in_help_and_can_be_rebound(make_app, _config: Path) -> None:
    _config.parent.mkdir(parents=True, exist_ok=True)
    _config.write_text(
        '[keymap]\nqueue.sort = "S"\nqueue.copy_ref = "c"\nqueue.next_breached = "B"\n'
        'queue.unmark = "u"\napp.theme = "f3"\n'
    )
    from panel_tui.config import load_settings

    app = make_app("duty")
    app.settings = Settings(poll_seconds=0.2, shift_start=False, keymap=load_settings().keymap)
    async with app.run_test(size=SIZE) as pilot:
        await queue_ready(pilot)
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        tables = [s.content for s in app.screen.query(Static)]
        (table,) = [t for t in tables if isinstance(t, Table)]
        shown = "\n".join(str(cell) for cell in table.columns[1].cells)
        for label in (
            "Sort",
            "Reverse sort",
            "Copy ref",
            "Next breached",
            "Mark",
            "Note on marked",
            "Export CSV",
            "Export JSON",
            "High contrast",
            "Edit in $EDITOR",
        ):
            assert label in shown, label
        await pilot.press("escape")
        await pilot.press("S")  # rebound from o
        await wait_text(pilot, "by ref ▲")
        await pilot.press("c")
        assert app.clipboard == cursor_ref(app)
        await pilot.press("f3")  # rebound from f2
        await wait_for(pilot, lambda: app.theme == "high-contrast")
        await pilot.press("space")  # mark the row under the cursor, then u unmarks all
        await wait_text(pilot, "1 marked")
        await pilot.press("u")
        await wait_for(pilot, lambda: "marked" not in status_line(app))
        await pilot.press("down", "down")
        await wait_for(pilot, lambda: cursor_ref(app) not in (None, "D-2026-0001"))
        await pilot.press("B")  # next breached, rebound from b: round to the one breached
        await wait_for(pilot, lambda: cursor_ref(app) == "D-2026-0001")
