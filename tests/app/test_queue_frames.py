"""A section switch or filter key costs the queue one frame of rows and no layout, and its
page is read without the ORM (issue 13).

The queue's length is its scrollable height: setting it no longer lays out the
screen unless the scroll bar comes or goes, and the bar still says the new
length. The rows on screen stay until the new page replaces them; "…" rows are
drawn only when that page is slow to come.
"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest
from demo_cache import open_demo_copy
from helpers import WAIT, queue_ready, screen_text, wait_for, wait_text
from storefix import NOW
from textual.screen import Screen
from textual.widget import Widget

from panel_tui.app import PanelApp
from panel_tui.config import Settings
from panel_tui.rules.policy import default_policy_text
from panel_tui.screens.queue import SECTIONS
from panel_tui.store.db import Store
from panel_tui.store.lazy import LazyStore
from panel_tui.store.ledger.admin import Admin
from panel_tui.store.read import orm_queries, quick_queue
from panel_tui.store.read.interrupt import Interrupt
from panel_tui.store.read.queue_models import QueueFilter, QueuePage, QueueRow, Section
from panel_tui.widgets import queue_view
from panel_tui.widgets.filter_input import FilterInput
from panel_tui.widgets.queue_view import PAGE, QueueView


async def test_a_section_switch_lays_out_nothing_and_the_scroll_bar_follows(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = open_demo_copy(tmp_path_factory, tmp_path / "big.db", disputes=3000, seed=3, now=NOW)
    try:
        totals = {
            s: orm_queries.queue_page(store, QueueFilter(section=s), NOW).total
            for s in (Section.ALL_OPEN, Section.CLOSED, Section.AT_PANEL)
        }
        assert min(totals.values()) > 30  # each scrolls at this height: the bar stays
        app = PanelApp(
            store, "duty", demo=True, clock=lambda: NOW, settings=Settings(shift_start=False)
        )
        laid_out: list[str] = []
        refresh = Widget.refresh

        def counting(self, *regions, layout=False, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
            if layout and isinstance(self, QueueView):
                laid_out.append(f"{self.total}")
            return refresh(self, *regions, layout=layout, **kwargs)

        async with app.run_test(size=(100, 30)) as pilot:
            queue = await queue_ready(pilot)
            view = queue.view
            await wait_for(pilot, lambda: view.total == totals[Section.ALL_OPEN])
            monkeypatch.setattr(Widget, "refresh", counting)
            for section in (Section.CLOSED, Section.AT_PANEL, Section.ALL_OPEN):
                await pilot.press(str(SECTIONS.index(section) + 1))
                # The exact count too, read after the first page: it sets the length again.
                await wait_for(
                    pilot,
                    lambda s=section: (
                        queue.filter.section is s
                        and view.loaded
                        and view.total == totals[s]
                        and not view.total_capped
                    ),
                )
                length = totals[section]
                bar = view.vertical_scrollbar
                await wait_for(pilot, lambda b=bar, n=length: b.window_virtual_size == n)
                assert view.show_vertical_scrollbar
            assert laid_out == []
            # The length set that way is the one scrolling uses: End reaches the last row.
            await pilot.press("end")
            last = totals[Section.ALL_OPEN] - 1
            await wait_for(pilot, lambda: view.cursor == last and view.cursor_row is not None)
            assert view.scroll_offset.y == view.max_scroll_y > 0
    finally:
        store.close()


async def test_a_section_too_short_to_scroll_hides_the_bar(make_app) -> None:  # noqa: ANN001
    app = make_app("duty")
    async with app.run_test(size=(80, 10)) as pilot:  # four rows of the queue
        queue = await queue_ready(pilot)
        view = queue.view
        assert view.total > view.size.height and view.show_vertical_scrollbar
        await pilot.press(str(SECTIONS.index(Section.BREACHED) + 1))
        await wait_for(pilot, lambda: queue.filter.section is Section.BREACHED and view.loaded)
        assert 0 < view.total < view.size.height
        await wait_for(pilot, lambda: not view.show_vertical_scrollbar)
        await pilot.press(str(SECTIONS.index(Section.ALL_OPEN) + 1))
        await wait_for(pilot, lambda: queue.filter.section is Section.ALL_OPEN and view.loaded)
        await wait_for(pilot, lambda: view.show_vertical_scrollbar)


async def _next_frame(app) -> None:  # noqa: ANN001
    """Until Textual has drawn what was asked before (its next refresh)."""
    drawn = asyncio.Event()
    app.call_after_refresh(drawn.set)
    await drawn.wait()


def _rows(app) -> list[str]:  # noqa: ANN001
    """The queue's lines on screen (below the column titles, above the footer)."""
    lines = screen_text(app).splitlines()
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("Ref"))
    return lines[start + 1 : -1]


