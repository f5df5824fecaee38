"""One dispute in full: form, evidence, every rung of the ladder with its clock,
cover, provisional packages with their contact logs, decisions, acceptance,
notes and the event history, as read models."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session

from panel_tui.rules.clocks import clock_state, liaison_triggered, stalled_time, utc
from panel_tui.rules.enums import EVIDENCE_LABELS, EvidenceKey, Stage, Status
from panel_tui.store.db import Store
from panel_tui.store.lookup import find_dispute
from panel_tui.store.models import (
    Acceptance,
    Agency,
    ContactAttempt,
    Decision,
    DisputeAgency,
    Event,
    EvidenceItem,
    InterimCover,
    Note,
    Person,
    ProvisionalPackage,
    StageRecord,
)
from panel_tui.store.read.dispute_models import (
    AcceptanceView,
    ContactView,
    CoverView,
    DecisionView,
    DisputeDetail,
    EventView,
    EvidenceView,
    NoteView,
    PackageView,
    StageView,
)

LIVE = (Status.OPEN.value, Status.DECIDED.value)


def _people(session: Session) -> tuple[dict[int, tuple[str, str]], dict[str, list[str]]]:
    """(login, name) of everyone by id, and the names of the active holders of each role.

    One query for both (there are a few dozen people); the detail runs about
    a dozen small queries, and SQLAlchemy's cost per statement is most of it.
    """
    people: dict[int, tuple[str, str]] = {}
    role_holders: dict[str, list[str]] = {}
    columns = (Person.id, Person.login, Person.display_name, Person.roles, Person.active)
    for pid, login, name, roles, active in session.execute(select(*columns).order_by(Person.id)):
        people[pid] = (login, name)
        if active:
            for role in roles.split():
                role_holders.setdefault(role, []).append(name)
    return people, role_holders


def dispute_detail(store: Store, ref: str, at: datetime) -> DisputeDetail:
    """Everything about one dispute, with every stage's clock at ``at``."""
    at = utc(at)
    with store.read() as session:
        policy = store.policy(session)  # in this read: no second transaction
        d = find_dispute(session, ref)
        people, role_holders = _people(session)
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
