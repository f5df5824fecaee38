"""The oversight report's outputs: JSON-ready data, CSV rows and markdown.

Pure functions of an ``OversightReport`` (no store access), shared by the CLI's
``report`` command and the dashboard's export; ``sparkline`` is also what the
dashboard draws its daily trend with.
"""

from __future__ import annotations

import csv
import io
from dataclasses import fields, is_dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from panel_tui.rules.clocks import format_duration
from panel_tui.rules.text import csv_cell, visible
from panel_tui.rules.text import markdown_plain as md
from panel_tui.store.read.report.model import Count, OversightReport


def _round(value: float | None, places: int = 2) -> float | None:
    return None if value is None else round(value, places)


def _when(value: datetime, *, seconds: bool = False) -> str:
    """A time as a reader wants it in a document: UTC, to the minute (to the second for
    events, whose order matters); the JSON and CSV forms keep the full ISO time."""
    return value.astimezone(UTC).strftime(
        "%Y-%m-%d %H:%M:%S UTC" if seconds else "%Y-%m-%d %H:%M UTC"
    )


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
    """Stable keys, ISO times, durations in the unit their key names; in the sections
    the Markdown report has (its ``_*_lines``), in the same order."""
    return {
        **_volume_json(r),
        **_timeliness_json(r),
        **_protection_json(r),
        **_pattern_json(r),
        "audit_sample": {
            "seed": r.sample_seed,
            "disputes": [_plain(detail) for detail in r.audit_sample],
        },
    }


def _volume_json(r: OversightReport) -> dict[str, Any]:
    """The period, and how many disputes were opened: by type, risk, status, agency pair."""
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
    }


def _timeliness_json(r: OversightReport) -> dict[str, Any]:
    """Time stalled past the first window, time to acceptance, breaches by stage."""
    return {
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
    }


def _protection_json(r: OversightReport) -> dict[str, Any]:
    """The person protected meanwhile: cover, provisional packages, liaison, the weekly
    exceptions and reviews."""
    return {
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
            "expired": r.provisional.expired,
            "conversion_rate": _round(r.provisional.conversion_rate, 4),
        },
        "liaison": {"referred": r.liaison.referred, "waiting": r.liaison.waiting},
        # The weekly exception review [Leadership]: live disputes of the period.
        "exceptions": {
            "missing_evidence": r.exceptions.missing_evidence,
            "no_plan_holder": r.exceptions.no_plan_holder,
        },
        "reviews": {
            "due": r.reviews.due,
            "triggers": r.reviews.triggers,
            "rerated": r.reviews.rerated,
            "reviewed": r.reviews.reviewed,
        },
    }


