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
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, literal, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql import ColumnElement

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
    InterimCover,
    ProvisionalPackage,
    StageRecord,
)
from panel_tui.store.read.orm_detail import dispute_detail
from panel_tui.store.read.report.model import (
    AgencyPair,
    Count,
    DayCount,
    OversightReport,
    Provisional,
    Rate,
    Repeats,
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
        *[(Dispute.risk == k, w.total_seconds()) for k, w in windows.items() if w],
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
    d = Dispute
    in_period = and_(d.opened_at >= start, d.opened_at < end)
    at_ = _at(at)
    with store.read() as s:
        opened = s.execute(select(func.count()).select_from(d).where(in_period)).scalar_one()

        def counts(column: Any) -> tuple[Count, ...]:
            rows = s.execute(
                select(column, func.count()).where(in_period).group_by(column).order_by(column)
            ).all()
            return tuple(Count(str(k), int(n)) for k, n in rows)

        by_type, by_risk, by_status = counts(d.dispute_type), counts(d.risk), counts(d.status)

        raising, responding = aliased(Agency), aliased(Agency)
        pairs = s.execute(
            select(raising.code, responding.code, func.count())
            .select_from(d)
            .join(raising, raising.id == d.raising_agency_id)
            .join(
                DisputeAgency,
                and_(DisputeAgency.dispute_id == d.id, DisputeAgency.party == "responding"),
            )
            .join(responding, responding.id == DisputeAgency.agency_id)
            .where(in_period)
            .group_by(raising.code, responding.code)
        ).all()
        by_pair = tuple(
            AgencyPair(r, p, int(n)) for r, p, n in sorted(pairs, key=lambda x: (-x[2], x[0], x[1]))
        )

        # Stalled: from the first window's due time to resolution (or ``at``).
        until = case(
            (and_(d.resolved_at.is_not(None), d.resolved_at <= at_), d.resolved_at), else_=at_
        )
        lost = _seconds(store, until, d.opened_at) - _first_window_seconds(policy)
        stalled_s = [float(v) for (v,) in s.execute(select(lost).where(in_period, lost > 0))]

        accepted_s = [
            float(v)
            for (v,) in s.execute(
                select(_seconds(store, Acceptance.at, d.opened_at))
                .select_from(d)
                .join(Acceptance, Acceptance.dispute_id == d.id)
                .where(in_period, Acceptance.at <= at_)
            )
        ]

        sr = StageRecord
        left = case((and_(sr.left_at.is_not(None), sr.left_at <= at_), sr.left_at), else_=at_)
        breached = and_(sr.due_at.is_not(None), sr.due_at <= left)
        stage_rows = {
            int(stage): (int(reached), int(n or 0))
            for stage, reached, n in s.execute(
                select(sr.stage, func.count(), func.sum(case((breached, 1), else_=0)))
                .select_from(sr)
                .join(d, d.id == sr.dispute_id)
                .where(in_period, sr.entered_at <= at_)
                .group_by(sr.stage)
            )
        }

        covered = s.execute(
            select(func.count(func.distinct(InterimCover.dispute_id)))
            .select_from(InterimCover)
            .join(d, d.id == InterimCover.dispute_id)
            .where(in_period, InterimCover.assigned_at <= at_)
        ).scalar_one()

        pk = ProvisionalPackage
        package_counts = dict(
            s.execute(
                select(pk.status, func.count())
                .select_from(pk)
                .join(d, d.id == pk.dispute_id)
                .where(in_period, pk.starts_at <= at_)
                .group_by(pk.status)
            ).all()
        )

        people = select(d.person_ref).where(in_period).distinct().scalar_subquery()
        repeat_rows = s.execute(
            select(d.person_ref, func.count())
            .where(d.person_ref.in_(people))
            .group_by(d.person_ref)
            .having(func.count() > 1)
        ).all()

        theme_rows = s.execute(
            select(func.lower(func.trim(d.rule_conflict)), func.count())
            .where(in_period)
            .group_by(func.lower(func.trim(d.rule_conflict)))
        ).all()

        opened_days = dict(
            s.execute(
                select(func.date(d.opened_at), func.count())
                .where(in_period)
                .group_by(func.date(d.opened_at))
            ).all()
        )
        resolved_days = dict(
            s.execute(
                select(func.date(d.resolved_at), func.count())
                .where(d.resolved_at >= start, d.resolved_at < end, d.resolved_at <= at_)
                .group_by(func.date(d.resolved_at))
            ).all()
        )

        resolved_ids = list(
            s.execute(
                select(d.id)
                .where(
                    in_period,
                    d.status.in_((Status.CLOSED.value, Status.WITHDRAWN.value)),
                    d.resolved_at <= at_,
                )
                .order_by(d.id)
            ).scalars()
        )
        picked = sorted(
            random.Random(seed).sample(resolved_ids, min(sample_size, len(resolved_ids)))
        )
        sample_refs = (
            list(s.execute(select(d.ref).where(d.id.in_(picked)).order_by(d.id)).scalars())
            if picked
            else []
        )

    themes: Counter[str] = Counter()
    for text, n in theme_rows:
        themes[normalise_theme(text or "")] += int(n)
    repeats_sorted = sorted(repeat_rows, key=lambda r: (-r[1], r[0]))
    return OversightReport(
        start=start,
        end=end,
        at=at,
        opened=int(opened),
        by_type=by_type,
        by_agency_pair=by_pair,
        by_risk=by_risk,
        by_status=by_status,
        stalled=Stalled(
            count=len(stalled_s),
            total_days=sum(stalled_s) / DAY,
            median_days=statistics.median(stalled_s) / DAY if stalled_s else None,
            max_days=max(stalled_s) / DAY if stalled_s else None,
        ),
        time_to_acceptance=TimeToAcceptance(
            count=len(accepted_s),
            median_hours=statistics.median(accepted_s) / HOUR if accepted_s else None,
            p90_hours=(_percentile(accepted_s, 0.9) or 0.0) / HOUR if accepted_s else None,
        ),
        breaches_by_stage=tuple(
            StageBreaches(int(st), STAGE_LABELS[st], *stage_rows.get(int(st), (0, 0)))
            for st in Stage
            if st is not Stage.COMMISSIONER_LIAISON or int(st) in stage_rows
        ),
        interim_cover=Rate(int(covered), int(opened)),
        provisional=Provisional(
            started=sum(int(n) for n in package_counts.values()),
            converted=int(package_counts.get("converted", 0)),
            escalated=int(package_counts.get("escalated", 0)),
            active=int(package_counts.get("active", 0)),
            ended=int(package_counts.get("ended", 0)),
        ),
        repeats=Repeats(
            people=len(repeat_rows),
            disputes=sum(int(n) for _, n in repeat_rows),
            top=tuple(Count(p, int(n)) for p, n in repeats_sorted[:TOP]),
        ),
        themes=tuple(
            Count(t, n)
            for t, n in sorted(themes.items(), key=lambda x: (-x[1], x[0]))
            if n >= 2 and t
        )[:TOP],
        daily=_days(start, end, opened_days, resolved_days),
        sample_seed=seed,
        audit_sample=tuple(dispute_detail(store, ref, at) for ref in sample_refs),
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
