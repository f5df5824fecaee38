"""One dispute in full: form, evidence, every rung of the ladder with its clock,
cover, provisional packages with their contact logs, decisions, acceptance,
notes and the event history, as read models."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ScalarResult, select
from sqlmodel import Session, col

from panel_tui.rules.clocks import clock_state, liaison_of, stalled_time, utc
from panel_tui.rules.enums import EVIDENCE_LABELS, EvidenceKey, Stage
from panel_tui.rules.fields import TEXT_FIELDS
from panel_tui.rules.policy import Policy
from panel_tui.rules.reviews import package_state
from panel_tui.store.db import Store
from panel_tui.store.lookup import find_dispute
from panel_tui.store.models import (
    Acceptance,
    Agency,
    CaseSync,
    ConsentScope,
    ContactAttempt,
    Decision,
    Dispute,
    DisputeAgency,
    Event,
    EvidenceItem,
    InterimCover,
    Note,
    Person,
    PlanHolderAssignment,
    ProvisionalPackage,
    StageRecord,
)
from panel_tui.store.read.dispute_models import (
    AcceptanceView,
    ConsentView,
    ContactView,
    CoverView,
    DecisionView,
    DisputeDetail,
    EventView,
    EvidenceView,
    NoteView,
    PackageView,
    PlanView,
    StageView,
    SyncView,
)
from panel_tui.store.read.queue_models import LIVE, review_is_due, review_today


def _people(session: Session) -> tuple[dict[int, tuple[str, str]], dict[str, list[str]]]:
    """(login, name) of everyone by id, and the names of the active holders of each role.

    One query for both (there are a few dozen people); the detail runs about
    a dozen small queries, and SQLAlchemy's cost per statement is most of it.
    """
    people: dict[int, tuple[str, str]] = {}
    role_holders: dict[str, list[str]] = {}
    columns = (
        col(Person.id),
        col(Person.login),
        col(Person.display_name),
        col(Person.roles),
        col(Person.active),
    )
    for pid, login, name, roles, active in session.execute(
        select(*columns).order_by(col(Person.id))
    ):
        people[pid] = (login, name)
        if active:
            for role in roles.split():
                role_holders.setdefault(role, []).append(name)
    return people, role_holders


@dataclass(frozen=True)
class _Reading:
    """One read of one dispute: the session, the dispute, and who and what its ids name."""

    session: Session
    dispute: Dispute
    people: dict[int, tuple[str, str]]  # id -> (login, name)
    agencies: dict[int, Agency]

    def name(self, pid: int | None) -> str:
        return self.people[pid][1] if pid in self.people else "?"

    def login(self, pid: int | None) -> str:
        return self.people[pid][0] if pid in self.people else "?"

    def rows(self, model: Any, *order: Any) -> ScalarResult[Any]:
        """The dispute's rows of ``model``, in ``order``."""
        query = select(model).where(model.dispute_id == self.dispute.id).order_by(*order)
        return self.session.execute(query).scalars()


def _stage_views(
    r: _Reading,
    policy: Policy,
    records: dict[int, StageRecord],
    role_holders: dict[str, list[str]],
    at: datetime,
) -> list[StageView]:
    """Every rung of the ladder: its authority, and its clock if the dispute got there."""
    views = []
    for stage in Stage:
        role = policy.authority_role(stage, r.dispute.dispute_type)
        rec = records.get(int(stage))
        # The escalation out of a breached rung records why on the record of the rung it
        # enters (models.StageRecord): the reason belongs to the rung that breached.
        after = records.get(int(stage) + 1)
        views.append(
            StageView(
                stage=int(stage),
                label=stage.label,
                authority_role=role,
                authorities=tuple(role_holders.get(role, ())),
                entered_at=rec.entered_at if rec else None,
                due_at=rec.due_at if rec else None,
                left_at=rec.left_at if rec else None,
                clock=clock_state(
                    policy, entered=rec.entered_at, due=rec.due_at, now=at, left=rec.left_at
                )
                if rec
                else None,
                breach_reason=after.breach_reason if after else None,
                note=rec.escalation_note if rec else None,
                entered_by=r.name(rec.entered_by_id) if rec else None,
                impact=rec.impact if rec else None,
            )
        )
    return views


