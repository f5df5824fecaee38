"""Holding the plan: case synchronisations and the scope of consent to share.

The plan holder keeps one current risk picture for a period and convenes a brief
case synchronisation when a trigger occurs ([Disputes], example 3); each one is
recorded with when, why, who took part and what came of it, and sets when the next
is due. Consent is recorded with its scope: which agencies, for what purpose, until
which review date ([Coordination], example 3).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlmodel import col

from panel_tui.rules import lifecycle
from panel_tui.rules.enums import Action, SyncTrigger
from panel_tui.rules.errors import InvalidInputError, TransitionError
from panel_tui.rules.limits import SHORT_MAX, bounded_text
from panel_tui.store.ledger.base import Context, LedgerBase
from panel_tui.store.ledger.common import aware, touch
from panel_tui.store.models import (
    CaseSync,
    ConsentScope,
    Dispute,
    PlanHolderAssignment,
    row_id,
)


def current_assignment(ctx: Context, dispute: Dispute) -> PlanHolderAssignment | None:
    return (
        ctx.session.execute(
            select(PlanHolderAssignment)
            .where(
                col(PlanHolderAssignment.dispute_id) == dispute.id,
                col(PlanHolderAssignment.until_at).is_(None),
            )
            .order_by(col(PlanHolderAssignment.id).desc())
        )
        .scalars()
        .first()
    )


def _convener(ctx: Context, dispute: Dispute) -> PlanHolderAssignment:
    """The current plan holder's assignment: only a plan holder convenes a synchronisation."""
    assignment = current_assignment(ctx, dispute)
    if assignment is None:
        raise TransitionError(
            f"{dispute.ref} has no plan holder to convene a case synchronisation.",
            hint="Assign the plan holder first (holder REF LOGIN).",
            rule="plan.holder_convenes",
        )
    return assignment


def _sync_times(
    ctx: Context, held_at: datetime | None, next_due: datetime | None
) -> tuple[datetime, datetime | None]:
    """When it was held (now, unless said; never ahead) and when the next is due (later)."""
    held = aware(held_at, "held_at") if held_at is not None else ctx.at
    if held > ctx.at:
        raise InvalidInputError("a synchronisation is recorded once held", field="held_at")
    due = aware(next_due, "next_due") if next_due is not None else None
    if due is not None and due <= ctx.at:
        raise InvalidInputError("the next synchronisation must be due later", field="next_due")
    return held, due


class PlanOperations(LedgerBase):
    """Case synchronisations and consent scope."""

    def record_sync(
        self,
        ref: str,
        trigger: str,
        participants: str,
        outcome: str,
        *,
        held_at: datetime | None = None,
        next_due: datetime | None = None,
        expected_version: int | None = None,
        at: datetime | None = None,
    ) -> int:
        why = lifecycle.one_of(SyncTrigger, trigger, "trigger")
        who = lifecycle.require_text(
            bounded_text(participants, "participants", SHORT_MAX), "participants", "Who took part"
        )
        result = lifecycle.require_text(outcome, "outcome", "The outcome", minimum=5)

        def body(ctx: Context, dispute: Dispute) -> int:
            assignment = _convener(ctx, dispute)
            held, due = _sync_times(ctx, held_at, next_due)
            sync = CaseSync(
                dispute_id=row_id(dispute),
                held_at=held,
                trigger=why.value,
                participants=who,
                outcome=result,
                next_due=due,
                recorded_by_id=row_id(ctx.actor),
                recorded_at=ctx.at,
            )
            ctx.session.add(sync)
            before = {"next_sync_due": assignment.next_sync_due}
            assignment.next_sync_due = due
            ctx.session.add(assignment)
            touch(ctx, dispute)
            ctx.event(
                "record_sync",
                dispute,
                before=before,
                after={
                    "held_at": held,
                    "trigger": why.value,
                    "participants": who,
                    "outcome": result,
                    "next_sync_due": due,
                },
            )
            return sync.id or 0

        return self.on_dispute(
            Action.RECORD_SYNC,
            ref,
            body,
            expected_version,
            at,
            trigger=why.value,
            participants=who,
            outcome=result,
            held_at=held_at,
            next_due=next_due,
        )

    def record_consent(
        self,
        ref: str,
        agencies: list[str],
        purpose: str,
        review_date: date,
        *,
        expected_version: int | None = None,
        at: datetime | None = None,
    ) -> None:
        """The scope of consent to share: part of the form, so the form's editors record it."""
        what = lifecycle.require_text(
            bounded_text(purpose, "purpose", SHORT_MAX), "purpose", "The purpose of sharing"
        )
        if not agencies:
            raise InvalidInputError("name at least one agency consent covers", field="agencies")

        def body(ctx: Context, dispute: Dispute) -> None:
            codes = sorted({ctx.agency(code, "agencies").code for code in agencies})
            if review_date <= ctx.at.astimezone().date():
                raise InvalidInputError("the review date must be in the future", field="review")
            ctx.session.add(
                ConsentScope(
                    dispute_id=row_id(dispute),
                    agencies=" ".join(codes),
                    purpose=what,
                    review_date=review_date,
                    recorded_by_id=row_id(ctx.actor),
                    recorded_at=ctx.at,
                )
            )
            touch(ctx, dispute)
            ctx.event(
                "record_consent",
                dispute,
                after={"agencies": codes, "purpose": what, "review_date": review_date},
            )

        self.on_dispute(
            Action.EDIT_FORM,
            ref,
            body,
            expected_version,
            at,
            agencies=agencies,
            purpose=what,
            review_date=review_date,
        )
