"""The review records an export carries: risk re-ratings, review triggers, reviews,
and who recorded a provisional package's funded pathway.

These live on the dispute (its risk, its next review date) and in the audit trail:
each is one event carrying every value it set (store/ledger/reviews.py). The
export reads them from those events, oldest first, so an import can replay them
at their times; the notes the operations wrote are left out of the export's notes,
as replaying the operation writes them again.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlmodel import col

from panel_tui.store import models
from panel_tui.store.ledger.reviews import rerate_note, review_note, trigger_note

#: The events that are review records, as the export's keys name them.
REVIEW_ACTIONS = {
    "rerate_risk": "risk_ratings",
    "review_trigger": "review_triggers",
    "record_review": "reviews",
}


def review_events(s: Any, chunk: list[int]) -> dict[int, list[Any]]:
    """Each dispute's review (and funded pathway) events in ``chunk``, oldest first."""
    grouped: dict[int, list[Any]] = {}
    rows = s.execute(
        select(
            col(models.Event.dispute_id),
            col(models.Event.at),
            col(models.Event.actor),
            col(models.Event.action),
            col(models.Event.before),
            col(models.Event.after),
        )
        .where(
            col(models.Event.action).in_((*REVIEW_ACTIONS, "record_pathway")),
            col(models.Event.dispute_id).in_(chunk),
        )
        .order_by(col(models.Event.id))
    )
    for row in rows:
        grouped.setdefault(row.dispute_id, []).append(row)
    return grouped


def review_records(events: list[Any], iso: Any) -> dict[str, list[dict[str, Any]]]:
    """The export's ``risk_ratings``, ``review_triggers`` and ``reviews`` of one dispute."""
    out: dict[str, list[dict[str, Any]]] = {key: [] for key in REVIEW_ACTIONS.values()}
    for e in events:
        if e.action not in REVIEW_ACTIONS:
            continue
        before, after = json.loads(e.before or "{}"), json.loads(e.after or "{}")
        record: dict[str, Any] = {"at": iso(e.at), "by": e.actor}
        if e.action == "rerate_risk":
            record |= {"from": before.get("risk"), "to": after.get("risk")}
        elif e.action == "review_trigger":
            record |= {"trigger": after.get("trigger")}
        else:
            record |= {"next_review": after.get("review_due_on")}
        record["note"] = after.get("note")
        out[REVIEW_ACTIONS[e.action]].append(record)
    return out


def written_notes(records: dict[str, list[dict[str, Any]]]) -> set[tuple[str, str, str]]:
    """The notes the review operations wrote, as (at, by, text): left out of ``notes``."""
    notes = {
        (r["at"], r["by"], rerate_note(r["from"], r["to"], r["note"]))
        for r in records["risk_ratings"]
    }
    notes |= {
        (r["at"], r["by"], trigger_note(r["trigger"], r["note"]))
        for r in records["review_triggers"]
    }
    notes |= {(r["at"], r["by"], review_note(r["note"])) for r in records["reviews"]}
    return notes


def pathway_recorders(events: list[Any]) -> dict[int, str]:
    """Package id → the login who recorded its funded pathway (the row does not say)."""
    return {json.loads(e.after)["package"]: e.actor for e in events if e.action == "record_pathway"}
