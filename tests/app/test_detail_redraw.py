"""The dispute detail redraws only what changed, and skips the restyle only when it may."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from helpers import queue_ready, screen_text, wait_for, wait_text
from rich.console import Console
from rich.text import Text
from storefix import NOW
from textual.widgets import Static

from panel_tui.screens.detail import DisputeScreen, _lines
from panel_tui.screens.queue import QueueScreen
from panel_tui.store.read import orm_detail
from panel_tui.store.read.dispute_models import NoteView, StageView
from panel_tui.widgets.stage_ladder import DetailSection, Ladder, RenderedOnce

SIZE = (100, 70)  # tall enough to show every section
#: The widgets the detail fills for each dispute.
SECTIONS = {"summary", "badge", "ladder", "form", "evidence", "protection", "decisions"}
SECTIONS |= {"notes", "history"}


async def _open(pilot, queue: QueueScreen, ref: str) -> DisputeScreen:  # noqa: ANN001
    app = pilot.app
    if app.screen is not queue:
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is queue)
    app.open_dispute(ref)
    await wait_text(pilot, f"{ref} person")
    await pilot.pause(0.1)
    return app.screen


@pytest.mark.backend
async def test_the_same_dispute_again_redraws_nothing_and_a_new_note_only_its_sections(
    make_app, store, monkeypatch
) -> None:
    updated: list[str | None] = []
    original = Static.update

    def counting(self, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        # The detail's own sections (the shift-start view, read ahead, has a summary too).
        if self.id in SECTIONS and isinstance(self.screen, DisputeScreen):
            updated.append(self.id)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Static, "update", counting)
    app = make_app("duty")
    async with app.run_test(size=SIZE) as pilot:
        queue = await queue_ready(pilot)
        screen = await _open(pilot, queue, "D-2026-0004")
        detail = screen.detail
        assert detail is not None

        updated.clear()
        screen.show(orm_detail.dispute_detail(store, "D-2026-0004", NOW))
        await pilot.pause(0.1)
        assert updated == []

        later = NOW + timedelta(minutes=5)
        note = NoteView(by="Duty Officer", at=later, text="called the family back")
        screen.show(replace(detail, notes=[*detail.notes, note]))
        await wait_text(pilot, "called the family back")
        assert updated == ["notes"]

        # The same dispute opened again from the queue: nothing to redraw.
        screen = await _open(pilot, queue, "D-2026-0001")
        updated.clear()
        screen = await _open(pilot, queue, "D-2026-0001")
        assert updated == []
        assert "D-2026-0001 person P-1001" in screen_text(app)


async def test_reopening_restyles_only_after_the_theme_or_focus_changed(make_app) -> None:
    app = make_app("duty")
    async with app.run_test(size=SIZE) as pilot:
        queue = await queue_ready(pilot)
        screen = await _open(pilot, queue, "D-2026-0001")
        restyled: list[bool] = []
        original = screen.update_node_styles

        def counting(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            restyled.append(True)
            return original(*args, **kwargs)

        screen.update_node_styles = counting  # the resume's restyle of the whole screen
        await _open(pilot, queue, "D-2026-0002")
        assert restyled == []

        title = screen.query_one(".section-title", Static)
        before = title.styles.color
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is queue)
        app.theme = "nord" if app.theme != "nord" else "dracula"  # another accent colour
        await pilot.pause(0.1)
        await _open(pilot, queue, "D-2026-0003")
        assert restyled == [True]
        after = title.styles.color
        assert after != before
        app.stylesheet.update(screen)  # a full restyle now changes nothing: it was current
        assert title.styles.color == after

        restyled.clear()
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is queue)
        app.app_focus = False  # the terminal lost focus while the detail was away
        await pilot.pause(0.1)
        await _open(pilot, queue, "D-2026-0002")
        assert restyled == [True]


def test_a_table_rendered_once_renders_as_the_table_at_every_width(store) -> None:
    detail = orm_detail.dispute_detail(store, "D-2026-0004", NOW)
    console = Console(width=200, force_terminal=True, color_system="truecolor")
    rows = tuple((f"{e.at:%d %b %H:%M} {e.actor}", e.action * 3) for e in detail.events)
    for make in (lambda: _lines(rows), lambda: Ladder(detail.stages, detail.stage)):
        once = RenderedOnce(make())
        for width in (3, 20, 41, 80, 118, 200):
            options = console.options.update_width(width)
            assert list(console.render(once, options)) == list(console.render(make(), options))
            assert list(console.render(once, options)) == list(console.render(make(), options))


def test_a_table_rendered_once_renders_once_per_width() -> None:
    renders: list[int] = []

    class Counted:
        def __rich_console__(self, console, options):  # noqa: ANN001, ANN204
            renders.append(options.max_width)
            yield from console.render(Text("x " * 40), options)

    console = Console(width=100, force_terminal=True)
    once = RenderedOnce(Counted())
    for width in (50, 50, 60, 60, 50):
        lines = console.render_lines(once, console.options.update_width(width))
        assert len(lines) == (2 if width < 80 else 1)
    assert renders == [50, 60, 50]


async def test_a_section_shows_its_source_only_when_it_changes(make_app) -> None:
    app = make_app("duty")
    async with app.run_test(size=SIZE) as pilot:
        queue = await queue_ready(pilot)
        screen = await _open(pilot, queue, "D-2026-0001")
        section = screen.query_one("#notes", DetailSection)
        rendered: list[object] = []
        section.show_source(("a",), lambda source: rendered.append(source) or "first")
        section.show_source(("a",), lambda source: rendered.append(source) or "again")
        section.show_source(("b",), lambda source: rendered.append(source) or "second")
        await wait_text(pilot, "second")
        assert rendered == [("a",), ("b",)]


async def test_free_text_is_shown_as_typed_not_read_as_markup(make_app) -> None:
    app = make_app("duty")
    async with app.run_test(size=SIZE) as pilot:
        queue = await queue_ready(pilot)
        screen = await _open(pilot, queue, "D-2026-0001")
        detail = screen.detail
        assert detail is not None
        typed = "said [sic] it was [bold]urgent[/bold] :smile: [/] ok"
        note = NoteView(by="Duty Officer", at=NOW, text=typed)
        screen.show(replace(detail, notes=[note], problem_statement=f"form {typed}"))
        # Both the note and the form's problem statement show the text as typed.
        await wait_text(pilot, f"form {typed}")
        await wait_for(pilot, lambda: screen_text(app).count(typed) == 2)


def test_the_ladder_never_cuts_a_name_and_names_everyone_deciding_now() -> None:
    """At 80 columns the people column was cut mid-name ("Jordan Lee, Ai…"). A rung whose
    people do not fit says the first and how many more; the rung deciding now names all
    of them, on as many lines as they take; where they fit, everyone is named."""
    people = ("Jordan Lee", "Aisha Mensah", "Sam Kowalski", "Rosa Delgado")
    stages = [
        StageView(n, label, label, people, None, None, None, None)
        for n, label in enumerate(("frontline", "supervisor", "panel"))
    ]
    console = Console(width=200, force_terminal=True, no_color=True)

    def drawn(width: int, current: int) -> str:
        options = console.options.update_width(width)
        lines = console.render_lines(Ladder(stages, current), options, pad=False)
        return "\n".join("".join(segment.text for segment in line).rstrip() for line in lines)

    narrow = drawn(60, current=1)
    assert "…" not in narrow
    assert narrow.count("Jordan Lee +3") == 2  # rungs 0 and 2
    for name in people:  # rung 1's people, each whole, on one line or the next
        assert any(name in line for line in narrow.splitlines())
    wide = drawn(200, current=1)
    assert "+3" not in wide and wide.count(", ".join(people)) == 3
