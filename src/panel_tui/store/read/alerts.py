"""Which clocks are newly at warning or breach, and whom each concerns.

A clock alerts once per state: at warning (``warning_fraction`` of its window
used) and at breach (its due time). The people to tell are the rung's named
authority (``[ladder]``'s role on rungs 0–2, ``[final_authority]``'s role for
the dispute's type on rung 3: ``Policy.authority_role``) who belong to one of
the dispute's agencies; when none of those holds the role, every active holder
of it (a panel chair or a commissioner liaison serves every agency).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlmodel import Session, col

from panel_tui.rules.clocks import utc
from panel_tui.rules.enums import ClockState, Stage, Status
from panel_tui.rules.policy import Policy
from panel_tui.store.models import Agency, Dispute, DisputeAgency, Person

#: A first run, or one after an outage, looks back this far for clocks that crossed.
DEFAULT_WITHIN = timedelta(hours=24)


@dataclass(frozen=True)
class Alert:
    """One clock at one state, for one person."""

    login: str
    name: str
    dispute_id: int
    ref: str
    stage: int
    state: str  # ClockState.WARNING or ClockState.BREACHED value
    due_at: datetime
    crossed_at: datetime
    risk: str
    dispute_type: str
    agencies: str
    role: str

    @property
    def key(self) -> tuple[str, int, int, str, datetime]:
        """What makes an alert the same alert: whom, which clock, which state."""
        return (self.login, self.dispute_id, self.stage, self.state, self.due_at)


@dataclass(frozen=True)
class _Clock:
    dispute_id: int
    ref: str
    stage: int
    state: str
    due_at: datetime
    crossed_at: datetime
    risk: str
    dispute_type: str
    agencies: str


def clocks_crossed(
    session: Session, policy: Policy, now: datetime, within: timedelta = DEFAULT_WITHIN
) -> list[_Clock]:
    """Live clocks that reached warning or breach in (now - within, now], as they stand now.

    Both read ``ix_dispute_status_due`` over a bounded range of due times.
    """
    now = utc(now)
    start = now - within
    live = (Status.OPEN.value, Status.DECIDED.value)
    columns = (
        col(Dispute.id),
        col(Dispute.ref),
        col(Dispute.current_stage),
        col(Dispute.stage_entered_at),
        col(Dispute.current_due_at),
        col(Dispute.risk),
        col(Dispute.dispute_type),
        col(Dispute.agencies_label),
    )
    found: list[_Clock] = []
    breached = session.execute(
        select(*columns).where(
            col(Dispute.status).in_(live),
            col(Dispute.current_due_at) > start,
            col(Dispute.current_due_at) <= now,
        )
    )
    for id_, ref, stage, _entered, due, risk, type_, label in breached:
        found.append(
            _Clock(id_, ref, stage, ClockState.BREACHED.value, due, due, risk, type_, label)
        )
    fraction = policy.clock.warning_fraction
    longest = max(max(getattr(policy.windows, r)) for r in ("critical", "high", "medium", "low"))
    warning = session.execute(
        select(*columns).where(
            col(Dispute.status).in_(live),
            col(Dispute.current_due_at) > now,
            col(Dispute.current_due_at) <= now + timedelta(hours=longest) * (1 - fraction),
        )
    )
    for id_, ref, stage, entered, due, risk, type_, label in warning:
        warns_at = entered + (due - entered) * fraction
        if start < warns_at <= now:
            found.append(
                _Clock(id_, ref, stage, ClockState.WARNING.value, due, warns_at, risk, type_, label)
            )
    return sorted(found, key=lambda c: (c.crossed_at, c.ref))


def alerts_due(
    session: Session, policy: Policy, now: datetime, within: timedelta = DEFAULT_WITHIN
) -> list[Alert]:
    """Every (person, clock) alert for the clocks that crossed: before the sent-record."""
    clocks = clocks_crossed(session, policy, now, within)
    if not clocks:
        return []
    people = session.execute(
        select(col(Person.login), col(Person.display_name), col(Person.roles), col(Agency.code))
        .outerjoin(Agency, col(Agency.id) == col(Person.agency_id))
        .where(col(Person.active).is_(True))
    ).all()
    by_role: dict[str, list[tuple[str, str, str | None]]] = defaultdict(list)
    for login, name, roles, agency in people:
        for role in roles.split():
            by_role[role].append((login, name, agency))
    parties: dict[int, set[str]] = defaultdict(set)
    for dispute_id, code in session.execute(
        select(col(DisputeAgency.dispute_id), col(Agency.code))
        .join(Agency, col(Agency.id) == col(DisputeAgency.agency_id))
        .where(col(DisputeAgency.dispute_id).in_({c.dispute_id for c in clocks}))
    ):
        parties[dispute_id].add(code)
    alerts: list[Alert] = []
    for clock in clocks:
        if not 0 <= clock.stage <= Stage.FINAL_AUTHORITY:
            continue  # commissioner liaison has no clock
        role = policy.authority_role(clock.stage, clock.dispute_type)
        holders = by_role.get(role, [])
        theirs = [h for h in holders if h[2] in parties[clock.dispute_id]]
        for login, name, _agency in theirs or holders:
            alerts.append(
                Alert(
                    login,
                    name,
                    clock.dispute_id,
                    clock.ref,
                    clock.stage,
                    clock.state,
                    clock.due_at,
                    clock.crossed_at,
                    clock.risk,
                    clock.dispute_type,
                    clock.agencies,
                    role,
                )
            )
    return alerts