def _pattern_json(r: OversightReport) -> dict[str, Any]:
    """What comes back: repeat disputes for one person, recurring themes, the trend."""
    return {
        "repeat_disputes": {
            "people": r.repeats.people,
            "disputes": r.repeats.disputes,
            "top": [{"person_ref": c.key, "disputes": c.count} for c in r.repeats.top],
        },
        "recurring_themes": [{"rule_conflict": c.key, "count": c.count} for c in r.themes],
        "daily": [
            {"day": x.day.isoformat(), "opened": x.opened, "resolved": x.resolved} for x in r.daily
        ],
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
    for measure in (
        "stalled",
        "time_to_acceptance",
        "interim_cover",
        "provisional",
        "liaison",
        "reviews",
        "exceptions",
    ):
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
    """The rows as CSV; a cell a spreadsheet would run as a formula starts with ``'``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("measure", "key", "value"))
    writer.writerows([csv_cell(v) for v in row] for row in report_rows(r))
    return out.getvalue()


def _table(headers: tuple[str, ...], rows: list[tuple[Any, ...]]) -> list[str]:
    if not rows:
        return ["_none_", ""]
    cell = lambda v: md(str(v))  # noqa: E731  (typed text stays text: no links, no tables)
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return [*lines, ""]


def _counts(label: str, counts: tuple[Count, ...]) -> list[str]:
    """A table of disputes by one key (a type, a person, a rule conflict)."""
    return _table((label, "disputes"), [(c.key, c.count) for c in counts])


SPARKS = "▁▂▃▄▅▆▇█"


def sparkline(values: list[int]) -> str:
    top = max(values, default=0)
    if top == 0:
        return SPARKS[0] * len(values)
    return "".join(SPARKS[min(len(SPARKS) - 1, v * (len(SPARKS) - 1) // top)] for v in values)


def report_markdown(r: OversightReport) -> str:
    lines = [
        *_volume_lines(r),
        *_timeliness_lines(r),
        *_protection_lines(r),
        *_pattern_lines(r),
        *_audit_sample_lines(r),
    ]
    return visible("\n".join(lines))


def _volume_lines(r: OversightReport) -> list[str]:
    """How many disputes were opened, by type and by agency pair."""
    return [
        "# Oversight report",
        "",
        f"Disputes opened {_when(r.start)} to {_when(r.end)} (end excluded), "
        f"as at {_when(r.at)}: **{r.opened}**.",
        "",
        "## Disputes by type",
        "",
        *_counts("type", r.by_type),
        "## Disputes by agency pair (raising → responding)",
        "",
        *_table(
            ("raising", "responding", "disputes"),
            [(p.raising, p.responding, p.count) for p in r.by_agency_pair],
        ),
    ]


def _timeliness_lines(r: OversightReport) -> list[str]:
    """Time lost: stalled disputes, time to an accepted pathway, breaches by stage."""
    st, acc = r.stalled, r.time_to_acceptance
    return [
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
    ]


def _protection_lines(r: OversightReport) -> list[str]:
    """The person meanwhile: cover, provisional support, reviews, liaison, exceptions."""
    pv = r.provisional
    return [
        "## Interim cover and provisional support",
        "",
        f"- interim cover applied: {r.interim_cover.yes} of {r.interim_cover.total} "
        f"({_pct(r.interim_cover.rate)})",
        f"- provisional packages: {pv.started} started, {pv.converted} converted to funded "
        f"pathways, {pv.escalated} escalated, {pv.active} active, {pv.expired} expired "
        f"awaiting their next step, {pv.ended} ended (conversion {_pct(pv.conversion_rate)})",
        f"- reviews: {r.reviews.due} due, {r.reviews.triggers} review triggers, "
        f"{r.reviews.rerated} risk re-ratings, {r.reviews.reviewed} reviews recorded",
        "",
        "## Commissioner liaison",
        "",
        f"- referred to commissioner liaison: {r.liaison.referred}, "
        f"still with the liaison: {r.liaison.waiting}",
        "",
        "## Exceptions (open disputes)",
        "",
        f"- minimum information missing: {r.exceptions.missing_evidence}; "
        f"no plan holder named: {r.exceptions.no_plan_holder}",
        "",
    ]


def _pattern_lines(r: OversightReport) -> list[str]:
    """What comes back: repeat disputes for one person, recurring themes, the trend."""
    return [
        "## Repeat disputes for the same person",
        "",
        f"{r.repeats.people} people have more than one dispute "
        f"({r.repeats.disputes} disputes in all).",
        "",
        *_counts("person", r.repeats.top),
        "## Recurring themes (rule conflicts that come back)",
        "",
        *_counts("rule conflict", r.themes),
        "## Trend (per UTC day)",
        "",
        f"- opened   {sparkline([x.opened for x in r.daily])}",
        f"- resolved {sparkline([x.resolved for x in r.daily])}",
        "",
    ]


def _audit_sample_lines(r: OversightReport) -> list[str]:
    """The sampled resolved disputes, each with its evidence, decisions and events."""
    lines = [f"## Audit sample (seed {r.sample_seed})", ""]
    for x in r.audit_sample:
        lines += [
            f"### {x.ref} — {x.dispute_type}, {x.risk} risk, {x.status}",
            "",
            f"{md(x.raising_agency)} → {md(', '.join(x.responding_agencies))}; opened "
            f"{_when(x.opened_at)} by {md(x.opened_by)}; resolved "
            f"{_when(x.resolved_at) if x.resolved_at else '—'}.",
            "",
            *[
                f"- evidence: {e.label}: {'present' if e.present else 'absent'}"
                + (f" ({md(e.note)})" if e.note else "")
                for e in x.evidence
            ],
            *[
                f"- decision ({d.kind}) {d.outcome} → {md(d.receiving_agency or '—')} by "
                f"{md(d.decided_by)} as {d.capacity} at stage {d.stage}: {md(d.rationale)}"
                for d in x.decisions
            ],
            *[
                f"- event {e.id} {_when(e.at, seconds=True)} {md(e.who)} {e.action}"
                for e in x.events
            ],
            "",
        ]
    if not r.audit_sample:
        lines += ["_no resolved disputes in the period_", ""]
    return lines


def _fmt_hours(hours: float | None) -> str:
    if hours is None:
        return "—"
    return f"{hours:.1f} h ({format_duration(timedelta(hours=hours))})"
