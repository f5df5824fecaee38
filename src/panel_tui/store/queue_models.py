"""The queue's read models: sections, the filter, a row and a page of rows.

Apart from ``readmodels.py`` (the detail's views) because the app's first
paint imports these and nothing more: each dataclass costs import time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from panel_tui.rules.clocks import Clock


class Section(StrEnum):
    """The queue's sections, on number keys in the app."""

    MINE = "mine"
    BREACHED = "breached"
    DUE_TODAY = "due_today"
    AT_PANEL = "at_panel"
    PROVISIONAL_EXPIRING = "provisional_expiring"
    ALL_OPEN = "all_open"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return SECTION_LABELS[self]


SECTION_LABELS = {
    Section.MINE: "Mine",
    Section.BREACHED: "Breached",
    Section.DUE_TODAY: "Due today",
    Section.AT_PANEL: "At panel",
    Section.PROVISIONAL_EXPIRING: "Provisional expiring",
    Section.ALL_OPEN: "All open",
    Section.CLOSED: "Closed",
}

#: A provisional package "expires soon" within this long of its deadline.
EXPIRING_WITHIN = timedelta(hours=48)


@dataclass(frozen=True)
class QueueFilter:
    section: Section = Section.ALL_OPEN
    text: str = ""
    types: tuple[str, ...] = ()
    risks: tuple[str, ...] = ()
    stages: tuple[int, ...] = ()
    agencies: tuple[str, ...] = ()
    due_within: timedelta | None = None
    breached: bool = False
    mine: str | None = None  # a login: disputes it holds or opened


@dataclass(frozen=True)
class QueueRow:
    id: int
    ref: str
    person_ref: str
    dispute_type: str
    risk: str
    agencies: str
    stage: int
    status: str
    due_at: datetime | None
    clock: Clock
    cover: str | None  # provider agency code of the active interim cover
    provisional_ends: datetime | None
    plan_holder: str | None
    version: int
    resolved_at: datetime | None = None


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    total: int
    offset: int
    at: datetime
