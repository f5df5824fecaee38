"""Every rung of the escalation ladder with its due time and clock state, not only the next."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from panel_tui.store.readmodels import StageView
from panel_tui.widgets.clock_badge import clock_text, local_time


def ladder_table(stages: list[StageView], current: int) -> Table:
    table = Table.grid(padding=(0, 1), expand=True)
    table.add_column(width=2, no_wrap=True)
    table.add_column(no_wrap=True)
    table.add_column(no_wrap=True)
    table.add_column(ratio=1, overflow="ellipsis", no_wrap=True)
    for s in stages:
        marker = Text("▶", style="bold") if s.stage == current else Text(" ")
        name = Text(f"{s.stage} {s.label}", style="bold" if s.stage == current else "")
        if s.clock is None:
            state = Text("not reached", style="dim")
        else:
            state = clock_text(s.clock)
            if s.due_at is not None:
                state.append(f"  due {local_time(s.due_at)}", style="dim")
        who = ", ".join(s.authorities) or s.authority_role.replace("_", " ")
        extra = f" · breach: {s.breach_reason}" if s.breach_reason else ""
        table.add_row(marker, name, state, Text(f"{who}{extra}", style="dim"))
    return table


class StageLadder(Static):
    """The ladder of one dispute."""

    def show(self, stages: list[StageView], current: int) -> None:
        self.update(ladder_table(stages, current))
