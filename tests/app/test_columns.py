"""The queue's cells fit their columns: a clock or an expired package is never cut short."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from panel_tui.rules.clocks import Clock
from panel_tui.rules.enums import ClockState
from panel_tui.store.read.queue_columns import BASE_COLUMNS, columns_for
from panel_tui.store.read.queue_models import QueueRow

AT = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def _row(overdue: timedelta, provisional_left: timedelta) -> QueueRow:
    due = AT - overdue
    clock = Clock(ClockState.BREACHED, due, timedelta(hours=24), -overdue)
    return QueueRow(
        id=1,
        ref="D-2026-0001",
        person_ref="P-1",
        dispute_type="capacity",
        risk="high",
        agencies="CBH→MCO",
        stage=1,
        status="open",
        due_at=due,
        clock=clock,
        cover=None,
        provisional_ends=AT + provisional_left,
        plan_holder=None,
        version=1,
    )


def _cells(row: QueueRow, width: int = 80) -> dict[str, tuple[str, int]]:
    return {c.key: (c.cell(row, AT), c.width) for c in columns_for(width)}


@pytest.mark.parametrize(
    ("overdue", "clock"),
    [
        (timedelta(hours=2, minutes=59), "✖ BREACHED 2h59m"),
        (timedelta(hours=13, minutes=4), "✖ BREACHED 13h"),
        (timedelta(days=4, hours=10), "✖ BREACHED 4d10h"),
        (timedelta(days=23, hours=5), "✖ BREACHED 23d5h"),
        (timedelta(days=23, hours=15), "✖ BREACHED 23d"),
    ],
)
def test_a_breached_clock_fits_its_column(overdue: timedelta, clock: str) -> None:
    text, width = _cells(_row(overdue, timedelta(days=3)))["clock"]
    assert text == clock and len(text) <= width


@pytest.mark.parametrize(
    ("left", "shown"),
    [
        (timedelta(hours=13, minutes=22), "13h22m"),
        (timedelta(days=12, hours=19), "12d19h"),
        # Past the deadline the package has expired: its next step is due (issue 12).
        (-timedelta(minutes=40), "EXPIRED"),
        (-timedelta(hours=13, minutes=4), "EXPIRED"),
        (-timedelta(days=3, hours=2), "EXPIRED"),
    ],
)
def test_a_package_shows_how_long_is_left_or_expired(left: timedelta, shown: str) -> None:
    text, width = _cells(_row(timedelta(hours=1), left))["provisional"]
    assert text == shown and len(text) <= width


def test_an_unbreached_clock_keeps_its_minutes_where_they_fit() -> None:
    left = timedelta(hours=10, minutes=47)
    clock = Clock(ClockState.ON_TRACK, AT + left, timedelta(hours=24), left)
    row = replace(_row(timedelta(hours=1), timedelta(days=3)), clock=clock)
    assert _cells(row)["clock"][0] == "· ok 10h47m"


def test_every_column_still_shows_at_80_cells() -> None:
    fitted = columns_for(80)
    assert [c.key for c in fitted] == [c.key for c in BASE_COLUMNS]
    assert sum(c.width for c in fitted) + len(fitted) <= 80


@pytest.mark.parametrize("ref", ["D-2026-0042", "D-2026-42000", "D-2026-1000000"])
@pytest.mark.parametrize("width", [80, 120])
def test_a_reference_is_never_cut(ref: str, width: int) -> None:
    """Past D-2026-9999 (a million disputes) the view widens the column to the reference."""
    from panel_tui.store.read.queue_columns import row_cells

    row = replace(_row(timedelta(hours=1), timedelta(days=3)), ref=ref)
    fitted = columns_for(width, len(ref))
    line = row_cells(fitted, row, AT)
    assert line.startswith(f" {ref} ") and "…" not in line.split()[0]
    assert len(line) <= width and [c.key for c in fitted] == [c.key for c in BASE_COLUMNS]
