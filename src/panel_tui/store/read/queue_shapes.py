"""A queue row as the ``queue`` command prints it (JSON keys, CSV columns).

Shared by ``panel-tui queue --format json|csv`` and the app's export of the view
(``x``/``X`` on the queue), so a file exported from the app reads as the command's
output does.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from json.encoder import encode_basestring_ascii as _quoted  # the C encoder's own strings
from typing import Any

from panel_tui.rules.clocks import Clock, clock_label
from panel_tui.rules.enums import PACKAGE_EXPIRED, ClockState, PackageStatus, Stage
from panel_tui.store.read.queue_models import QueueRow

QUEUE_COLUMNS = (
    "ref",
    "person_ref",
    "type",
    "risk",
    "agencies",
    "stage",
    "status",
    "clock",
    "due_at",
    "cover",
    "provisional_ends",
    "provisional_status",
    "plan_holder",
    "review_due_on",
    "review_due",
    "liaison",
    # The dispute dashboard's own columns [Under pressure]: opened, resolved, and
    # whether interim cover was applied (it ends with the dispute; this stays).
    "opened_at",
    "resolved_at",
    "cover_applied",
)


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment else None


def clock_json(clock: Clock) -> dict[str, Any]:
    return {
        "state": clock.state.value,
        "label": clock_label(clock),
        "due_at": iso(clock.due),
        "seconds_to_breach": int(clock.time_to_breach.total_seconds())
        if clock.time_to_breach
        else None,
        "seconds_overdue": int(clock.overdue.total_seconds()) if clock.overdue else None,
    }


def provisional_status(row: QueueRow) -> str | None:
    """The active package as shown: "expired" past its deadline (its next step due)."""
    if row.provisional_ends is None:
        return None
    return PACKAGE_EXPIRED if row.provisional_expired else PackageStatus.ACTIVE.value


def row_json(row: QueueRow) -> dict[str, Any]:
    return {
        "ref": row.ref,
        "person_ref": row.person_ref,
        "type": row.dispute_type,
        "risk": row.risk,
        "agencies": row.agencies,
        "stage": row.stage,
        "stage_label": Stage(row.stage).label,
        "status": row.status,
        "clock": clock_json(row.clock),
        "cover": row.cover,
        "cover_applied": row.cover_applied,
        "provisional_ends": iso(row.provisional_ends),
        "provisional_status": provisional_status(row),
        "plan_holder": row.plan_holder,
        # At commissioner liaison, or its trigger met (stage 3 breached, open too long).
        "liaison": row.liaison,
        "review_due_on": row.review_due_on.isoformat() if row.review_due_on else None,
        "review_due": row.review_due,
        "opened_at": iso(row.opened_at),
        "resolved_at": iso(row.resolved_at),
        "version": row.version,
    }


def row_csv(row: QueueRow) -> tuple[Any, ...]:
    """The row's cells under ``QUEUE_COLUMNS`` (None for an empty cell)."""
    return (
        row.ref,
        row.person_ref,
        row.dispute_type,
        row.risk,
        row.agencies,
        row.stage,
        row.status,
        clock_label(row.clock),
        iso(row.due_at),
        row.cover,
        iso(row.provisional_ends),
        provisional_status(row),
        row.plan_holder,
        row.review_due_on.isoformat() if row.review_due_on else None,
        "yes" if row.review_due else "no",
        "yes" if row.liaison else "no",
        iso(row.opened_at),
        iso(row.resolved_at),
        "yes" if row.cover_applied else "no",
    )


# The queue as compact JSON text, written out field by field (issue 13: ``panel-tui
# queue --breached --format json`` at 1,000,000 disputes). Building each row's dict and
# then sorting and encoding it took about 16 µs a row, most of the command's own work at
# 10,000 rows; the same text written directly takes about a third of that. The text is
# json.dumps's own (tests/store/test_queue_json.py holds it equal over hostile rows):
# keys in sorted order, strings through the C encoder's escaping, anything of an
# unexpected type through json.dumps itself.

#: json.dumps as ``emit_json(data, indent=None)`` calls it, for values of other types.
_encode = json.JSONEncoder(sort_keys=True, separators=(",", ":")).encode


def _text(value: Any) -> str:
    """A string (or None) as json.dumps writes it."""
    if value is None:
        return "null"
    return _quoted(value) if isinstance(value, str) else _encode(value)


#: A day's '"YYYY-MM-DDT', by its ordinal, written once (a queue's thousands of times
#: fall on a few hundred days); and the two-digit numbers of a time of day.
_DAYS: dict[int, str] = {}
_TWO = [f"{n:02d}" for n in range(60)]


