"""Protecting the person meanwhile: interim cover, provisional support, plan holder, notes."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlmodel import col

from panel_tui.rules import lifecycle
from panel_tui.rules.enums import (
    CONTACT_METHODS,
    Action,
    ContactOutcome,
    Status,
)
from panel_tui.rules.errors import InvalidInputError
from panel_tui.rules.limits import bounded_text
from panel_tui.rules.reviews import earliest, local_date
from panel_tui.store.ledger.base import Context, LedgerBase
from panel_tui.store.ledger.common import (
    active_package,
    aware,
    touch,
)
from panel_tui.store.models import (
    ContactAttempt,
    Dispute,
    InterimCover,
    Note,
    PlanHolderAssignment,
    ProvisionalPackage,
    row_id,
)


class SupportOperations(LedgerBase):
    """Cover, provisional packages and their contacts, plan holders, notes."""

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

        def body(ctx: Context, dispute: Dispute) -> None:
            provider = ctx.agency(provider_agency, "provider_agency")
            if review_at is not None and aware(review_at, "review_at") <= ctx.at:
                raise InvalidInputError("the review time must be in the future", field="review_at")
            previous = (
                ctx.session.execute(
                    select(InterimCover).where(
                        col(InterimCover.dispute_id) == dispute.id,
                        col(InterimCover.active).is_(True),
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
                    dispute_id=row_id(dispute),
                    provider_agency_id=row_id(provider),
                    support_level=level,
                    starts_at=ctx.at,
                    review_at=review_at,
                    assigned_by_id=row_id(ctx.actor),
                    assigned_at=ctx.at,
                )
            )
            review_before = dispute.review_due_on
            if review_at is not None:  # the cover's review brings the dispute's forward
                dispute.review_due_on = earliest(review_before, local_date(review_at))
            touch(ctx, dispute)
            ctx.event(
                "assign_cover",
                dispute,
                before={
                    "covers": [c.provider_agency_id for c in previous],
                    "review_due_on": review_before,
                },
                after={
                    "provider": provider.code,
                    "support_level": level,
                    "review_at": review_at,
                    "review_due_on": dispute.review_due_on,
                },
            )

        self.on_dispute(
            Action.ASSIGN_COVER,
            ref,
            body,
            expected_version,
            at,
            provider_agency=provider_agency,
            support_level=support_level,
            review_at=review_at,
        )

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

        def body(ctx: Context, dispute: Dispute) -> int:
            person = ctx.person(coordinator, "coordinator")
            length = ctx.policy.provisional.max_days if days is None else days  # 0 is refused
            end = ends_at or (ctx.at + timedelta(days=length))
            end = aware(end, "end")
            current = active_package(ctx, dispute)
            lifecycle.check_provisional(
                ctx.policy,
                dispute.ref,
                Status(dispute.status),
                ctx.at,
                end,
                current is not None,
                expired=current is not None and current.ends_at <= ctx.at,
            )
            package = ProvisionalPackage(
                dispute_id=row_id(dispute),
                coordinator_id=row_id(person),
                actions=what,
                starts_at=ctx.at,
                ends_at=end,
                authorised_by_id=row_id(ctx.actor),
                authorised_at=ctx.at,
            )
            ctx.session.add(package)
            touch(ctx, dispute)
            ctx.event(
                "start_provisional",
                dispute,
                after={"coordinator": person.login, "actions": what, "ends_at": end},
            )
            return package.id or 0

        return self.on_dispute(
            Action.AUTHORISE_PROVISIONAL,
            ref,
            body,
            expected_version,
            at,
            coordinator=coordinator,
            actions=actions,
            days=days,
            ends_at=ends_at,
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
        note = bounded_text(note, "note")
        result = lifecycle.one_of(ContactOutcome, outcome, "outcome")

        def body(ctx: Context, dispute: Dispute) -> None:
            package = active_package(ctx, dispute)
            if package is None:
                raise lifecycle.TransitionError(
                    f"{dispute.ref} has no active provisional package to log a contact against.",
                    hint="Start one first (authorise provisional support).",
                )
            ctx.session.add(
                ContactAttempt(
                    package_id=row_id(package),
                    at=ctx.at,
                    method=method,
                    outcome=result.value,
                    note=note.strip(),
                    by_id=row_id(ctx.actor),
                )
            )
            touch(ctx, dispute)
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

        self.on_dispute(
            Action.LOG_CONTACT,
            ref,
            body,
            expected_version,
            at,
            method=method,
            outcome=outcome,
            note=note,
        )

    def assign_plan_holder(
        self,
        ref: str,
        login: str,
        *,
        period_ends: datetime | None = None,
        next_sync: datetime | None = None,
        expected_version: int | None = None,
        at: datetime | None = None,
    ) -> None:
        """``login`` holds the plan from now, for a period (until ``period_ends``), with the
        first case synchronisation due at ``next_sync`` ([Disputes], example 3)."""

        def body(ctx: Context, dispute: Dispute) -> None:
            person = ctx.person(login, "plan_holder")
            ends = aware(period_ends, "period") if period_ends is not None else None
            sync = aware(next_sync, "next_sync") if next_sync is not None else None
            if ends is not None and ends <= ctx.at:
                raise InvalidInputError("the plan-holding period must end later", field="period")
            if sync is not None and sync <= ctx.at:
                raise InvalidInputError(
                    "the next synchronisation must be due later", field="next_sync"
                )
            current = (
                ctx.session.execute(
                    select(PlanHolderAssignment).where(
                        col(PlanHolderAssignment.dispute_id) == dispute.id,
                        col(PlanHolderAssignment.until_at).is_(None),
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
                    dispute_id=row_id(dispute),
                    person_id=row_id(person),
                    assigned_by_id=row_id(ctx.actor),
                    from_at=ctx.at,
                    period_ends=ends,
                    next_sync_due=sync,
                )
            )
            before = {"plan_holder_id": dispute.plan_holder_id}
            dispute.plan_holder_id = person.id
            ctx.session.add(dispute)
            ctx.session.flush()
            ctx.event(
                "assign_plan_holder",
                dispute,
                before=before,
                after={"plan_holder": person.login, "period_ends": ends, "next_sync_due": sync},
            )

        self.on_dispute(
            Action.ASSIGN_PLAN_HOLDER,
            ref,
            body,
            expected_version,
            at,
            login=login,
            period_ends=period_ends,
            next_sync=next_sync,
        )

    def add_note(self, ref: str, text: str, *, at: datetime | None = None) -> None:
        body_text = lifecycle.require_text(text, "text", "The note", minimum=1)

        def body(ctx: Context, dispute: Dispute) -> None:
            ctx.session.add(
                Note(dispute_id=row_id(dispute), by_id=row_id(ctx.actor), at=ctx.at, text=body_text)
            )
            ctx.event("add_note", dispute, after={"text": body_text})

        # Notes never conflict: they add, they do not overwrite.
        self.on_dispute(Action.ADD_NOTE, ref, body, None, at, text=text)
