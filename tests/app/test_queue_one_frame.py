"""A section switch, a filter key and End each draw their answer in one frame (issue 13).

Textual draws at most one frame a sixtieth of a second. A key that first drew a
frame of its own (the new tab and status over the old rows, or End's "…" rows)
had its rows drawn only in the frame after that, about 17 ms later: at a million
disputes each of these keys took two frames, twice the bare app's keystroke. Here
every frame the key draws shows either what was there before it or all of its
answer: the tab, the status line and the rows together. A typed character is drawn
in the filter box with its rows too, unless they take longer than the box's ``HOLD``
(then it is drawn at that moment, the rows when they come).

Each read is held until the key has had its chance to draw a frame of its own, so
the tests do not depend on how quick the read is; the "…" rows of a slow read are
held off for them (``LOADING_AFTER``): they are right to appear when it is slow.
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from demo_cache import open_demo_copy
from helpers import WAIT, queue_ready, wait_for
from storefix import NOW
from textual.app import App
from textual.pilot import Pilot
from textual.screen import Screen

from panel_tui.app import PanelApp
from panel_tui.config import Settings
from panel_tui.screens.queue import SECTIONS, QueueScreen
from panel_tui.store.db import Store
from panel_tui.store.read import orm_queries
from panel_tui.store.read.queue_models import QueueFilter, Section
from panel_tui.widgets import queue_view
from panel_tui.widgets.filter_input import FilterInput
from panel_tui.widgets.queue_view import QueueView

#: The status line's counts: "1,000+ disputes · " and " of 1000+" in "row 7 of 1000+".
COUNTS = re.compile(r"^\S+ disputes? · | of \S+")
#: The status line: "150 disputes · All open · …", "1 dispute · …".
STATUS = re.compile(r" disputes? · ")


@dataclass(frozen=True)
class Frame:
    """What one drawn frame says: the highlighted tab, the status line without its counts
    (the capped count, "1000+", is drawn before the exact one), the rows."""

    tab: str
    status: str
    rows: tuple[str, ...]

    @property
    def first_ref(self) -> str:
        return self.rows[0].split()[0] if self.rows and self.rows[0].split() else ""


def _frame(app: App) -> Frame:
    strips = app.screen._compositor.render_strips()
    lines = ["".join(segment.text for segment in strip) for strip in strips]
    labels = {s.label for s in Section}
    tab = next(
        (
            segment.text.strip()
            for strip in strips[:4]
            for segment in strip
            if segment.style is not None
            and segment.style.reverse
            and segment.text.strip() in labels
        ),
        "",
    )
    status = next((line.strip() for line in lines if STATUS.search(line)), "")
    status = COUNTS.sub("", status)
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("Ref"))
    rows = tuple(line.strip() for line in lines[start + 1 : -1] if line.strip())
    return Frame(tab, status, rows)


def _box(app: App) -> str:
    """What the filter box shows."""
    box = app.screen.query_one(FilterInput)
    return "".join(s.text for s in app.screen._compositor.render_strips()[box.region.y]).strip()


@contextmanager
def _recording(
    app: App, monkeypatch: pytest.MonkeyPatch, look: Callable[[App], Any] = _frame
) -> Iterator[list[Any]]:
    """Every frame Textual draws of the app's screen, as ``look`` sees it (by default what
    ``Frame`` says of it)."""
    frames: list[Any] = []
    draw = Screen._compositor_refresh

    def recording(screen: Screen) -> None:
        draw(screen)
        if screen is app.screen:
            frames.append(look(app))

    monkeypatch.setattr(Screen, "_compositor_refresh", recording)
    yield frames
    monkeypatch.setattr(Screen, "_compositor_refresh", draw)


async def _next_frame(app: App) -> None:
    drawn = asyncio.Event()
    app.call_after_refresh(drawn.set)
    await drawn.wait()


@pytest.fixture
def demo(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    store = open_demo_copy(tmp_path_factory, tmp_path / "demo.db", disputes=3000, seed=3, now=NOW)
    try:
        yield store
    finally:
        store.close()


def _app(store: Store) -> PanelApp:
    return PanelApp(
        store, "duty", demo=True, clock=lambda: NOW, settings=Settings(shift_start=False)
    )


async def _settled(pilot: Pilot) -> QueueView:
    """The queue on All open, its exact count in, drawn."""
    view = pilot.app.screen.query_one(QueueView)
    await wait_for(pilot, lambda: view.loaded and not view.total_capped)
    await _next_frame(pilot.app)
    return view


@asynccontextmanager
async def _on_all_open(
    demo: Store, monkeypatch: pytest.MonkeyPatch, loading_after: float = 60.0
) -> AsyncIterator[tuple[PanelApp, Pilot, QueueScreen, QueueView]]:
    """The app on All open, its exact count in and drawn, "…" rows held off for
    ``loading_after`` seconds (by default longer than any test: only the key's frames)."""
    monkeypatch.setattr(queue_view, "LOADING_AFTER", loading_after)
    app = _app(demo)
    async with app.run_test(size=(120, 30)) as pilot:
        queue = await queue_ready(pilot)
        yield app, pilot, queue, await _settled(pilot)


class HeldReads:
    """The queue's page reads wait until ``go()``: a frame drawn meanwhile is the key's own,
    drawn before its rows (however quick the read would have been)."""

    def __init__(self, app: PanelApp) -> None:
        self._read = app.quick_page
        self._open = threading.Event()
        self.asked = 0
        app.quick_page = self._held  # type: ignore[method-assign]

    def _held(self, *args: Any) -> Any:
        self.asked += 1
        self._open.wait(WAIT)
        return self._read(*args)

    async def key(self, pilot: Pilot, key: str) -> None:
        """``key`` pressed; then Textual's next frame, if anything asks for one, before the
        read may answer."""
        asked = self.asked
        await pilot.press(key)
        await wait_for(pilot, lambda: self.asked > asked)
        await _next_frame(pilot.app)  # at once if nothing is to be drawn
        self.go()

    def go(self) -> None:
        """Let the reads answer."""
        self._open.set()


def _first_ref(store: Store, f: QueueFilter) -> str | None:
    rows = orm_queries.queue_page(store, f, NOW, limit=1).rows
    return rows[0].ref if rows else None


async def test_a_section_switch_draws_its_tab_status_and_rows_in_one_frame(
    demo: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with _on_all_open(demo, monkeypatch) as (app, pilot, queue, view):
        before = _frame(app)
        assert before.tab == "All open" and before.first_ref == _first_ref(demo, QueueFilter())
        closed = QueueFilter(section=Section.CLOSED)
        with _recording(app, monkeypatch) as frames:
            await HeldReads(app).key(pilot, str(SECTIONS.index(Section.CLOSED) + 1))
            await wait_for(
                pilot, lambda: queue.filter == closed and view.loaded and not view.total_capped
            )
            await _next_frame(app)
        after = _frame(app)
        assert after.tab == "Closed" and after.status.startswith("Closed")
        assert after.first_ref == _first_ref(demo, closed)
        # Each frame drawn is the old screen or the new one, never the new tab and
        # status over the old rows.
        assert frames and set(frames) <= {before, after}, frames


async def test_a_filter_key_draws_its_status_with_its_rows(
    demo: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with _on_all_open(demo, monkeypatch) as (app, pilot, queue, view):
        await pilot.press("slash")
        await wait_for(pilot, lambda: app.focused is not None and app.focused.id == "filter")
        await _next_frame(app)
        before = _frame(app)
        # A letter whose first match is not the first row now: the frames tell them apart.
        key, expected = next(
            (letter, ref)
            for letter in "qzxkjvwy"
            if (ref := _first_ref(demo, QueueFilter(text=letter))) not in (None, before.first_ref)
        )
        # However long the held read takes here: the box waits for it (the next test
        # holds it past HOLD).
        monkeypatch.setattr(FilterInput, "HOLD", WAIT)
        with _recording(app, monkeypatch) as frames, _recording(app, monkeypatch, _box) as boxes:
            await HeldReads(app).key(pilot, key)
            await wait_for(
                pilot, lambda: queue.filter.text == key and view.loaded and not view.total_capped
            )
            await _next_frame(app)
        after = _frame(app)
        assert f"/{key}" in after.status and after.first_ref == expected
        # The status never names the letter over the rows of no filter, nor the reverse;
        # the box shows it in the same frames (Textual's next slot after the rows).
        for frame, box in zip(frames, boxes, strict=True):
            assert (f"/{key}" in frame.status) == (frame.first_ref == expected), frame
            assert frame.rows in (before.rows, after.rows), frame
            assert (box == key) == (frame.first_ref == expected), (box, frame)


async def test_a_slow_read_never_keeps_the_typed_letter_off_the_screen(
    demo: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The box waits for its rows at most ``HOLD`` s: a read held longer than that finds
    the letter drawn over the rows before it, and its own rows drawn when they come."""
    async with _on_all_open(demo, monkeypatch) as (app, pilot, queue, view):
        await pilot.press("slash")
        await wait_for(pilot, lambda: app.focused is not None and app.focused.id == "filter")
        await _next_frame(app)
        before = _frame(app)
        key = next(c for c in "qzxkjvwy" if _first_ref(demo, QueueFilter(text=c)) is not None)
        held = HeldReads(app)
        with _recording(app, monkeypatch) as frames, _recording(app, monkeypatch, _box) as boxes:
            asked = held.asked
            await pilot.press(key)
            await wait_for(pilot, lambda: held.asked > asked)
            await wait_for(pilot, lambda: key in boxes)  # drawn by the deadline, alone
            assert frames[boxes.index(key)].rows == before.rows
            held.go()
            await wait_for(pilot, lambda: queue.filter.text == key and view.loaded)
            await _next_frame(app)
        assert _frame(app).first_ref == _first_ref(demo, QueueFilter(text=key))
        assert boxes[-1] == key


async def test_end_draws_the_last_rows_and_their_status_in_one_frame(
    demo: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with _on_all_open(demo, monkeypatch) as (app, pilot, queue, view):
        total = view.total
        assert total > queue_view.PAGE  # the last rows are on a page not read yet
        before = _frame(app)
        last = orm_queries.queue_page(demo, QueueFilter(), NOW, offset=total - 1, limit=1)
        with _recording(app, monkeypatch) as frames:
            await HeldReads(app).key(pilot, "end")
            await wait_for(pilot, lambda: view.cursor == total - 1 and view.cursor_row is not None)
            await _next_frame(app)
        after = _frame(app)
        assert after.rows[-1].split()[0] == last.rows[0].ref
        assert after.status == f"All open · row {total}"
        # No frame of "…" rows, nor of the old rows with the new row number.
        assert frames and set(frames) <= {before, after}, frames


async def test_end_lands_on_the_last_row_when_its_page_is_slow(
    demo: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A jump whose rows are slow to come says so ("…") and still lands on the last row."""
    async with _on_all_open(demo, monkeypatch, loading_after=0.01) as (app, pilot, queue, view):
        total = view.total
        held = HeldReads(app)
        with _recording(app, monkeypatch) as frames:
            await pilot.press("end")
            await wait_for(pilot, lambda: bool(frames) and frames[-1].rows[-1] == "…")
            assert view.cursor == total - 1 and view.cursor_row is None
            held.go()
            await wait_for(pilot, lambda: view.cursor_row is not None)
            await _next_frame(app)
        row = view.cursor_row
        assert row is not None and _frame(app).rows[-1].split()[0] == row.ref
        assert _frame(app).status == f"All open · row {total}"
