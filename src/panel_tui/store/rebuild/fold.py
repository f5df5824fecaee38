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

    def __init__(
        self,
        values: dict[str, Any],
        exists: bool | None,
        made_by: int | None,
        scope: int | None,
        baseline: bool = False,
    ) -> None:
        self.values = values
        self.exists = exists  # None: only ever updated, never made by an event
        self.made_by = made_by
        self.last_event = made_by or 0
        self.scope = scope  # the dispute of the last event that wrote it
        self.baseline = baseline  # taken as found by a baseline event, not proven before it


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
    event_id, scope = written.event_id, written.dispute_id
    for table, entries in written.rows.items():
        if table not in COVERED or not wanted(table):
            continue  # a table this release does not check, or checked in another pass
        records = state.get(table)
        if records is None:
            records = state[table] = {}
        for kind, key, values in entries:
            k = tuple(key)
            if kind == "i":  # the parsed JSON is ours alone: no copy needed
                records[k] = Record(values, True, event_id, scope, baseline)
                continue
            record = records.get(k)
            if record is None:
                record = records[k] = Record({}, None, None, scope)
            record.last_event, record.scope = event_id, scope
            if kind == "d":
                record.exists = False
            else:
                record.values.update(values)


def fold(events: Iterable[Written], wanted: Callable[[str], bool] = lambda _t: True) -> State:
    """Every event's rows folded in the order given (id order): the expected tables."""
    state: State = {}
    for written in events:
        apply(state, written, wanted)
    return state
