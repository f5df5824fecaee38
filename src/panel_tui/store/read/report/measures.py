"""The oversight measures, aggregated in SQL over the ``opened_at`` index.

``oversight_report`` runs one short read transaction of grouped counts for the
disputes opened in ``[start, end)``, read as they stood at ``at``; only the
stalled and acceptance durations come back as plain numbers, for their median
and percentile. The one dialect-specific piece (seconds between two instants)
comes from ``engine.seconds_between``.
"""

from __future__ import annotations

import random
import re
import statistics
from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql import ColumnElement
from sqlmodel import Session, col

from panel_tui.rules.clocks import utc
from panel_tui.rules.enums import STAGE_LABELS, Risk, Stage, Status
from panel_tui.rules.errors import InvalidInputError
from panel_tui.rules.policy import Policy
from panel_tui.store.db import Store
from panel_tui.store.engine import seconds_between
from panel_tui.store.models import (
    Acceptance,
    Agency,
    Dispute,
    DisputeAgency,
    Event,
    EvidenceItem,
    InterimCover,
    ProvisionalPackage,
    StageRecord,
)
from panel_tui.store.read.orm_detail import dispute_detail
from panel_tui.store.read.queue_models import review_today
from panel_tui.store.read.report.model import (
    AgencyPair,
    Count,
    DayCount,
    Exceptions,
    Liaison,
    OversightReport,
    Provisional,
    Rate,
    Repeats,
    Reviews,
    StageBreaches,
    Stalled,
    TimeToAcceptance,
)
from panel_tui.store.types import UTCDateTime

DAY = 86400.0
HOUR = 3600.0
#: How many people and themes the report lists (the counts cover them all).
TOP = 20


# --- SQL helpers ------------------------------------------------------------------
def _at(moment: datetime) -> ColumnElement[Any]:
    """A bound instant with the column type, so it compares like stored times."""
    return literal(moment, UTCDateTime())


def _seconds(store: Store, later: Any, earlier: Any) -> ColumnElement[float]:
    """later − earlier in seconds; the dialect-specific part lives in engine.py."""
    return seconds_between(store.engine.dialect.name, later, earlier)


def _first_window_seconds(policy: Policy) -> ColumnElement[float]:
    windows = {r.value: policy.window(r, Stage.FRONTLINE) for r in Risk}
    return case(
        *[(col(Dispute.risk) == k, w.total_seconds()) for k, w in windows.items() if w],
        else_=0.0,
    )


def _percentile(values: list[float], fraction: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default)."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def normalise_theme(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


# --- the cohort -------------------------------------------------------------------
@dataclass(frozen=True)
class _Cohort:
    """The disputes opened in ``[start, end)``, read in one session as they stood at ``at``."""

    store: Store
    session: Session
    policy: Policy
    start: datetime
    end: datetime
    at: datetime

    @property
    def in_period(self) -> ColumnElement[bool]:
        return and_(col(Dispute.opened_at) >= self.start, col(Dispute.opened_at) < self.end)

    @property
    def at_(self) -> ColumnElement[Any]:
        return _at(self.at)

    def counts(self, column: Any) -> tuple[Count, ...]:
        """How many disputes of the cohort have each value of ``column``."""
        rows = self.session.execute(
            select(column, func.count()).where(self.in_period).group_by(column).order_by(column)
        ).all()
        return tuple(Count(str(k), int(n)) for k, n in rows)


# --- the measures, one per part of the report ------------------------------------------
def _opened(c: _Cohort) -> int:
    query = select(func.count()).select_from(Dispute).where(c.in_period)
    return int(c.session.execute(query).scalar_one())


def _by_agency_pair(c: _Cohort) -> tuple[AgencyPair, ...]:
    """Raising and responding agency pairs, most disputes first."""
    d = Dispute
    raising, responding = aliased(Agency), aliased(Agency)
    pairs = c.session.execute(
        select(col(raising.code), col(responding.code), func.count())
        .select_from(d)
        .join(raising, col(raising.id) == col(d.raising_agency_id))
        .join(
            DisputeAgency,
            and_(
                col(DisputeAgency.dispute_id) == col(d.id), col(DisputeAgency.party) == "responding"
            ),
        )
        .join(responding, col(responding.id) == col(DisputeAgency.agency_id))
        .where(c.in_period)
        .group_by(raising.code, responding.code)
    ).all()
    return tuple(
        AgencyPair(r, p, int(n)) for r, p, n in sorted(pairs, key=lambda x: (-x[2], x[0], x[1]))
    )


