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
and ``render`` (markdown, CSV and JSON). What callers use is imported from here;
the report's parts are the dataclasses in ``model``.
"""

from panel_tui.store.read.report.measures import normalise_theme, oversight_report
from panel_tui.store.read.report.model import OversightReport
from panel_tui.store.read.report.render import report_csv, report_json, report_markdown, sparkline

__all__ = [
    "OversightReport",
    "normalise_theme",
    "oversight_report",
    "report_csv",
    "report_json",
    "report_markdown",
    "sparkline",
]
