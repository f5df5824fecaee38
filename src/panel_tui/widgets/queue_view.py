"""A paged, virtual queue: only the rows on screen are ever fetched or drawn.

The view knows the queue's total length (so the scrollbar is true) and keeps
an LRU cache of fixed-size pages fetched by ``fetch(offset, limit, total_limit,
interrupt, total)`` in thread workers, the way toolong draws huge logs.

The count is never on a keystroke's way to the screen: the first page of a
filter counts its matches only up to ``COUNT_CAP`` (shown as "1000+"), later
pages not at all, and the exact number is read after that page is painted, by
one worker that a newer filter replaces. A newer filter also stops the older
one's reads in SQLite (``Interrupt``), so typing never queues up stale scans.

A refresh (another user changed the store, or the clocks moved on) refetches
the pages in view and keeps the cursor on the same dispute id, asking
``locate(id)`` where it went if it left the window. Nothing here holds more
than a few pages of rows.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from rich.segment import Segment
from rich.style import Style
from textual import events, work
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.timer import Timer

from panel_tui.messages import ForwardWorkerErrors
from panel_tui.rules.enums import ClockState
from panel_tui.store.read.interrupt import Cancelled, Interrupt
from panel_tui.store.read.queue_columns import (
    REF_WIDTH,
    Column,
    columns_for,
    header_line,
    row_cells,
)
from panel_tui.store.read.queue_models import COUNT_CAP, QueuePage, QueueRow
from panel_tui.widgets.list_keys import motion_bindings, scroll_into_view, top_showing

PAGE = 100

#: How long a new filter's first page may take before its rows are drawn as "…".
LOADING_AFTER = 0.25

#: fetch(offset, limit, total_limit, interrupt, total): a page, its matches counted up to
#: total_limit (None: all; 0: not counted), stoppable by interrupt.cancel(); total is
#: the exact count this generation already has, or None (a deep page can then be
#: read from the end of the list: End in Closed at 1M disputes 43-53 ms -> under 1 ms).
Fetch = Callable[[int, int, int | None, Interrupt | None, int | None], QueuePage]
Locate = Callable[[int], int | None]


class QueueView(ForwardWorkerErrors, ScrollView, can_focus=True):
    """The queue's rows; arrows, page keys, home/end move; enter opens."""

    BINDINGS = [
        *motion_bindings("queue"),
        Binding("enter", "open", "Open", id="queue.open"),
        Binding("space", "mark", "Mark", show=False, id="queue.mark"),
    ]
    COMPONENT_CLASSES = {
        "queue-view--cursor",
        "queue-view--breached",
        "queue-view--warning",
        "queue-view--loading",
        "queue-view--marked",
    }
    DEFAULT_CSS = """
    QueueView { height: 1fr; overflow-x: hidden; overflow-y: auto; scrollbar-gutter: stable; }
    QueueView > .queue-view--cursor { background: $surface-lighten-2; }
    QueueView:focus > .queue-view--cursor { background: $accent; color: $text; text-style: bold; }
    QueueView > .queue-view--breached { color: $error; text-style: bold; }
    QueueView > .queue-view--warning { color: $warning; }
    QueueView > .queue-view--loading { color: $text-muted; }
    QueueView > .queue-view--marked { text-style: bold underline; }
    """

    #: How many disputes' last clock state is remembered, to notice a breach on screen.
    SEEN_LIMIT = 20_000

    cursor: reactive[int] = reactive(0, always_update=True, repaint=False)

    # Plain classes, as Textual's own messages: a dataclass is built at import, about
    # 0.4 ms each, and the queue is imported before its first paint.
    class Opened(Message):
        def __init__(self, row: QueueRow) -> None:
            self.row = row
            super().__init__()

    class Loaded(Message):
        """A page arrived (tests and the status line wait for this)."""

        def __init__(self, total: int) -> None:
            self.total = total
            super().__init__()

    class Layout(Message):
        def __init__(self, header: str) -> None:
            self.header = header
            super().__init__()

    class Moved(Message):
        """The cursor is on another row (the status line's "row x of y")."""

        def __init__(self, index: int, total: int) -> None:
            self.index, self.total = index, total
            super().__init__()

    class Breached(Message):
        """Rows on screen whose clock breached while the queue was watched."""

        def __init__(self, refs: list[str]) -> None:
            self.refs = refs
            super().__init__()

    class Marked(Message):
        """The set of marked disputes changed."""

        def __init__(self, count: int) -> None:
            self.count = count
            super().__init__()

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._fetch: Fetch | None = None
        self._locate: Locate | None = None
        self._pages: LRUCache[int, QueuePage] = LRUCache(maxsize=12)
        self._fresh: set[int] = set()  # pages fetched in the current generation
        self._pending: set[tuple[int, int]] = set()
        self._generation = 0
        self._sources = 0  # one more for each set_source
        self._interrupt = Interrupt()  # cancels this generation's reads
        self._counted: int | None = None  # the generation whose total is known
        self._exact_for: int | None = None  # the generation whose total is exact
        self._total_before: int | None = None  # the exact total a refresh started from
        self.total = 0
        self.total_capped = False  # total is COUNT_CAP: "1000+" until the exact count
        self.loaded = False
        self.cursor_id: int | None = None
        self._columns: list[Column] = []
        self._ref_width = REF_WIDTH  # the longest reference shown so far
        self._base_style: Style | None = None
        self._seen: dict[int, ClockState] = {}  # last clock state shown, by dispute id
        self.marked: dict[int, str] = {}  # dispute id → ref, for one action on several
        self._sort: tuple[str | None, bool] = (None, False)
        self._landing: Timer | None = None  # a jump waiting for its rows (``_move_to``)
        #: Called as the rows, the cursor or the length change, before their frame: the
        #: lines drawn around the view from them (the status) then change in that frame.
        #: The Loaded and Moved messages come after it, and what they changed waited for
        #: Textual's next frame (~17 ms later: a section switch or End drew two frames).
        self.on_change: Callable[[], None] | None = None

    # --- public API ---------------------------------------------------------
    def set_source(
        self,
        fetch: Fetch,
        locate: Locate,
        *,
        keep_cursor: bool = False,
        first: QueuePage | None = None,
    ) -> None:
        """A new filter or section: start from the top unless asked to keep the dispute.

        ``first`` is its first page when the caller already has it: shown at
        once, with no worker and no "…" frame before it (the app's first paint).
        """
        self._fetch, self._locate = fetch, locate
        self._next_generation()
        self._total_before = None
        self._pages.clear()
        self._fresh.clear()
        self.loaded = False
        if not keep_cursor:
            self._landed()
            self.cursor_id = None
            self.cursor = 0
            self.scroll_to(y=0, animate=False)
        if first is not None and first.offset == self._page_of(self.cursor):
            self._arrived(self._generation, first.offset, first, COUNT_CAP)
            return
        self._request(self._page_of(self.cursor))
        # The rows on screen stay until the new page replaces them, one frame later; the
        # "…" rows are drawn only if it is slow to come. Drawing them at once cost every
        # filter key and section switch a second full render of the view.
        self._sources += 1
        self.set_timer(LOADING_AFTER, partial(self._show_loading, self._sources))

    def _show_loading(self, source: int) -> None:
        # By source, not generation: a refresh (reload) while the page is awaited is
        # still awaiting the same source's rows.
        if source == self._sources and not self.loaded:
            self.refresh()

    def reload(self) -> None:
        """Refetch what is in view, keeping old rows on screen until new ones arrive."""
        if self._fetch is None:
            return
        self._next_generation()
        self._total_before = None if self.total_capped else self.total
        self._fresh.clear()
        for page in self._visible_pages():
            self._request(page)

    def cancel(self) -> None:
        """Stop the reads in flight: their answer is about to be replaced."""
        self._interrupt.cancel()

    @property
    def total_label(self) -> str:
        """The number of matches as the status line says it ("1000+" while counting)."""
        return f"{COUNT_CAP - 1}+" if self.total_capped else str(self.total)

    def select_id(self, dispute_id: int) -> None:
        """Move the cursor to a dispute wherever it is in the queue."""
        self.cursor_id = dispute_id
        self._find(self._generation, dispute_id)

    @property
    def cursor_row(self) -> QueueRow | None:
        page = self._pages.get(self._page_of(self.cursor))
        index = self.cursor % PAGE
        return page.rows[index] if page is not None and index < len(page.rows) else None

    # --- fetching -------------------------------------------------------------
    @staticmethod
    def _page_of(index: int) -> int:
        return max(0, index) // PAGE * PAGE

    def _pages_showing(self, top: int) -> set[int]:
        """The pages of the rows on screen when ``top`` is its first line, none past the
        last row (End's screen ends on a page boundary at 50,000 rows: an empty page past
        it was read beside the last one, a second worker in the key's way)."""
        last = top + max(1, self.size.height) - 1
        if self.loaded:
            last = min(last, max(0, self.total - 1))
        return {self._page_of(top), self._page_of(last)}

    def _visible_pages(self) -> list[int]:
        showing = self._pages_showing(int(self.scroll_offset.y))
        return sorted(showing | {self._page_of(self.cursor)})

    def _missing(self, row: int) -> list[int]:
        """The pages not read yet that the screen needs once ``row`` is scrolled into view."""
        needed = self._pages_showing(top_showing(self, row)) | {self._page_of(row)}
        return sorted(page for page in needed if page not in self._pages)

    def _next_generation(self) -> None:
        self._interrupt.cancel()  # what the old filter still reads is not wanted
        self._interrupt = Interrupt()
        self._generation += 1

    def _request(self, page: int) -> None:
        key = (self._generation, page)
        if self._fetch is None or key in self._pending:
            return
        self._pending.add(key)
        # The first page of a generation counts up to the cap, later ones not at all.
        total_limit = 0 if self._counted == self._generation else COUNT_CAP
        known = self.total if self._exact_for == self._generation else None
        self._load(self._generation, page, self._fetch, total_limit, self._interrupt, known)

    @work(thread=True, group="queue-page", exit_on_error=False)
    def _load(
        self,
        generation: int,
        page: int,
        fetch: Fetch,
        total_limit: int,
        interrupt: Interrupt,
        known: int | None = None,
    ) -> None:
        try:
            result = fetch(page, PAGE, total_limit, interrupt, known)
        except BaseException as exc:
            self.app.call_from_thread(self._pending.discard, (generation, page))
            if isinstance(exc, Cancelled):
                return  # a newer filter or refresh asked for other rows
            raise
        # One call into the app's loop, which also marks the page no longer pending: a
        # call of its own first was one more round trip before the rows could be drawn.
        self.app.call_from_thread(self._arrived, generation, page, result, total_limit)

    @work(thread=True, group="queue-count", exclusive=True, exit_on_error=False)
    def _count(self, generation: int, fetch: Fetch, interrupt: Interrupt) -> None:
        try:
            total = fetch(0, 0, None, interrupt, None).total
        except Cancelled:
            return
        self.app.call_from_thread(self._exact, generation, total)

    def _exact(self, generation: int, total: int) -> None:
        """The exact count, read after the first page was painted."""
        if generation != self._generation:
            return
        before = self.total
        self.total, self.total_capped = total, False
        self._exact_for = generation
        self._sized(before)

    def _count_later(self, generation: int) -> None:
        if generation == self._generation and self._fetch is not None:
            self._count(generation, self._fetch, self._interrupt)

    def _took_total(self, generation: int, total: int) -> None:
        """A capped count from this generation's first page."""
        self._counted = generation
        if total < COUNT_CAP:
            self.total, self.total_capped = total, False
            self._exact_for = generation
            return
        if self._total_before is None or self._total_before < COUNT_CAP:
            self.total, self.total_capped = COUNT_CAP, True
        # else a refresh keeps the exact number it had until the new one comes.
        self.call_after_refresh(self._count_later, generation)

    def _sized(self, before: int) -> None:
        self._size_to_total()
        if self.cursor_id is not None:
            self._follow(self._generation)
        # The rows are the same: only lines between the old and the new end change
        # (blank ↔ row), and only if they are on screen; the scroll bar redraws itself.
        top = int(self.scroll_offset.y)
        if min(before, self.total) < top + max(1, self.size.height):
            self.refresh()
        self._told()
        loaded = self.Loaded(self.total)
        loaded.set_sender(self)
        self.post_message(loaded)

    def _arrived(
        self, generation: int, page: int, result: QueuePage, total_limit: int = COUNT_CAP
    ) -> None:
        self._pending.discard((generation, page))
        if generation != self._generation:
            return
        longest = max((len(r.ref) for r in result.rows), default=0)
        if longest > self._ref_width:  # a reference past D-2026-9999: widen, never cut
            self._ref_width = longest
            self._columns = columns_for(self.row_width, longest)
            self._post_layout()
        self._pages.discard(page)  # LRUCache.set keeps an existing value: replace it
        self._pages.set(page, result)
        self._fresh.add(page)
        # Pages from an older generation may be out of order now: drop them.
        for old in [p for p in list(self._pages.keys()) if p not in self._fresh]:  # noqa: SIM118
            self._pages.discard(old)
        self._watch_clocks(result)
        if total_limit and self._counted != generation:
            self._took_total(generation, result.total)
        self.loaded = True
        self._size_to_total()
        if self.cursor_id is not None:
            self._follow(generation)
        self.cursor = min(self.cursor, max(0, self.total - 1))
        if self._landing is not None and not self._missing(self.cursor):
            self._landed()
            scroll_into_view(self, self.cursor)
        self._remember_cursor()
        self.refresh()
        loaded = self.Loaded(self.total)
        # Textual stops a message at the parent when the parent is its sender, which it
        # is when the first page is set from the screen's on_mount: the app must hear it.
        loaded.set_sender(self)
        self.post_message(loaded)

    def _size_to_total(self) -> None:
        """The scrollable height is the queue's length, set without a layout of the screen.

        Textual lays out the whole screen when a widget's virtual size changes (a new
        total on every section switch, and again when the exact count comes). A
        ScrollView's own size never depends on it: only its scroll bar does, which
        ``_scroll_update`` sets and redraws, asking for a layout itself only when the
        bar appears or goes.
        """
        if not self.size and self.total >= self.app.size.height:
            # Not laid out yet (the app's first page): a queue longer than the terminal
            # needs the bar, so the first layout places it. Found there, it asked for a
            # second layout of the screen before the first paint.
            self.set_reactive(QueueView.show_vertical_scrollbar, True)
        size = Size(self.size.width, self.total)
        if size != self.virtual_size:
            self.set_reactive(QueueView.virtual_size, size)
            self._scroll_update(size)

    def _watch_clocks(self, page: QueuePage) -> None:
        """Say which rows breached since they were last shown (not those first seen breached)."""
        newly = [
            row.ref
            for row in page.rows
            if row.clock.state is ClockState.BREACHED
            and self._seen.get(row.id, ClockState.BREACHED) is not ClockState.BREACHED
        ]
        if len(self._seen) > self.SEEN_LIMIT:
            self._seen.clear()
        self._seen.update((row.id, row.clock.state) for row in page.rows)
        if newly:
            self.post_message(self.Breached(newly))

    def _follow(self, generation: int) -> None:
        """Keep the cursor on its dispute: look in the loaded pages, else ask the store."""
        row = self.cursor_row
        if row is not None and row.id == self.cursor_id:
            return
        for page in list(self._pages.keys()):  # noqa: SIM118 - LRUCache has no __iter__
            loaded = self._pages.get(page)
            for i, candidate in enumerate(loaded.rows if loaded else ()):
                if candidate.id == self.cursor_id:
                    self._move_to(page + i)
                    return
        assert self.cursor_id is not None
        self._find(generation, self.cursor_id)

    @work(thread=True, group="queue-locate", exclusive=True, exit_on_error=False)
    def _find(self, generation: int, dispute_id: int) -> None:
        if self._locate is None:
            return
        position = self._locate(dispute_id)
        self.app.call_from_thread(self._found, generation, dispute_id, position)

    def _found(self, generation: int, dispute_id: int, position: int | None) -> None:
        if dispute_id != self.cursor_id:
            return
        if position is None:
            # It left this section (e.g. closed): stay at the same index.
            self.cursor_id = None
            self._remember_cursor()
            return
        self._move_to(position)

    # --- cursor ------------------------------------------------------------------
    def _move_to(self, index: int) -> None:
        self.cursor = max(0, min(index, max(0, self.total - 1)))
        missing = self._missing(self.cursor)
        for page in missing:
            self._request(page)
        if missing and self._fetch is not None:
            # A jump to rows not read yet (End, a deep page): the screen stays where it
            # was until they come (``_arrived`` scrolls), so the key costs one frame, its
            # rows'. Scrolling at once drew "…" rows and the status first: End waited
            # for the next of Textual's frames after that (~17 ms). They are drawn only
            # if the rows are slow to come.
            if self._landing is None:
                self._landing = self.set_timer(LOADING_AFTER, self._land)
            return
        self._land()

    def _land(self) -> None:
        """Show the cursor's row: scroll it into view and say where it is."""
        self._landed()
        scroll_into_view(self, self.cursor)
        self._remember_cursor()
        self.refresh()

    def _landed(self) -> None:
        if self._landing is not None:
            self._landing.stop()
            self._landing = None

    def _remember_cursor(self) -> None:
        row = self.cursor_row
        if row is not None:
            self.cursor_id = row.id
        self._told()
        self.post_message(self.Moved(self.cursor, self.total))

    def _told(self) -> None:
        if self.on_change is not None:
            self.on_change()

    def _navigate(self, index: int) -> None:
        """The user moved the cursor: it now belongs to the row at ``index``.

        Forget the old dispute first, or a page arriving for the new index
        would make ``_follow`` pull the cursor back to the row it left.
        """
        self.cursor_id = None
        self._move_to(index)

    def action_cursor(self, step: int) -> None:
        self._navigate(self.cursor + step)

    def action_page(self, direction: int) -> None:
        self._navigate(self.cursor + direction * max(1, self.size.height - 1))

    def action_jump(self, where: int) -> None:
        self._navigate(self.total - 1 if where < 0 else 0)

    def go_to(self, index: int) -> None:
        """Put the cursor on the row at ``index`` of the current order."""
        self._navigate(index)

    def action_mark(self) -> None:
        """Mark or unmark the row under the cursor (one action for several disputes)."""
        row = self.cursor_row
        if row is None:
            return
        if self.marked.pop(row.id, None) is None:
            self.marked[row.id] = row.ref
        self.post_message(self.Marked(len(self.marked)))
        self._navigate(self.cursor + 1)

    def clear_marks(self) -> None:
        self.marked.clear()
        self.post_message(self.Marked(0))
        self.refresh()

    def action_open(self) -> None:
        row = self.cursor_row
        if row is not None:
            self.post_message(self.Opened(row))

    def on_click(self, event: events.Click) -> None:
        self._navigate(int(self.scroll_offset.y) + event.y)
        if event.chain >= 2:
            self.action_open()

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        for page in self._visible_pages():
            if page not in self._pages:
                self._request(page)

    # --- drawing -----------------------------------------------------------------
    @property
    def row_width(self) -> int:
        """The cells a row may fill: the scroll bar's gutter is kept free (CSS
        ``scrollbar-gutter: stable``), so no column ever runs under the bar."""
        return self.scrollable_content_region.width

    def on_resize(self, event: events.Resize) -> None:
        self._columns = columns_for(self.row_width, self._ref_width)
        self._size_to_total()  # the new width, without laying the screen out again
        self._post_layout()

    def show_sort(self, key: str | None, descending: bool) -> None:
        """Mark the sorted column's title (▲ ascending, ▼ descending)."""
        self._sort = (key, descending)
        self._post_layout()

    def _post_layout(self) -> None:
        key, descending = self._sort
        self.post_message(self.Layout(header_line(self._columns, key, descending)))

    def render_lines(self, crop: Region) -> list[Strip]:
        # The widget's own style walks all its ancestors: look it up once per
        # render, not for each line (it was most of this widget's drawing time).
        self._base_style = self.rich_style
        try:
            return super().render_lines(crop)
        finally:
            self._base_style = None

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        index = int(self.scroll_offset.y) + y
        base = self.rich_style if self._base_style is None else self._base_style
        if index >= self.total:
            if index == 0 and self.loaded:
                text = "  nothing here: no disputes match this section and filter"
                style = self.get_component_rich_style("queue-view--loading")
                return Strip([Segment(text[:width].ljust(width), base + style)], width)
            return Strip.blank(width, base)
        page = self._pages.get(self._page_of(index))
        if page is None or index % PAGE >= len(page.rows):
            self._request(self._page_of(index))
            style = self.get_component_rich_style("queue-view--loading")
            return Strip([Segment("  …".ljust(width), base + style)], width)
        row = page.rows[index % PAGE]
        style = base + self._row_style(row)
        if row.id in self.marked:
            style = style + self.get_component_rich_style("queue-view--marked")
        if index == self.cursor:
            style = style + self.get_component_rich_style("queue-view--cursor")
        text = row_cells(
            self._columns or columns_for(self.row_width, self._ref_width), row, page.at
        )
        if row.id in self.marked:
            text = "*" + text[1:]  # the left margin: seen without colour too
        return Strip([Segment(text[:width].ljust(width), style)], width)

    def _row_style(self, row: QueueRow) -> Style:
        if row.clock.state is ClockState.BREACHED:
            return self.get_component_rich_style("queue-view--breached")
        if row.clock.state is ClockState.WARNING:
            return self.get_component_rich_style("queue-view--warning")
        return Style()