def _stalled(c: _Cohort) -> Stalled:
    """Stalled: from the first window's due time to resolution (or ``at``)."""
    d, at_ = Dispute, c.at_
    until = case(
        (and_(col(d.resolved_at).is_not(None), col(d.resolved_at) <= at_), col(d.resolved_at)),
        else_=at_,
    )
    lost = _seconds(c.store, until, d.opened_at) - _first_window_seconds(c.policy)
    stalled_s = [float(v) for (v,) in c.session.execute(select(lost).where(c.in_period, lost > 0))]
    return Stalled(
        count=len(stalled_s),
        total_days=sum(stalled_s) / DAY,
        median_days=statistics.median(stalled_s) / DAY if stalled_s else None,
        max_days=max(stalled_s) / DAY if stalled_s else None,
    )


def _time_to_acceptance(c: _Cohort) -> TimeToAcceptance:
    """From opening to the receiving agency's acceptance, for those accepted by ``at``."""
    d = Dispute
    accepted_s = [
        float(v)
        for (v,) in c.session.execute(
            select(_seconds(c.store, Acceptance.at, d.opened_at))
            .select_from(d)
            .join(Acceptance, col(Acceptance.dispute_id) == col(d.id))
            .where(c.in_period, Acceptance.at <= c.at_)
        )
    ]
    return TimeToAcceptance(
        count=len(accepted_s),
        median_hours=statistics.median(accepted_s) / HOUR if accepted_s else None,
        p90_hours=(_percentile(accepted_s, 0.9) or 0.0) / HOUR if accepted_s else None,
    )


def _breaches_by_stage(c: _Cohort) -> tuple[StageBreaches, ...]:
    """Per rung: how many disputes reached it by ``at``, and how many breached its window."""
    sr, at_ = StageRecord, c.at_
    left = case(
        (and_(col(sr.left_at).is_not(None), col(sr.left_at) <= at_), col(sr.left_at)), else_=at_
    )
    breached = and_(col(sr.due_at).is_not(None), col(sr.due_at) <= left)
    stage_rows = {
        int(stage): (int(reached), int(n or 0))
        for stage, reached, n in c.session.execute(
            select(col(sr.stage), func.count(), func.sum(case((breached, 1), else_=0)))
            .select_from(sr)
            .join(Dispute, col(Dispute.id) == col(sr.dispute_id))
            .where(c.in_period, sr.entered_at <= at_)
            .group_by(col(sr.stage))
        )
    }
    return tuple(
        StageBreaches(int(st), STAGE_LABELS[st], *stage_rows.get(int(st), (0, 0)))
        for st in Stage
        if st is not Stage.COMMISSIONER_LIAISON or int(st) in stage_rows
    )


def _interim_cover(c: _Cohort, opened: int) -> Rate:
    """How many of the cohort had interim cover by ``at``."""
    covered = c.session.execute(
        select(func.count(func.distinct(InterimCover.dispute_id)))
        .select_from(InterimCover)
        .join(Dispute, col(Dispute.id) == col(InterimCover.dispute_id))
        .where(c.in_period, InterimCover.assigned_at <= c.at_)
    ).scalar_one()
    return Rate(int(covered), opened)


