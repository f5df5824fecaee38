"""The queue's compact JSON, written field by field, is json.dumps's own text.

``panel-tui queue --format json`` writes its rows through ``queue_shapes.queue_json_text``
rather than building dicts for ``json.dumps`` (issue 13). Scripts compare and hash that
output, so it must be the same bytes as before, for any text the store may hold.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from panel_tui.rules.clocks import Clock, clock_at
from panel_tui.rules.enums import ClockState, Stage
from panel_tui.store.read.queue_models import QueueRow
from panel_tui.store.read.queue_shapes import queue_json_text, row_json, row_json_text

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)

#: Text as a store may hold it: quotes, backslashes, controls, non-ASCII, astral planes.
hostile = st.text(alphabet=st.characters(codec="utf-8"), max_size=12) | st.sampled_from(
    ['"', "\\", "\x00\x1f\x7f", "CBH\u2192APS", "\u2028", "\U0001f600", "</script>", ""]
)
#: Times as the store gives them back (UTC, any microsecond, any year), and in other zones.
moments = st.datetimes(timezones=st.just(UTC)) | st.datetimes(
    min_value=datetime(2, 1, 1),
    max_value=datetime(9998, 1, 1),
    timezones=st.sampled_from(
        [timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(0), "GMT")]
    ),
)
spans = st.timedeltas(min_value=timedelta(days=-400), max_value=timedelta(days=400))


@st.composite
def clocks(draw: st.DrawFn) -> Clock:
    if draw(st.booleans()):  # as the queue makes them
        entered = draw(moments)
        due = draw(st.none() | st.builds(lambda s: entered + abs(s), spans))
        return clock_at(draw(st.floats(0.05, 0.95)), entered=entered, due=due, now=NOW)
    remaining = draw(st.none() | spans | st.just(timedelta(0)))
    return Clock(
        draw(st.sampled_from(list(ClockState))), draw(st.none() | moments), None, remaining
    )


rows = st.builds(
    QueueRow,
    id=st.integers(1, 2**40),
    ref=hostile,
    person_ref=hostile,
    dispute_type=hostile,
    risk=hostile,
    agencies=hostile,
    stage=st.sampled_from([int(s) for s in Stage]),
    status=hostile,
    due_at=st.none() | moments,
    clock=clocks(),
    cover=st.none() | hostile,
    provisional_ends=st.none() | moments,
    plan_holder=st.none() | hostile,
    version=st.integers(0, 2**40),
    resolved_at=st.none() | moments,
    liaison=st.booleans(),
    provisional_expired=st.booleans(),
    review_due_on=st.none() | st.dates(date(2000, 1, 1), date(2100, 1, 1)),
    review_due=st.booleans(),
    opened_at=st.none() | moments | moments.map(lambda m: m.replace(microsecond=0)),
    cover_applied=st.booleans(),
)


#: Rows a caller made with values of other types than QueueRow declares: written by
#: json.dumps itself, as before.
odd_rows = st.builds(
    dataclasses.replace,
    rows,
    ref=hostile | st.none() | st.integers(),
    cover=st.none() | hostile | st.integers(),
    stage=st.sampled_from([int(s) for s in Stage]) | st.sampled_from(list(Stage)),
    version=st.integers(0, 9) | st.booleans() | st.floats(0, 9),
    cover_applied=st.booleans() | st.none() | st.integers(0, 2),
    liaison=st.booleans() | st.none(),
    review_due=st.booleans() | st.just(1),
)


def _dumps(data: object) -> str:
    """``cli.output.emit_json(data, indent=None)``'s text, without its newline."""
    return json.dumps(data, separators=(",", ":"), sort_keys=True)


@given(rows)
def test_a_row_is_written_as_json_dumps_writes_it(row: QueueRow) -> None:
    assert row_json_text(row) == _dumps(row_json(row))


@given(odd_rows)
def test_a_row_of_other_types_is_written_as_json_dumps_writes_it(row: QueueRow) -> None:
    assert row_json_text(row) == _dumps(row_json(row))


@given(st.lists(rows | odd_rows, max_size=4))
def test_the_document_is_written_as_json_dumps_writes_it(found: list[QueueRow]) -> None:
    at = NOW.isoformat(timespec="seconds")
    expected = {"at": at, "total": len(found), "disputes": [row_json(r) for r in found]}
    assert queue_json_text(at, found) == _dumps(expected)


def test_an_unknown_stage_is_refused_as_before() -> None:
    """A stage the ladder does not have is the same ValueError row_json raises."""
    row = QueueRow(
        id=1,
        ref="D-1",
        person_ref="P-1",
        dispute_type="funding",
        risk="low",
        agencies="CBH",
        stage=9,
        status="open",
        due_at=None,
        clock=Clock(ClockState.NONE, None, None, None),
        cover=None,
        provisional_ends=None,
        plan_holder=None,
        version=1,
    )
    with pytest.raises(ValueError, match="9"):
        row_json(row)
    with pytest.raises(ValueError, match="9"):
        row_json_text(row)