def _evidence_views(r: _Reading) -> list[EvidenceView]:
    """Every evidence item the form asks for, recorded or not."""
    recorded = {e.key: e for e in r.rows(EvidenceItem)}
    views = []
    for k in EvidenceKey:
        e = recorded.get(k.value)
        views.append(
            EvidenceView(
                key=k.value,
                label=EVIDENCE_LABELS[k],
                present=e.present if e else None,
                note=e.note if e else "",
                updated_by=r.name(e.updated_by_id) if e else None,
                updated_at=e.updated_at if e else None,
            )
        )
    return views


def _cover_views(r: _Reading) -> list[CoverView]:
    """Interim cover, newest first."""
    return [
        CoverView(
            provider=r.agencies[c.provider_agency_id].code,
            provider_name=r.agencies[c.provider_agency_id].name,
            support_level=c.support_level,
            starts_at=c.starts_at,
            review_at=c.review_at,
            assigned_by=r.name(c.assigned_by_id),
            active=c.active,
        )
        for c in r.rows(InterimCover, col(InterimCover.id).desc())
    ]


def _package_views(r: _Reading, at: datetime) -> list[PackageView]:
    """Provisional packages, newest first, each with its contact log in time order."""
    packages = []
    for p in r.rows(ProvisionalPackage, col(ProvisionalPackage.id).desc()):
        contacts = [
            ContactView(
                at=c.at, method=c.method, outcome=c.outcome, note=c.note, by=r.name(c.by_id)
            )
            for c in r.session.execute(
                select(ContactAttempt)
                .where(ContactAttempt.package_id == p.id)
                .order_by(col(ContactAttempt.at), col(ContactAttempt.id))
            ).scalars()
        ]
        packages.append(
            PackageView(
                id=p.id or 0,
                coordinator=r.name(p.coordinator_id),
                actions=p.actions,
                starts_at=p.starts_at,
                ends_at=p.ends_at,
                status=package_state(p.status, p.ends_at, at),
                authorised_by=r.name(p.authorised_by_id),
                contacts=contacts,
                pathway=p.pathway,
                closed_at=p.closed_at,
            )
        )
    return packages


def _decision_views(r: _Reading) -> list[DecisionView]:
    """Decisions in the order they were taken."""
    return [
        DecisionView(
            id=x.id or 0,
            kind=x.kind,
            outcome=x.outcome,
            receiving_agency=r.agencies[x.receiving_agency_id].code
            if x.receiving_agency_id
            else None,
            pathway=x.pathway,
            rationale=x.rationale,
            decided_by=r.name(x.decided_by_id),
            decided_by_login=r.login(x.decided_by_id),
            capacity=x.capacity,
            stage=x.stage,
            review_date=x.review_date,
            decided_at=x.decided_at,
        )
        for x in r.rows(Decision, Decision.id)
    ]


def _acceptance_view(r: _Reading) -> AcceptanceView | None:
    """The latest acceptance, if the receiving agency has confirmed one."""
    acc = r.rows(Acceptance, col(Acceptance.id).desc()).first()
    if acc is None:
        return None
    return AcceptanceView(
        accepted_by=r.name(acc.accepted_by_id),
        start_plan=acc.start_plan,
        start_date=acc.start_date,
        at=acc.at,
    )


def _note_views(r: _Reading) -> list[NoteView]:
    return [NoteView(by=r.name(n.by_id), at=n.at, text=n.text) for n in r.rows(Note, Note.id)]


def _plan_view(r: _Reading, at: datetime) -> PlanView | None:
    """The current plan holder's assignment: period, next synchronisation, whether it is due."""
    a = r.rows(PlanHolderAssignment, col(PlanHolderAssignment.id).desc()).first()
    if a is None or a.until_at is not None:
        return None
    live = r.dispute.status in LIVE
    return PlanView(
        holder=r.name(a.person_id),
        holder_login=r.login(a.person_id),
        since=a.from_at,
        period_ends=a.period_ends,
        next_sync_due=a.next_sync_due,
        sync_overdue=live and a.next_sync_due is not None and utc(a.next_sync_due) <= at,
        period_over=live and a.period_ends is not None and utc(a.period_ends) <= at,
    )


def _sync_views(r: _Reading) -> list[SyncView]:
    """Case synchronisations, in the order they were held."""
    return [
        SyncView(
            held_at=s.held_at,
            trigger=s.trigger,
            participants=s.participants,
            outcome=s.outcome,
            next_due=s.next_due,
            recorded_by=r.name(s.recorded_by_id),
        )
        for s in r.rows(CaseSync, CaseSync.held_at, CaseSync.id)
    ]


