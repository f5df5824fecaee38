"""The queue's read models: sections, the filter, a row and a page of rows.

Apart from ``dispute_models.py`` (the detail's views) because the app's first
paint imports these and nothing more: each dataclass costs import time.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any, NamedTuple

from panel_tui.rules.clocks import DEFAULT_WARNING_FRACTION, Clock, clock_at, liaison_reached, utc
from panel_tui.rules.enums import Stage, Status
from panel_tui.rules.limits import SHORT_MAX, bounded_text


class Section(StrEnum):
    """The queue's sections, on number keys in the app."""

    MINE = "mine"
    BREACHED = "breached"
    DUE_TODAY = "due_today"
    AT_PANEL = "at_panel"
    PROVISIONAL_EXPIRING = "provisional_expiring"
    ALL_OPEN = "all_open"
    CLOSED = "closed"
    #: at commissioner liaison, or its trigger met (the commissioner liaison's work)
    LIAISON = "liaison"
    # After Closed, so that the first seven keep their number keys.
    PROVISIONAL_EXPIRED = "provisional_expired"
    REVIEWS_DUE = "reviews_due"

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
    Section.LIAISON: "Liaison",
    Section.PROVISIONAL_EXPIRED: "Provisional expired",
    Section.REVIEWS_DUE: "Reviews due",
}

#: A provisional package "expires soon" within this long of its deadline; once past
#: it, the package has expired (Provisional expired) and leaves Provisional expiring.
EXPIRING_WITHIN = timedelta(hours=48)
#: Statuses of every section but Closed, and of Closed.
LIVE = (Status.OPEN.value, Status.DECIDED.value)
DONE = (Status.CLOSED.value, Status.WITHDRAWN.value)
#: Statuses whose reviews come due: a closed dispute's decision is still reviewed.
REVIEWED = (*LIVE, Status.CLOSED.value)
#: What the free-text filter searches.
TEXT_COLUMNS = (
    "ref",
    "person_ref",
    "agencies_label",
    "problem_statement",
    "rule_conflict",
    "proposed_pathway",
)

#: Counts stop here on the way to the first page; the exact number follows after it.
COUNT_CAP = 1001

#: The escape character of ``like_pattern``: the search's own % and _ match themselves.
LIKE_ESCAPE = "\\"


def like_pattern(text: str) -> str | None:
    """The LIKE pattern of a free-text search, or None for no search.

    ``%`` and ``_`` typed by a person are literal characters, not wildcards; a
    search is one line (SHORT_MAX), far inside SQLite's pattern limit (50,000).
    """
    text = bounded_text(text, "text", SHORT_MAX)
    if not text:
        return None
    for special in (LIKE_ESCAPE, "%", "_"):
        text = text.replace(special, LIKE_ESCAPE + special)
    return f"%{text}%"


def end_of_local_day(at: datetime) -> datetime:
    """Midnight after ``at`` in local time, as UTC: the end of "Due today"."""
    local = at.astimezone()
    midnight = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=local.tzinfo)
    return utc(midnight)


#: The columns the queue can be sorted by (the queue's column keys, widgets/columns.py).
#: Each sorts its most useful way first: risk most severe first, clocks and packages
#: soonest first, text alphabetically; ``descending`` reverses it. Ties go by id, and
#: rows with nothing in the column (no cover, no clock) come last either way.
SORT_KEYS = ("ref", "type", "risk", "stage", "clock", "agencies", "cover", "provisional", "holder")
#: Risk from most to least severe: the rank it sorts by.
RISK_RANK = ("critical", "high", "medium", "low")


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
    mine: str | None = None  # a login: disputes it holds or opened (liaison: and at liaison)
    #: only disputes at commissioner liaison or with its trigger met (``QueueRow.liaison``)
    liaison: bool = False
    sort: str | None = None  # one of SORT_KEYS; None: the section's own order (urgency)
    descending: bool = False

    def __post_init__(self) -> None:
        if self.sort is not None and self.sort not in SORT_KEYS:
            raise ValueError(f"cannot sort by {self.sort!r} (one of: {', '.join(SORT_KEYS)})")

    reviews_due: bool = False  # only disputes whose review date has come (today or before)

    @property
    def liaison_only(self) -> bool:
        return self.liaison or self.section is Section.LIAISON

    def statuses(self) -> tuple[str, ...]:
        """The statuses this filter reads: the resolved ones in Closed, live and closed
        ones for reviews due (a closed dispute's decision is still reviewed), else live."""
        if self.section is Section.CLOSED:
            return DONE
        if self.section is Section.REVIEWS_DUE or self.reviews_due:
            return REVIEWED
        return LIVE

    @property
    def wants_reviews_due(self) -> bool:
        return self.section is Section.REVIEWS_DUE or self.reviews_due


def review_today(at: datetime) -> date:
    """The date reviews are due by at ``at``: today on the host's clock (rules/reviews.py)."""
    return at.astimezone().date()


