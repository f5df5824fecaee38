"""The oversight report: DOMAIN.md's "What oversight asks to see", for a period.

The cohort is every dispute *opened* in ``[start, end)``; clocks and outcomes
are read as they stood at the instant ``at`` (stage breaches, stalled time,
acceptances and resolutions after ``at`` do not count). Two measures are not
cohort measures: the daily trend counts disputes resolved on each day of the
period whatever their opening date, and repeat disputes count a person's
disputes ever. Provisional package statuses are their current ones (the store
keeps no status history outside the event log).

Everything is aggregated in SQL over the ``opened_at`` index, so the report
stays fast at 100,000 disputes; only the stalled and acceptance durations come
back as plain numbers for their median and percentile.
"""

from __future__ import annotations

import csv
import io
import random
import re
import statistics
from collections import Counter
from dataclasses import dataclass, fields, is_dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, literal, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql import ColumnElement

from panel_tui.rules.clocks import format_duration, utc
from panel_tui.rules.enums import STAGE_LABELS, Risk, Stage, Status
from panel_tui.rules.errors import InvalidInputError
from panel_tui.rules.policy import Policy
from panel_tui.store.db import Store
from panel_tui.store.models import (
    Acceptance,
    Agency,
    Dispute,
    DisputeAgency,
    InterimCover,
    ProvisionalPackage,
    StageRecord,
)
from panel_tui.store.queries import dispute_detail
from panel_tui.store.readmodels import DisputeDetail
from panel_tui.store.types import UTCDateTime

DAY = 86400.0
HOUR = 3600.0
#: How many people and themes the report lists (the counts cover them all).
TOP = 20


# --- the report as plain data ---------------------------------------------------
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
    active: int
    ended: int

    @property
    def conversion_rate(self) -> float | None:
        return self.converted / self.started if self.started else None


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
    repeats: Repeats
    themes: tuple[Count, ...]
    daily: tuple[DayCount, ...]
    sample_seed: int
    audit_sample: tuple[DisputeDetail, ...]


# --- SQL helpers ------------------------------------------------------------------
def _at(moment: datetime) -> ColumnElement[Any]:
    """A bound instant with the column type, so it compares like stored times."""
    return literal(moment, UTCDateTime())


def _seconds(store: Store, later: Any, earlier: Any) -> ColumnElement[float]:
    """later − earlier in seconds. The one dialect-specific expression here."""
    if store.is_sqlite:
        return (func.julianday(later) - func.julianday(earlier)) * DAY
    return func.extract("epoch", later - earlier)


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


# --- outputs ----------------------------------------------------------------------
def _round(value: float | None, places: int = 2) -> float | None:
    return None if value is None else round(value, places)


