"""A package's next step, reviews and their triggers, and risk re-rated (rules/reviews.py).

Each operation is one audited event carrying every value it set, and a note on
the dispute saying what happened and why (the triggers' and re-ratings' notes
are what a later review reads first).
"""

from __future__ import annotations

from datetime import date, datetime

from panel_tui.rules import lifecycle
from panel_tui.rules.enums import Action, PackageStatus, ReviewTrigger, Risk
from panel_tui.rules.errors import InvalidInputError
from panel_tui.rules.reviews import local_date, rerated_due, risk_raised, triggered_review
from panel_tui.store.ledger.base import Context, LedgerBase
from panel_tui.store.ledger.common import active_package, stage_record, touch
from panel_tui.store.ledger.plan import current_assignment
from panel_tui.store.models import Dispute, Note, row_id


def _note(ctx: Context, dispute: Dispute, text: str) -> None:
    ctx.session.add(Note(dispute_id=row_id(dispute), by_id=row_id(ctx.actor), at=ctx.at, text=text))


# The notes these operations write, in one place: an export leaves them out of its
# notes (store/transfer/export.py), as replaying the operation writes them again.
def trigger_note(trigger: str, note: str) -> str:
    return f"Review trigger ({ReviewTrigger(trigger).label}): {note}"


def review_note(note: str) -> str:
    return f"Review: {note}"


def rerate_note(old: str, new: str, note: str) -> str:
    return f"Risk re-rated {old} → {new}: {note}"


def _convene_sync(ctx: Context, dispute: Dispute) -> datetime | None:
    """A risk that changes makes the plan holder's case synchronisation due now.

    Higher-risk changes trigger a multi-agency case conference [Integration], and
    where risks change responsibilities are re-confirmed, not assumed
    [Coordination]: the next synchronisation comes forward to this moment (never
    later than it was), so the dispute shows "sync due" until one is recorded.
    Returns the plan's next synchronisation time after it (None: no plan holder).
    """
    assignment = current_assignment(ctx, dispute)
    if assignment is None:
        return None
    due = assignment.next_sync_due
    if due is None or due > ctx.at:
        assignment.next_sync_due = ctx.at
        ctx.session.add(assignment)
    return assignment.next_sync_due


class ReviewOperations(LedgerBase):
    """Funded pathways for provisional packages; review triggers, reviews, re-rating."""

    def record_pathway(
        self,
        ref: str,
        pathway: str,
        *,
        expected_version: int | None = None,
        at: datetime | None = None,
    ) -> int:
        """The person moved into a funded pathway: the active package converts to it."""
        what = lifecycle.require_text(pathway, "pathway", "The funded pathway")

        def body(ctx: Context, dispute: Dispute) -> int:
            package = active_package(ctx, dispute)
            assert package is not None  # rights.may refused a dispute without one
            expired = package.ends_at <= ctx.at
            package.status = PackageStatus.CONVERTED.value
            package.pathway = what
            package.closed_at = ctx.at
            ctx.session.add(package)
            touch(ctx, dispute)
            ctx.event(
                "record_pathway",
                dispute,
                before={"package": package.id, "status": PackageStatus.ACTIVE.value},
                after={
                    "package": package.id,
                    "status": package.status,
                    "pathway": what,
                    "ends_at": package.ends_at,
                    "expired": expired,
                },
            )
            return package.id or 0

        return self.on_dispute(
            Action.RECORD_PATHWAY, ref, body, expected_version, at, pathway=pathway
        )

    def review_trigger(
        self,
        ref: str,
        trigger: str,
        note: str,
        *,
        expected_version: int | None = None,
        at: datetime | None = None,
    ) -> date:
        """Record a review trigger with its note; the review comes forward. Returns its date."""
        kind = lifecycle.one_of(ReviewTrigger, trigger, "trigger")
        why = lifecycle.require_text(note, "note", "A note on what happened")

        def body(ctx: Context, dispute: Dispute) -> date:
            before = dispute.review_due_on
            due = triggered_review(ctx.policy, kind, ctx.at, before)
            dispute.review_due_on = due
            sync_due = _convene_sync(ctx, dispute)
            _note(ctx, dispute, trigger_note(kind, why))
            touch(ctx, dispute)
            ctx.event(
                "review_trigger",
                dispute,
                before={"review_due_on": before},
                after={
                    "trigger": kind.value,
                    "note": why,
                    "review_due_on": due,
                    "next_sync_due": sync_due,
                },
            )
            return due

        return self.on_dispute(
            Action.REVIEW_TRIGGER, ref, body, expected_version, at, trigger=trigger, note=note
        )

    def record_review(
        self,
        ref: str,
        note: str,
        next_review: date | None,
        *,
        expected_version: int | None = None,
        at: datetime | None = None,
    ) -> None:
        """A review took place: what it found, and when the next one is due (None: none)."""
        found = lifecycle.require_text(note, "note", "What the review found")

        def body(ctx: Context, dispute: Dispute) -> None:
            if next_review is not None and next_review <= local_date(ctx.at):
                raise InvalidInputError("the next review must be after today", field="next")
            before = dispute.review_due_on
            dispute.review_due_on = next_review
            _note(ctx, dispute, review_note(found))
            touch(ctx, dispute)
            ctx.event(
                "record_review",
                dispute,
                before={"review_due_on": before},
                after={"note": found, "review_due_on": next_review},
            )

        self.on_dispute(
            Action.RECORD_REVIEW,
            ref,
            body,
            expected_version,
            at,
            note=note,
            next_review=next_review,
        )

    def rerate_risk(
        self,
        ref: str,
        risk: str,
        note: str,
        *,
        expected_version: int | None = None,
        at: datetime | None = None,
    ) -> None:
        """Re-rate the dispute's risk: the current stage's clock follows (rules/reviews.py)."""
        new = lifecycle.one_of(Risk, risk, "risk")
        why = lifecycle.require_text(note, "note", "A note on why the risk changed")

        def body(ctx: Context, dispute: Dispute) -> None:
            old = Risk(dispute.risk)
            if new is old:
                raise InvalidInputError(f"the risk is already {old.value}", field="risk")
            before = {
                "risk": old.value,
                "due_at": dispute.current_due_at,
                "review_due_on": dispute.review_due_on,
            }
            due = rerated_due(
                ctx.policy, new, dispute.current_stage, dispute.current_due_at, ctx.at
            )
            dispute.risk = new.value
            dispute.current_due_at = due
            record = stage_record(ctx, dispute, dispute.current_stage)
            if record is not None and record.left_at is None and record.due_at != due:
                record.due_at = due
                ctx.session.add(record)
            raised = risk_raised(old, new)
            sync_due = None
            if raised:  # a risk raised is a review trigger in itself
                dispute.review_due_on = triggered_review(
                    ctx.policy, ReviewTrigger.RISK_RAISED, ctx.at, dispute.review_due_on
                )
                sync_due = _convene_sync(ctx, dispute)
            _note(ctx, dispute, rerate_note(old.value, new.value, why))
            touch(ctx, dispute)
            ctx.event(
                "rerate_risk",
                dispute,
                before=before,
                after={
                    "risk": new.value,
                    "due_at": due,
                    "review_due_on": dispute.review_due_on,
                    "note": why,
                    "review_trigger": ReviewTrigger.RISK_RAISED.value if raised else None,
                    "next_sync_due": sync_due,
                },
            )

        self.on_dispute(Action.RERATE_RISK, ref, body, expected_version, at, risk=risk, note=note)
