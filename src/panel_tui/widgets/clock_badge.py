"""Clock states as symbol + text + colour, readable without colour (NO_COLOR, 16 colours).

``clock_text`` is shared by the queue rows, the stage ladder and the badge.
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.widgets import Static

from panel_tui.rules.clocks import Clock, clock_plain, format_duration
from panel_tui.rules.enums import ClockState

#: Rich styles; under NO_COLOR Textual drops the colour and the bold/reverse remain.
STYLES = {
    ClockState.BREACHED: "bold red",
    ClockState.WARNING: "bold yellow",
    ClockState.ON_TRACK: "",
    ClockState.MET: "green",
    ClockState.NONE: "dim",
}


def clock_text(clock: Clock) -> Text:
    return Text(clock_plain(clock), style=STYLES[clock.state])


def relative(moment: datetime | None, at: datetime) -> str:
    """'in 3d4h' or 'OVER 2h' (past), for deadlines such as provisional packages."""
    if moment is None:
        return "-"
    delta = moment - at
    if delta.total_seconds() <= 0:
        return f"OVER {format_duration(delta)}"
    return f"in {format_duration(delta)}"


def local_time(moment: datetime | None) -> str:
    """Stored in UTC, shown in local time."""
    if moment is None:
        return "-"
    return moment.astimezone().strftime("%d %b %H:%M")


class ClockBadge(Static):
    """One clock, e.g. the dispute's current stage in the detail header."""

    DEFAULT_CSS = """
    ClockBadge { width: auto; padding: 0 1; }
    ClockBadge.-breached { background: $error 30%; text-style: bold; }
    ClockBadge.-warning { background: $warning 25%; }
    """

    _clock: Clock | None = None

    def show(self, clock: Clock) -> None:
        if clock == self._clock:
            return  # Static.update would lay out and render the same badge again
        self._clock = clock
        self.set_class(clock.state is ClockState.BREACHED, "-breached")
        self.set_class(clock.state is ClockState.WARNING, "-warning")
        self.update(clock_text(clock))
