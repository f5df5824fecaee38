"""The pure part of verify: events in, the rows they say the tables hold out.

An event's ``rows`` hold, per covered table, ``[kind, key, values]`` entries:
``"i"`` a row inserted (all its columns), ``"u"`` a row updated (the columns it
changed), ``"d"`` a row deleted. Folding them in event order gives each
record's expected values; nothing here reads the database.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from panel_tui.store.rebuild.registry import COVERED

#: The action of the events that snapshot records no earlier event proves.
BASELINE = "baseline"


class Record:
    """What the events say about one row."""

    __slots__ = ("values", "exists", "made_by", "last_event", "scope", "baseline")

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}
        self.exists: bool | None = None  # None: only ever updated, never made by an event
        self.made_by: int | None = None
        self.last_event = 0
        self.scope: int | None = None  # the dispute of the last event that wrote it
        self.baseline = False  # taken as found by a baseline event, not proven before it


#: table → key → record
State = dict[str, dict[tuple[Any, ...], Record]]


@dataclass(frozen=True)
class Written:
    """One event's rows, parsed: what ``apply`` folds in."""

    event_id: int
    dispute_id: int | None
    action: str
    rows: dict[str, list[list[Any]]] = field(default_factory=dict)


def parse(event_id: int, dispute_id: int | None, action: str, rows_text: str) -> Written:
    return Written(event_id, dispute_id, action, json.loads(rows_text) if rows_text else {})


def apply(state: State, written: Written, wanted: Callable[[str], bool]) -> None:
    """Fold one event's rows of the ``wanted`` tables into ``state`` (events in id order)."""
    baseline = written.action == BASELINE
    for table, entries in written.rows.items():
        if table not in COVERED or not wanted(table):
            continue  # a table this release does not check, or checked in another pass
        records = state.setdefault(table, {})
        for kind, key, values in entries:
            record = records.get(k := tuple(key))
            if record is None:
                record = records[k] = Record()
            record.last_event, record.scope = written.event_id, written.dispute_id
            if kind == "d":
                record.exists = False
                continue
            if kind == "i":
                record.values = dict(values)
                record.exists, record.made_by, record.baseline = True, written.event_id, baseline
            else:
                record.values.update(values)


def fold(events: Iterable[Written], wanted: Callable[[str], bool] = lambda _t: True) -> State:
    """Every event's rows folded in the order given (id order): the expected tables."""
    state: State = {}
    for written in events:
        apply(state, written, wanted)
    return state
