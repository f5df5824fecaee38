"""The ledger's read path: the paged queue, one dispute in full, people and agencies.

The queue never loads the whole store: it counts, then fetches one window
(LIMIT/OFFSET over the status/due index), then looks up cover, packages and
plan holders for just that window's ids.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import exists, func, or_, select
from sqlalchemy.sql import Select
from sqlmodel import Session

from panel_tui.rules.clocks import clock_state, liaison_triggered, stalled_time, utc
from panel_tui.rules.enums import EVIDENCE_LABELS, EvidenceKey, Stage, Status
from panel_tui.rules.policy import Policy
from panel_tui.store.db import Store
from panel_tui.store.models import (
    Acceptance,
    Agency,
    ContactAttempt,
    Decision,
    Dispute,
    DisputeAgency,
    Event,
    EvidenceItem,
    InterimCover,
    Note,
    Person,
    ProvisionalPackage,
    StageRecord,
)
from panel_tui.store.readmodels import (
    EXPIRING_WITHIN,
    AcceptanceView,
    AgencyView,
    ContactView,
    CoverView,
    DecisionView,
    DisputeDetail,
    EventView,
    EvidenceView,
    NoteView,
    PackageView,
    PersonView,
    QueueFilter,
    QueuePage,
    QueueRow,
    Section,
    StageView,
)

LIVE = (Status.OPEN.value, Status.DECIDED.value)
DONE = (Status.CLOSED.value, Status.WITHDRAWN.value)


def end_of_local_day(at: datetime) -> datetime:
    local = at.astimezone()
    midnight = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=local.tzinfo)
    return utc(midnight)


def _filtered(query: Select[Any], f: QueueFilter, at: datetime, session: Session) -> Select[Any]:
    d = Dispute
    if f.section is Section.CLOSED:
        query = query.where(d.status.in_(DONE))
    else:
        query = query.where(d.status.in_(LIVE))
    if f.section is Section.BREACHED or f.breached:
        query = query.where(d.current_due_at <= at)
    if f.section is Section.DUE_TODAY:
        query = query.where(d.current_due_at > at, d.current_due_at < end_of_local_day(at))
    if f.section is Section.AT_PANEL:
        query = query.where(d.current_stage == int(Stage.PANEL))
    if f.section is Section.PROVISIONAL_EXPIRING:
        query = query.where(
            exists().where(
                ProvisionalPackage.dispute_id == d.id,
                ProvisionalPackage.status == "active",
                ProvisionalPackage.ends_at <= at + EXPIRING_WITHIN,
            )
        )
    login = f.mine if f.section is not Section.MINE or f.mine else None
    if f.section is Section.MINE or f.mine:
        person_id = session.execute(
            select(Person.id).where(Person.login == (login or ""))
        ).scalar_one_or_none()
        query = query.where(or_(d.plan_holder_id == person_id, d.opened_by_id == person_id))
    if f.due_within is not None:
        query = query.where(d.current_due_at <= at + f.due_within)
    if f.types:
        query = query.where(d.dispute_type.in_(f.types))
    if f.risks:
        query = query.where(d.risk.in_(f.risks))
    if f.stages:
        query = query.where(d.current_stage.in_(f.stages))
    if f.agencies:
        codes = [c.upper() for c in f.agencies]
        query = query.where(
            exists().where(
                DisputeAgency.dispute_id == d.id,
                DisputeAgency.agency_id == Agency.id,
                Agency.code.in_(codes),
            )
        )
    text = f.text.strip()
    if text:
        like = f"%{text}%"
        query = query.where(
            or_(
                d.ref.ilike(like),
                d.person_ref.ilike(like),
                d.agencies_label.ilike(like),
                d.problem_statement.ilike(like),
                d.rule_conflict.ilike(like),
                d.proposed_pathway.ilike(like),
            )
        )
    return query


def _ordered(query: Select[Any], f: QueueFilter) -> Select[Any]:
    d = Dispute
    if f.section is Section.CLOSED:
        return query.order_by(d.resolved_at.desc(), d.id.desc())
    # Urgency: the earliest due time first is breached-longest-first, then soonest due.
    # Disputes without a clock (decided, liaison) follow.
    return query.order_by(d.current_due_at.is_(None), d.current_due_at, d.id)


_ROW_COLUMNS = (
    Dispute.id,
    Dispute.ref,
    Dispute.person_ref,
    Dispute.dispute_type,
    Dispute.risk,
    Dispute.agencies_label,
    Dispute.current_stage,
    Dispute.status,
    Dispute.stage_entered_at,
    Dispute.current_due_at,
    Dispute.plan_holder_id,
    Dispute.version,
    Dispute.resolved_at,
)


def queue_page(
    store: Store, f: QueueFilter, at: datetime, *, offset: int = 0, limit: int = 50
) -> QueuePage:
    """One window of the queue, in urgency order, with its clocks at ``at``."""
    at = utc(at)
    policy = store.policy()
    with store.read() as session:
        total = session.execute(
            _filtered(select(func.count()).select_from(Dispute), f, at, session)
        ).scalar_one()
        rows = session.execute(
            _ordered(_filtered(select(*_ROW_COLUMNS), f, at, session), f)
            .offset(max(0, offset))
            .limit(limit)
        ).all()
        ids = [r.id for r in rows]
        covers = dict(
            session.execute(
                select(InterimCover.dispute_id, Agency.code)
                .join(Agency, Agency.id == InterimCover.provider_agency_id)
                .where(InterimCover.dispute_id.in_(ids), InterimCover.active.is_(True))
            ).all()
        )
        packages = dict(
            session.execute(
                select(ProvisionalPackage.dispute_id, ProvisionalPackage.ends_at).where(
                    ProvisionalPackage.dispute_id.in_(ids), ProvisionalPackage.status == "active"
                )
            ).all()
        )
        holder_ids = {r.plan_holder_id for r in rows if r.plan_holder_id}
        holders = dict(
            session.execute(
                select(Person.id, Person.display_name).where(Person.id.in_(holder_ids))
            ).all()
        )
    return QueuePage(
        rows=[_queue_row(policy, r, at, covers, packages, holders) for r in rows],
        total=total,
        offset=offset,
        at=at,
    )


def _queue_row(
    policy: Policy,
    r: Any,
    at: datetime,
    covers: dict[int, str],
    packages: dict[int, datetime],
    holders: dict[int, str],
) -> QueueRow:
    return QueueRow(
        id=r.id,
        ref=r.ref,
        person_ref=r.person_ref,
        dispute_type=r.dispute_type,
        risk=r.risk,
        agencies=r.agencies_label,
        stage=r.current_stage,
        status=r.status,
        due_at=r.current_due_at,
        clock=clock_state(policy, entered=r.stage_entered_at, due=r.current_due_at, now=at),
        cover=covers.get(r.id),
        provisional_ends=packages.get(r.id),
        plan_holder=holders.get(r.plan_holder_id) if r.plan_holder_id else None,
        version=r.version,
        resolved_at=r.resolved_at,
    )


def queue_position(store: Store, f: QueueFilter, at: datetime, dispute_id: int) -> int | None:
    """Where a dispute sits in the filtered queue (to keep the cursor on it)."""
    at = utc(at)
    with store.read() as session:
        ordered = _ordered(_filtered(select(Dispute.id), f, at, session), f).subquery()
        numbered = select(ordered.c.id, func.row_number().over().label("n")).subquery()
        found = session.execute(
            select(numbered.c.n).where(numbered.c.id == dispute_id)
        ).scalar_one_or_none()
    return None if found is None else int(found) - 1


def _names(session: Session) -> dict[int, tuple[str, str]]:
    return {
        pid: (login, name)
        for pid, login, name in session.execute(
            select(Person.id, Person.login, Person.display_name)
        ).all()
    }


def dispute_detail(store: Store, ref: str, at: datetime) -> DisputeDetail:
    """Everything about one dispute, with every stage's clock at ``at``."""
    from panel_tui.store.ledger import LedgerBase

    at = utc(at)
    policy = store.policy()
    with store.read() as session:
        d = LedgerBase.find_dispute(session, ref)
        people = _names(session)
        agencies = {a.id: a for a in session.execute(select(Agency)).scalars()}
        name = lambda pid: people[pid][1] if pid in people else "?"  # noqa: E731
        parties = (
            session.execute(select(DisputeAgency).where(DisputeAgency.dispute_id == d.id))
            .scalars()
            .all()
        )
        records = {
            r.stage: r
            for r in session.execute(
                select(StageRecord).where(StageRecord.dispute_id == d.id)
            ).scalars()
        }
        role_holders: dict[str, list[str]] = {}
        for person in session.execute(select(Person).where(Person.active.is_(True))).scalars():
            for role in person.role_list:
                role_holders.setdefault(role, []).append(person.display_name)
        stages = []
        for stage in Stage:
            role = policy.authority_role(stage, d.dispute_type)
            rec = records.get(int(stage))
            stages.append(
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
                    breach_reason=rec.breach_reason if rec else None,
                    note=rec.escalation_note if rec else None,
                    entered_by=name(rec.entered_by_id) if rec else None,
                )
            )
        evidence_rows = {
            e.key: e
            for e in session.execute(
                select(EvidenceItem).where(EvidenceItem.dispute_id == d.id)
            ).scalars()
        }
        evidence = [
            EvidenceView(
                key=k.value,
                label=EVIDENCE_LABELS[k],
                present=evidence_rows[k.value].present if k.value in evidence_rows else None,
                note=evidence_rows[k.value].note if k.value in evidence_rows else "",
                updated_by=name(evidence_rows[k.value].updated_by_id)
                if k.value in evidence_rows
                else None,
                updated_at=evidence_rows[k.value].updated_at if k.value in evidence_rows else None,
            )
            for k in EvidenceKey
        ]
        covers = [
            CoverView(
                provider=agencies[c.provider_agency_id].code,
                provider_name=agencies[c.provider_agency_id].name,
                support_level=c.support_level,
                starts_at=c.starts_at,
                review_at=c.review_at,
                assigned_by=name(c.assigned_by_id),
                active=c.active,
            )
            for c in session.execute(
                select(InterimCover)
                .where(InterimCover.dispute_id == d.id)
                .order_by(InterimCover.id.desc())
            ).scalars()
        ]
        packages = []
        for p in session.execute(
            select(ProvisionalPackage)
            .where(ProvisionalPackage.dispute_id == d.id)
            .order_by(ProvisionalPackage.id.desc())
        ).scalars():
            contacts = [
                ContactView(
                    at=c.at, method=c.method, outcome=c.outcome, note=c.note, by=name(c.by_id)
                )
                for c in session.execute(
                    select(ContactAttempt)
                    .where(ContactAttempt.package_id == p.id)
                    .order_by(ContactAttempt.at, ContactAttempt.id)
                ).scalars()
            ]
            packages.append(
                PackageView(
                    id=p.id or 0,
                    coordinator=name(p.coordinator_id),
                    actions=p.actions,
                    starts_at=p.starts_at,
                    ends_at=p.ends_at,
                    status=p.status,
                    authorised_by=name(p.authorised_by_id),
                    contacts=contacts,
                )
            )
        decisions = [
            DecisionView(
                id=x.id or 0,
                kind=x.kind,
                outcome=x.outcome,
                receiving_agency=agencies[x.receiving_agency_id].code
                if x.receiving_agency_id
                else None,
                pathway=x.pathway,
                rationale=x.rationale,
                decided_by=name(x.decided_by_id),
                decided_by_login=people.get(x.decided_by_id, ("?", "?"))[0],
                capacity=x.capacity,
                stage=x.stage,
                review_date=x.review_date,
                decided_at=x.decided_at,
            )
            for x in session.execute(
                select(Decision).where(Decision.dispute_id == d.id).order_by(Decision.id)
            ).scalars()
        ]
        acc = (
            session.execute(
                select(Acceptance)
                .where(Acceptance.dispute_id == d.id)
                .order_by(Acceptance.id.desc())
            )
            .scalars()
            .first()
        )
        notes = [
            NoteView(by=name(n.by_id), at=n.at, text=n.text)
            for n in session.execute(
                select(Note).where(Note.dispute_id == d.id).order_by(Note.id)
            ).scalars()
        ]
        events = [
            EventView(
                id=e.id,
                at=e.at,
                actor=e.actor,
                action=e.action,
                stage=e.stage,
                before=e.before,
                after=e.after,
            )
            for e in session.execute(
                select(Event).where(Event.dispute_id == d.id).order_by(Event.id)
            ).scalars()
        ]
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
        raising_agency=next(agencies[p.agency_id].code for p in parties if p.party == "raising"),
        responding_agencies=tuple(
            agencies[p.agency_id].code for p in parties if p.party == "responding"
        ),
        opened_at=d.opened_at,
        opened_by=name(d.opened_by_id),
        resolved_at=d.resolved_at,
        withdrawn_reason=d.withdrawn_reason,
        plan_holder=name(d.plan_holder_id) if d.plan_holder_id else None,
        plan_holder_login=people[d.plan_holder_id][0] if d.plan_holder_id in people else None,
        consent_basis=d.consent_basis,
        problem_statement=d.problem_statement,
        proposed_pathway=d.proposed_pathway,
        rule_conflict=d.rule_conflict,
        evidence_summary=d.evidence_summary,
        interim_risk_actions=d.interim_risk_actions,
        requested_decision=d.requested_decision,
        clock=clock_state(policy, entered=d.stage_entered_at, due=d.current_due_at, now=at),
        liaison_triggered=d.status in LIVE
        and liaison_triggered(
            policy,
            opened=d.opened_at,
            now=at,
            resolved=d.resolved_at,
            stage3_due=stage3.due_at if stage3 else None,
            stage3_left=stage3.left_at if stage3 else None,
        ),
        stalled=stalled_time(
            policy, risk=d.risk, opened=d.opened_at, now=at, resolved=d.resolved_at
        ),
        at=at,
        stages=stages,
        evidence=evidence,
        covers=covers,
        packages=packages,
        decisions=decisions,
        acceptance=AcceptanceView(
            accepted_by=name(acc.accepted_by_id),
            start_plan=acc.start_plan,
            start_date=acc.start_date,
            at=acc.at,
        )
        if acc
        else None,
        notes=notes,
        events=events,
    )


def people(store: Store) -> list[PersonView]:
    with store.read() as session:
        codes = dict(session.execute(select(Agency.id, Agency.code)).all())
        return [
            PersonView(
                login=p.login,
                display_name=p.display_name,
                agency=codes.get(p.agency_id) if p.agency_id else None,
                roles=p.role_list,
                active=p.active,
            )
            for p in session.execute(select(Person).order_by(Person.login)).scalars()
        ]


def person(store: Store, login: str) -> PersonView | None:
    return next((p for p in people(store) if p.login == login), None)


def agencies(store: Store) -> list[AgencyView]:
    with store.read() as session:
        return [
            AgencyView(code=a.code, name=a.name, kind=a.kind)
            for a in session.execute(select(Agency).order_by(Agency.code)).scalars()
        ]