async def test_the_rows_stay_until_the_new_page_and_say_loading_when_it_is_slow(
    make_app,  # noqa: ANN001
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = make_app("duty")
    async with app.run_test(size=(80, 24)) as pilot:
        queue = await queue_ready(pilot)
        view = queue.view
        await wait_text(pilot, "D-2026-")
        shown = _rows(app)
        read, locate = view._fetch, view._locate
        assert read is not None and locate is not None
        gate = threading.Event()
        asked: list[int] = []

        def held(
            offset: int, limit: int, cap: int | None, stop: Interrupt | None, total: int | None
        ) -> QueuePage:
            asked.append(offset)
            gate.wait(WAIT)  # the read is slow: it waits for the test
            return read(offset, limit, cap, stop, total)

        try:
            # Fast enough (the "…" rows would come after a minute): the old rows stay.
            monkeypatch.setattr(queue_view, "LOADING_AFTER", 60.0)
            view.set_source(held, locate)
            await wait_for(pilot, lambda: bool(asked) and not view.loaded)
            await _next_frame(app)
            assert _rows(app) == shown
            # Slow: "…" where the rows were, until the page comes.
            monkeypatch.setattr(queue_view, "LOADING_AFTER", 0.01)
            view.set_source(held, locate)
            await wait_for(pilot, lambda: _rows(app)[0].strip() == "…")
        finally:
            gate.set()
        await wait_for(pilot, lambda: view.loaded and _rows(app) == shown)


async def test_once_open_the_pages_are_read_without_the_orm_and_equal_its_read(
    make_app,  # noqa: ANN001
    store: Store,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    read: list[QueueFilter] = []
    quick_read = quick_queue.page

    def spy(head, f, at, **kwargs):  # noqa: ANN001, ANN003, ANN202
        read.append(f)
        return quick_read(head, f, at, **kwargs)

    monkeypatch.setattr(quick_queue, "page", spy)
    app = make_app("duty")
    async with app.run_test(size=(80, 24)) as pilot:
        queue = await queue_ready(pilot)
        view = queue.view
        for key, f in (
            (str(SECTIONS.index(Section.CLOSED) + 1), QueueFilter(section=Section.CLOSED)),
            (str(SECTIONS.index(Section.ALL_OPEN) + 1), QueueFilter()),
        ):
            await pilot.press(key)
            await wait_for(pilot, lambda f=f: queue.filter == f and view.loaded)
            expected = orm_queries.queue_page(store, f, NOW, limit=PAGE)
            assert f in read
            assert (view.total, view.cursor_row) == (expected.total, expected.rows[0])

        # A new policy (a write elsewhere): the next read draws the clocks by it, as the
        # ORM's read does, not by the policy the app started with.
        before = orm_queries.queue_page(store, QueueFilter(), NOW, limit=PAGE)
        text = default_policy_text().replace("warning_fraction = 0.75", "warning_fraction = 0.05")
        Admin(store, "root").set_policy(text)
        after = orm_queries.queue_page(store, QueueFilter(), NOW, limit=PAGE)
        assert after.rows != before.rows  # else this shows nothing
        await wait_for(pilot, lambda: _first_page(view) == after.rows)


def _first_page(view: QueueView) -> list[QueueRow] | None:
    page = view._pages.get(0)
    return None if page is None else page.rows


async def test_the_first_page_asks_for_no_layout_of_its_own(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before the first paint the view found it needed a scroll bar (a second layout of
    the screen) and set its length again on its first resize (a third)."""
    store = open_demo_copy(tmp_path_factory, tmp_path / "big.db", disputes=3000, seed=3, now=NOW)
    try:
        asked: list[str] = []
        refresh = Widget.refresh

        def counting(self, *regions, layout=False, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
            if layout and isinstance(self, QueueView):
                asked.append("layout")
            return refresh(self, *regions, layout=layout, **kwargs)

        monkeypatch.setattr(Widget, "refresh", counting)
        assert store.path is not None
        # As launched: the first page read from the file before the Store is open.
        lazy = LazyStore(str(store.path))
        app = PanelApp(
            lazy,
            "duty",
            demo=True,
            clock=lambda: NOW,
            settings=Settings(shift_start=False),
            head=quick_queue.peek(str(store.path)),
        )
        async with app.run_test(size=(100, 30)) as pilot:
            queue = await queue_ready(pilot)
            view = queue.view
            # The Store opens after the first paint, and the queue rereads through it.
            await wait_for(pilot, lambda: app.store_is_open and app.person is not None)
            await wait_for(pilot, lambda: view.loaded and not view.total_capped)
            await wait_for(pilot, lambda: view.vertical_scrollbar.window_virtual_size == view.total)
            assert view.show_vertical_scrollbar and view.vertical_scrollbar.display
            assert asked == []
            # A new width is laid out by the terminal's resize; the view's length stays.
            await pilot.resize_terminal(80, 24)
            await wait_for(pilot, lambda: view.size.width == 80)
            await wait_for(pilot, lambda: view.vertical_scrollbar.window_virtual_size == view.total)
            assert view.virtual_size.height == view.total
            assert asked == []
        lazy.get().close()
    finally:
        store.close()


async def test_the_filter_box_is_never_focused_at_start(
    make_app,  # noqa: ANN001
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Textual focuses the first focusable widget as a screen is composed: that was the
    filter box, hidden only in on_mount. Its blur and the view's focus then restyled both
    after the first frame, so the view was drawn twice and its cursor changed colour."""
    focused: list[str] = []
    set_focus = Screen.set_focus

    def recording(self, widget, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        focused.append(type(widget).__name__)
        return set_focus(self, widget, *args, **kwargs)

    monkeypatch.setattr(Screen, "set_focus", recording)
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        queue = await queue_ready(pilot)
        assert app.focused is queue.view
        assert "FilterInput" not in focused
        assert set(focused) == {"QueueView"}
        await pilot.press("slash")  # the box still takes the focus when asked
        await wait_for(pilot, lambda: isinstance(app.focused, FilterInput))


async def test_the_filter_box_is_mounted_by_the_first_slash_and_kept(make_app) -> None:  # noqa: ANN001
    """The queue opens without its filter box (one widget fewer before the first paint);
    "/" mounts it above the status line, Esc hides it and clears the search, and the next
    "/" shows the same box again rather than a second one."""
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        queue = await queue_ready(pilot)
        assert not queue.query(FilterInput)
        await pilot.press("escape")  # nothing to clear yet: no error, nothing mounted
        assert not queue.query(FilterInput)
        await pilot.press("slash")
        await wait_for(pilot, lambda: isinstance(app.focused, FilterInput))
        box = queue.query_one(FilterInput)
        order = [w.id for w in queue.children]
        assert order.index("filter") == order.index("status") - 1
        await pilot.press("r", "e", "f")
        await wait_text(pilot, "/ref")
        await pilot.press("escape")
        await wait_for(pilot, lambda: not box.display and app.focused is queue.view)
        assert box.value == "" and queue.filter.text == ""
        await pilot.press("slash")
        await wait_for(pilot, lambda: app.focused is box and box.display)
        assert list(queue.query(FilterInput)) == [box]
