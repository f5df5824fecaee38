"""The replay machinery: how an import is written, step by step, through the Ledger.

Imports never write rows directly. A validated dispute becomes an opening plus
``ReplayStep``s (a ledger call at a recorded time, made as a recorded login), sorted
by time and, for ties, by what must exist first (``STEP_RANK``). ``replay_steps`` runs
them on a ``Replayer`` (one ledger whose acting login changes per step) inside
the importer's single write batch; ``record_import`` adds the import's own
audit event.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlmodel import col

from panel_tui.rules.enums import Action
from panel_tui.rules.errors import DomainError, InvalidInputError
from panel_tui.store.db import Store
from panel_tui.store.ledger import Ledger
from panel_tui.store.ledger.admin import Admin
from panel_tui.store.ledger.agenda import PanelAgenda
from panel_tui.store.ledger.base import Context
from panel_tui.store.models import Agency, Dispute
from panel_tui.store.transfer.validate import with_row


@dataclass(frozen=True)
class ImportResult:
    disputes: int
    #: source reference (or "row N" for CSV) → new reference in this store
    refs: dict[str, str] = field(default_factory=dict)
    agencies_added: tuple[str, ...] = ()
    people_added: tuple[str, ...] = ()
    #: source reference (or "row N") → the reference of the same dispute already held
    skipped: dict[str, str] = field(default_factory=dict)


#: What makes an imported dispute the same as one the store holds (or one earlier in
#: the same file): the person, the raising agency and the instant it was opened.
DisputeKey = tuple[str, str, datetime]


def dispute_key(form: dict[str, Any], opened: datetime) -> DisputeKey:
    return (
        str(form.get("person_ref") or "").strip(),
        str(form.get("raising_agency") or "").strip().upper(),
        opened.astimezone(UTC),
    )


def held_disputes(store: Store, keys: list[DisputeKey]) -> dict[DisputeKey, str]:
    """Which of ``keys`` the store already holds, and under which reference."""
    people = sorted({k[0] for k in keys})
    held: dict[DisputeKey, str] = {}
    with store.read() as session:
        for start in range(0, len(people), 500):  # SQLite's bound-parameter limit
            rows = session.execute(
                select(
                    col(Dispute.person_ref),
                    col(Agency.code),
                    col(Dispute.opened_at),
                    col(Dispute.ref),
                )
                .join(Agency, col(Agency.id) == col(Dispute.raising_agency_id))
                .where(col(Dispute.person_ref).in_(people[start : start + 500]))
            )
            for person, code, opened, ref in rows:
                held[(person, code, opened.astimezone(UTC))] = ref
    return held


#: How far ahead of this machine's clock an imported time may be (another host's clock).
FUTURE_SKEW = timedelta(minutes=5)


def refuse_future(moment: datetime, row: int, name: str) -> None:
    """A recorded event cannot have happened later than now (a little clock skew aside)."""
    if moment > datetime.now(UTC) + FUTURE_SKEW:
        raise InvalidInputError(
            f"{moment.isoformat(timespec='seconds')} is in the future: "
            "an imported event must already have happened",
            field=name,
            row=row,
        )


class Replayer(Ledger, Admin):
    """One ledger whose acting login changes per step, inside one batch."""

    records_may_lack_impact = True

    def place_on_agenda(
        self, ref: str, panel_date: date, position: int, picked: bool, *, at: datetime
    ) -> None:
        # The agenda's own ledger (its right is the decision right by role, on any
        # rung), writing inside this import's one transaction.
        agenda = PanelAgenda(self.store, self.login, clock=self.clock)
        agenda._batch = self._batch
        agenda.place(panel_date, ref, position, picked, at=at)


@dataclass(order=True)
class ReplayStep:
    at: datetime
    rank: int
    stage: int
    seq: int
    where: str = field(compare=False)
    actor: str = field(compare=False)
    run: Callable[[Replayer, str], Any] = field(compare=False)
    #: which part of the dispute it replays (a key of STEP_RANK)
    kind: str = field(compare=False, default="")


# Ties at the same instant: what must exist before what.
STEP_RANK = {
    "evidence": 1,
    "consent": 2,
    "plan_holders": 3,
    "syncs": 4,  # convened by the plan holder: after the holder is assigned
    "covers": 5,
    "packages": 6,
    "contacts": 7,
    "pathways": 8,  # a package's next step: after its contacts, before an escalation
    "risk_ratings": 9,
    "ladder": 10,  # escalations and decisions, ordered by stage
    "agenda": 11,  # a panel's agenda: placed by hand while open, or in an order fixed later
    "acceptance": 12,
    "review_triggers": 13,  # a decision is reviewed after it was made
    "reviews": 14,
    "withdrawal": 15,
    "notes": 16,
}

#: What a resolved dispute still takes: its decision is reviewed, notes are added, the
#: agenda of the panel that decided it is put in order.
AFTER_RESOLUTION = frozenset(
    {"acceptance", "withdrawal", "review_triggers", "reviews", "notes", "agenda"}
)


def ledger_call(method: str, *args: Any, **kwargs: Any) -> Callable[[Replayer, str], Any]:
    def run(ledger: Replayer, ref: str) -> Any:
        return getattr(ledger, method)(ref, *args, **kwargs)

    return run


def replay_steps(
    ledger: Replayer,
    row: int,
    form: dict[str, Any],
    opened: datetime,
    opener: str,
    steps: list[ReplayStep],
) -> str:
    ledger.login = opener
    try:
        ref = ledger.open_dispute(form, at=opened)
    except DomainError as err:
        raise with_row(err, row, "open") from None
    for step in steps:
        ledger.login = step.actor
        try:
            step.run(ledger, ref)
        except DomainError as err:
            raise with_row(err, row, step.where, ref) from None
    return ref


def record_import(
    ledger: Replayer,
    source: str,
    refs: dict[str, str],
    exported_at: Any,
    skipped: dict[str, str] | None = None,
) -> None:
    def body(ctx: Context, _: object) -> None:
        ctx.event(
            "import",
            after={
                "source": source,
                "disputes": len(refs),
                "exported_at": exported_at,
                "refs": refs,
                **({"skipped": skipped} if skipped else {}),
            },
        )

    action = Action.ADMINISTER if source == "export" else Action.OPEN
    ledger.run(action, None, body)
