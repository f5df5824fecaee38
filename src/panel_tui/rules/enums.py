"""The closed vocabularies of the domain (DOMAIN.md): types, risks, stages, states."""

from __future__ import annotations

from enum import IntEnum, StrEnum


class DisputeType(StrEnum):
    """What the agencies disagree about."""

    ELIGIBILITY = "eligibility"  # eligibility or program fit
    FUNDING = "funding"  # who pays
    SAFEGUARDING = "safeguarding"  # whether a safeguarding threshold is met
    CAPACITY = "capacity"  # who has capacity to serve


class Risk(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def rank(self) -> int:
        """0 is the most severe, for sorting."""
        return list(Risk).index(self)


class Stage(IntEnum):
    """The escalation ladder; each rung has a named authority."""

    FRONTLINE = 0
    SUPERVISOR = 1
    PANEL = 2
    FINAL_AUTHORITY = 3
    COMMISSIONER_LIAISON = 4

    @property
    def label(self) -> str:
        return STAGE_LABELS[self]


STAGE_LABELS = {
    Stage.FRONTLINE: "frontline",
    Stage.SUPERVISOR: "supervisor",
    Stage.PANEL: "panel",
    Stage.FINAL_AUTHORITY: "final authority",
    Stage.COMMISSIONER_LIAISON: "commissioner liaison",
}


class Status(StrEnum):
    OPEN = "open"  # on the ladder, no decision yet
    DECIDED = "decided"  # decision recorded, awaiting the receiving team's acceptance
    CLOSED = "closed"  # acceptance confirmed with a start plan
    WITHDRAWN = "withdrawn"  # withdrawn with a reason

    @property
    def is_live(self) -> bool:
        return self in (Status.OPEN, Status.DECIDED)


class ClockState(StrEnum):
    ON_TRACK = "on_track"
    WARNING = "warning"
    BREACHED = "breached"
    MET = "met"  # the stage ended before its due time
    NONE = "none"  # no window for this stage (commissioner liaison) or not reached


class Action(StrEnum):
    """Actions of the decision-rights map."""

    OPEN = "open"
    EDIT_FORM = "edit_form"
    RECORD_EVIDENCE = "record_evidence"
    ESCALATE = "escalate"
    ASSIGN_COVER = "assign_cover"
    AUTHORISE_PROVISIONAL = "authorise_provisional"
    LOG_CONTACT = "log_contact"
    RECORD_DECISION = "record_decision"
    FINAL_DETERMINATION = "final_determination"
    CONFIRM_ACCEPTANCE = "confirm_acceptance"
    WITHDRAW = "withdraw"
    ASSIGN_PLAN_HOLDER = "assign_plan_holder"
    RECORD_SYNC = "record_sync"
    ADD_NOTE = "add_note"
    ADMINISTER = "administer"
    RECORD_PATHWAY = "record_pathway"
    REVIEW_TRIGGER = "review_trigger"
    RERATE_RISK = "rerate_risk"
    RECORD_REVIEW = "record_review"


class Outcome(StrEnum):
    """What a decision says."""

    ASSIGNED = "assigned"  # one agency takes responsibility
    JOINT = "joint"  # agencies share responsibility under a joint plan
    NOT_UPHELD = "not_upheld"  # the dispute is not upheld; current arrangement stands
    NO_AGREEMENT = "no_agreement"  # the panel could not agree: escalate

    @property
    def resolves(self) -> bool:
        return self is not Outcome.NO_AGREEMENT


class EvidenceKey(StrEnum):
    """The minimum evidence set of DOMAIN.md."""

    CONTACT_HISTORY = "contact_history"
    RISK_SCREEN = "risk_screen"
    SERVICE_PLAN = "service_plan"
    ENGAGEMENT_ATTEMPTS = "engagement_attempts"

    @property
    def label(self) -> str:
        return EVIDENCE_LABELS[self]


EVIDENCE_LABELS = {
    EvidenceKey.CONTACT_HISTORY: "Recent contact history",
    EvidenceKey.RISK_SCREEN: "Risk screen outcome",
    EvidenceKey.SERVICE_PLAN: "Current service plan summary",
    EvidenceKey.ENGAGEMENT_ATTEMPTS: "Documented attempts to engage",
}


class ContactOutcome(StrEnum):
    REACHED = "reached"
    NO_ANSWER = "no_answer"
    LEFT_MESSAGE = "left_message"
    DECLINED = "declined"
    UNSAFE = "unsafe"  # contact raised an immediate safety concern


#: How a contact attempt on a provisional package can be made.
CONTACT_METHODS = ("phone", "visit", "text", "email", "letter", "video")


class SyncTrigger(StrEnum):
    """What makes the plan holder convene a case synchronisation ([Disputes], example 3)."""

    MISSED_VISITS = "missed_visits"
    MEDICATION = "medication"  # medication non-adherence risk
    HOUSING = "housing"  # housing disruption
    BEHAVIOUR = "behaviour"  # escalating behaviours
    INCIDENT = "incident"  # a crisis contact or critical incident
    SCHEDULED = "scheduled"  # the next synchronisation fell due


class PackageStatus(StrEnum):
    ACTIVE = "active"
    CONVERTED = "converted"  # person moved into the funded pathway
    ESCALATED = "escalated"  # deadline reached, dispute escalated with evidence
    ENDED = "ended"  # dispute closed or withdrawn otherwise


#: How a package whose status is still "active" reads once its hard deadline has
#: passed (rules/reviews.py ``package_state``): shown, never stored.
PACKAGE_EXPIRED = "expired"


class ReviewTrigger(StrEnum):
    """What brings a dispute's review forward (the decision-rights map's triggers)."""

    RISK_RAISED = "risk_raised"
    SERVICES_REFUSED = "services_refused"
    CRITICAL_INCIDENT = "critical_incident"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")
