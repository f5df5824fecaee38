"""What changed since someone last looked: the shift-start view and the handover note.

Two kinds of change, read two ways, each over an index so that a store of
100,000 disputes answers as fast as a small one (benchmarks: "shift start"):

* **events** — disputes opened, escalated, decided, accepted, withdrawn, added
  to a panel's agenda, case syncs and consent scopes recorded: the
  event log since the person's seen mark (event ids after it: the primary key)
  or since a time (``ix_event_action_at``, migration 0010: each action's count
  from the index alone, its newest fifty one index range). Ids, not times, for a
  mark: an import appends events with their historical times, and they are
  still new to the reader.
* **clocks** — breached or newly at warning since then, and provisional
  packages expiring: no event marks the instant a clock crosses a line, so
  they are read from the disputes' due times (``ix_dispute_status_due``) and
  the packages' ends (``ix_package_status_ends``), as the clocks stand now.

Reviews coming due are the disputes' next review dates (``ix_dispute_review_due``)
that fell on a day in the window.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlmodel import Session, col

from panel_tui.rules.clocks import utc
from panel_tui.rules.enums import Status
from panel_tui.rules.policy import Policy
from panel_tui.rules.reviews import local_date
from panel_tui.store.models import Dispute, Event, ProvisionalPackage, SeenMark

#: The kinds of change, in the order a shift lead reads them: what is burning first.
BREACHED = "breached"
WARNING = "warning"
EXPIRING = "package_expiring"
REVIEW_DUE = "review_due"
OPENED = "opened"
ESCALATED = "escalated"
DECIDED = "decided"
ACCEPTED = "accepted"
WITHDRAWN = "withdrawn"
AGENDA = "agenda_added"
SYNCED = "synced"
CONSENT = "consent"
#: Each kind's heading, in that order.
LABELS = {
    BREACHED: "Breached",
    WARNING: "Newly at warning",
    EXPIRING: "Provisional packages expiring",
    REVIEW_DUE: "Reviews coming due",
    OPENED: "Opened",
    ESCALATED: "Escalated",
    DECIDED: "Decided",
    ACCEPTED: "Accepted",
    WITHDRAWN: "Withdrawn",
    AGENDA: "Added to a panel's agenda",
    SYNCED: "Case syncs recorded",
    CONSENT: "Consent scope recorded",
}
#: The kinds, read from the headings: a kind is listed with its heading or not at all.
KINDS = tuple(LABELS)

#: Event actions and the kind of change each is.
EVENT_KINDS = {
    "open": OPENED,
    "escalate": ESCALATED,
    "record_decision": DECIDED,
    "final_determination": DECIDED,
    "confirm_acceptance": ACCEPTED,
    "withdraw": WITHDRAWN,
    # Put on a panel's agenda by a chair (a dispute at the panel stage is on it anyway;
    # moves within the agenda and an import's replay are not news for a shift).
    "agenda_add": AGENDA,
    "record_sync": SYNCED,
    "record_consent": CONSENT,
}

#: A package is "expiring" from this long before its end (and once ended, until seen).
EXPIRY_HORIZON = timedelta(hours=48)
#: Without a seen mark, a first look covers the last day (one shift and then some).
FIRST_LOOK = timedelta(hours=24)
#: At most this many changes of each kind are listed (all are counted): reading a
#: row costs far more than counting one, and a shift reads the newest first.
PER_KIND = 50


@dataclass(frozen=True)
class Change:
    """One thing that changed: what, to which dispute, when, by whom."""

    kind: str
    ref: str
    at: datetime
    stage: int | None = None
    actor: str | None = None
    detail: str = ""


@dataclass(frozen=True)
class Since:
    """Where "since" starts: after an event id (a seen mark) or at a time."""

    at: datetime
    after_event: int | None = None
    #: True when it came from the person's seen mark (``--since LAST``).
    from_mark: bool = False
    #: True for someone who never marked anything seen: the last ``FIRST_LOOK``.
    first_look: bool = False

    def words(self, when: str) -> str:
        """The period as a heading says it, ``when`` being ``at`` as the reader shows
        times: "since you last looked (when)", "in the last 24 hours (since when;
        none marked seen)", or "since when"."""
        if self.from_mark:
            return f"since you last looked ({when})"
        if self.first_look:
            hours = int(FIRST_LOOK.total_seconds() // 3600)
            return f"in the last {hours} hours (since {when}; none marked seen)"
        return f"since {when}"


@dataclass(frozen=True)
class Changes:
    """Everything that changed in (since, until], by kind."""

    since: Since
    until: datetime
    #: The newest event read: what marking these seen records.
    head_event: int
    items: tuple[Change, ...]
    counts: dict[str, int] = field(default_factory=dict)

    def of(self, kind: str) -> list[Change]:
        return [c for c in self.items if c.kind == kind]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def since_last(session: Session, login: str, now: datetime) -> Since:
    """The person's seen mark, or the last ``FIRST_LOOK`` if they never marked one."""
    mark = session.get(SeenMark, login)
    if mark is None:
        return Since(at=utc(now) - FIRST_LOOK, first_look=True)
    return Since(at=mark.at, after_event=mark.event_id, from_mark=True)


def read_changes(session: Session, policy: Policy, since: Since, now: datetime) -> Changes:
    """What changed since ``since`` up to ``now``, in one read transaction."""
    now = utc(now)
    head = session.execute(select(func.max(Event.id))).scalar_one() or 0
    events, event_counts = _events(session, since, now, head)
    breached, breached_count = _breached(session, since.at, now)
    warning, warning_count = _warning(session, policy, since.at, now)
    expiring = _expiring(session, since.at, now)
    reviews = list(reviews_due(session, since.at, now))
    counts = {kind: 0 for kind in KINDS}
    for change in (*expiring, *reviews):
        counts[change.kind] += 1
    counts[BREACHED], counts[WARNING] = breached_count, warning_count
    counts.update(event_counts)
    clocks = [*breached, *warning, *expiring, *reviews]
    ordered = sorted(
        [*clocks, *events], key=lambda c: (KINDS.index(c.kind), -c.at.timestamp(), c.ref)
    )
    return Changes(since, now, head, tuple(ordered), counts)


def _event_window(since: Since, now: datetime, head: int) -> list[Any]:
    if since.after_event is not None:
        return [Event.id > since.after_event, Event.id <= head]
    # By time alone: an id bound here makes SQLite walk the whole key instead of
    # ix_event_action_at; and in this one read transaction no event after ``head`` is seen.
    return [Event.at > since.at, Event.at <= now]


def _events(
    session: Session, since: Since, now: datetime, head: int
) -> tuple[list[Change], dict[str, int]]:
    window = [*_event_window(since, now, head), col(Event.action).in_(tuple(EVENT_KINDS))]
    counts: dict[str, int] = {}
    for action, count in session.execute(
        select(col(Event.action), func.count()).where(*window).group_by(col(Event.action))
    ):
        kind = EVENT_KINDS[action]
        counts[kind] = counts.get(kind, 0) + int(count)
    changes: list[Change] = []
    for action in EVENT_KINDS:
        rows = session.execute(
            select(
                col(Event.at),
                col(Event.actor),
                col(Event.dispute_ref),
                col(Event.stage),
                col(Event.after),
            )
            .where(*_event_window(since, now, head), col(Event.action) == action)
            # Newest first along the index the window reads (the key, or ix_event_action_at).
            .order_by(
                col(Event.id).desc() if since.after_event is not None else col(Event.at).desc()
            )
            .limit(PER_KIND)
        )
        changes += [
            Change(EVENT_KINDS[action], ref or "", at, stage, actor, _detail(action, after))
            for at, actor, ref, stage, after in rows
        ]
    return changes, counts


def _detail(action: str, after_text: str) -> str:
    """A few words from the event's payload: the outcome, the stage reached."""
    try:
        after = json.loads(after_text or "{}")
    except ValueError:
        return ""
    if not isinstance(after, dict):
        return ""
    if action in ("record_decision", "final_determination"):
        outcome = after.get("outcome")
        receiving = after.get("receiving") or after.get("receiving_agency")
        return " → ".join(str(x) for x in (outcome, receiving) if x)
    if action == "escalate" and "stage" in after:
        return f"to stage {after['stage']}"
    if action == "agenda_add" and after.get("panel_date"):
        return f"panel of {after['panel_date']}"
    if action == "record_sync":
        return _cut(f"{after.get('trigger') or ''}: {after.get('outcome') or ''}".strip(": "))
    if action == "record_consent":
        agencies = after.get("agencies") or []
        shared = " ".join(str(a) for a in agencies) if isinstance(agencies, list) else ""
        review = f"review {after['review_date']}" if after.get("review_date") else ""
        return _cut(" · ".join(x for x in (shared, review) if x))
    return ""


#: A detail is a few words: a sync's outcome is free text, up to a page.
DETAIL_MAX = 80


def _cut(text: str) -> str:
    return text if len(text) <= DETAIL_MAX else text[: DETAIL_MAX - 1] + "…"


_LIVE = (Status.OPEN.value, Status.DECIDED.value)


def _breached(session: Session, since: datetime, now: datetime) -> tuple[list[Change], int]:
    """Live disputes whose current clock breached in (since, now], newest first; how many."""
    window = (
        col(Dispute.status).in_(_LIVE),
        col(Dispute.current_due_at) > since,
        col(Dispute.current_due_at) <= now,
    )
    count = session.execute(select(func.count()).where(*window)).scalar_one()
    rows = session.execute(
        select(col(Dispute.ref), col(Dispute.current_stage), col(Dispute.current_due_at))
        .where(*window)
        .order_by(col(Dispute.current_due_at).desc())
        .limit(PER_KIND)
    )
    found = [Change(BREACHED, ref, due, stage, None, "clock breached") for ref, stage, due in rows]
    return found, int(count)


def _warning(
    session: Session, policy: Policy, since: datetime, now: datetime
) -> tuple[list[Change], int]:
    """Live disputes whose clock reached warning in (since, now] and has not breached.

    A clock of window W warns ``(1 - fraction) × W`` before it is due. So the
    disputes (of the risks and stages with that window) that warned in the period
    are exactly those due in (since, now] shifted by that much. One index range
    reads every live dispute due within the widest such shift of ``now`` (a count
    and a list per window length cost as much again each, at 100,000 disputes);
    each is then kept if its own window's shift puts its warning in the period.
    """
    fraction = policy.clock.warning_fraction
    ahead_of: dict[tuple[str, int], timedelta] = {}
    for risk in ("critical", "high", "medium", "low"):
        for stage, hours in enumerate(getattr(policy.windows, risk)):
            ahead_of[(risk, stage)] = timedelta(hours=hours) * (1 - fraction)
    if not ahead_of:
        return [], 0
    widest = max(ahead_of.values())
    rows = session.execute(
        select(
            col(Dispute.ref),
            col(Dispute.risk),
            col(Dispute.current_stage),
            col(Dispute.current_due_at),
        ).where(
            col(Dispute.status).in_(_LIVE),
            col(Dispute.current_due_at) > now,
            col(Dispute.current_due_at) <= now + widest,
        )
    )
    found: list[Change] = []
    for ref, risk, stage, due in rows:
        ahead = ahead_of.get((risk, stage))
        if ahead is not None and max(since + ahead, now) < due <= now + ahead:
            found.append(Change(WARNING, ref, due - ahead, stage, None, f"due {_short(due)}"))
    found.sort(key=lambda c: (c.at, c.ref), reverse=True)
    return found[:PER_KIND], len(found)


def _expiring(session: Session, since: datetime, now: datetime) -> list[Change]:
    """Active provisional packages that came within ``EXPIRY_HORIZON`` of their end since
    ``since``, or ended since: each is new once on coming close, and once on ending."""
    ends = col(ProvisionalPackage.ends_at)
    rows = session.execute(
        select(col(Dispute.ref), col(Dispute.current_stage), ends)
        .join(Dispute, col(Dispute.id) == col(ProvisionalPackage.dispute_id))
        .where(
            col(ProvisionalPackage.status) == "active",
            or_(
                and_(ends > since + EXPIRY_HORIZON, ends <= now + EXPIRY_HORIZON),
                and_(ends > since, ends <= now),
            ),
        )
        .order_by(col(ProvisionalPackage.ends_at))
        .limit(PER_KIND)
    )
    return [
        Change(
            EXPIRING, ref, ends, stage, None, ("ended " if ends <= now else "ends ") + _short(ends)
        )
        for ref, stage, ends in rows
    ]


def reviews_due(session: Session, since: datetime, now: datetime) -> Sequence[Change]:
    """Reviews that came due since ``since``: a dispute's next review date (decisions,
    interim cover, triggers and re-rated risk set it: ledger/reviews.py) on a day after
    ``since``'s and up to today's, on the host's clock as the queue's Reviews due reads it.
    Each is new once, on its day; one still due later is in the queue's Reviews due."""
    due = col(Dispute.review_due_on)
    rows = session.execute(
        select(col(Dispute.ref), col(Dispute.current_stage), due)
        .where(due > local_date(utc(since)), due <= local_date(utc(now)))
        .order_by(due.desc(), col(Dispute.ref))  # the newest first, as a shift reads them
        .limit(PER_KIND)
    )
    return [
        Change(REVIEW_DUE, ref, _start_of(day), stage, None, f"review due {day.isoformat()}")
        for ref, stage, day in rows
    ]


def _start_of(day: date) -> datetime:
    """The start of a local day, as UTC: when a review dated that day came due."""
    return utc(datetime.combine(day, time(0)).astimezone())


def _short(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")
