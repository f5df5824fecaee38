"""Label and value a row each, as the dispute detail shows its sections: the look of a
Rich table grid, drawn without measuring every cell first."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.console import Console, ConsoleOptions
from rich.measure import Measurement
from rich.segment import Segment
from rich.style import Style
from rich.table import Table
from rich.text import Text

from panel_tui.rules.text import visible

#: Narrower than this for the values, the rows are drawn by Rich's table itself.
NARROWEST_VALUES = 4
_DIM = Style(dim=True)


def labelled_table(rows: Sequence[tuple[str, str]]) -> Table:
    """Label and value, a row each. Cells are Text, not str: a str cell is read as
    Rich markup, so "[sic]" or "[/]" typed in a note or a form field vanished."""
    table = Table.grid(padding=(0, 1), expand=True)
    table.add_column(style="dim", no_wrap=True)
    table.add_column(ratio=1)
    for label, value in rows:
        table.add_row(Text(visible(label)), Text(visible(value or "—")))
    return table


class LabelledRows:
    """What ``labelled_table`` draws, drawn directly: the labels dim in a column as wide
    as the widest, then a space, then each value wrapped in the rest of the width.

    Rich's table measures every cell twice before it draws any (the widths of its
    columns), and draws each through a padding: most of the time the detail's
    sections took to draw. Here only the values are wrapped, by Rich, as the table
    wraps them. Where the values would get fewer than ``NARROWEST_VALUES`` columns
    (a label nearly as wide as the screen), Rich's table draws them: it then shrinks
    the labels as well.
    """

    def __init__(self, rows: Sequence[tuple[str, str]]) -> None:
        self.rows = tuple(rows)
        self._cells = [(Text(visible(label)), Text(visible(value or "—"))) for label, value in rows]
        self._label_width = max((label.cell_len for label, _ in self._cells), default=0)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterable[Segment]:
        width = options.max_width
        label_width = self._label_width
        value_width = width - label_width - 1
        if value_width < NARROWEST_VALUES or not self._cells:
            yield from console.render(labelled_table(self.rows), options)
            return
        value_options = options.update(
            width=value_width,
            justify="left",
            no_wrap=False,
            overflow="ellipsis",
            height=None,
            highlight=False,
        )
        # Segment for segment as the table draws them (a snapshot tells them apart): the
        # label padded to the column, then the gap; a row's further lines one blank.
        gap = Segment(" ", _DIM)
        blank = Segment(" " * (label_width + 1), _DIM)
        new_line = Segment.line()
        for label, value in self._cells:
            lines = console.render_lines(value, value_options, style=Style(), pad=True)
            padded = label.plain + " " * (label_width - label.cell_len)
            for n, line in enumerate(lines):
                if n:
                    yield blank
                else:
                    if padded:
                        yield Segment(padded, _DIM)
                    yield gap
                yield from line
                yield new_line

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement.get(console, options, labelled_table(self.rows))
