"""Dashboard: DOMAIN.md's oversight measures for a chosen period, with bars and trends.

The measures come from ``store.read.report`` (aggregated in SQL); this screen only
draws them. 1/2/3 choose 7, 30 or 90 days; [ and ] move the period; m and c
export the view as Markdown or CSV.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Footer, Header, Static

from panel_tui.config import exports_dir
from panel_tui.rules.text import visible
from panel_tui.screens.base import AppScreen, retrying
from panel_tui.store.private_files import private_dir, write_private
from panel_tui.store.read.report import (
    OversightReport,
    oversight_report,
    report_csv,
    report_markdown,
    sparkline,
)

PERIODS = (7, 30, 90)
BAR = 18
THEME_WIDTH = 30  # a theme's label, cut at a word (never mid-word) with "…"


def _bar(value: int, top: int, width: int = BAR) -> str:
    if top <= 0:
        return ""
    filled = round(width * value / top)
    return "█" * filled if value == 0 or filled else "▏"


def _bars(title: str, rows: list[tuple[str, int]], suffix: list[str] | None = None) -> Table:
    table = Table.grid(padding=(0, 1))
    table.add_column(no_wrap=True, min_width=16)
    table.add_column(no_wrap=True, justify="right")
    table.add_column(no_wrap=True)
    table.add_column(no_wrap=True, style="dim")
    table.title = title
    table.title_justify = "left"
    table.title_style = "bold"
    top = max((v for _, v in rows), default=0)
    for i, (label, value) in enumerate(rows or [("none", 0)]):
        extra = suffix[i] if suffix and i < len(suffix) else ""
        # Labels can be typed text (a rule conflict): plain Text, controls escaped.
        table.add_row(
            Text(visible(label, multiline=False)),
            str(value),
            Text(_bar(value, top), style="cyan"),
            extra,
        )
    return table


def _theme(text: str, width: int = THEME_WIDTH) -> str:
    """A theme cut at a word boundary with "…", never mid-word (one long word: cut with "…")."""
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    cut = text[: width - 1].rsplit(" ", 1)[0] if " " in text[: width - 1] else text[: width - 1]
    return cut.rstrip(" ,;:") + "…"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def _hours(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value / 24:.1f} days" if value >= 48 else f"{value:.0f} h"


class DashboardScreen(AppScreen):
    BINDINGS = [
        Binding("1", "period(7)", "7 days", show=False, id="dashboard.days_7"),
        Binding("2", "period(30)", "30 days", show=False, id="dashboard.days_30"),
        Binding("3", "period(90)", "90 days", show=False, id="dashboard.days_90"),
        Binding("left_square_bracket", "shift(-1)", "Earlier", id="dashboard.earlier"),
        Binding("right_square_bracket", "shift(1)", "Later", id="dashboard.later"),
        Binding("m", "export('md')", "Markdown", id="dashboard.export_md"),
        Binding("c", "export('csv')", "CSV", id="dashboard.export_csv"),
        Binding("escape", "back", "Back", id="dashboard.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.days = 30
        self.end: datetime | None = None
        self.latest: datetime | None = None  # the end of the current period: ] stops here
        self.report: OversightReport | None = None

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield Static(id="dash-period")
        with VerticalScroll(id="dashboard"):
            yield Static("loading…", id="dash-body")
        yield Footer()

    def on_mount(self) -> None:
        local = self.now().astimezone()
        midnight = datetime.combine(local.date() + timedelta(days=1), time(0), local.tzinfo)
        self.end = self.latest = midnight
        self.load()

    def _period(self) -> tuple[datetime, datetime]:
        assert self.end is not None
        return self.end - timedelta(days=self.days), self.end

    @work(thread=True, exclusive=True, group="dashboard", exit_on_error=False)
    def load(self) -> None:
        app = self.panel
        start, end = self._period()
        report = retrying(
            app, lambda: oversight_report(app.store, start, end, app.now(), sample_size=0)
        )
        self.app.call_from_thread(self.show, report)

    def refresh_clocks(self) -> None:
        pass  # a report is a view of a period; it refreshes when the store changes

    def refresh_data(self) -> None:
        self.load()

    def show(self, r: OversightReport) -> None:
        self.report = r
        start, end = self._period()
        last = (end - timedelta(days=1)).date()
        self.query_one("#dash-period", Static).update(
            f"{r.opened} disputes opened {start.date()} – {last} ({self.days} days) · "
            "1/2/3: 7/30/90 days"
        )
        body = self.query_one("#dash-body", Static)
        parts: list = []
        opened = [d.opened for d in r.daily]
        resolved = [d.resolved for d in r.daily]
        trend = Table.grid(padding=(0, 1))
        trend.title, trend.title_justify, trend.title_style = "Trend (per day)", "left", "bold"
        trend.add_row("opened  ", sparkline(opened), f"{sum(opened)}")
        trend.add_row("resolved", sparkline(resolved), f"{sum(resolved)}")
        parts.append(trend)
        parts.append(_bars("By type", [(c.key, c.count) for c in r.by_type]))
        pairs = [(f"{p.raising}→{p.responding}", p.count) for p in r.by_agency_pair[:8]]
        parts.append(_bars("By agency pair", pairs))
        st, acc = r.stalled, r.time_to_acceptance
        key = Table.grid(padding=(0, 2))
        key.title, key.title_justify, key.title_style = "Timeliness", "left", "bold"
        key.add_row("stalled disputes", f"{st.count} · {st.total_days:.1f} stalled days")
        key.add_row("  median / max", f"{_days(st.median_days)} / {_days(st.max_days)}")
        key.add_row(
            "to accepted pathway",
            f"median {_hours(acc.median_hours)} · p90 {_hours(acc.p90_hours)} (n={acc.count})",
        )
        key.add_row(
            "interim cover applied",
            f"{_pct(r.interim_cover.rate)} ({r.interim_cover.yes}/{r.interim_cover.total})",
        )
        pv = r.provisional
        key.add_row(
            "provisional packages",
            f"{pv.started} started · {pv.converted} converted ({_pct(pv.conversion_rate)}) · "
            f"{pv.escalated} escalated · {pv.expired} expired",
        )
        rv = r.reviews
        key.add_row(
            "reviews",
            f"{rv.due} due · {rv.triggers} triggers · {rv.rerated} re-rated · "
            f"{rv.reviewed} reviewed",
        )
        key.add_row(
            "commissioner liaison",
            f"{r.liaison.referred} referred · {r.liaison.waiting} still with the liaison",
        )
        key.add_row("repeat disputes", f"{r.repeats.people} people · {r.repeats.disputes} disputes")
        parts.append(key)
        breaches = [(f"{b.stage} {b.label}", b.breached) for b in r.breaches_by_stage]
        suffix = [f"of {b.reached} reached" for b in r.breaches_by_stage]
        parts.append(_bars("✖ Breaches by stage", breaches, suffix))
        parts.append(
            _bars(
                "Recurring rule conflicts",
                [(_theme(c.key), c.count) for c in r.themes[:6]],
            )
        )
        grid = Table.grid()
        for part in parts:
            grid.add_row(part)
            grid.add_row("")
        body.update(grid)

    def action_period(self, days: int) -> None:
        self.days = days
        self.load()

    def action_shift(self, direction: int) -> None:
        assert self.end is not None and self.latest is not None
        end = self.end + timedelta(days=direction * self.days)
        if end > self.latest:  # the future has no measures to show
            if self.end == self.latest:
                self.notify("This is the current period: there is nothing later yet.")
                return
            end = self.latest  # a shorter step back to the period ending today
        self.end = end
        self.load()

    def action_export(self, kind: str) -> None:
        self._export(kind)

    @work(thread=True, exclusive=True, group="dashboard-export", exit_on_error=False)
    def _export(self, kind: str) -> None:
        app = self.panel
        start, end = self._period()
        report = retrying(app, lambda: oversight_report(app.store, start, end, app.now()))
        text = report_markdown(report) if kind == "md" else report_csv(report)
        try:
            target = exports_dir() / f"oversight-{start.date()}-{self.days}d.{kind}"
            private_dir(target.parent)
            write_private(target, text)  # owner-only whatever the umask
        except OSError as exc:
            self.app.call_from_thread(
                self.notify, f"Could not write the export: {exc}", severity="error"
            )
            return
        self.app.call_from_thread(self.notify, f"Exported to {target}")

    def action_back(self) -> None:
        self.app.pop_screen()


def _days(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} d"
