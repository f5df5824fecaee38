"""The queue printed at a terminal too narrow for its full table: the app's columns,
abbreviated, one dispute a line, and what only the command line shows besides.

The app's queue has no review column and no liaison mark (its sections and
filters carry them); a printed queue must keep both, so at 80 columns the stage
carries "!" when liaison's trigger is met below liaison ("S3!"), a Review column
gives the review date ("▲" once due), and the agencies and cover give up the
cells that takes. No left margin: a printed line has no cursor.
"""

from __future__ import annotations

from datetime import datetime

from panel_tui.rules.enums import Stage
from panel_tui.rules.text import visible
from panel_tui.rules.wording import counted
from panel_tui.store.read.queue_columns import BASE_COLUMNS, Column, columns_for, header_line
from panel_tui.store.read.queue_columns import row_cells as _row_cells
from panel_tui.store.read.queue_models import QueueRow, Section

#: The widest review cell: "▲05 Dec".
REVIEW_WIDTH = 7


def liaison_waiting(row: QueueRow) -> bool:
    """Below liaison with its trigger met: the dispute is for the liaison once escalated."""
    return row.liaison and row.stage != int(Stage.COMMISSIONER_LIAISON)


def _stage(row: QueueRow, at: datetime) -> str:
    return f"S{row.stage}" + ("!" if liaison_waiting(row) else "")


def _review(row: QueueRow, at: datetime) -> str:
    if row.review_due_on is None:
        return "-"
    day = row.review_due_on.strftime("%d %b")
    return f"▲{day}" if row.review_due else day


def _printed_columns() -> tuple[Column, ...]:
    by_key = {c.key: c for c in BASE_COLUMNS}
    return (
        by_key["ref"],
        by_key["type"],
        by_key["risk"],
        Column("stage", "St", 3, _stage),
        by_key["clock"],
        Column("agencies", "Agencies", 8, by_key["agencies"].cell, flex=2),
        Column("cover", "Cov", 3, by_key["cover"].cell),
        by_key["provisional"],
        by_key["holder"],
        Column("review", "Review", REVIEW_WIDTH, _review),
    )


PRINTED_COLUMNS = _printed_columns()


def queue_lines(rows: list[QueueRow], at: datetime, width: int, section: str) -> list[str]:
    """The queue in ``width`` columns: a title, the column titles, a line a dispute, the
    instant the clocks are read at."""
    from panel_tui.cli.output import local

    ref_width = max((len(r.ref) for r in rows), default=0)
    columns = columns_for(width, ref_width, PRINTED_COLUMNS, margin=0)
    title = visible(f"{Section(section).label}: {counted(len(rows), 'dispute')}", multiline=False)
    lines = [title, header_line(columns, margin=0)]
    lines += [_row_cells(columns, r, at, margin=0)[:width] for r in rows]
    # The marks said in words, where a row carries them (the full table writes them out).
    marks = [
        *(["! liaison's trigger met"] if any(liaison_waiting(r) for r in rows) else []),
        *(["▲ review due"] if any(r.review_due for r in rows) else []),
    ]
    return [*lines, " · ".join([f"clocks as at {local(at)}", *marks])]
