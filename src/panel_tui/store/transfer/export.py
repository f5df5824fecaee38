"""Export a store to one stable, JSON-ready document.

``export_store`` writes the agencies, the people and every dispute with its
whole history (stages, evidence, cover, packages with their contacts and funded
pathway, decisions, acceptance or withdrawal, plan holders, synchronisations,
consent scopes, risk re-ratings, review triggers and reviews, places on panels'
agendas, notes), logins and
agency codes in place of row ids. ``iter_export_disputes`` yields the disputes oldest first,
looked up ``BATCH`` at a time in short read transactions, so a 100,000-dispute
store exports without holding one long read open.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import col

from panel_tui.rules.enums import Status
from panel_tui.rules.fields import TEXT_FIELDS
from panel_tui.store import models
from panel_tui.store.db import Store
from panel_tui.store.ledger.base import utc_now
from panel_tui.store.models import table_of
from panel_tui.store.read.orm_detail import named_order
from panel_tui.store.transfer.reviews_export import (
    pathway_recorders,
    review_events,
    review_records,
    written_notes,
)

FORMAT = "panel-tui-export"
# Errors name a dispute by its 1-based position (row) and a field inside it by
# JSON path with 0-based list indices, e.g. row 3, field 'stages[2].entered_at'.
VERSION = 1
BATCH = 1000


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return (moment if moment.tzinfo is UTC else moment.astimezone(UTC)).isoformat()


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _chunks(ids: list[int], size: int = BATCH) -> Iterator[list[int]]:
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


def _by_dispute(rows: Any, key: str = "dispute_id") -> dict[int, list[Any]]:
    grouped: dict[int, list[Any]] = {}
    for row in rows:
        grouped.setdefault(getattr(row, key), []).append(row)
    return grouped


def iter_export_disputes(store: Store) -> Iterator[dict[str, Any]]:
    """Each dispute as an export record, oldest first, looked up BATCH at a time."""
    with store.read() as s:
        ids = list(
            s.execute(select(col(models.Dispute.id)).order_by(col(models.Dispute.id))).scalars()
        )
        logins = dict(s.execute(select(col(models.Person.id), col(models.Person.login))).all())
        codes = dict(s.execute(select(col(models.Agency.id), col(models.Agency.code))).all())
    for chunk in _chunks(ids):
        with store.read() as s:
            yield from _export_chunk(s, chunk, logins, codes)


@dataclass(frozen=True)
class _ChunkRows:
    """A chunk's related rows, grouped by dispute id (contacts by package id)."""

    parties: dict[int, list[Any]]
    evidence: dict[int, list[Any]]
    stages: dict[int, list[Any]]
    covers: dict[int, list[Any]]
    packages: dict[int, list[Any]]
    decisions: dict[int, list[Any]]
    acceptances: dict[int, list[Any]]
    holders: dict[int, list[Any]]
    notes: dict[int, list[Any]]
    contacts: dict[int, list[Any]]
    withdrawn_by: dict[int, str]
    syncs: dict[int, list[Any]]
    consents: dict[int, list[Any]]
    reviews: dict[int, list[Any]]
    agenda: dict[int, list[Any]]


def _read_chunk(s: Any, chunk: list[int]) -> _ChunkRows:
    """Every row related to the disputes ``chunk``: one query per table."""

    def rows(model: Any, *order: Any) -> dict[int, list[Any]]:
        # Core rows, not ORM objects: building 100,000s of model instances is the slow part.
        table = table_of(model)
        query = select(table).where(table.c.dispute_id.in_(chunk)).order_by(*order)
        return _by_dispute(s.execute(query))

    parties = rows(models.DisputeAgency, models.DisputeAgency.agency_id)
    evidence = rows(models.EvidenceItem, models.EvidenceItem.id)
    stages = rows(models.StageRecord, models.StageRecord.stage)
    covers = rows(models.InterimCover, models.InterimCover.id)
    packages = rows(models.ProvisionalPackage, models.ProvisionalPackage.id)
    decisions = rows(models.Decision, models.Decision.id)
    acceptances = rows(models.Acceptance, models.Acceptance.id)
    holders = rows(models.PlanHolderAssignment, models.PlanHolderAssignment.id)
    notes = rows(models.Note, models.Note.id)
    package_ids = [p.id for group in packages.values() for p in group]
    contacts = _by_dispute(
        s.execute(
            select(table_of(models.ContactAttempt))
            .where(col(models.ContactAttempt.package_id).in_(package_ids))
            .order_by(col(models.ContactAttempt.at), col(models.ContactAttempt.id))
        ),
        key="package_id",
    )
    withdrawn_by = dict(
        s.execute(
            select(col(models.Event.dispute_id), col(models.Event.actor)).where(
                col(models.Event.action) == "withdraw", col(models.Event.dispute_id).in_(chunk)
            )
        ).all()
    )
    return _ChunkRows(
        parties,
        evidence,
        stages,
        covers,
        packages,
        decisions,
        acceptances,
        holders,
        notes,
        contacts,
        withdrawn_by,
        rows(models.CaseSync, models.CaseSync.held_at, models.CaseSync.id),
        rows(models.ConsentScope, models.ConsentScope.id),
        review_events(s, chunk),
        rows(models.PanelAgendaItem, models.PanelAgendaItem.panel_date, models.PanelAgendaItem.id),
    )


