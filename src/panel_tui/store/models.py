"""SQLModel tables of the ledger. Rows stay in store/: screens get read models.

Mutable rows carry a ``version`` used by SQLAlchemy's ``version_id_col``, so an
UPDATE of a row that changed under us fails instead of overwriting it.
Events are append-only and hash-chained (see audit.py).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Protocol

from sqlalchemy import Column, Index, Integer, Table, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from panel_tui.store.constants import DONE_WHERE, LIVE_WHERE
from panel_tui.store.types import UTCDateTime


class _Stored(Protocol):
    @property
    def id(self) -> int | None: ...


def row_id(row: _Stored) -> int:
    """The primary key of a row already in the store (added and flushed).

    A row not yet flushed has no id; passing its None on as a foreign key would
    fail only later, at the NOT NULL constraint, far from the mistake.
    """
    if row.id is None:
        raise RuntimeError(f"{type(row).__name__} has no id yet: flush it first")
    return row.id


def table_of(model: type[SQLModel]) -> Table:
    """The Core table behind a table model, for reading rows without building objects."""
    return model.__table__  # type: ignore[attr-defined]  # SQLModel sets it, undeclared


def _version() -> Column[int]:
    return Column("version", Integer, nullable=False)


def _when(nullable: bool = False, index: bool = False) -> Column[datetime]:
    return Column(UTCDateTime(), nullable=nullable, index=index)


class Setting(SQLModel, table=True):
    """Store-wide settings: the policy text, the store kind, reference counters."""

    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(sa_column=Column(Text, nullable=False))


_agency_v = _version()


class Agency(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=16, unique=True)
    name: str = Field(max_length=200)
    kind: str = Field(default="", max_length=64)
    version: int = Field(default=1, sa_column=_agency_v)
    __mapper_args__ = {"version_id_col": _agency_v}


_person_v = _version()


class Person(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    login: str = Field(max_length=64, unique=True)
    display_name: str = Field(max_length=200)
    agency_id: int | None = Field(default=None, foreign_key="agency.id")
    #: space-separated role names (see rules.policy.KNOWN_ROLES)
    roles: str = Field(default="", max_length=400)
    active: bool = True
    version: int = Field(default=1, sa_column=_person_v)
    __mapper_args__ = {"version_id_col": _person_v}

    @property
    def role_list(self) -> tuple[str, ...]:
        return tuple(self.roles.split())


_dispute_v = _version()


class Dispute(SQLModel, table=True):
    __table_args__ = (
        # The queue: live disputes by urgency (due time ascending = breached first).
        Index("ix_dispute_status_due", "status", "current_due_at"),
        Index("ix_dispute_type_status", "dispute_type", "status"),
        Index("ix_dispute_risk_status", "risk", "status"),
        Index("ix_dispute_stage_status", "current_stage", "status"),
        # The Closed section and resolution reports (migration 0003).
        Index("ix_dispute_resolved", "resolved_at"),
        # The Reviews due section (migration 0008).
        Index("ix_dispute_review_due", "review_due_on"),
        # Each section's order, for just the rows it reads (migration 0009): a page
        # anywhere in the list is a walk along one of these, never a sort. The live one
        # also holds what Mine and the narrowing filters test (migration 0013), so rows
        # before a deep page are skipped from the index alone.
        Index(
            "ix_dispute_live_order",
            text("(current_due_at IS NULL)"),
            "current_due_at",
            "id",
            "plan_holder_id",
            "opened_by_id",
            "current_stage",
            "risk",
            "dispute_type",
            sqlite_where=text(LIVE_WHERE),
            postgresql_where=text(LIVE_WHERE),
        ),
        Index(
            "ix_dispute_closed_order",
            "resolved_at",
            "id",
            sqlite_where=text(DONE_WHERE),
            postgresql_where=text(DONE_WHERE),
        ),
        # Mine: disputes a person holds the plan of or opened.
        Index("ix_dispute_plan_holder", "plan_holder_id"),
        Index("ix_dispute_opened_by", "opened_by_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(max_length=20, unique=True)
    person_ref: str = Field(max_length=32, index=True)
    dispute_type: str = Field(max_length=20)
    risk: str = Field(max_length=10)
    raising_agency_id: int = Field(foreign_key="agency.id")
    #: "RAISING→RESP1,RESP2": denormalised for the queue's agencies column and text filter
    agencies_label: str = Field(default="", max_length=200)
    status: str = Field(max_length=12)
    current_stage: int = 0
    stage_entered_at: datetime = Field(sa_column=_when())
    current_due_at: datetime | None = Field(default=None, sa_column=_when(nullable=True))
    opened_at: datetime = Field(sa_column=_when(index=True))
    resolved_at: datetime | None = Field(default=None, sa_column=_when(nullable=True))
    opened_by_id: int = Field(foreign_key="person.id")
    plan_holder_id: int | None = Field(default=None, foreign_key="person.id")
    consent_basis: str = Field(max_length=200)
    problem_statement: str = Field(sa_column=Column(Text, nullable=False))
    proposed_pathway: str = Field(sa_column=Column(Text, nullable=False))
    rule_conflict: str = Field(sa_column=Column(Text, nullable=False))
    evidence_summary: str = Field(sa_column=Column(Text, nullable=False))
    interim_risk_actions: str = Field(sa_column=Column(Text, nullable=False))
    requested_decision: str = Field(sa_column=Column(Text, nullable=False))
    withdrawn_reason: str | None = Field(default=None, max_length=1000)
    #: the next review's date (rules/reviews.py): decisions, cover and triggers set it
    review_due_on: date | None = Field(default=None)
    version: int = Field(default=1, sa_column=_dispute_v)
    __mapper_args__ = {"version_id_col": _dispute_v}


class DisputeAgency(SQLModel, table=True):
    """Agencies party to a dispute: one raising, one or more responding."""

    __table_args__ = (Index("ix_dispute_agency_agency", "agency_id", "dispute_id"),)

    dispute_id: int = Field(foreign_key="dispute.id", primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", primary_key=True)
    party: str = Field(max_length=12)  # "raising" | "responding"


_evidence_v = _version()


class EvidenceItem(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("dispute_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    dispute_id: int = Field(foreign_key="dispute.id", index=True)
    key: str = Field(max_length=32)
    present: bool = False
    note: str = Field(default="", max_length=1000)
    updated_at: datetime = Field(sa_column=_when())
    updated_by_id: int = Field(foreign_key="person.id")
    version: int = Field(default=1, sa_column=_evidence_v)
    __mapper_args__ = {"version_id_col": _evidence_v}


class StageRecord(SQLModel, table=True):
    """One rung of the ladder as this dispute climbed it."""

    __table_args__ = (UniqueConstraint("dispute_id", "stage"),)

    id: int | None = Field(default=None, primary_key=True)
    dispute_id: int = Field(foreign_key="dispute.id", index=True)
    stage: int
    entered_at: datetime = Field(sa_column=_when())
    due_at: datetime | None = Field(default=None, sa_column=_when(nullable=True))
    left_at: datetime | None = Field(default=None, sa_column=_when(nullable=True))
    entered_by_id: int = Field(foreign_key="person.id")
    #: why the previous stage breached, when it did
    breach_reason: str | None = Field(default=None, max_length=1000)
    escalation_note: str | None = Field(default=None, max_length=1000)
    #: the impact on the person of the delay that led here (migration 0011; required at
    #: an escalation since, None on the first rung and on rungs climbed before it)
    impact: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


_cover_v = _version()


class InterimCover(SQLModel, table=True):
    """Service-first: who delivers what minimum support while the dispute runs."""

    id: int | None = Field(default=None, primary_key=True)
    dispute_id: int = Field(foreign_key="dispute.id", index=True)
    provider_agency_id: int = Field(foreign_key="agency.id")
    support_level: str = Field(max_length=1000)
    starts_at: datetime = Field(sa_column=_when())
    review_at: datetime | None = Field(default=None, sa_column=_when(nullable=True))
    assigned_by_id: int = Field(foreign_key="person.id")
    assigned_at: datetime = Field(sa_column=_when())
    active: bool = True
    version: int = Field(default=1, sa_column=_cover_v)
    __mapper_args__ = {"version_id_col": _cover_v}


_package_v = _version()


class ProvisionalPackage(SQLModel, table=True):
    """A 7–14 day safety bridge with a named coordinator and a hard deadline."""

    __table_args__ = (Index("ix_package_status_ends", "status", "ends_at"),)

    id: int | None = Field(default=None, primary_key=True)
    dispute_id: int = Field(foreign_key="dispute.id", index=True)
    coordinator_id: int = Field(foreign_key="person.id")
    actions: str = Field(max_length=2000)
    starts_at: datetime = Field(sa_column=_when())
    ends_at: datetime = Field(sa_column=_when())
    status: str = Field(default="active", max_length=12)
    authorised_by_id: int = Field(foreign_key="person.id")
    authorised_at: datetime = Field(sa_column=_when())
    version: int = Field(default=1, sa_column=_package_v)
    #: when its status left "active", and the funded pathway it converted to (0008)
    closed_at: datetime | None = Field(default=None, sa_column=_when(nullable=True))
    pathway: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    __mapper_args__ = {"version_id_col": _package_v}


class ContactAttempt(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    package_id: int = Field(foreign_key="provisionalpackage.id", index=True)
    at: datetime = Field(sa_column=_when())
    method: str = Field(max_length=32)
    outcome: str = Field(max_length=16)
    note: str = Field(default="", max_length=1000)
    by_id: int = Field(foreign_key="person.id")


class Decision(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    dispute_id: int = Field(foreign_key="dispute.id", index=True)
    kind: str = Field(max_length=12)  # "decision" | "final"
    outcome: str = Field(max_length=16)
    receiving_agency_id: int | None = Field(default=None, foreign_key="agency.id")
    pathway: str = Field(default="", max_length=400)
    rationale: str = Field(sa_column=Column(Text, nullable=False))
    decided_by_id: int = Field(foreign_key="person.id")
    capacity: str = Field(max_length=64)  # the role the decider acted in
    stage: int
    review_date: date
    decided_at: datetime = Field(sa_column=_when())


class Acceptance(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    dispute_id: int = Field(foreign_key="dispute.id", index=True)
    decision_id: int = Field(foreign_key="decision.id")
    accepted_by_id: int = Field(foreign_key="person.id")
    start_plan: str = Field(sa_column=Column(Text, nullable=False))
    start_date: date
    at: datetime = Field(sa_column=_when())


class PlanHolderAssignment(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    dispute_id: int = Field(foreign_key="dispute.id", index=True)
    person_id: int = Field(foreign_key="person.id")
    assigned_by_id: int = Field(foreign_key="person.id")
    from_at: datetime = Field(sa_column=_when())
    until_at: datetime | None = Field(default=None, sa_column=_when(nullable=True))
    #: the period the plan is held for, and when the next case synchronisation is due
    #: (migration 0011; None on assignments made before it)
    period_ends: datetime | None = Field(default=None, sa_column=_when(nullable=True))
    next_sync_due: datetime | None = Field(default=None, sa_column=_when(nullable=True))


class CaseSync(SQLModel, table=True):
    """A case synchronisation the plan holder convened on a trigger (migration 0011)."""

    id: int | None = Field(default=None, primary_key=True)
    dispute_id: int = Field(foreign_key="dispute.id", index=True)
    held_at: datetime = Field(sa_column=_when())
    trigger: str = Field(max_length=32)
    #: who took part: one line, as typed (names and agencies)
    participants: str = Field(max_length=200)
    outcome: str = Field(sa_column=Column(Text, nullable=False))
    next_due: datetime | None = Field(default=None, sa_column=_when(nullable=True))
    recorded_by_id: int = Field(foreign_key="person.id")
    recorded_at: datetime = Field(sa_column=_when())


class ConsentScope(SQLModel, table=True):
    """The scope of consent to share (migration 0011): which agencies, for what, until
    when it is reviewed. The newest row of a dispute is its current scope."""

    id: int | None = Field(default=None, primary_key=True)
    dispute_id: int = Field(foreign_key="dispute.id", index=True)
    #: agency codes, space-separated
    agencies: str = Field(max_length=200)
    purpose: str = Field(max_length=200)
    review_date: date
    recorded_by_id: int = Field(foreign_key="person.id")
    recorded_at: datetime = Field(sa_column=_when())


class Note(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    dispute_id: int = Field(foreign_key="dispute.id", index=True)
    by_id: int = Field(foreign_key="person.id")
    at: datetime = Field(sa_column=_when())
    text: str = Field(sa_column=Column(Text, nullable=False))


class Event(SQLModel, table=True):
    """The audit trail. Append-only (triggers refuse UPDATE/DELETE), hash-chained."""

    #: "What changed since TIME" (shift start, handover) walks events by time (0005);
    #: its counts and lists per action read (action, at) (0010).
    __table_args__ = (Index("ix_event_at", "at"), Index("ix_event_action_at", "action", "at"))

    id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    at: datetime = Field(sa_column=_when())
    actor: str = Field(max_length=64)
    action: str = Field(max_length=40)
    dispute_id: int | None = Field(default=None, index=True)
    dispute_ref: str | None = Field(default=None, max_length=20)
    stage: int | None = None
    before: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    after: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)
    #: The rows the event's operation wrote (store/rebuild): what verify rebuilds the tables
    #: from. Last, as migration 0004 added it.
    rows: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    #: The OS login of whoever acted when that was not ``actor`` (an identity override on a
    #: demo or test store): NULL when they are the same. Last, as migration 0006 added it.
    real_actor: str | None = Field(default=None, max_length=64)


class PanelAgendaItem(SQLModel, table=True):
    """A dispute placed on a panel's agenda by hand, or moved in its order.

    Disputes at the panel stage join the agenda on their own; a row here puts
    another dispute on it, or fixes where one sits.
    """

    __table_args__ = (UniqueConstraint("panel_date", "dispute_id", name="uq_agenda_date_dispute"),)

    id: int | None = Field(default=None, primary_key=True)
    panel_date: date = Field(index=True)
    dispute_id: int = Field(foreign_key="dispute.id", index=True)
    position: int
    picked: bool = True  # added by hand (False: an automatic entry whose order was fixed)
    added_by_id: int = Field(foreign_key="person.id")
    added_at: datetime = Field(sa_column=_when())


class SeenMark(SQLModel, table=True):
    """Where a person last looked (shift start): the newest event they marked seen.

    Under the chain like every record (migration 0005): marking seen is an audited
    event, because "the duty lead was shown the breach at 07:02" is part of the record.
    """

    login: str = Field(primary_key=True, max_length=64)
    #: The newest event id the person had been shown when they marked it seen.
    event_id: int
    at: datetime = Field(sa_column=_when())


class AlertSent(SQLModel, table=True):
    """One alert to one person: a dispute's clock at warning or breach on one stage.

    The row is the claim, then the proof of sending (``sent_at``): see store/alerts.py
    for why a rerun after a crash neither loses nor repeats an alert.
    """

    __table_args__ = (
        UniqueConstraint("login", "dispute_id", "stage", "state", "due_at", name="uq_alert_once"),
    )

    id: int | None = Field(default=None, primary_key=True)
    login: str = Field(max_length=64)
    dispute_id: int = Field(foreign_key="dispute.id", index=True)
    stage: int
    state: str = Field(max_length=12)  # "warning" | "breached"
    due_at: datetime = Field(sa_column=_when())
    channel: str = Field(max_length=12)  # "email" | "webhook"
    #: Who claimed it: "HOST:PID" of the run, so a rerun on the host knows a dead claim.
    claimed_by: str = Field(max_length=300)
    claimed_at: datetime = Field(sa_column=_when())
    #: The Message-ID (e-mail) or Idempotency-Key (webhook) the digest carries.
    message_id: str = Field(max_length=300)
    sent_at: datetime | None = Field(default=None, sa_column=_when(nullable=True))
