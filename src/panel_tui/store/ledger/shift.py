"""Marking what changed as seen: a person's seen mark, one audited event each.

The mark is a record under the chain (``seenmark``, covered by the rebuild) and
every change of it is an event, for two reasons: the mark decides what the next
shift-start view and ``handover --since LAST`` show, so an edit of it in the file
would hide a breach from the next reader (verify names such an edit); and "the
duty lead was shown these changes at 07:02" is itself part of the record.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from panel_tui.rules.clocks import utc
from panel_tui.rules.errors import InvalidInputError
from panel_tui.store.audit import append_event
from panel_tui.store.db import Store
from panel_tui.store.ledger.base import LedgerBase
from panel_tui.store.models import Event, SeenMark

ACTION = "mark_seen"


def mark_seen(store: Store, login: str, up_to_event: int, at: datetime) -> SeenMark:
    """Mark everything up to event ``up_to_event`` (read at ``at``) seen by ``login``.

    A mark never moves back: marking an older view seen (a second window open
    since morning) keeps the newer mark. Only an active person of the store marks.
    """
    at = utc(at)
    with store.write() as session:
        person = LedgerBase(store, login).person_acting(session)
        head = session.execute(select(func.max(Event.id))).scalar_one() or 0
        if not 0 <= up_to_event <= head:
            raise InvalidInputError(
                f"event {up_to_event} is not in this store (its newest is {head})",
                field="up_to_event",
            )
        mark = session.get(SeenMark, person.login)
        before = {"event_id": mark.event_id, "at": mark.at} if mark else {}
        if mark is None:
            mark = SeenMark(login=person.login, event_id=up_to_event, at=at)
        elif up_to_event > mark.event_id or (up_to_event == mark.event_id and at > mark.at):
            mark.event_id, mark.at = up_to_event, at
        else:
            return mark
        session.add(mark)
        append_event(
            session,
            at=at,
            actor=person.login,
            action=ACTION,
            before=before,
            after={"event_id": up_to_event, "at": at},
        )
        return mark
