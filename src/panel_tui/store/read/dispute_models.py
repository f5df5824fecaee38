"""One dispute in full, as plain read models: what screens and commands show.

No SQLModel rows leak out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from panel_tui.rules.clocks import Clock
from panel_tui.rules.enums import PACKAGE_EXPIRED

if TYPE_CHECKING:
    from panel_tui.rules.rights import DisputeFacts


@dataclass(frozen=True)
class StageView:
    stage: int
    label: str
    authority_role: str
    authorities: tuple[str, ...]  # display names of the people holding that role
    entered_at: datetime | None
    due_at: datetime | None
    left_at: datetime | None
    clock: Clock | None  # None: not reached
    breach_reason: str | None = None  # why this rung breached, given when it was left
    note: str | None = None  # the escalation note given on entering this rung
    entered_by: str | None = None
    impact: str | None = None  # the impact on the person, given on entering this rung


@dataclass(frozen=True)
class EvidenceView:
    key: str
    label: str
    present: bool | None  # None: never stated
    note: str
    updated_by: str | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True)
class CoverView:
    provider: str
    provider_name: str
    support_level: str
    starts_at: datetime
    review_at: datetime | None
    assigned_by: str
    active: bool


@dataclass(frozen=True)
class ContactView:
    at: datetime
    method: str
    outcome: str
    note: str
    by: str


@dataclass(frozen=True)
class PackageView:
    id: int
    coordinator: str
    actions: str
    starts_at: datetime
    ends_at: datetime
    #: as shown: "expired" once past its hard deadline with no next step taken
    #: (rules/reviews.py), else as stored (active, converted, escalated, ended)
    status: str
    authorised_by: str
    contacts: list[ContactView] = field(default_factory=list)
    #: the funded pathway it converted to, and when its status left "active"
    pathway: str = ""
    closed_at: datetime | None = None

    @property
    def expired(self) -> bool:
        return self.status == PACKAGE_EXPIRED


@dataclass(frozen=True)
class DecisionView:
    id: int
    kind: str
    outcome: str
    receiving_agency: str | None
    pathway: str
    rationale: str
    decided_by: str
    decided_by_login: str
    capacity: str
    stage: int
    review_date: date
    decided_at: datetime


@dataclass(frozen=True)
class AcceptanceView:
    accepted_by: str
    start_plan: str
    start_date: date
    at: datetime


@dataclass(frozen=True)
class NoteView:
    by: str
    at: datetime
    text: str


@dataclass(frozen=True)
class PlanView:
    """Who holds the plan, for what period, and when the next case synchronisation is due."""

    holder: str
    holder_login: str
    since: datetime
    period_ends: datetime | None
    next_sync_due: datetime | None
    #: live, and the next synchronisation's due time has come: "sync due"
    sync_overdue: bool
    #: live, and the holding period has ended: nobody has re-confirmed who holds the
    #: plan (responsibilities are re-confirmed, not assumed [Coordination])
    period_over: bool = False


@dataclass(frozen=True)
class SyncView:
    held_at: datetime
    trigger: str
    participants: str
    outcome: str
    next_due: datetime | None
    recorded_by: str


@dataclass(frozen=True)
class ConsentView:
    """The current scope of consent to share: the agencies, the purpose, the review date."""

    agencies: tuple[str, ...]
    purpose: str
    review_date: date
    recorded_by: str
    recorded_at: datetime
    #: the review date has come (consent should be confirmed again before sharing)
    review_due: bool


@dataclass(frozen=True)
class EventView:
    id: int
    at: datetime
    actor: str
    action: str
    stage: int | None
    #: What the event recorded, as the JSON objects it holds (not their text).
    before: dict[str, Any]
    after: dict[str, Any]
    #: The OS login that really acted, where an identity override claimed ``actor``.
    real_actor: str | None = None

    @property
    def who(self) -> str:
        """``actor``, and the real login beside it when they differ."""
        return f"{self.actor} (by {self.real_actor})" if self.real_actor else self.actor


@dataclass(frozen=True)
class DisputeDetail:
    id: int
    ref: str
    version: int
    person_ref: str
    dispute_type: str
    risk: str
    status: str
    stage: int
    raising_agency: str
    responding_agencies: tuple[str, ...]
    opened_at: datetime
    opened_by: str
    resolved_at: datetime | None
    withdrawn_reason: str | None
    plan_holder: str | None
    plan_holder_login: str | None
    consent_basis: str
    problem_statement: str
    proposed_pathway: str
    rule_conflict: str
    evidence_summary: str
    interim_risk_actions: str
    requested_decision: str
    clock: Clock
    liaison_triggered: bool
    stalled: timedelta
    at: datetime
    stages: list[StageView]
    evidence: list[EvidenceView]
    covers: list[CoverView]
    packages: list[PackageView]
    decisions: list[DecisionView]
    acceptance: AcceptanceView | None
    notes: list[NoteView]
    events: list[EventView]
    #: the next review's date, and whether it has come (today or before)
    review_due_on: date | None = None
    review_due: bool = False

    @property
    def next_step(self) -> str | None:
        """What an expired package demands now, in words; None if nothing is demanded."""
        package = self.active_package
        if package is None or not package.expired:
            return None
        return (
            "the provisional package expired: record the funded pathway the person moved "
            "to, or escalate with evidence"
        )

    plan: PlanView | None = None
    syncs: list[SyncView] = field(default_factory=list)
    consent: ConsentView | None = None

    @property
    def active_cover(self) -> CoverView | None:
        return next((c for c in self.covers if c.active), None)

    @property
    def active_package(self) -> PackageView | None:
        # An expired package is still the active one: its next step is due.
        return next((p for p in self.packages if p.status in ("active", PACKAGE_EXPIRED)), None)

    def facts(self) -> DisputeFacts:
        """What the decision rights depend on (rules/rights.py ``may``), as read."""
        from panel_tui.rules.rights import DisputeFacts

        awaiting = self.decisions[-1] if self.status == "decided" and self.decisions else None
        return DisputeFacts(
            ref=self.ref,
            dispute_type=self.dispute_type,
            status=self.status,
            stage=self.stage,
            receiving_agency=awaiting.receiving_agency if awaiting else None,
            liaison=self.liaison_triggered,
            active_package=self.active_package is not None,
            package_expired=self.active_package is not None and self.active_package.expired,
        )