def _plain(value: Any) -> Any:
    """Dataclasses, times and durations as JSON-ready data with ISO times."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if hasattr(value, "value") and isinstance(value.value, str):
        return value.value
    return value


def report_json(r: OversightReport) -> dict[str, Any]:
    """Stable keys, ISO times, durations in the unit their key names."""
    return {
        "period": {
            "start": r.start.isoformat(),
            "end": r.end.isoformat(),
            "at": r.at.isoformat(),
        },
        "opened": r.opened,
        "by_type": {c.key: c.count for c in r.by_type},
        "by_risk": {c.key: c.count for c in r.by_risk},
        "by_status": {c.key: c.count for c in r.by_status},
        "by_agency_pair": [
            {"raising": p.raising, "responding": p.responding, "count": p.count}
            for p in r.by_agency_pair
        ],
        "stalled": {
            "count": r.stalled.count,
            "total_days": _round(r.stalled.total_days, 3),
            "median_days": _round(r.stalled.median_days, 3),
            "max_days": _round(r.stalled.max_days, 3),
        },
        "time_to_acceptance": {
            "count": r.time_to_acceptance.count,
            "median_hours": _round(r.time_to_acceptance.median_hours),
            "p90_hours": _round(r.time_to_acceptance.p90_hours),
        },
        "breaches_by_stage": [
            {"stage": b.stage, "label": b.label, "reached": b.reached, "breached": b.breached}
            for b in r.breaches_by_stage
        ],
        "interim_cover": {
            "with_cover": r.interim_cover.yes,
            "disputes": r.interim_cover.total,
            "rate": _round(r.interim_cover.rate, 4),
        },
        "provisional": {
            "started": r.provisional.started,
            "converted": r.provisional.converted,
            "escalated": r.provisional.escalated,
            "active": r.provisional.active,
            "ended": r.provisional.ended,
            "conversion_rate": _round(r.provisional.conversion_rate, 4),
        },
        "repeat_disputes": {
            "people": r.repeats.people,
            "disputes": r.repeats.disputes,
            "top": [{"person_ref": c.key, "disputes": c.count} for c in r.repeats.top],
        },
        "recurring_themes": [{"rule_conflict": c.key, "count": c.count} for c in r.themes],
        "daily": [
            {"day": x.day.isoformat(), "opened": x.opened, "resolved": x.resolved} for x in r.daily
        ],
        "audit_sample": {
            "seed": r.sample_seed,
            "disputes": [_plain(detail) for detail in r.audit_sample],
        },
    }


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _num(value: float | None, unit: str) -> str:
    return "—" if value is None else f"{value:.1f} {unit}"


def report_rows(r: OversightReport) -> list[tuple[str, str, str]]:
    """(measure, key, value) rows: the CSV, and the basis of other flat views."""
    rows: list[tuple[str, str, str]] = [
        ("period", "start", r.start.isoformat()),
        ("period", "end", r.end.isoformat()),
        ("period", "at", r.at.isoformat()),
        ("opened", "total", str(r.opened)),
    ]
    rows += [("by_type", c.key, str(c.count)) for c in r.by_type]
    rows += [("by_risk", c.key, str(c.count)) for c in r.by_risk]
    rows += [("by_status", c.key, str(c.count)) for c in r.by_status]
    rows += [
        ("by_agency_pair", f"{p.raising}→{p.responding}", str(p.count)) for p in r.by_agency_pair
    ]
    j = report_json(r)
    for measure in ("stalled", "time_to_acceptance", "interim_cover", "provisional"):
        rows += [(measure, k, "" if v is None else str(v)) for k, v in j[measure].items()]
    for b in r.breaches_by_stage:
        rows.append(("breaches_by_stage", f"{b.stage} {b.label}", f"{b.breached}/{b.reached}"))
    rows += [
        ("repeat_disputes", "people", str(r.repeats.people)),
        ("repeat_disputes", "disputes", str(r.repeats.disputes)),
    ]
    rows += [("repeat_person", c.key, str(c.count)) for c in r.repeats.top]
    rows += [("recurring_theme", c.key, str(c.count)) for c in r.themes]
    rows += [("daily_opened", x.day.isoformat(), str(x.opened)) for x in r.daily]
    rows += [("daily_resolved", x.day.isoformat(), str(x.resolved)) for x in r.daily]
    rows += [("audit_sample", x.ref, f"{x.status}; {len(x.events)} events") for x in r.audit_sample]
    return rows


def report_csv(r: OversightReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("measure", "key", "value"))
    writer.writerows(report_rows(r))
    return out.getvalue()


def _table(headers: tuple[str, ...], rows: list[tuple[Any, ...]]) -> list[str]:
    if not rows:
        return ["_none_", ""]
    cell = lambda v: str(v).replace("|", "\\|")  # noqa: E731
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return [*lines, ""]


SPARKS = "▁▂▃▄▅▆▇█"


def sparkline(values: list[int]) -> str:
    top = max(values, default=0)
    if top == 0:
        return SPARKS[0] * len(values)
    return "".join(SPARKS[min(len(SPARKS) - 1, v * (len(SPARKS) - 1) // top)] for v in values)


def report_markdown(r: OversightReport) -> str:
    st, acc, pv = r.stalled, r.time_to_acceptance, r.provisional
    lines = [
        "# Oversight report",
        "",
        f"Disputes opened {r.start.isoformat()} to {r.end.isoformat()} (end excluded), "
        f"as at {r.at.isoformat()}: **{r.opened}**.",
        "",
        "## Disputes by type",
        "",
        *_table(("type", "disputes"), [(c.key, c.count) for c in r.by_type]),
        "## Disputes by agency pair (raising → responding)",
        "",
        *_table(
            ("raising", "responding", "disputes"),
            [(p.raising, p.responding, p.count) for p in r.by_agency_pair],
        ),
        "## Stalled (time lost past the first window)",
        "",
        f"- stalled disputes: {st.count} of {r.opened}",
        f"- stalled days: {st.total_days:.1f} in total, median {_num(st.median_days, 'days')}, "
        f"longest {_num(st.max_days, 'days')}",
        "",
        "## Time from dispute to accepted pathway",
        "",
        f"- accepted: {acc.count}",
        f"- median {_fmt_hours(acc.median_hours)}, 90th percentile {_fmt_hours(acc.p90_hours)}",
        "",
        "## Breaches by stage",
        "",
        *_table(
            ("stage", "reached", "breached"),
            [(f"{b.stage} {b.label}", b.reached, b.breached) for b in r.breaches_by_stage],
        ),
        "## Interim cover and provisional support",
        "",
        f"- interim cover applied: {r.interim_cover.yes} of {r.interim_cover.total} "
        f"({_pct(r.interim_cover.rate)})",
        f"- provisional packages: {pv.started} started, {pv.converted} converted to funded "
        f"pathways, {pv.escalated} escalated, {pv.active} active, {pv.ended} ended "
        f"(conversion {_pct(pv.conversion_rate)})",
        "",
        "## Repeat disputes for the same person",
        "",
        f"{r.repeats.people} people have more than one dispute "
        f"({r.repeats.disputes} disputes in all).",
        "",
        *_table(("person", "disputes"), [(c.key, c.count) for c in r.repeats.top]),
        "## Recurring themes (rule conflicts that come back)",
        "",
        *_table(("rule conflict", "disputes"), [(c.key, c.count) for c in r.themes]),
        "## Trend (per UTC day)",
        "",
        f"- opened   {sparkline([x.opened for x in r.daily])}",
        f"- resolved {sparkline([x.resolved for x in r.daily])}",
        "",
        f"## Audit sample (seed {r.sample_seed})",
        "",
    ]
    for x in r.audit_sample:
        lines += [
            f"### {x.ref} — {x.dispute_type}, {x.risk} risk, {x.status}",
            "",
            f"{x.raising_agency} → {', '.join(x.responding_agencies)}; opened "
            f"{x.opened_at.isoformat()} by {x.opened_by}; resolved "
            f"{x.resolved_at.isoformat() if x.resolved_at else '—'}.",
            "",
            *[
                f"- evidence: {e.label}: {'present' if e.present else 'absent'}"
                + (f" ({e.note})" if e.note else "")
                for e in x.evidence
            ],
            *[
                f"- decision ({d.kind}) {d.outcome} → {d.receiving_agency or '—'} by "
                f"{d.decided_by} as {d.capacity} at stage {d.stage}: {d.rationale}"
                for d in x.decisions
            ],
            *[f"- event {e.id} {e.at.isoformat()} {e.actor} {e.action}" for e in x.events],
            "",
        ]
    if not r.audit_sample:
        lines += ["_no resolved disputes in the period_", ""]
    return "\n".join(lines)


def _fmt_hours(hours: float | None) -> str:
    if hours is None:
        return "—"
    return f"{hours:.1f} h ({format_duration(timedelta(hours=hours))})"
