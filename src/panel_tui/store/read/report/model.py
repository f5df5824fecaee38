"""The oversight report as plain data: the frozen dataclasses it is made of.

``measures`` fills an ``OversightReport`` from the store and ``render`` turns
one into markdown, CSV or JSON; screens and the CLI read these dataclasses and
never a SQLModel row. Keeping them apart lets a view import the shape of the
report without pulling in the SQL that computes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from panel_tui.store.read.dispute_models import DisputeDetail


@dataclass(frozen=True)
class Count:
    key: str
    count: int


@dataclass(frozen=True)
class AgencyPair:
    raising: str
    responding: str
    count: int


@dataclass(frozen=True)
class Stalled:
    """Time lost past the first (frontline) window, by dispute with any lost."""

    count: int
    total_days: float
    median_days: float | None
    max_days: float | None


@dataclass(frozen=True)
class TimeToAcceptance:
    """opened → acceptance confirmed, for disputes accepted by ``at``."""

    count: int
    median_hours: float | None
    p90_hours: float | None


@dataclass(frozen=True)
class StageBreaches:
    stage: int
    label: str
    reached: int
    breached: int


@dataclass(frozen=True)
class Rate:
    yes: int
    total: int

    @property
    def rate(self) -> float | None:
        return self.yes / self.total if self.total else None


@dataclass(frozen=True)
class Provisional:
    started: int
    converted: int
    escalated: int
    active: int  # still running at ``at``
    ended: int
    #: past their hard deadline at ``at`` with no funded pathway and no escalation since
    expired: int = 0

    @property
    def conversion_rate(self) -> float | None:
        return self.converted / self.started if self.started else None


@dataclass(frozen=True)
class Liaison:
    """Disputes referred to commissioner liaison (stage 4) by ``at``, and those still with it
    (their liaison stage not yet left by a decision, acceptance or withdrawal)."""

    referred: int
    waiting: int


@dataclass(frozen=True)
class Exceptions:
    """The cohort's live disputes an executive's weekly exception review looks for
    [Leadership]: minimum information still missing (an evidence item absent), and
    nobody named to hold the plan (unclear responsibility)."""

    missing_evidence: int = 0
    no_plan_holder: int = 0


@dataclass(frozen=True)
class Reviews:
    """The cohort's reviews: due at ``at`` (today or before), and what brought them on."""

    due: int = 0
    triggers: int = 0  # review triggers recorded by ``at``
    rerated: int = 0  # risk re-ratings recorded by ``at``
    reviewed: int = 0  # reviews recorded by ``at``


@dataclass(frozen=True)
class Repeats:
    """People with more than one dispute ever, among the period's people."""

    people: int
    disputes: int
    top: tuple[Count, ...]


@dataclass(frozen=True)
class DayCount:
    day: date  # a UTC day
    opened: int
    resolved: int


@dataclass(frozen=True)
class OversightReport:
    start: datetime
    end: datetime
    at: datetime
    opened: int
    by_type: tuple[Count, ...]
    by_agency_pair: tuple[AgencyPair, ...]
    by_risk: tuple[Count, ...]
    by_status: tuple[Count, ...]
    stalled: Stalled
    time_to_acceptance: TimeToAcceptance
    breaches_by_stage: tuple[StageBreaches, ...]
    interim_cover: Rate
    provisional: Provisional
    liaison: Liaison
    repeats: Repeats
    themes: tuple[Count, ...]
    daily: tuple[DayCount, ...]
    sample_seed: int
    audit_sample: tuple[DisputeDetail, ...]
    reviews: Reviews = Reviews()
    exceptions: Exceptions = Exceptions()