#: ``Status.WITHDRAWN.value``, read once: an enum member's ``.value`` is a descriptor
#: call, and ``review_is_due`` runs for every row of a headless read.
_WITHDRAWN = Status.WITHDRAWN.value


def review_is_due(
    review_due_on: date | None, status: str, at: datetime, today: date | None = None
) -> bool:
    """A dispute's review has come: its date is set and reached, and it was not withdrawn
    (a decided or closed dispute's decision is still reviewed). ``today`` is
    ``review_today(at)`` when the caller has it: a page's rows share one (the local date
    costs a time zone conversion)."""
    return (
        review_due_on is not None
        and status != _WITHDRAWN
        and review_due_on <= (review_today(at) if today is None else today)
    )


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
    #: live and at commissioner liaison, or its trigger met: stage 3 breached or open
    #: past the policy's limit (``rules.clocks.liaison_triggered``)
    liaison: bool = False
    #: the active package is past its hard deadline: its next step is due
    provisional_expired: bool = False
    #: the dispute's next review date, and whether it has come (due today or overdue)
    review_due_on: date | None = None
    review_due: bool = False
    opened_at: datetime | None = None
    #: interim cover was ever assigned (the dashboard's "cover applied": yes/no), also
    #: once the dispute is closed and its cover has ended [Under pressure]
    cover_applied: bool = False


class QueueRules(NamedTuple):
    """What of the store's policy the queue reads (without loading the pydantic policy)."""

    warning_fraction: float = DEFAULT_WARNING_FRACTION
    #: ``clock.liaison_after_days``: open longer than this triggers liaison
    liaison_after: timedelta = timedelta(days=14)
    #: ``ladder.commissioner_liaison``: whose "mine" includes the disputes at liaison
    liaison_role: str = "commissioner_liaison"


#: The stage whose breach triggers liaison, and liaison's own.
FINAL_STAGE = int(Stage.FINAL_AUTHORITY)
LIAISON_STAGE = int(Stage.COMMISSIONER_LIAISON)


class QueuePage(NamedTuple):
    rows: list[QueueRow]
    total: int
    offset: int
    at: datetime


#: Every field of a QueueRow, which ``_whole_row`` must be given.
ROW_FIELDS = frozenset(QueueRow.__dataclass_fields__)


def _whole_row(values: dict[str, Any]) -> QueueRow:
    """A QueueRow of every one of its fields, set at once rather than by its ``__init__``.

    A frozen dataclass's generated ``__init__`` sets each field through
    ``object.__setattr__``: for QueueRow's 21 about 5 µs a row, a quarter of a headless
    read's CPU at 10,000 rows (issue 13). The instance's dict filled in one update is
    the same row (equal, hashed and frozen as one made the usual way) in under 1 µs.
    ``queue_row`` gives every field (tests/store/test_quickread.py holds it to
    ``ROW_FIELDS``): one left out would be an AttributeError where it is read.
    """
    row = object.__new__(QueueRow)
    row.__dict__.update(values)
    return row


def queue_row(
    r: Any,
    rules: QueueRules,
    at: datetime,
    covers: dict[int, str],
    packages: Mapping[int, datetime | None],
    holders: dict[int, str],
    stage3: dict[int, tuple[datetime | None, datetime | None]],
    covered: Collection[int] = (),
    today: date | None = None,
) -> QueueRow:
    """A row from a dispute's queue columns (named as in the ``dispute`` table) and the
    page's lookups by dispute id (active cover's agency, package's end, stage 3's due
    and left times, the ids that ever had cover) and person id (holder); ``today`` is
    ``review_today(at)``, which a caller building many rows reads once.

    Shared by ``orm_queries.queue_page`` (ORM rows) and ``queue_sql.built`` (the quick readers).
    """
    due3, left3 = stage3.get(r.id, (None, None))
    liaison = r.status in LIVE and (
        r.current_stage == LIAISON_STAGE
        or liaison_reached(
            rules.liaison_after,
            opened=r.opened_at,
            now=at,
            resolved=None,
            stage3_due=due3,
            stage3_left=left3,
        )
    )
    ends = packages.get(r.id)
    return _whole_row(
        {
            "id": r.id,
            "ref": r.ref,
            "person_ref": r.person_ref,
            "dispute_type": r.dispute_type,
            "risk": r.risk,
            "agencies": r.agencies_label,
            "stage": r.current_stage,
            "status": r.status,
            "due_at": r.current_due_at,
            "clock": clock_at(
                rules.warning_fraction, entered=r.stage_entered_at, due=r.current_due_at, now=at
            ),
            "cover": covers.get(r.id),
            "provisional_ends": ends,
            "plan_holder": holders.get(r.plan_holder_id) if r.plan_holder_id else None,
            "version": r.version,
            "resolved_at": r.resolved_at,
            "liaison": liaison,
            "provisional_expired": ends is not None and ends <= at,
            "review_due_on": r.review_due_on,
            "review_due": review_is_due(r.review_due_on, r.status, at, today),
            "opened_at": r.opened_at,
            "cover_applied": r.id in covered,
        }
    )
