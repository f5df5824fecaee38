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

The package: ``model`` (the dataclasses), ``measures`` (the SQL aggregation)
and ``render`` (markdown, CSV and JSON). Import from here.
"""

from panel_tui.store.read.report.measures import DAY, HOUR, TOP, normalise_theme, oversight_report
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
from panel_tui.store.read.report.render import (
    SPARKS,
    report_csv,
    report_json,
    report_markdown,
    report_rows,
    sparkline,
)

__all__ = [
    "DAY",
    "HOUR",
    "SPARKS",
    "TOP",
    "AgencyPair",
    "Count",
    "DayCount",
    "OversightReport",
    "Provisional",
    "Rate",
    "Repeats",
    "StageBreaches",
    "Stalled",
    "TimeToAcceptance",
    "normalise_theme",
    "oversight_report",
    "report_csv",
    "report_json",
    "report_markdown",
    "report_rows",
    "sparkline",
]
