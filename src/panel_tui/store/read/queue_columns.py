"""The queue's columns, fitted to the terminal's width (80 columns first).

Each column has a minimum width; spare width goes to the flexible ones
(agencies, plan holder). At 80 columns every column still shows, abbreviated,
except the reference, which is never cut: past D-2026-9999 (a million
disputes: D-2026-1000000) the view widens it to the longest it has shown.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import NamedTuple

from panel_tui.rules.clocks import clock_plain, format_duration, short_duration
from panel_tui.rules.text import visible
from panel_tui.store.read.queue_models import QueueRow

TYPE_SHORT = {"eligibility": "elig", "funding": "fund", "safeguarding": "safe", "capacity": "cap"}
CLOCK_WIDTH = 16  # "✖ BREACHED 2d14h"
RISK_SHORT = {"critical": "CRIT", "high": "high", "medium": "med", "low": "low"}


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"


def fit_name(name: str, width: int) -> str:
    """A person's name in ``width`` cells: whole, else "Tom C.", else "T. Carter", else cut…"""
    parts = name.split()
    if len(name) <= width or len(parts) < 2:
        return _fit(name, width)
    for short in (f"{' '.join(parts[:-1])} {parts[-1][0]}.", f"{parts[0][0]}. {parts[-1]}"):
        if len(short) <= width:
            return short
    return _fit(name, width)


class Column(NamedTuple):
    key: str
    title: str
    width: int
    cell: Callable[[QueueRow, datetime], str]
    flex: int = 0
    fit: Callable[[str, int], str] = _fit  # how a cell too long for the column is shortened


def _clock(row: QueueRow, at: datetime) -> str:
    if row.review_due and row.status != "open":  # a running clock says more while open
        return "▲ review due"
    if row.status == "decided":
        return "✓ decided"
    if row.status in ("closed", "withdrawn"):
        return (
            f"{row.status} {row.resolved_at.astimezone():%d %b}" if row.resolved_at else row.status
        )
    text = clock_plain(row.clock)
    # Minutes are dropped only when the full text would be cut (BREACHED 13h04m).
    return text if len(text) <= CLOCK_WIDTH else clock_plain(row.clock, short_duration)


def _provisional(row: QueueRow, at: datetime) -> str:
    if row.provisional_ends is None:
        return "-"
    left = row.provisional_ends - at
    if row.provisional_expired or left.total_seconds() <= 0:
        # Expired: its next step (a funded pathway, or escalation) is due.
        return "EXPIRED"
    return format_duration(left)


BASE_COLUMNS = (
    Column("ref", "Ref", 11, lambda r, at: r.ref),
    Column("type", "Type", 4, lambda r, at: TYPE_SHORT.get(r.dispute_type, r.dispute_type)),
    Column("risk", "Risk", 4, lambda r, at: RISK_SHORT.get(r.risk, r.risk)),
    Column("stage", "St", 2, lambda r, at: f"S{r.stage}"),
    Column("clock", "Clock", CLOCK_WIDTH, _clock),
    Column("agencies", "Agencies", 10, lambda r, at: r.agencies, flex=2),
    Column("cover", "Cover", 5, lambda r, at: r.cover or "-"),
    # "EXPIRED", "12d19h": 7 cells; the holder takes the eighth ("Aisha M." whole at 80).
    Column("provisional", "Prov.", 7, _provisional),
    Column("holder", "Holder", 8, lambda r, at: r.plan_holder or "-", flex=1, fit=fit_name),
)


#: The reference column's usual width: "D-2026-0042".
REF_WIDTH = 11


def columns_for(
    width: int,
    ref_width: int = REF_WIDTH,
    base_columns: tuple[Column, ...] = BASE_COLUMNS,
    margin: int = 1,
) -> list[Column]:
    """``base_columns`` (the reference first) fitted to ``width`` cells, with one space
    between columns after a left ``margin`` (the app's cursor; a printed line has
    none), the reference column ``ref_width`` wide (never narrower than usual)."""
    ref = Column("ref", "Ref", max(REF_WIDTH, ref_width), lambda r, at: r.ref)
    base = (ref, *base_columns[1:])
    fixed = sum(c.width for c in base) + len(base) - 1 + margin
    spare = max(0, width - fixed)
    flex_total = sum(c.flex for c in base)
    fitted = []
    given = 0
    flexible = [c for c in base if c.flex]
    for column in base:
        extra = 0
        if column.flex:
            extra = spare * column.flex // flex_total
            if column is flexible[-1]:
                extra = spare - given
            given += extra
        fitted.append(
            Column(
                column.key, column.title, column.width + extra, column.cell, column.flex, column.fit
            )
        )
    return fitted


def header_line(
    columns: list[Column], sort: str | None = None, descending: bool = False, margin: int = 1
) -> str:
    """The titles; the sorted column's carries ▲ (ascending) or ▼ (descending)."""

    def title(c: Column) -> str:
        if c.key != sort:
            return _fit(c.title, c.width)
        return c.title[: c.width - 1] + ("▼" if descending else "▲")

    return " " * margin + " ".join(title(c).ljust(c.width) for c in columns)


def row_cells(columns: list[Column], row: QueueRow, at: datetime, margin: int = 1) -> str:
    """One queue line; stored text shows its control characters escaped (rules/text.py)."""
    return " " * margin + " ".join(
        c.fit(visible(c.cell(row, at), multiline=False), c.width).ljust(c.width) for c in columns
    )
