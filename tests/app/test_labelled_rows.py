"""The detail's sections drawn without Rich's table look the same as Rich's table draws them."""

from __future__ import annotations

import random

from rich.console import Console
from rich.style import Style

from panel_tui.widgets import labelled_rows
from panel_tui.widgets.labelled_rows import NARROWEST_VALUES, LabelledRows, labelled_table

WORDS = (
    "a", "visit", "booked", "ACT", "D-2026-0001", "[sic]", "[/]", "[bold]x", "é", "日本語",
    "—", "✖", "\x1b[31m", "housing", "MCO", "averyveryverylongwordthatfitsnowhereatallinany",
)  # fmt: skip


def _cells(renderable: object, width: int) -> list[tuple[str, Style | None]]:
    """Segment for segment: a snapshot's picture tells a gap drawn apart from its label."""
    console = Console(width=width, color_system="truecolor", force_terminal=True)
    return [
        (s.text, s.style) for s in console.render(renderable, console.options.update_width(width))
    ]


def _phrase(rng: random.Random, most: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, most)))


def test_rows_look_as_rich_s_table_draws_them_at_every_width() -> None:
    rng = random.Random(13)
    for _ in range(600):
        labels = rng.choice((4, 0))  # some tables without a label at all
        rows = tuple((_phrase(rng, labels), _phrase(rng, 30)) for _ in range(rng.randint(0, 6)))
        width = rng.choice((3, 10, 24, 37, 78, 80, 96, 116, 200))
        assert _cells(LabelledRows(rows), width) == _cells(labelled_table(rows), width), (
            rows,
            width,
        )


def test_rows_are_drawn_by_the_table_only_where_the_values_get_too_narrow(monkeypatch) -> None:
    rows = (("a label", "a value that wraps over a few lines at this width"),)
    console = Console(width=80)
    tables: list[object] = []
    real = labelled_rows.labelled_table

    def counted(rows):  # noqa: ANN001, ANN202
        tables.append(rows)
        return real(rows)

    monkeypatch.setattr(labelled_rows, "labelled_table", counted)
    wide = len("a label") + 1 + NARROWEST_VALUES
    console.render_lines(LabelledRows(rows), console.options.update_width(wide))
    assert tables == []
    console.render_lines(LabelledRows(rows), console.options.update_width(wide - 1))
    assert tables == [rows]