def _consent_view(r: _Reading, at: datetime) -> ConsentView | None:
    """The newest consent scope recorded, if any."""
    c = r.rows(ConsentScope, col(ConsentScope.id).desc()).first()
    if c is None:
        return None
    return ConsentView(
        agencies=tuple(c.agencies.split()),
        purpose=c.purpose,
        review_date=c.review_date,
        recorded_by=r.name(c.recorded_by_id),
        recorded_at=c.recorded_at,
        review_due=c.review_date <= review_today(at),
    )


def _event_views(r: _Reading) -> list[EventView]:
    """The dispute's audit events, oldest first."""
    return [
        EventView(
            id=e.id,
            at=e.at,
            actor=e.actor,
            action=e.action,
            stage=e.stage,
            before=json.loads(e.before),
            after=json.loads(e.after),
            real_actor=e.real_actor,
        )
        for e in r.rows(Event, Event.id)
    ]


def named_order(label: str, codes: list[str]) -> tuple[str, ...]:
    """Responding agencies in the order they were named (the queue's "RAISING→A,B" label
    keeps it), not the order their rows happen to have in this store."""
    named = label.partition("→")[2].split(",")
    ordered = [c for c in named if c in codes]
    return (*ordered, *sorted(set(codes) - set(ordered)))


def dispute_detail(store: Store, ref: str, at: datetime) -> DisputeDetail:
    """Everything about one dispute, with every stage's clock at ``at``."""
    at = utc(at)
    with store.read() as session:
        policy = store.policy(session)  # in this read: no second transaction
        d = find_dispute(session, ref)
        people, role_holders = _people(session)
        agencies = {a.id: a for a in session.execute(select(Agency)).scalars()}
        r = _Reading(session, d, people, agencies)
        parties = list(r.rows(DisputeAgency, DisputeAgency.agency_id))  # as SQLite reads it
        records = {rec.stage: rec for rec in r.rows(StageRecord)}
        stage3 = records.get(int(Stage.FINAL_AUTHORITY))
        return DisputeDetail(
            id=d.id or 0,
            ref=d.ref,
            version=d.version,
            person_ref=d.person_ref,
            dispute_type=d.dispute_type,
            risk=d.risk,
            status=d.status,
            stage=d.current_stage,
            raising_agency=next(
                agencies[p.agency_id].code for p in parties if p.party == "raising"
            ),
            responding_agencies=named_order(
                d.agencies_label,
                [agencies[p.agency_id].code for p in parties if p.party == "responding"],
            ),
            opened_at=d.opened_at,
            opened_by=r.name(d.opened_by_id),
            resolved_at=d.resolved_at,
            withdrawn_reason=d.withdrawn_reason,
            plan_holder=r.name(d.plan_holder_id) if d.plan_holder_id else None,
            plan_holder_login=people[d.plan_holder_id][0] if d.plan_holder_id in people else None,
            **{name: getattr(d, name) for name in TEXT_FIELDS},  # the form's texts, as written
            clock=clock_state(policy, entered=d.stage_entered_at, due=d.current_due_at, now=at),
            liaison_triggered=d.status in LIVE and liaison_of(policy, d, stage3, at),
            stalled=stalled_time(
                policy, risk=d.risk, opened=d.opened_at, now=at, resolved=d.resolved_at
            ),
            at=at,
            stages=_stage_views(r, policy, records, role_holders, at),
            evidence=_evidence_views(r),
            covers=_cover_views(r),
            packages=_package_views(r, at),
            decisions=_decision_views(r),
            acceptance=_acceptance_view(r),
            notes=_note_views(r),
            events=_event_views(r),
            review_due_on=d.review_due_on,
            review_due=review_is_due(d.review_due_on, d.status, at),
            plan=_plan_view(r, at),
            syncs=_sync_views(r),
            consent=_consent_view(r, at),
        )


def warm_up(store: Store, at: datetime) -> None:
    """Read one dispute and drop it, so that the first dispute a user opens reads fast.

    The first read of a process builds SQLAlchemy's compiled statements for every
    table the detail reads: about 40 ms of CPU at 10,000 disputes, against 4 ms for
    each later read. Nothing is read when the store holds no dispute.
    """
    with store.read() as session:
        ref = session.execute(select(col(Dispute.ref)).order_by(col(Dispute.id)).limit(1)).scalar()
    if ref is not None:
        dispute_detail(store, ref, at)