def _moment(moment: datetime | None) -> str:
    """``iso(moment)`` as JSON (an ISO time has nothing to escape).

    A UTC time, as the store gives every one back, is written from its day's cached
    text and its hour, minute and second from ``_TWO``: ``isoformat(timespec="seconds")``
    twice a row was 22 ms of a process's one pass over 9,647 rows, this 5 ms (load 7).
    Any other zone: isoformat itself.
    """
    if not moment:
        return "null"
    if moment.tzinfo is not UTC:
        return '"' + moment.isoformat(timespec="seconds") + '"'
    ordinal = moment.toordinal()
    day = _DAYS.get(ordinal)
    if day is None:
        day = _DAYS[ordinal] = f'"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}T'
    return f'{day}{_TWO[moment.hour]}:{_TWO[moment.minute]}:{_TWO[moment.second]}+00:00"'


def _day(day: date | None) -> str:
    return '"' + day.isoformat() + '"' if day else "null"


def _seconds(span: Any) -> str:
    return int.__repr__(int(span.total_seconds())) if span else "null"


_NO_TIME = timedelta(0)


def _clock_seconds(remaining: timedelta | None) -> str:
    """``"seconds_overdue":…,"seconds_to_breach":…`` of a clock with this ``remaining``
    (``Clock.overdue`` and ``Clock.time_to_breach``, each read once)."""
    if remaining is None:
        return '"seconds_overdue":null,"seconds_to_breach":null'
    if remaining > _NO_TIME:
        return f'"seconds_overdue":null,"seconds_to_breach":{_seconds(remaining)}'
    return f'"seconds_overdue":{_seconds(-remaining)},"seconds_to_breach":null'


#: Each stage's label, each clock state's value, each package status: quoted once.
_STAGE_LABELS = {int(stage): _quoted(stage.label) for stage in Stage}
_STATES = {state: _quoted(state.value) for state in ClockState}


def _stage_label(stage: int) -> str:
    found = _STAGE_LABELS.get(stage) if type(stage) is int else None
    return found or _quoted(Stage(stage).label)


def _clock_text(clock: Clock) -> str:
    """``clock_json(clock)`` as compact JSON."""
    state = _STATES.get(clock.state) or _quoted(clock.state.value)
    return (
        f'{{"due_at":{_moment(clock.due)},"label":{_quoted(clock_label(clock))},'
        f'{_clock_seconds(clock.remaining)},"state":{state}}}'
    )


def row_json_text(row: QueueRow) -> str:
    """``json.dumps(row_json(row), sort_keys=True, separators=(",", ":"))``, written directly.

    Written for a row of the types QueueRow declares (what both readers make); a row
    with any other value (a flag that is not a bool, a number that is not an int, a text
    that is not a string) is written by json.dumps, as it was."""
    try:
        if _typed(row):
            return _row_text(row)
    except TypeError:  # _quoted: a value that is not a string
        pass
    return _encode(row_json(row))


def _typed(row: QueueRow) -> bool:
    return (
        type(row.stage) is int
        and type(row.version) is int
        and type(row.cover_applied) is bool
        and type(row.liaison) is bool
        and type(row.review_due) is bool
    )


def _row_text(row: QueueRow) -> str:
    cover, holder, package = row.cover, row.plan_holder, provisional_status(row)
    return (
        f'{{"agencies":{_quoted(row.agencies)},"clock":{_clock_text(row.clock)},'
        f'"cover":{"null" if cover is None else _quoted(cover)},'
        f'"cover_applied":{"true" if row.cover_applied else "false"},'
        f'"liaison":{"true" if row.liaison else "false"},"opened_at":{_moment(row.opened_at)},'
        f'"person_ref":{_quoted(row.person_ref)},'
        f'"plan_holder":{"null" if holder is None else _quoted(holder)},'
        f'"provisional_ends":{_moment(row.provisional_ends)},'
        f'"provisional_status":{"null" if package is None else _quoted(package)},'
        f'"ref":{_quoted(row.ref)},"resolved_at":{_moment(row.resolved_at)},'
        f'"review_due":{"true" if row.review_due else "false"},'
        f'"review_due_on":{_day(row.review_due_on)},"risk":{_quoted(row.risk)},'
        f'"stage":{row.stage},"stage_label":{_stage_label(row.stage)},'
        f'"status":{_quoted(row.status)},"type":{_quoted(row.dispute_type)},'
        f'"version":{row.version}}}'
    )


def queue_json_text(at: str, rows: Iterable[QueueRow]) -> str:
    """``panel-tui queue --format json``'s document, ``{"at": at, "disputes": [...],
    "total": n}``, as ``emit_json(..., indent=None)`` writes it (without its newline)."""
    texts = [row_json_text(row) for row in rows]
    return f'{{"at":{_text(at)},"disputes":[{",".join(texts)}],"total":{len(texts)}}}'