def _export_chunk(
    s: Any, chunk: list[int], logins: dict[int, str], codes: dict[int, str]
) -> Iterator[dict[str, Any]]:
    disputes = s.execute(
        select(table_of(models.Dispute))
        .where(col(models.Dispute.id).in_(chunk))
        .order_by(col(models.Dispute.id))
    )
    related = _read_chunk(s, chunk)
    for d in disputes:
        yield _dispute_record(d, related, logins, codes)


def _dispute_record(
    d: Any, related: _ChunkRows, logins: dict[int, str], codes: dict[int, str]
) -> dict[str, Any]:
    """One dispute as an export record: its form, then its history part by part."""
    acc = related.acceptances.get(d.id, [])
    reviews = review_records(related.reviews.get(d.id, []), _iso)
    recorders = pathway_recorders(related.reviews.get(d.id, []))
    # Notes the review operations wrote come back when those are replayed.
    written = written_notes(reviews)
    notes = [
        {"by": logins[n.by_id], "at": _iso(n.at), "text": n.text}
        for n in related.notes.get(d.id, [])
    ]
    return {
        "ref": d.ref,
        "person_ref": d.person_ref,
        "dispute_type": d.dispute_type,
        "risk": d.risk,
        "raising_agency": codes[d.raising_agency_id],
        "responding_agencies": _responding(d, related.parties.get(d.id, []), codes),
        **{name: getattr(d, name) for name in TEXT_FIELDS},
        "evidence": {e.key: _evidence_record(e, logins) for e in related.evidence.get(d.id, [])},
        "opened_at": _iso(d.opened_at),
        "opened_by": logins[d.opened_by_id],
        "status": d.status,
        "current_stage": d.current_stage,
        "resolved_at": _iso(d.resolved_at),
        "stages": [_stage_record(r, logins) for r in related.stages.get(d.id, [])],
        "covers": [_cover_record(c, logins, codes) for c in related.covers.get(d.id, [])],
        "packages": [
            _package_record(p, related.contacts.get(p.id, []), logins, recorders.get(p.id))
            for p in related.packages.get(d.id, [])
        ],
        "decisions": [_decision_record(x, logins, codes) for x in related.decisions.get(d.id, [])],
        "acceptance": _acceptance_record(acc[-1], logins) if acc else None,
        "withdrawal": _withdrawal_record(d, related),
        "plan_holders": [_holder_record(h, logins) for h in related.holders.get(d.id, [])],
        "syncs": [_sync_record(x, logins) for x in related.syncs.get(d.id, [])],
        # Every scope of consent recorded, oldest first: the last is the one in force.
        "consent_scopes": [_consent_record(c, logins) for c in related.consents.get(d.id, [])],
        # Oldest first; the first re-rating's "from" is the risk the dispute opened with.
        **reviews,
        # Its places on panels' agendas: put there by hand (picked), or in an order fixed.
        "agenda": [_agenda_record(a, logins) for a in related.agenda.get(d.id, [])],
        "notes": [n for n in notes if (n["at"], n["by"], n["text"]) not in written],
    }


def _withdrawal_record(d: Any, related: _ChunkRows) -> dict[str, Any] | None:
    if d.status != Status.WITHDRAWN.value:
        return None
    return {
        "by": related.withdrawn_by.get(d.id),
        "reason": d.withdrawn_reason,
        "at": _iso(d.resolved_at),
    }


def _holder_record(h: Any, logins: dict[int, str]) -> dict[str, Any]:
    return {
        "login": logins[h.person_id],
        "assigned_by": logins[h.assigned_by_id],
        "from_at": _iso(h.from_at),
        "until_at": _iso(h.until_at),
        "period_ends": _iso(h.period_ends),
        "next_sync_due": _iso(h.next_sync_due),
    }


def _sync_record(x: Any, logins: dict[int, str]) -> dict[str, Any]:
    return {
        "held_at": _iso(x.held_at),
        "trigger": x.trigger,
        "participants": x.participants,
        "outcome": x.outcome,
        "next_due": _iso(x.next_due),
        "recorded_by": logins[x.recorded_by_id],
        "recorded_at": _iso(x.recorded_at),
    }


