"""Changes to a panel's agenda: add by hand, take off, move (its order is then fixed),
and place (an import putting a row back as its export recorded it).

Every change is one audited transaction with the right to record a decision.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlmodel import col

from panel_tui.rules.enums import Action, Status
from panel_tui.rules.errors import InvalidInputError, TransitionError
from panel_tui.store.ledger.base import Context, LedgerBase
from panel_tui.store.models import Dispute, PanelAgendaItem, row_id


class PanelAgenda(LedgerBase):
    """Changes to a panel's agenda, as ``login`` (who must be able to record decisions)."""

    # Placing a dispute on the agenda needs the decision right, on any rung.
    rights_by_role_only = True

    def _change(
        self,
        ref: str,
        body: Callable[[Context, Dispute], None],
        at: datetime | None,
        /,
        **asked: Any,
    ) -> None:
        """The form of an agenda change: ``body`` with the right to record a decision, and
        no expected version (the agenda is not part of the dispute's version)."""
        self.on_dispute(Action.RECORD_DECISION, ref, body, None, at, **asked)

    def add(self, panel_date: date, ref: str, *, at: datetime | None = None) -> None:
        def body(ctx: Context, dispute: Dispute) -> None:
            if Status(dispute.status) not in (Status.OPEN, Status.DECIDED):
                raise TransitionError(
                    f"{dispute.ref} is {dispute.status}: it cannot go to a panel."
                )
            if self._row(ctx, panel_date, dispute) is not None:
                raise InvalidInputError(f"{dispute.ref} is already on the agenda", field="ref")
            last = ctx.session.execute(
                select(func.max(PanelAgendaItem.position)).where(
                    col(PanelAgendaItem.panel_date) == panel_date
                )
            ).scalar_one()
            ctx.session.add(self._item(ctx, panel_date, dispute.id or 0, (last or 0) + 1, True))
            ctx.event("agenda_add", dispute, after={"panel_date": panel_date.isoformat()})

        self._change(ref, body, at, panel_date=panel_date)

    def remove(self, panel_date: date, ref: str, *, at: datetime | None = None) -> None:
        def body(ctx: Context, dispute: Dispute) -> None:
            row = self._row(ctx, panel_date, dispute)
            if row is None or not row.picked:
                raise TransitionError(
                    f"{dispute.ref} is on the agenda because it is at the panel stage.",
                    hint="Only disputes added by hand can be taken off; move it down instead.",
                )
            ctx.session.delete(row)
            ctx.event("agenda_remove", dispute, before={"panel_date": panel_date.isoformat()})

        self._change(ref, body, at, panel_date=panel_date)

    def move(
        self,
        panel_date: date,
        ref: str,
        delta: int,
        order: list[int],
        *,
        at: datetime | None = None,
    ) -> None:
        """Move ``ref`` by ``delta`` places in ``order`` (dispute ids as shown); fixes the order."""

        def body(ctx: Context, dispute: Dispute) -> None:
            ids = list(order)
            if dispute.id not in ids:
                raise InvalidInputError(f"{dispute.ref} is not on the agenda", field="ref")
            i = ids.index(dispute.id)
            j = max(0, min(len(ids) - 1, i + delta))
            ids.insert(j, ids.pop(i))
            rows = {
                r.dispute_id: r
                for r in ctx.session.execute(
                    select(PanelAgendaItem).where(col(PanelAgendaItem.panel_date) == panel_date)
                ).scalars()
            }
            for position, dispute_id in enumerate(ids, start=1):
                row = rows.get(dispute_id)
                if row is None:
                    ctx.session.add(self._item(ctx, panel_date, dispute_id, position, False))
                else:
                    row.position = position
                    ctx.session.add(row)
            ctx.event(
                "agenda_move",
                dispute,
                before={"position": i + 1},
                after={"position": j + 1, "panel_date": panel_date.isoformat()},
            )

        self._change(ref, body, at, panel_date=panel_date, delta=delta, order=order)

    def place(
        self,
        panel_date: date,
        ref: str,
        position: int,
        picked: bool,
        *,
        at: datetime | None = None,
    ) -> None:
        """Put ``ref`` at ``position`` on ``panel_date``'s agenda as a record says it was:
        an import replaying an export. ``picked``: a chair added it by hand (then it
        was open or decided); else a chair fixed the order it stood in."""
        if isinstance(position, bool) or not isinstance(position, int) or position < 1:
            raise InvalidInputError("a place on the agenda, from 1", field="position")

        def body(ctx: Context, dispute: Dispute) -> None:
            if picked and Status(dispute.status) not in (Status.OPEN, Status.DECIDED):
                raise TransitionError(
                    f"{dispute.ref} is {dispute.status}: it cannot go to a panel."
                )
            if self._row(ctx, panel_date, dispute) is not None:
                raise InvalidInputError(f"{dispute.ref} is already on the agenda", field="ref")
            ctx.session.add(self._item(ctx, panel_date, dispute.id or 0, position, picked))
            placed = {"panel_date": panel_date.isoformat(), "position": position, "picked": picked}
            ctx.event("agenda_place", dispute, after=placed)

        self._change(ref, body, at, panel_date=panel_date, position=position, picked=picked)

    @staticmethod
    def _row(ctx: Context, panel_date: date, dispute: Dispute) -> PanelAgendaItem | None:
        return (
            ctx.session.execute(
                select(PanelAgendaItem).where(
                    col(PanelAgendaItem.panel_date) == panel_date,
                    col(PanelAgendaItem.dispute_id) == dispute.id,
                )
            )
            .scalars()
            .first()
        )

    @staticmethod
    def _item(ctx: Context, panel_date: date, dispute_id: int, position: int, picked: bool):  # noqa: ANN205
        return PanelAgendaItem(
            panel_date=panel_date,
            dispute_id=dispute_id,
            position=position,
            picked=picked,
            added_by_id=row_id(ctx.actor),
            added_at=ctx.at,
        )
