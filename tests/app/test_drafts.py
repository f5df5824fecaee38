"""Drafts of the dispute form: only what was typed, one store, checked like any write.

The case from issue 11: open the form, leave it, someone else edits the
dispute, come back and save. The draft must not carry the old text of a field
the user never touched, and a field both changed is shown, never overwritten.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from helpers import (
    dispute_shown,
    queue_ready,
    screen_text,
    type_text,
    wait_for,
    wait_notice,
    wait_text,
)
from storefix import NOW, build_store
from textual.widgets import Input, TextArea

from panel_tui.app import PanelApp
from panel_tui.config import Settings, drafts_dir
from panel_tui.screens import drafts
from panel_tui.screens.detail import DisputeScreen
from panel_tui.screens.form import DisputeFormScreen
from panel_tui.store.ledger import Ledger
from panel_tui.store.read import orm_detail

SIZE = (80, 24)
REF = "D-2026-0002"
THEIRS = "Discharge stalled: housing now offers a bed, MCO still declines."


def draft_files() -> list[Path]:
    return sorted(drafts_dir().rglob("*.json")) if drafts_dir().exists() else []


async def edit_form(pilot, ref: str = REF) -> DisputeFormScreen:  # noqa: ANN001
    """From the queue to the form of ``ref``, loaded."""
    app = pilot.app
    await dispute_shown(pilot, ref)
    await pilot.press("E")
    await wait_for(pilot, lambda: isinstance(app.screen, DisputeFormScreen) and app.screen._loaded)
    return app.screen


async def typed_mine(pilot) -> str:  # noqa: ANN001
    """The form of REF open, " Mine." typed at the end of its problem statement: that text."""
    screen = await edit_form(pilot)
    screen.query_one("#f-problem_statement", TextArea).focus()
    await pilot.press("end")
    await type_text(pilot, " Mine.")
    return field(pilot.app, "problem_statement")


def someone_else_edits(store, **changes: str) -> None:  # noqa: ANN001
    Ledger(store, "sup", clock=lambda: NOW).edit_form(REF, changes)


def field(app, name: str) -> str:  # noqa: ANN001
    widget = app.screen.query_one(f"#f-{name}")
    return widget.text if isinstance(widget, TextArea) else widget.value


@pytest.mark.backend
async def test_a_draft_keeps_only_what_was_typed_and_never_reverts_another_edit(
    make_app, store
) -> None:
    app = make_app("duty")
    async with app.run_test(size=SIZE) as pilot:
        await edit_form(pilot)
        await type_text(pilot, " (verbal, 09:10)")
        mine = field(app, "consent_basis")
        await pilot.press("escape")  # the draft is kept
        await wait_for(pilot, lambda: isinstance(app.screen, DisputeScreen))
        await wait_for(pilot, lambda: len(draft_files()) == 1)
        someone_else_edits(store, problem_statement=THEIRS)
        await wait_for(pilot, lambda: app.screen.detail.problem_statement == THEIRS)
        await pilot.press("E")
        await wait_for(
            pilot, lambda: isinstance(app.screen, DisputeFormScreen) and app.screen._loaded
        )
        assert field(app, "problem_statement") == THEIRS  # not the draft's old text
        assert field(app, "consent_basis") == mine
        assert "▲" not in screen_text(app)  # nothing to choose: they changed different fields
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, DisputeScreen))
    detail = orm_detail.dispute_detail(store, REF, NOW)
    assert detail.problem_statement == THEIRS
    assert detail.consent_basis == mine.strip()
    assert draft_files() == []  # saved: the draft is gone


@pytest.mark.backend
async def test_a_field_both_changed_is_shown_to_choose(make_app, store) -> None:
    app = make_app("duty")
    async with app.run_test(size=SIZE) as pilot:
        mine = await typed_mine(pilot)
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, DisputeScreen))
        await wait_for(pilot, lambda: len(draft_files()) == 1)
        someone_else_edits(store, problem_statement=THEIRS)
        await wait_for(pilot, lambda: app.screen.detail.problem_statement == THEIRS)
        await pilot.press("E")
        await wait_text(pilot, "▲ Changed by someone else meanwhile: Problem")
        assert field(app, "problem_statement") == mine
        app.screen.query_one("#f-problem_statement").focus()
        await pilot.press("ctrl+t")  # take theirs
        await wait_for(pilot, lambda: field(app, "problem_statement") == THEIRS)
        await pilot.press("ctrl+s")
        await wait_notice(pilot, "Nothing changed")
    assert orm_detail.dispute_detail(store, REF, NOW).problem_statement == THEIRS


@pytest.mark.backend
async def test_saving_after_a_conflict_keeps_the_users_choice(make_app, store) -> None:
    app = make_app("duty")
    async with app.run_test(size=SIZE) as pilot:
        mine = await typed_mine(pilot)
        someone_else_edits(store, problem_statement=THEIRS)
        await pilot.press("ctrl+s")  # stale: refused
        await wait_text(pilot, "ctrl+r reloads the dispute")
        await pilot.press("ctrl+r")
        await wait_text(pilot, "▲ Changed by someone else meanwhile: Problem")
        assert THEIRS[:30] in screen_text(app)  # their text is on screen to choose from
        await pilot.press("ctrl+s")  # the user chose theirs over mine, having seen it
        await wait_for(pilot, lambda: isinstance(app.screen, DisputeScreen))
    assert orm_detail.dispute_detail(store, REF, NOW).problem_statement == mine.strip()


@pytest.mark.backend
async def test_reload_after_a_stale_write_saves_what_is_on_screen(make_app, store) -> None:
    app = make_app("duty")
    async with app.run_test(size=SIZE) as pilot:
        await edit_form(pilot)
        await type_text(pilot, " (verbal)")
        mine = field(app, "consent_basis")
        someone_else_edits(store, problem_statement=THEIRS)
        await pilot.press("ctrl+s")
        await wait_text(pilot, "ctrl+r reloads the dispute")
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: field(app, "problem_statement") == THEIRS)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, DisputeScreen))
    detail = orm_detail.dispute_detail(store, REF, NOW)
    assert detail.problem_statement == THEIRS  # not reverted by the reloaded form
    assert detail.consent_basis == mine.strip()


async def test_no_draft_without_typing_and_drafts_are_private(make_app) -> None:
    app = make_app("duty")
    old_umask = os.umask(0)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await edit_form(pilot)
            await pilot.press("escape")
            await wait_for(pilot, lambda: isinstance(app.screen, DisputeScreen))
            await pilot.pause(0.6)  # past the draft timer: no draft may appear
            assert draft_files() == []
            await pilot.press("E")
            await wait_for(
                pilot, lambda: isinstance(app.screen, DisputeFormScreen) and app.screen._loaded
            )
            await type_text(pilot, " x")
            await pilot.press("escape")
            await wait_for(pilot, lambda: len(draft_files()) == 1)
    finally:
        os.umask(old_umask)
    (draft,) = draft_files()
    assert stat.S_IMODE(draft.stat().st_mode) == 0o600
    assert stat.S_IMODE(draft.parent.stat().st_mode) == 0o700
    assert "problem_statement" not in draft.read_text()  # only the field typed in


async def test_a_draft_belongs_to_one_store(make_app, tmp_path: Path) -> None:
    app = make_app("duty")
    async with app.run_test(size=SIZE) as pilot:
        await queue_ready(pilot)
        await pilot.press("n")
        await wait_for(
            pilot, lambda: isinstance(app.screen, DisputeFormScreen) and app.screen._loaded
        )
        await type_text(pilot, "P-3001")
        await pilot.press("escape")
        await wait_for(pilot, lambda: len(draft_files()) == 1)
    other = build_store(tmp_path / "other" / "s.db")
    try:
        app = PanelApp(
            other, "duty", demo=True, clock=lambda: NOW, settings=Settings(shift_start=False)
        )
        async with app.run_test(size=SIZE) as pilot:
            await queue_ready(pilot)
            await pilot.press("n")
            await wait_for(
                pilot, lambda: isinstance(app.screen, DisputeFormScreen) and app.screen._loaded
            )
            assert app.screen.query_one("#f-person_ref", Input).value == ""
    finally:
        other.close()


def test_the_three_way_merge_field_by_field() -> None:
    start = {"a": "one", "b": "two", "c": "three", "d": "four"}
    current = {"a": "one", "b": "TWO", "c": "THREE", "d": "FOUR"}  # b, c, d changed by others
    mine = {"a": "uno", "b": "two", "c": "tres", "d": "FOUR "}  # a only mine; c both; d same
    merged = drafts.merge(current, start, mine)
    assert merged.values == {"a": "uno", "b": "TWO", "c": "tres", "d": "FOUR"}
    assert merged.theirs == {"c": "THREE"}