def _provisional(c: _Cohort) -> Provisional:
    """Provisional packages started by ``at``, by their current status."""
    pk = ProvisionalPackage
    package_counts = dict(
        c.session.execute(
            select(col(pk.status), func.count())
            .select_from(pk)
            .join(Dispute, col(Dispute.id) == col(pk.dispute_id))
            .where(c.in_period, pk.starts_at <= c.at_)
            .group_by(pk.status)
        ).all()
    )
    expired = c.session.execute(
        select(func.count())
        .select_from(pk)
        .join(Dispute, col(Dispute.id) == col(pk.dispute_id))
        .where(
            c.in_period,
            col(pk.starts_at) <= c.at_,
            col(pk.status) == "active",
            col(pk.ends_at) <= c.at_,
        )
    ).scalar_one()
    return Provisional(
        started=sum(int(n) for n in package_counts.values()),
        converted=int(package_counts.get("converted", 0)),
        escalated=int(package_counts.get("escalated", 0)),
        active=int(package_counts.get("active", 0)) - int(expired),
        ended=int(package_counts.get("ended", 0)),
        expired=int(expired),
    )


def _reviews(c: _Cohort) -> Reviews:
    """The cohort's reviews due at ``at``, and its triggers, re-ratings and reviews by then."""
    due = c.session.execute(
        select(func.count()).where(
            c.in_period,
            col(Dispute.status) != Status.WITHDRAWN.value,
            col(Dispute.review_due_on) <= review_today(c.at),
        )
    ).scalar_one()
    actions: dict[str, int] = dict(
        c.session.execute(
            select(col(Event.action), func.count())
            .join(Dispute, col(Dispute.id) == col(Event.dispute_id))
            .where(
                c.in_period,
                col(Event.at) <= c.at_,
                col(Event.action).in_(("review_trigger", "rerate_risk", "record_review")),
            )
            .group_by(col(Event.action))
        ).all()
    )
    return Reviews(
        due=int(due),
        triggers=int(actions.get("review_trigger", 0)),
        rerated=int(actions.get("rerate_risk", 0)),
        reviewed=int(actions.get("record_review", 0)),
    )


def _exceptions(c: _Cohort) -> Exceptions:
    """The cohort's live disputes missing minimum information, or without a plan holder."""
    d = Dispute
    live = col(d.status).in_((Status.OPEN.value, Status.DECIDED.value))
    absent = (
        select(col(EvidenceItem.id))
        .where(col(EvidenceItem.dispute_id) == col(d.id), col(EvidenceItem.present).is_(False))
        .exists()
    )
    missing, unheld = c.session.execute(
        select(
            func.sum(case((absent, 1), else_=0)),
            func.sum(case((col(d.plan_holder_id).is_(None), 1), else_=0)),
        ).where(c.in_period, live)
    ).one()
    return Exceptions(missing_evidence=int(missing or 0), no_plan_holder=int(unheld or 0))


def _liaison(c: _Cohort) -> Liaison:
    """The cohort's disputes referred to commissioner liaison by ``at``, and still with it."""
    sr, at_ = StageRecord, c.at_
    still = or_(col(sr.left_at).is_(None), col(sr.left_at) > at_)
    referred, waiting = c.session.execute(
        select(func.count(), func.sum(case((still, 1), else_=0)))
        .select_from(sr)
        .join(Dispute, col(Dispute.id) == col(sr.dispute_id))
        .where(
            c.in_period, col(sr.stage) == int(Stage.COMMISSIONER_LIAISON), col(sr.entered_at) <= at_
        )
    ).one()
    return Liaison(referred=int(referred), waiting=int(waiting or 0))


def _repeats(c: _Cohort) -> Repeats:
    """People of the cohort with more than one dispute ever, most disputes first."""
    d = Dispute
    people = select(col(d.person_ref)).where(c.in_period).distinct().scalar_subquery()
    repeat_rows = c.session.execute(
        select(col(d.person_ref), func.count())
        .where(col(d.person_ref).in_(people))
        .group_by(d.person_ref)
        .having(func.count() > 1)
    ).all()
    repeats_sorted = sorted(repeat_rows, key=lambda r: (-r[1], r[0]))
    return Repeats(
        people=len(repeat_rows),
        disputes=sum(int(n) for _, n in repeat_rows),
        top=tuple(Count(p, int(n)) for p, n in repeats_sorted[:TOP]),
    )


