"""The ladder and its outcomes: escalate, decide, accept, withdraw."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import col

from panel_tui.rules import lifecycle
from panel_tui.rules.clocks import clock_state, due_time, liaison_of
from panel_tui.rules.enums import (
    Action,
    ClockState,
    Outcome,
    PackageStatus,
    Stage,
    Status,
)
from panel_tui.rules.errors import InvalidInputError
from panel_tui.rules.limits import bounded_text
from panel_tui.rules.reviews import earliest
from panel_tui.store.ledger.base import Context, LedgerBase
from panel_tui.store.ledger.common import (
    active_cover_review,
    active_package,
    end_cover,
    end_packages,
    stage_record,
    stop_clock,
    touch,
)
from panel_tui.store.models import (
    Acceptance,
    Agency,
    Decision,
    Dispute,
    StageRecord,
    row_id,
)


class LadderOperations(LedgerBase):
    """Move a dispute up the ladder and to its resolution."""

    def escalate(
        self,
        ref: str,
        note: str = "",
        breach_reason: str = "",
        *,
        impact: str | None = None,
        expected_version: int | None = None,
        at: datetime | None = None,
    ) -> Stage:
        """Up one rung (to liaison once it is triggered), with the impact on the person of
        the delay so far ([Leadership], example 3: "staff log escalations ... including
        time stamps, issue type, and impact on the person").

        The store requires ``impact`` of every escalation: without one it is refused
        by the rule ``lifecycle.impact`` (exit 1, audited), as a breached stage is
        without its reason; one given must say something (at least 5 characters, else
        bad input). Only imports replaying records kept before the impact was asked
        (``records_may_lack_impact``) escalate without one.
        """
        note = bounded_text(note, "note")
        breach_reason = bounded_text(breach_reason, "breach_reason")
        impact = _impact_given(impact)

        def body(ctx: Context, dispute: Dispute) -> Stage:
            clock = clock_state(
                ctx.policy,
                entered=dispute.stage_entered_at,
                due=dispute.current_due_at,
                now=ctx.at,
            )
            target = _next_rung(ctx, dispute, clock.state, breach_reason)
            if impact is None and not self.records_may_lack_impact:
                lifecycle.refuse_without_impact(dispute.ref)
            from_stage = dispute.current_stage
            before = {
                "stage": from_stage,
                "status": dispute.status,
                "clock": clock.state.value,
                "due_at": dispute.current_due_at,
            }
            due = _enter_rung(ctx, dispute, target, breach_reason, note, impact)
            escalated_package = _escalate_expired_package(ctx, dispute)
            ctx.session.add(dispute)
            ctx.session.flush()
            after = _escalated(target, due, breach_reason, note, escalated_package, impact)
            ctx.event("escalate", dispute, stage=from_stage, before=before, after=after)
            return target

        return self.on_dispute(
            Action.ESCALATE,
            ref,
            body,
            expected_version,
            at,
            note=note,
            breach_reason=breach_reason,
            impact=impact,
        )

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
        result = lifecycle.one_of(Outcome, outcome, "outcome")
        action = Action.FINAL_DETERMINATION if final else Action.RECORD_DECISION
        rationale = bounded_text(rationale, "rationale")
        pathway = bounded_text(pathway, "pathway")
        if final and result is Outcome.NO_AGREEMENT:
            raise InvalidInputError(
                "a final determination must decide: no_agreement is for panels", field="outcome"
            )

        def body(ctx: Context, dispute: Dispute) -> int:
            lifecycle.check_decision(
                dispute.ref, Status(dispute.status), Stage(dispute.current_stage), final=final
            )
            lifecycle.check_decision_content(
                result, receiving_agency, rationale, review_date, ctx.at.astimezone().date()
            )
            receiver = (
                ctx.agency(receiving_agency, "receiving_agency") if receiving_agency else None
            )
            decision = _new_decision(
                ctx, dispute, action, result, receiver, rationale, pathway, review_date
            )
            before = {"status": dispute.status, "review_due_on": dispute.review_due_on}
            # The decision's review date is the dispute's next review, unless the
            # active interim cover's review comes sooner.
            dispute.review_due_on = earliest(review_date, active_cover_review(ctx, dispute))
            if result.resolves:
                dispute.status = Status.DECIDED.value
                stop_clock(ctx, dispute)
            touch(ctx, dispute)
            ctx.event(
                "final_determination" if final else "record_decision",
                dispute,
                before=before,
                after=_decided(ctx, dispute, decision, receiver),
            )
            return decision.id or 0

        return self.on_dispute(
            action,
            ref,
            body,
            expected_version,
            at,
            outcome=outcome,
            rationale=rationale,
            review_date=review_date,
            receiving_agency=receiving_agency,
            pathway=pathway,
            final=final,
        )

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

        def body(ctx: Context, dispute: Dispute) -> None:
            decision = (
                ctx.session.execute(
                    select(Decision)
                    .where(col(Decision.dispute_id) == dispute.id)
                    .order_by(col(Decision.id).desc())
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
                    dispute_id=row_id(dispute),
                    decision_id=decision.id,
                    accepted_by_id=row_id(ctx.actor),
                    start_plan=plan,
                    start_date=start_date,
                    at=ctx.at,
                )
            )
            dispute.status = Status.CLOSED.value
            dispute.resolved_at = ctx.at
            converted = end_packages(ctx, dispute, PackageStatus.CONVERTED)
            end_cover(ctx, dispute)
            touch(ctx, dispute)
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

        self.on_dispute(
            Action.CONFIRM_ACCEPTANCE,
            ref,
            body,
            expected_version,
            at,
            start_plan=start_plan,
            start_date=start_date,
        )

    def withdraw(
        self,
        ref: str,
        reason: str,
        *,
        expected_version: int | None = None,
        at: datetime | None = None,
    ) -> None:
        why = lifecycle.require_text(reason, "reason", "A reason for withdrawing", minimum=5)

        def body(ctx: Context, dispute: Dispute) -> None:
            before = {"status": dispute.status, "stage": dispute.current_stage}
            dispute.status = Status.WITHDRAWN.value
            dispute.withdrawn_reason = why
            dispute.resolved_at = ctx.at
            stop_clock(ctx, dispute)
            end_packages(ctx, dispute, PackageStatus.ENDED)
            end_cover(ctx, dispute)
            touch(ctx, dispute)
            ctx.event(
                "withdraw", dispute, before=before, after={"status": dispute.status, "reason": why}
            )

        self.on_dispute(Action.WITHDRAW, ref, body, expected_version, at, reason=reason)


def _enter_rung(
    ctx: Context, dispute: Dispute, target: Stage, breach_reason: str, note: str, impact: str | None
) -> datetime | None:
    """The dispute leaves its stage for ``target``: the stage's record ends, the rung's
    begins with its clock, reason, note and impact. The rung's due time."""
    current = stage_record(ctx, dispute, dispute.current_stage)
    # A decided stage already ended at the decision: keep when it ended.
    if current is not None and current.left_at is None:
        current.left_at = ctx.at
        ctx.session.add(current)
    due = due_time(ctx.policy, dispute.risk, target, ctx.at)
    ctx.session.add(
        StageRecord(
            dispute_id=row_id(dispute),
            stage=int(target),
            entered_at=ctx.at,
            due_at=due,
            entered_by_id=row_id(ctx.actor),
            breach_reason=breach_reason.strip() or None,
            escalation_note=note.strip() or None,
            impact=impact or None,
        )
    )
    # An escalation after a decision means the receiving team did not accept it.
    dispute.status = Status.OPEN.value
    dispute.current_stage = int(target)
    dispute.stage_entered_at = ctx.at
    dispute.current_due_at = due
    return due


def _new_decision(
    ctx: Context,
    dispute: Dispute,
    action: Action,
    result: Outcome,
    receiver: Agency | None,
    rationale: str,
    pathway: str,
    review_date: date,
) -> Decision:
    """The decision's row, taken now on the dispute's current rung by the acting person."""
    decision = Decision(
        dispute_id=row_id(dispute),
        kind="final" if action is Action.FINAL_DETERMINATION else "decision",
        outcome=result.value,
        receiving_agency_id=receiver.id if receiver else None,
        pathway=pathway.strip(),
        rationale=rationale.strip(),
        decided_by_id=row_id(ctx.actor),
        capacity=_capacity(ctx, dispute, action),
        stage=dispute.current_stage,
        review_date=review_date,
        decided_at=ctx.at,
    )
    ctx.session.add(decision)
    return decision


def _capacity(ctx: Context, dispute: Dispute, action: Action) -> str:
    """The role a decision is recorded in: a final determination is made as the type's
    named authority, whatever other roles the person also holds."""
    if action is Action.FINAL_DETERMINATION:
        return ctx.policy.authority_role(Stage.FINAL_AUTHORITY, dispute.dispute_type)
    return ctx.capacity(action, dispute)


def _decided(
    ctx: Context, dispute: Dispute, decision: Decision, receiver: Agency | None
) -> dict[str, Any]:
    """What a decision's event records: the decision whole, and where it left the dispute."""
    return {
        "outcome": decision.outcome,
        "receiving_agency": receiver.code if receiver else None,
        "pathway": decision.pathway,
        "rationale": decision.rationale,
        "decided_by": ctx.actor.login,
        "capacity": decision.capacity,
        "review_date": decision.review_date,
        "review_due_on": dispute.review_due_on,
        "status": dispute.status,
    }


def _escalated(
    target: Stage,
    due: datetime | None,
    breach_reason: str,
    note: str,
    package: int | None,
    impact: str | None,
) -> dict[str, Any]:
    """What an escalation's event records: the rung reached, its due time, and why."""
    return {
        "stage": int(target),
        "due_at": due,
        "breach_reason": breach_reason.strip() or None,
        "note": note.strip() or None,
        "package_escalated": package,
        "impact": impact or None,
    }


def _impact_given(impact: str | None) -> str | None:
    """The impact on the person, checked (at least 5 characters), or None if not given."""
    if impact is None or not impact.strip():
        return None
    return lifecycle.require_text(impact, "impact", "The impact on the person", minimum=5).strip()


def _next_rung(ctx: Context, dispute: Dispute, clock: ClockState, breach_reason: str) -> Stage:
    """The rung an escalation moves to (liaison once triggered), or the rule's refusal."""
    stage3 = stage_record(ctx, dispute, Stage.FINAL_AUTHORITY)
    return lifecycle.check_escalate(
        dispute.ref,
        Status(dispute.status),
        Stage(dispute.current_stage),
        clock,
        breach_reason or "",
        liaison_of(ctx.policy, dispute, stage3, ctx.at),
    )


def _escalate_expired_package(ctx: Context, dispute: Dispute) -> int | None:
    """An expired package's next step is escalating again with evidence: the escalation
    closes it as escalated. Its id, or None when no package had expired."""
    package = active_package(ctx, dispute)
    if package is None or package.ends_at > ctx.at:
        return None
    package.status = PackageStatus.ESCALATED.value
    package.closed_at = ctx.at
    ctx.session.add(package)
    return package.id
