"""A queue row as the ``queue`` command prints it (JSON keys, CSV columns).

Shared by ``panel-tui queue --format json|csv`` and the app's export of the view
(``x``/``X`` on the queue), so a file exported from the app reads as the command's
output does.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from panel_tui.rules.clocks import Clock, clock_label
from panel_tui.rules.enums import PACKAGE_EXPIRED, PackageStatus, Stage
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
