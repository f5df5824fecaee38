"""The ledger's operations (DOMAIN.md), each one checked and audited.

``Ledger(store, login)`` is the one way anything changes a dispute.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from panel_tui.rules import lifecycle
from panel_tui.rules.clocks import clock_state, due_time, liaison_triggered
from panel_tui.rules.enums import (
    Action,
    ContactOutcome,
    EvidenceKey,
    Outcome,
    PackageStatus,
    Stage,
    Status,
)
from panel_tui.rules.errors import InvalidInputError
from panel_tui.rules.forms import TEXT_FIELDS, DisputeForm, validate_form
from panel_tui.store.ledger import Context, LedgerBase
from panel_tui.store.models import (
    Acceptance,
    ContactAttempt,
    Decision,
    Dispute,
    DisputeAgency,
    EvidenceItem,
    InterimCover,
    Note,
    PlanHolderAssignment,
    ProvisionalPackage,
    StageRecord,
)

CONTACT_METHODS = ("phone", "visit", "text", "email", "letter", "video")


def _form_snapshot(dispute: Dispute) -> dict[str, Any]:
    return {name: getattr(dispute, name) for name in TEXT_FIELDS}


def _active_package(ctx: Context, dispute: Dispute) -> ProvisionalPackage | None:
    return (
        ctx.session.execute(
            select(ProvisionalPackage).where(
                ProvisionalPackage.dispute_id == dispute.id,
                ProvisionalPackage.status == PackageStatus.ACTIVE.value,
            )
        )
        .scalars()
        .first()
    )


def _stage_record(ctx: Context, dispute: Dispute, stage: int) -> StageRecord | None:
    return (
        ctx.session.execute(
            select(StageRecord).where(
                StageRecord.dispute_id == dispute.id, StageRecord.stage == stage
            )
        )
        .scalars()
        .first()
    )


def _end_packages(ctx: Context, dispute: Dispute, status: PackageStatus) -> list[int]:
    ended = []
    package = _active_package(ctx, dispute)
    if package is not None:
        package.status = status.value
        ctx.session.add(package)
        ended.append(package.id or 0)
    return ended


def _stop_clock(ctx: Context, dispute: Dispute) -> None:
    record = _stage_record(ctx, dispute, dispute.current_stage)
    if record is not None and record.left_at is None:
        record.left_at = ctx.at
        ctx.session.add(record)
    dispute.current_due_at = None


def _aware(moment: datetime, field: str) -> datetime:
    if moment.tzinfo is None:
        raise InvalidInputError("give a time with its time zone", field=field)
    return moment


class Ledger(LedgerBase):
    """Every change to the ledger, as the person ``login``."""

    # --- opening and the form ------------------------------------------------
    def open_dispute(
        self, data: Mapping[str, Any] | DisputeForm, *, at: datetime | None = None
    ) -> str:
        form = data if isinstance(data, DisputeForm) else validate_form(dict(data))

        def body(ctx: Context, _: Dispute | None) -> str:
            raising = ctx.agency(form.raising_agency, "raising_agency")
            responding = [ctx.agency(c, "responding_agencies") for c in form.responding_agencies]
            stage0_due = due_time(ctx.policy, form.risk, Stage.FRONTLINE, ctx.at)
            dispute = Dispute(
                ref=self.next_ref(ctx.session, ctx.at.year),
                person_ref=form.person_ref,
                dispute_type=form.dispute_type.value,
                risk=form.risk.value,
                raising_agency_id=raising.id,
                agencies_label=f"{raising.code}→{','.join(a.code for a in responding)}",
                status=Status.OPEN.value,
                current_stage=0,
                stage_entered_at=ctx.at,
                current_due_at=stage0_due,
                opened_at=ctx.at,
                opened_by_id=ctx.actor.id,
                **{name: getattr(form, name) for name in TEXT_FIELDS},
            )
            ctx.session.add(dispute)
            ctx.session.flush()
            ctx.session.add(
                DisputeAgency(dispute_id=dispute.id, agency_id=raising.id, party="raising")
            )
            for agency in responding:
                ctx.session.add(
                    DisputeAgency(dispute_id=dispute.id, agency_id=agency.id, party="responding")
                )
            for key, item in form.evidence.items():
                ctx.session.add(
                    EvidenceItem(
                        dispute_id=dispute.id,
                        key=key.value,
                        present=item.present,
                        note=item.note,
                        updated_at=ctx.at,
                        updated_by_id=ctx.actor.id,
                    )
                )
            ctx.session.add(
                StageRecord(
                    dispute_id=dispute.id,
                    stage=0,
                    entered_at=ctx.at,
                    due_at=stage0_due,
                    entered_by_id=ctx.actor.id,
                )
            )
            ctx.event("open", dispute, after=form.model_dump(mode="json"))
            return dispute.ref

        return self.run(Action.OPEN, None, body, at=at)

    def edit_form(
        self,
        ref: str,
        changes: Mapping[str, str],
        *,
        expected_version: int | None = None,
        at: datetime | None = None,
    ) -> int:
        unknown = [k for k in changes if k not in TEXT_FIELDS]
        if unknown:
            raise InvalidInputError("this field cannot be edited", field=unknown[0])

        def body(ctx: Context, dispute: Dispute | None) -> int:
            assert dispute is not None
            lifecycle.check_live(dispute.ref, Status(dispute.status), "edit the form of")
            before = _form_snapshot(dispute)
            merged = self._form_of(ctx, dispute) | dict(changes)
            form = validate_form(merged)
            changed = {k: getattr(form, k) for k in TEXT_FIELDS if getattr(form, k) != before[k]}
            if not changed:
                raise InvalidInputError("nothing changed", field=next(iter(changes), None))
            for name, value in changed.items():
                setattr(dispute, name, value)
            ctx.session.add(dispute)
            ctx.session.flush()
            ctx.event("edit_form", dispute, before={k: before[k] for k in changed}, after=changed)
            return dispute.version

        return self.run(Action.EDIT_FORM, ref, body, expected_version=expected_version, at=at)

    def _form_of(self, ctx: Context, dispute: Dispute) -> dict[str, Any]:
        """The dispute's current form as data, for re-validation after an edit."""
        rows = ctx.session.execute(
            select(DisputeAgency.party, DisputeAgency.agency_id).where(
                DisputeAgency.dispute_id == dispute.id
            )
        ).all()
        from panel_tui.store.models import Agency

        codes = dict(ctx.session.execute(select(Agency.id, Agency.code)).all())
        evidence = ctx.session.execute(
            select(EvidenceItem).where(EvidenceItem.dispute_id == dispute.id)
        ).scalars()
        return {
            "person_ref": dispute.person_ref,
            "dispute_type": dispute.dispute_type,
            "risk": dispute.risk,
            "raising_agency": next(codes[a] for p, a in rows if p == "raising"),
            "responding_agencies": [codes[a] for p, a in rows if p == "responding"],
            "evidence": {e.key: {"present": e.present, "note": e.note} for e in evidence},
            **_form_snapshot(dispute),
        }

    def record_evidence(
        self,
        ref: str,
        key: str,
        present: bool,
        note: str = "",
        *,
        expected_version: int | None = None,
        at: datetime | None = None,
    ) -> None:
        try:
            evidence_key = EvidenceKey(key)
        except ValueError:
            options = ", ".join(k.value for k in EvidenceKey)
            raise InvalidInputError(f"must be one of: {options}", field="key") from None
        note = (note or "").strip()
        if not present and not note:
            raise InvalidInputError("an absent item needs a note saying why", field="note")

        def body(ctx: Context, dispute: Dispute | None) -> None:
            assert dispute is not None
            lifecycle.check_live(dispute.ref, Status(dispute.status), "record evidence on")
            item = (
                ctx.session.execute(
                    select(EvidenceItem).where(
                        EvidenceItem.dispute_id == dispute.id,
                        EvidenceItem.key == evidence_key.value,
                    )
                )
                .scalars()
                .first()
            )
            before = {"present": item.present, "note": item.note} if item else {}
            if item is None:
                item = EvidenceItem(
                    dispute_id=dispute.id,
                    key=evidence_key.value,
                    updated_at=ctx.at,
                    updated_by_id=ctx.actor.id,
                )
            item.present, item.note = present, note
            item.updated_at, item.updated_by_id = ctx.at, ctx.actor.id
            ctx.session.add(item)
            self._touch(ctx, dispute)
            ctx.event(
                "record_evidence",
                dispute,
                before={evidence_key.value: before},
                after={evidence_key.value: {"present": present, "note": note}},
            )

        self.run(Action.RECORD_EVIDENCE, ref, body, expected_version=expected_version, at=at)

    @staticmethod
    def _touch(ctx: Context, dispute: Dispute) -> None:
        """Bump the dispute's version: any change to it makes other views of it stale."""
        ctx.session.add(dispute)
        ctx.session.flush()
        from sqlalchemy.orm.attributes import flag_modified

        flag_modified(dispute, "status")
        ctx.session.flush()

    # --- the ladder ------------------------------------------------------------
    def escalate(
        self,
        ref: str,
        note: str = "",
        breach_reason: str = "",
        *,
        expected_version: int | None = None,
        at: datetime | None = None,
    ) -> Stage:
        def body(ctx: Context, dispute: Dispute | None) -> Stage:
            assert dispute is not None
            current = _stage_record(ctx, dispute, dispute.current_stage)
            clock = clock_state(
                ctx.policy,
                entered=dispute.stage_entered_at,
                due=dispute.current_due_at,
                now=ctx.at,
            )
            stage3 = _stage_record(ctx, dispute, Stage.FINAL_AUTHORITY)
            liaison = liaison_triggered(
                ctx.policy,
                opened=dispute.opened_at,
                now=ctx.at,
                resolved=dispute.resolved_at,
                stage3_due=stage3.due_at if stage3 else None,
                stage3_left=stage3.left_at if stage3 else None,
            )
            target = lifecycle.check_escalate(
                dispute.ref,
                Status(dispute.status),
                Stage(dispute.current_stage),
                clock.state,
                breach_reason or "",
                liaison,
            )
            before = {
                "stage": dispute.current_stage,
                "status": dispute.status,
                "clock": clock.state.value,
                "due_at": dispute.current_due_at,
            }
            # A decided stage already ended at the decision: keep when it ended.
            if current is not None and current.left_at is None:
                current.left_at = ctx.at
                ctx.session.add(current)
            due = due_time(ctx.policy, dispute.risk, target, ctx.at)
            ctx.session.add(
                StageRecord(
                    dispute_id=dispute.id,
                    stage=int(target),
                    entered_at=ctx.at,
                    due_at=due,
                    entered_by_id=ctx.actor.id,
                    breach_reason=breach_reason.strip() or None,
                    escalation_note=note.strip() or None,
                )
            )
            # An escalation after a decision means the receiving team did not accept it.
            dispute.status = Status.OPEN.value
            dispute.current_stage = int(target)
            dispute.stage_entered_at = ctx.at
            dispute.current_due_at = due
            package = _active_package(ctx, dispute)
            if package is not None and package.ends_at <= ctx.at:
                package.status = PackageStatus.ESCALATED.value
                ctx.session.add(package)
            ctx.session.add(dispute)
            ctx.session.flush()
            ctx.event(
                "escalate",
                dispute,
                stage=before["stage"],
                before=before,
                after={
                    "stage": int(target),
                    "due_at": due,
                    "breach_reason": breach_reason.strip() or None,
                    "note": note.strip() or None,
                },
            )
            return target

        return self.run(Action.ESCALATE, ref, body, expected_version=expected_version, at=at)

    # --- protecting the person meanwhile ---------------------------------------
    def assign_cover(
        self,
        ref: str,
        provider_agency: str,
        support_level: str,
        *,
        review_at: datetime | None = None,
        expected_version: int | None = None,
        at: datetime | None = None,
    ) -> None:
        level = lifecycle.require_text(support_level, "support_level", "The minimum support level")

        def body(ctx: Context, dispute: Dispute | None) -> None:
            assert dispute is not None
            lifecycle.check_live(dispute.ref, Status(dispute.status), "assign interim cover to")
            provider = ctx.agency(provider_agency, "provider_agency")
            if review_at is not None and _aware(review_at, "review_at") <= ctx.at:
                raise InvalidInputError("the review time must be in the future", field="review_at")
            previous = (
                ctx.session.execute(
                    select(InterimCover).where(
                        InterimCover.dispute_id == dispute.id, InterimCover.active.is_(True)
                    )
                )
                .scalars()
                .all()
            )
            for cover in previous:
                cover.active = False
                ctx.session.add(cover)
            ctx.session.add(
                InterimCover(
                    dispute_id=dispute.id,
                    provider_agency_id=provider.id,
                    support_level=level,
                    starts_at=ctx.at,
                    review_at=review_at,
                    assigned_by_id=ctx.actor.id,
                    assigned_at=ctx.at,
                )
            )
            self._touch(ctx, dispute)
            ctx.event(
                "assign_cover",
                dispute,
                before={"covers": [c.provider_agency_id for c in previous]},
                after={"provider": provider.code, "support_level": level, "review_at": review_at},
            )

        self.run(Action.ASSIGN_COVER, ref, body, expected_version=expected_version, at=at)

    def start_provisional(
        self,
        ref: str,
        coordinator: str,
        actions: str,
        *,
        days: int | None = None,
        ends_at: datetime | None = None,
        expected_version: int | None = None,
        at: datetime | None = None,
    ) -> int:
        what = lifecycle.require_text(actions, "actions", "The package's actions")

        def body(ctx: Context, dispute: Dispute | None) -> int:
            assert dispute is not None
            person = ctx.person(coordinator, "coordinator")
            length = ctx.policy.provisional.max_days if days is None else days  # 0 is refused
            end = ends_at or (ctx.at + timedelta(days=length))
            end = _aware(end, "end")
            lifecycle.check_provisional(
                ctx.policy,
                dispute.ref,
                Status(dispute.status),
                ctx.at,
                end,
                _active_package(ctx, dispute) is not None,
            )
            package = ProvisionalPackage(
                dispute_id=dispute.id,
                coordinator_id=person.id,
                actions=what,
                starts_at=ctx.at,
                ends_at=end,
                authorised_by_id=ctx.actor.id,
                authorised_at=ctx.at,
            )
            ctx.session.add(package)
            self._touch(ctx, dispute)
            ctx.event(
                "start_provisional",
                dispute,
                after={"coordinator": person.login, "actions": what, "ends_at": end},
            )
            return package.id or 0

        return self.run(
            Action.AUTHORISE_PROVISIONAL, ref, body, expected_version=expected_version, at=at
        )

    def log_contact(
        self,
        ref: str,
        method: str,
        outcome: str,
        note: str = "",
        *,
        expected_version: int | None = None,
        at: datetime | None = None,
    ) -> None:
        if method not in CONTACT_METHODS:
            raise InvalidInputError(f"must be one of: {', '.join(CONTACT_METHODS)}", field="method")
        try:
            result = ContactOutcome(outcome)
        except ValueError:
            options = ", ".join(o.value for o in ContactOutcome)
            raise InvalidInputError(f"must be one of: {options}", field="outcome") from None

        def body(ctx: Context, dispute: Dispute | None) -> None:
            assert dispute is not None
            package = _active_package(ctx, dispute)
            if package is None:
                raise lifecycle.TransitionError(
                    f"{dispute.ref} has no active provisional package to log a contact against.",
                    hint="Start one first (authorise provisional support).",
                )
            ctx.session.add(
                ContactAttempt(
                    package_id=package.id,
                    at=ctx.at,
                    method=method,
                    outcome=result.value,
                    note=note.strip(),
                    by_id=ctx.actor.id,
                )
            )
            self._touch(ctx, dispute)
            ctx.event(
                "log_contact",
                dispute,
                after={
                    "package": package.id,
                    "method": method,
                    "outcome": result.value,
                    "note": note.strip(),
                },
            )

        self.run(Action.LOG_CONTACT, ref, body, expected_version=expected_version, at=at)

    # --- deciding ----------------------------------------------------------------
    def record_decision(
        self,
        ref: str,
        outcome: str,
        rationale: str,
        review_date: date,
        *,
        receiving_agency: str | None = None,
        pathway: str = "",
        final: bool = False,
        expected_version: int | None = None,
        at: datetime | None = None,
    ) -> int:
        """A panel (or supervisor-level) decision, or with ``final`` the named authority's."""
        try:
            result = Outcome(outcome)
        except ValueError:
            options = ", ".join(o.value for o in Outcome)
            raise InvalidInputError(f"must be one of: {options}", field="outcome") from None
        action = Action.FINAL_DETERMINATION if final else Action.RECORD_DECISION
        if final and result is Outcome.NO_AGREEMENT:
            raise InvalidInputError(
                "a final determination must decide: no_agreement is for panels", field="outcome"
            )

        def body(ctx: Context, dispute: Dispute | None) -> int:
            assert dispute is not None
            lifecycle.check_decision(
                dispute.ref, Status(dispute.status), Stage(dispute.current_stage), final=final
            )
            lifecycle.check_decision_content(
                result, receiving_agency, rationale, review_date, ctx.at.astimezone().date()
            )
            receiver = (
                ctx.agency(receiving_agency, "receiving_agency") if receiving_agency else None
            )
            decision = Decision(
                dispute_id=dispute.id,
                kind="final" if final else "decision",
                outcome=result.value,
                receiving_agency_id=receiver.id if receiver else None,
                pathway=pathway.strip(),
                rationale=rationale.strip(),
                decided_by_id=ctx.actor.id,
                # A final determination is made as the type's named authority, whatever
                # other roles the person also holds.
                capacity=ctx.policy.authority_role(Stage.FINAL_AUTHORITY, dispute.dispute_type)
                if final
                else ctx.capacity(action),
                stage=dispute.current_stage,
                review_date=review_date,
                decided_at=ctx.at,
            )
            ctx.session.add(decision)
            before = {"status": dispute.status}
            if result.resolves:
                dispute.status = Status.DECIDED.value
                _stop_clock(ctx, dispute)
            self._touch(ctx, dispute)
            ctx.event(
                "final_determination" if final else "record_decision",
                dispute,
                before=before,
                after={
                    "outcome": result.value,
                    "receiving_agency": receiver.code if receiver else None,
                    "pathway": pathway.strip(),
                    "rationale": rationale.strip(),
                    "decided_by": ctx.actor.login,
                    "capacity": decision.capacity,
                    "review_date": review_date,
                    "status": dispute.status,
                },
            )
            return decision.id or 0

        return self.run(action, ref, body, expected_version=expected_version, at=at)

    def confirm_acceptance(
        self,
        ref: str,
        start_plan: str,
        start_date: date,
        *,
        expected_version: int | None = None,
        at: datetime | None = None,
    ) -> None:
        plan = lifecycle.require_text(start_plan, "start_plan", "The start plan", minimum=10)

        def body(ctx: Context, dispute: Dispute | None) -> None:
            assert dispute is not None
            decision = (
                ctx.session.execute(
                    select(Decision)
                    .where(Decision.dispute_id == dispute.id)
                    .order_by(Decision.id.desc())
                    .limit(1)
                )
                .scalars()
                .first()
            )
            lifecycle.check_acceptance(
                dispute.ref, Status(dispute.status), Outcome(decision.outcome) if decision else None
            )
            assert decision is not None
            if start_date < decision.decided_at.date():
                raise InvalidInputError("the start date is before the decision", field="start_date")
            ctx.session.add(
                Acceptance(
                    dispute_id=dispute.id,
                    decision_id=decision.id,
                    accepted_by_id=ctx.actor.id,
                    start_plan=plan,
                    start_date=start_date,
                    at=ctx.at,
                )
            )
            dispute.status = Status.CLOSED.value
            dispute.resolved_at = ctx.at
            converted = _end_packages(ctx, dispute, PackageStatus.CONVERTED)
            self._end_cover(ctx, dispute)
            self._touch(ctx, dispute)
            ctx.event(
                "confirm_acceptance",
                dispute,
                before={"status": Status.DECIDED.value},
                after={
                    "status": dispute.status,
                    "start_plan": plan,
                    "start_date": start_date,
                    "decision": decision.id,
                    "packages_converted": converted,
                },
            )

        self.run(Action.CONFIRM_ACCEPTANCE, ref, body, expected_version=expected_version, at=at)

    @staticmethod
    def _end_cover(ctx: Context, dispute: Dispute) -> None:
        for cover in ctx.session.execute(
            select(InterimCover).where(
                InterimCover.dispute_id == dispute.id, InterimCover.active.is_(True)
            )
        ).scalars():
            cover.active = False
            ctx.session.add(cover)

    def withdraw(
        self,
        ref: str,
        reason: str,
        *,
        expected_version: int | None = None,
        at: datetime | None = None,
    ) -> None:
        why = lifecycle.require_text(reason, "reason", "A reason for withdrawing", minimum=5)

        def body(ctx: Context, dispute: Dispute | None) -> None:
            assert dispute is not None
            lifecycle.check_live(dispute.ref, Status(dispute.status), "withdraw")
            before = {"status": dispute.status, "stage": dispute.current_stage}
            dispute.status = Status.WITHDRAWN.value
            dispute.withdrawn_reason = why
            dispute.resolved_at = ctx.at
            _stop_clock(ctx, dispute)
            _end_packages(ctx, dispute, PackageStatus.ENDED)
            self._end_cover(ctx, dispute)
            self._touch(ctx, dispute)
            ctx.event(
                "withdraw", dispute, before=before, after={"status": dispute.status, "reason": why}
            )

        self.run(Action.WITHDRAW, ref, body, expected_version=expected_version, at=at)

    # --- people and notes ----------------------------------------------------------
    def assign_plan_holder(
        self,
        ref: str,
        login: str,
        *,
        expected_version: int | None = None,
        at: datetime | None = None,
    ) -> None:
        def body(ctx: Context, dispute: Dispute | None) -> None:
            assert dispute is not None
            lifecycle.check_live(dispute.ref, Status(dispute.status), "assign a plan holder to")
            person = ctx.person(login, "plan_holder")
            current = (
                ctx.session.execute(
                    select(PlanHolderAssignment).where(
                        PlanHolderAssignment.dispute_id == dispute.id,
                        PlanHolderAssignment.until_at.is_(None),
                    )
                )
                .scalars()
                .all()
            )
            for assignment in current:
                assignment.until_at = ctx.at
                ctx.session.add(assignment)
            ctx.session.add(
                PlanHolderAssignment(
                    dispute_id=dispute.id,
                    person_id=person.id,
                    assigned_by_id=ctx.actor.id,
                    from_at=ctx.at,
                )
            )
            before = {"plan_holder_id": dispute.plan_holder_id}
            dispute.plan_holder_id = person.id
            ctx.session.add(dispute)
            ctx.session.flush()
            ctx.event(
                "assign_plan_holder", dispute, before=before, after={"plan_holder": person.login}
            )

        self.run(Action.ASSIGN_PLAN_HOLDER, ref, body, expected_version=expected_version, at=at)

    def add_note(self, ref: str, text: str, *, at: datetime | None = None) -> None:
        body_text = lifecycle.require_text(text, "text", "The note", minimum=1)

        def body(ctx: Context, dispute: Dispute | None) -> None:
            assert dispute is not None
            ctx.session.add(
                Note(dispute_id=dispute.id, by_id=ctx.actor.id, at=ctx.at, text=body_text)
            )
            ctx.event("add_note", dispute, after={"text": body_text})

        # Notes never conflict: they add, they do not overwrite.
        self.run(Action.ADD_NOTE, ref, body, at=at)