def _consent_record(c: Any, logins: dict[int, str]) -> dict[str, Any]:
    return {
        "agencies": c.agencies.split(),
        "purpose": c.purpose,
        "review_date": _day(c.review_date),
        "recorded_by": logins[c.recorded_by_id],
        "recorded_at": _iso(c.recorded_at),
    }


def _agenda_record(a: Any, logins: dict[int, str]) -> dict[str, Any]:
    return {
        "panel_date": _day(a.panel_date),
        "position": a.position,
        "picked": a.picked,
        "by": logins[a.added_by_id],
        "at": _iso(a.added_at),
    }


def _evidence_record(e: Any, logins: dict[int, str]) -> dict[str, Any]:
    return {
        "present": e.present,
        "note": e.note,
        "updated_at": _iso(e.updated_at),
        "updated_by": logins[e.updated_by_id],
    }


def _stage_record(r: Any, logins: dict[int, str]) -> dict[str, Any]:
    return {
        "stage": r.stage,
        "entered_at": _iso(r.entered_at),
        "entered_by": logins[r.entered_by_id],
        "breach_reason": r.breach_reason,
        "note": r.escalation_note,
        "impact": r.impact,
        "due_at": _iso(r.due_at),
        "left_at": _iso(r.left_at),
    }


def _cover_record(c: Any, logins: dict[int, str], codes: dict[int, str]) -> dict[str, Any]:
    return {
        "provider": codes[c.provider_agency_id],
        "support_level": c.support_level,
        "starts_at": _iso(c.starts_at),
        "review_at": _iso(c.review_at),
        "assigned_by": logins[c.assigned_by_id],
        "active": c.active,
    }


def _package_record(
    p: Any, contacts: list[Any], logins: dict[int, str], pathway_by: str | None
) -> dict[str, Any]:
    """A provisional package with its contact log, and the funded pathway it moved to."""
    return {
        "coordinator": logins[p.coordinator_id],
        "actions": p.actions,
        "starts_at": _iso(p.starts_at),
        "ends_at": _iso(p.ends_at),
        "status": p.status,
        "authorised_by": logins[p.authorised_by_id],
        # The funded pathway it converted to (``pathway``), and when it left "active".
        "pathway": p.pathway,
        "pathway_by": pathway_by,
        "closed_at": _iso(p.closed_at),
        "contacts": [
            {
                "at": _iso(c.at),
                "method": c.method,
                "outcome": c.outcome,
                "note": c.note,
                "by": logins[c.by_id],
            }
            for c in contacts
        ],
    }


def _decision_record(x: Any, logins: dict[int, str], codes: dict[int, str]) -> dict[str, Any]:
    return {
        "kind": x.kind,
        "outcome": x.outcome,
        "receiving_agency": codes.get(x.receiving_agency_id) if x.receiving_agency_id else None,
        "pathway": x.pathway,
        "rationale": x.rationale,
        "decided_by": logins[x.decided_by_id],
        "capacity": x.capacity,
        "stage": x.stage,
        "review_date": _day(x.review_date),
        "decided_at": _iso(x.decided_at),
    }


def _acceptance_record(acc: Any, logins: dict[int, str]) -> dict[str, Any]:
    return {
        "accepted_by": logins[acc.accepted_by_id],
        "start_plan": acc.start_plan,
        "start_date": _day(acc.start_date),
        "at": _iso(acc.at),
    }


def _responding(d: Any, parties: list[Any], codes: dict[int, str]) -> list[str]:
    """Responding agencies in the order they were named (kept in the queue's label)."""
    mine = [codes[p.agency_id] for p in parties if p.party == "responding"]
    return list(named_order(d.agencies_label, mine))


def export_store(store: Store, *, at: datetime | None = None) -> dict[str, Any]:
    """The whole store as one stable JSON-ready document (see the module docstring)."""
    with store.read() as s:
        codes = dict(s.execute(select(col(models.Agency.id), col(models.Agency.code))).all())
        agencies = [
            {"code": a.code, "name": a.name, "kind": a.kind}
            for a in s.execute(select(models.Agency).order_by(models.Agency.code)).scalars()
        ]
        people = [
            {
                "login": p.login,
                "display_name": p.display_name,
                "agency": codes.get(p.agency_id) if p.agency_id else None,
                "roles": list(p.role_list),
                "active": p.active,
            }
            for p in s.execute(select(models.Person).order_by(models.Person.login)).scalars()
        ]
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": _iso(at or utc_now()),
        "agencies": agencies,
        "people": people,
        "disputes": list(iter_export_disputes(store)),
    }