def _themes(c: _Cohort) -> tuple[Count, ...]:
    """Rule conflicts named by two disputes or more (case and spacing ignored)."""
    theme = func.lower(func.trim(Dispute.rule_conflict))
    theme_rows = c.session.execute(
        select(theme, func.count()).where(c.in_period).group_by(theme)
    ).all()
    themes: Counter[str] = Counter()
    for text, n in theme_rows:
        themes[normalise_theme(text or "")] += int(n)
    return tuple(
        Count(t, n) for t, n in sorted(themes.items(), key=lambda x: (-x[1], x[0])) if n >= 2 and t
    )[:TOP]


def _daily(c: _Cohort) -> tuple[DayCount, ...]:
    """Disputes opened (of the cohort) and resolved (any) on each day of the period."""
    d = Dispute
    opened_days = dict(
        c.session.execute(
            select(func.date(d.opened_at), func.count())
            .where(c.in_period)
            .group_by(func.date(d.opened_at))
        ).all()
    )
    resolved_days = dict(
        c.session.execute(
            select(func.date(d.resolved_at), func.count())
            .where(
                col(d.resolved_at) >= c.start,
                col(d.resolved_at) < c.end,
                col(d.resolved_at) <= c.at_,
            )
            .group_by(func.date(d.resolved_at))
        ).all()
    )
    return _days(c.start, c.end, opened_days, resolved_days)


def _audit_sample_refs(c: _Cohort, sample_size: int, seed: int) -> list[str]:
    """A seeded random sample of the cohort's disputes resolved by ``at``, in id order."""
    d = Dispute
    resolved_ids = list(
        c.session.execute(
            select(col(d.id))
            .where(
                c.in_period,
                col(d.status).in_((Status.CLOSED.value, Status.WITHDRAWN.value)),
                d.resolved_at <= c.at_,
            )
            .order_by(col(d.id))
        ).scalars()
    )
    picked = sorted(random.Random(seed).sample(resolved_ids, min(sample_size, len(resolved_ids))))
    if not picked:
        return []
    return list(
        c.session.execute(
            select(col(d.ref)).where(col(d.id).in_(picked)).order_by(col(d.id))
        ).scalars()
    )


# --- the report -------------------------------------------------------------------
def oversight_report(
    store: Store,
    start: datetime,
    end: datetime,
    at: datetime,
    *,
    sample_size: int = 10,
    seed: int = 0,
) -> OversightReport:
    """The oversight measures for disputes opened in ``[start, end)``, as at ``at``."""
    start, end, at = utc(start), utc(end), utc(at)
    if end <= start:
        raise InvalidInputError("the period must end after it starts", field="end")
    policy = store.policy()
    with store.read() as session:
        c = _Cohort(store, session, policy, start, end, at)
        opened = _opened(c)
        report = OversightReport(
            start=start,
            end=end,
            at=at,
            opened=opened,
            by_type=c.counts(Dispute.dispute_type),
            by_agency_pair=_by_agency_pair(c),
            by_risk=c.counts(Dispute.risk),
            by_status=c.counts(Dispute.status),
            stalled=_stalled(c),
            time_to_acceptance=_time_to_acceptance(c),
            breaches_by_stage=_breaches_by_stage(c),
            interim_cover=_interim_cover(c, opened),
            provisional=_provisional(c),
            liaison=_liaison(c),
            repeats=_repeats(c),
            themes=_themes(c),
            daily=_daily(c),
            sample_seed=seed,
            audit_sample=(),
            reviews=_reviews(c),
            exceptions=_exceptions(c),
        )
        sample_refs = _audit_sample_refs(c, sample_size, seed)
    # Each sampled dispute in full, in a read of its own (as before: after this one).
    return replace(
        report, audit_sample=tuple(dispute_detail(store, ref, at) for ref in sample_refs)
    )


def _days(
    start: datetime, end: datetime, opened: dict[Any, int], resolved: dict[Any, int]
) -> tuple[DayCount, ...]:
    """One entry per UTC day of the period, zeros included (for sparklines)."""
    out = []
    day = start.date()
    last = (end - timedelta(microseconds=1)).date()
    while day <= last:
        key = day.isoformat()
        out.append(
            DayCount(
                day,
                int(opened.get(key, opened.get(day, 0))),
                int(resolved.get(key, resolved.get(day, 0))),
            )
        )
        day += timedelta(days=1)
    return tuple(out)
