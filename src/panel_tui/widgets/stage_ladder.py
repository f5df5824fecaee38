"""Every rung of the escalation ladder with its due time and clock state, not only the next.

Also what the dispute detail draws its sections with: ``DetailSection``, a Static
redrawn only when what it shows changes (or, below the fold, after the first
frame), and ``RenderedOnce``, a Rich table rendered once per width.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderableType
from rich.measure import Measurement
from rich.segment import Segment
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from panel_tui.rules.text import visible
from panel_tui.store.read.dispute_models import StageView
from panel_tui.widgets.clock_badge import clock_text, local_time


class RenderedOnce:
    """A Rich table that renders once per width, however often it is asked.

    Textual renders a Static's Rich renderable twice after each update, at the
    same width: once to learn its height and again for its lines. A Rich table
    measures and wraps every cell each time: the detail's tables took about a
    third of the time Textual spent laying out and drawing a dispute. The
    rendered segments are kept for the width (and the other options that
    change a table's output) they were rendered at. The height is not part of
    that key: a Rich table renders its cells with no height, so only
    renderables that ignore the height (tables, text) belong in here.
    """

    def __init__(self, renderable: RenderableType) -> None:
        self.renderable = renderable
        self._key: tuple[object, ...] | None = None
        self._segments: list[Segment] = []

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterable[Segment]:
        key = (
            options.min_width,
            options.max_width,
            options.justify,
            options.overflow,
            options.no_wrap,
            options.highlight,
            options.markup,
            options.ascii_only,
            options.encoding,
            options.legacy_windows,
        )
        if key != self._key:
            self._segments = list(console.render(self.renderable, options))
            self._key = key
        return self._segments

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement.get(console, options, self.renderable)


_NOTHING = object()
#: What a section below the fold shows for the frame before its content is drawn.
PENDING = "…"


class DetailSection(Static):
    """A Static redrawn only when what it shows changes.

    ``Static.update`` lays out and renders the widget again even for the same
    content; the detail is refilled on every clock tick and store change (and
    when the same dispute is opened again), and usually only a clock or two
    have moved.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._source: object = _NOTHING
        self._later: tuple[object, object] | None = None  # what show_after_refresh will draw

    @property
    def drawn(self) -> bool:
        """Whether what it was last given is drawn (not still waiting for the next frame)."""
        return self._later is None

    def show_source(
        self, source: Any, render: Callable[[Any], RenderableType] | None = None
    ) -> None:
        """Show ``render(source)`` (or ``source``), unless ``source`` equals what is on show."""
        self._later = None
        if source == self._source:
            return
        self._source = source
        self.update(source if render is None else render(source))

    def show_after_refresh(
        self, source: Any, render: Callable[[Any], RenderableType] | None = None
    ) -> None:
        """As ``show_source``, but drawn after the next frame; until then "…", never the old source.

        For sections below the fold of a dispute being opened: the first frame
        lays out and draws only what is on screen, the rest follows. A newer
        ``show_source`` or ``show_after_refresh`` before then wins.
        """
        if source == self._source:
            self._later = None
            return
        self._source = _NOTHING
        self._later = pending = (source, render)
        self.update(PENDING)

        def draw() -> None:
            if self._later is pending:
                self.show_source(source, render)
                # Once more after the next frame: if the screen was laid out with "…"
                # before this widget had handled that update, the update above finds
                # Textual's layout flag still set, does not count as a new layout, and
                # the cached size of "…" (one line) stays: the package and the impacts
                # were cut off at 120×40 now and then, on a loaded machine.
                self.call_after_refresh(self.refresh, layout=True)

        self.screen.call_after_refresh(draw)


def ladder_table(stages: Sequence[StageView], current: int, width: int | None = None) -> Table:
    """The ladder as a table ``width`` cells wide (None: as wide as the names need)."""
    table = Table.grid(padding=(0, 1), expand=True)
    table.add_column(width=2, no_wrap=True)
    table.add_column(no_wrap=True)
    table.add_column(no_wrap=True)
    table.add_column(ratio=1, overflow="ellipsis", no_wrap=True)
    rows = []
    for s in stages:
        marker = Text("▶", style="bold") if s.stage == current else Text(" ")
        name = Text(f"{s.stage} {s.label}", style="bold" if s.stage == current else "")
        if s.clock is None:
            state = Text("not reached", style="dim")
        else:
            state = clock_text(s.clock)
            if s.due_at is not None:
                state.append(f"  due {local_time(s.due_at)}", style="dim")
        rows.append((s, marker, name, state))
    # What the people column has left: the grid's other columns and a space between each.
    room = None
    if width is not None:
        names = max((row[2].cell_len for row in rows), default=0)
        states = max((row[3].cell_len for row in rows), default=0)
        room = max(1, width - 2 - names - states - 3)
    for s, marker, name, state in rows:
        extra = f" · breach: {s.breach_reason}" if s.breach_reason else ""
        who = Text(visible(f"{_who(s, room, whole=s.stage == current)}{extra}"), style="dim")
        if s.stage == current:  # the rung deciding now: every name, on as many lines as it takes
            who.no_wrap, who.overflow = False, "fold"
        table.add_row(marker, name, state, who)
    return table


def _who(stage: StageView, room: int | None, *, whole: bool) -> str:
    """Who decides at ``stage``: its people, or its role if none is named. Where they do
    not fit in ``room`` cells, the first and a count ("Jordan Lee +5": cut at the edge,
    "Jordan Lee, Ai…" at 80 columns, the list lost the very name a duty lead looks for);
    ``whole``, every name, a line break between two names where the next does not fit."""
    people = stage.authorities
    if not people:
        return stage.authority_role.replace("_", " ")
    every = ", ".join(people)
    if room is None or cell_len(every) <= room or (len(people) == 1 and not whole):
        return every
    if not whole:
        return f"{people[0]} +{len(people) - 1}"
    lines = [people[0]]
    for person in people[1:]:
        lines[-1] += ","
        if cell_len(lines[-1]) + 1 + cell_len(person) > room:
            lines.append(person)
        else:
            lines[-1] += f" {person}"
    return "\n".join(lines)


class Ladder:
    """The ladder table, laid out for the width it is drawn at (see ``_who``)."""

    def __init__(self, stages: Sequence[StageView], current: int) -> None:
        self.stages, self.current = stages, current

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterable[Segment]:
        yield from console.render(
            ladder_table(self.stages, self.current, options.max_width), options
        )

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement.get(console, options, ladder_table(self.stages, self.current))


class StageLadder(DetailSection):
    """The ladder of one dispute."""

    def show(self, stages: list[StageView], current: int) -> None:
        self.show_source((tuple(stages), current), lambda source: RenderedOnce(Ladder(*source)))
