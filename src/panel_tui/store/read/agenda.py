"""A panel's agenda, as read models: what panel mode shows and the minutes keep.

The agenda of a panel date is every open dispute at the panel stage (in
urgency order), every dispute decided at the panel stage that day (so the
minutes keep them), and the disputes a chair put on it by hand. Rows in
``PanelAgendaItem`` hold the hand-picked ones and any order the chair fixed;
``ledger/agenda.py`` changes them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date, datetime, time, timedelta
from typing import cast

from sqlalchemy import or_, select
from sqlmodel import Session, col

from panel_tui.rules.clocks import utc
from panel_tui.rules.enums import Stage, Status
from panel_tui.store.db import Store
from panel_tui.store.models import Agency, Decision, Dispute, PanelAgendaItem, Person
from panel_tui.store.read.orm_queries import queue_rows_by_id, queue_rules_of
from panel_tui.store.read.queue_models import QueueRow

#: An agenda longer than this is not a meeting; the most urgent come first.
MAX_AUTOMATIC = 100


@dataclass(frozen=True)
class AgendaDecision:
    outcome: str
    receiving_agency: str | None
    pathway: str
    rationale: str
    decided_by: str
    review_date: date
    decided_at: datetime


@dataclass(frozen=True)
class AgendaEntry(QueueRow):
    """A dispute on the agenda: its queue row, whether a chair put it there by hand, and
    the decisions taken on it that day."""

    picked: bool = False
    decisions: list[AgendaDecision] = field(default_factory=list)

    @property
    def decided(self) -> bool:
        return any(d.outcome != "no_agreement" for d in self.decisions)


def day_bounds(panel_date: date) -> tuple[datetime, datetime]:
    """The panel's day in local time, as UTC instants."""
    start = datetime.combine(panel_date, time(0)).astimezone()
    return utc(start), utc(start + timedelta(days=1))


def agenda(store: Store, panel_date: date, at: datetime) -> list[AgendaEntry]:
    """The agenda in order: fixed positions first, then the rest by urgency."""
    start, end = day_bounds(panel_date)
    policy = store.policy()
    with store.read() as session:
        placed = _placed_items(session, panel_date)
        automatic = _automatic_ids(session, start, end)
        ids = list(placed) + [i for i in automatic if i not in placed]
        rows = queue_rows_by_id(session, ids, queue_rules_of(policy), at)
        decisions = _decisions_of_day(session, ids, start, end)
    entries = []
    for dispute_id in _in_order(placed, automatic, decisions, at):
        row = rows.get(dispute_id)
        if row is None:
            continue
        entries.append(
            AgendaEntry(
                **{f.name: getattr(row, f.name) for f in fields(QueueRow)},
                picked=placed[dispute_id].picked if dispute_id in placed else False,
                decisions=decisions.get(dispute_id, []),
            )
        )
    return entries


def _placed_items(session: Session, panel_date: date) -> dict[int, PanelAgendaItem]:
    """The disputes a chair put on this date's agenda or gave a fixed place, by id."""
    return {
        row.dispute_id: row
        for row in session.execute(
            select(PanelAgendaItem).where(col(PanelAgendaItem.panel_date) == panel_date)
        ).scalars()
    }


def _automatic_ids(session: Session, start: datetime, end: datetime) -> list[int]:
    """Open at the panel stage, or decided at it within the day: the most urgent first,
    at most MAX_AUTOMATIC."""
    decided_today = select(col(Decision.dispute_id)).where(
        col(Decision.decided_at) >= start,
        col(Decision.decided_at) < end,
        col(Decision.stage) == int(Stage.PANEL),
    )
    ids = (
        session.execute(
            select(col(Dispute.id))
            .where(
                or_(
                    (col(Dispute.current_stage) == int(Stage.PANEL))
                    & (Dispute.status == Status.OPEN.value),
                    col(Dispute.id).in_(decided_today),
                )
            )
            .order_by(
                col(Dispute.current_due_at).is_(None),
                col(Dispute.current_due_at),
                col(Dispute.id),
            )
            .limit(MAX_AUTOMATIC)
        )
        .scalars()
        .all()
    )
    return cast(list[int], list(ids))  # primary keys: never None


def _decisions_of_day(
    session: Session, ids: list[int], start: datetime, end: datetime
) -> dict[int, list[AgendaDecision]]:
    """Each dispute's decisions taken within the day, in the order they were taken."""
    names = dict(session.execute(select(col(Person.id), col(Person.display_name))).all())
    codes = dict(session.execute(select(col(Agency.id), col(Agency.code))).all())
    decisions: dict[int, list[AgendaDecision]] = {}
    for x in session.execute(
        select(Decision)
        .where(
            col(Decision.dispute_id).in_(ids),
            col(Decision.decided_at) >= start,
            col(Decision.decided_at) < end,
        )
        .order_by(col(Decision.id))
    ).scalars():
        decisions.setdefault(x.dispute_id, []).append(
            AgendaDecision(
                outcome=x.outcome,
                receiving_agency=codes.get(x.receiving_agency_id)
                if x.receiving_agency_id
                else None,
                pathway=x.pathway,
                rationale=x.rationale,
                decided_by=names.get(x.decided_by_id, "?"),
                review_date=x.review_date,
                decided_at=x.decided_at,
            )
        )
    return decisions


def _in_order(
    placed: dict[int, PanelAgendaItem],
    automatic: list[int],
    decisions: dict[int, list[AgendaDecision]],
    at: datetime,
) -> list[int]:
    """The chair's fixed places first; then the decided, in the order they were decided,
    so the list does not jump about during the meeting; then the open ones by urgency."""
    order = sorted(placed.values(), key=lambda r: r.position)
    first_decided = {i: min(x.decided_at for x in xs) for i, xs in decisions.items()}
    rest = [i for i in automatic if i not in placed]
    rest.sort(key=lambda i: (i not in first_decided, first_decided.get(i, at)))
    return [r.dispute_id for r in order] + rest
