"""The audit trail: an append-only, hash-chained event log.

Each event stores SHA-256 over its own content and the previous event's hash.
The head is read and extended inside the caller's write transaction (which on
SQLite began IMMEDIATE, so no other writer can extend it meanwhile). Ids are
consecutive, so a deleted row shows as a gap and an inserted one as a bad hash.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, select, text
from sqlmodel import Session, col

from panel_tui.rules.errors import InvalidInputError
from panel_tui.rules.wording import counted
from panel_tui.store.event_hash import (  # re-exported: the chain's content and hash
    GENESIS,
    HASHED_COLUMNS,
    EventContent,
    canonical,
    event_hash,  # noqa: F401
)
from panel_tui.store.identity import os_login
from panel_tui.store.models import Event

# Imported here, not where it is used: its session listener must be in place before
# the first flush of the first operation, or the rows that flush wrote go unrecorded.
from panel_tui.store.rebuild.capture import take_rows


def append_event(
    session: Session,
    *,
    at: datetime,
    actor: str,
    action: str,
    dispute_id: int | None = None,
    dispute_ref: str | None = None,
    stage: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    real_actor: str | None = None,
) -> Event:
    """Append one event to the chain, in the caller's (write) transaction.

    The covered rows the transaction wrote since its previous event go in the
    event (``rows``), so that verify can rebuild the tables from the events.
    ``real_actor`` is the OS login that acted (this process's, unless the caller knows
    better); it is recorded only where it is not ``actor`` (an identity override, a
    system actor), so that a claimed identity is never all there is.
    """
    written = take_rows(session)
    head = session.execute(
        select(col(Event.id), col(Event.hash)).order_by(col(Event.id).desc()).limit(1)
    ).first()
    next_id, prev_hash = (head[0] + 1, head[1]) if head else (1, GENESIS)
    event = EventContent(
        id=next_id,
        at=at.astimezone(UTC),  # hash exactly what will be read back: UTC, microseconds
        actor=actor,
        action=action,
        dispute_id=dispute_id,
        dispute_ref=dispute_ref,
        stage=stage,
        before=canonical(before or {}),
        after=canonical(after or {}),
        prev_hash=prev_hash,
        rows=canonical(written) if written else "",
        real_actor=_beside(actor, real_actor or os_login()),
    ).row()
    session.add(event)
    session.flush()
    return event


def _beside(actor: str, real: str) -> str | None:
    """The real login, where it is not the one the event names."""
    return real if real != actor else None


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    events: int
    first_bad_id: int | None = None
    problem: str | None = None
    #: The last event verified and its hash: the anchor to record outside the store.
    head: tuple[int, str] | None = None

    @property
    def anchor(self) -> str | None:
        """``ID:HASH`` of the head, the form ``audit verify --expect-head`` takes."""
        return f"{self.head[0]}:{self.head[1]}" if self.head else None

    def describe(self) -> str:
        if self.ok:
            head = f"; head {self.anchor}" if self.head else ""
            return f"audit chain intact: {self.events} events verified{head}"
        return f"audit chain BROKEN at event {self.first_bad_id}: {self.problem}"


def check_anchor(report: ChainReport, hashes: dict[int, str], anchor: str) -> ChainReport:
    """Hold a verified chain to a head recorded earlier (``ID:HASH``).

    The chain alone cannot show that its newest events were deleted, or that
    every hash after a rewrite was recomputed: a head recorded outside the
    store (a minute book, an oversight report) can. ``hashes`` maps event ids
    to their stored hashes, at least for the anchor's id.
    """
    try:
        id_text, expected = anchor.split(":", 1)
        if not (id_text.isascii() and id_text.isdigit() and len(id_text) <= 18):
            raise ValueError(id_text)
        anchor_id = int(id_text)
    except ValueError:
        raise InvalidInputError(
            f"'{anchor[:40]}' is not ID:HASH (as audit verify prints it)", field="expect_head"
        ) from None
    if not report.ok:
        return report
    if anchor_id > report.events:
        return replace(
            report,
            ok=False,
            first_bad_id=report.events + 1,
            problem=f"the chain ends at event {report.events}, but event {anchor_id} was "
            "recorded: events were removed from its end",
        )
    if hashes.get(anchor_id) != expected.strip().lower():
        return replace(
            report,
            ok=False,
            first_bad_id=anchor_id,
            problem="its hash is not the one recorded: the chain up to it was rewritten",
        )
    return report


def event_hashes(connection: Connection, ids: list[int]) -> dict[int, str]:
    rows = connection.execute(
        text("SELECT id, hash FROM event WHERE id IN :ids").bindparams(
            bindparam("ids", expanding=True)
        ),
        {"ids": ids},
    ).all()
    return {int(id_): str(hash_) for id_, hash_ in rows}


def _rows(connection: Connection, batch: int = 5000) -> Iterator[Any]:
    from sqlalchemy import inspect

    # A store not yet migrated (doctor reads it as it is) lacks the newer columns: read
    # them as the values that leave them out of the hash.
    present = {c["name"] for c in inspect(connection).get_columns("event")}
    absent = {"rows": "''", "real_actor": "NULL"}
    selected = ", ".join(
        c if c in present else f"{absent[c]} AS {c}" for c in (*HASHED_COLUMNS, "hash")
    )
    last = 0
    while True:
        rows = connection.execute(
            text(f"SELECT {selected} FROM event WHERE id > :last ORDER BY id LIMIT :n"),
            {"last": last, "n": batch},
        ).all()
        if not rows:
            return
        yield from rows
        last = rows[-1][0]


def verify_chain(connection: Connection) -> ChainReport:
    """Walk the chain from the first event; name the first event that does not verify."""
    expected_prev, expected_id, count = GENESIS, 1, 0
    for row in _rows(connection):
        content = EventContent(*row[:-1])
        id_, prev, stored = content.id, content.prev_hash, row[-1]
        if id_ != expected_id:
            return ChainReport(
                False, count, expected_id, f"event {expected_id} is missing (next is {id_})"
            )
        if prev != expected_prev:
            return ChainReport(False, count, id_, "its previous-hash does not match the chain")
        at = content.at
        try:
            at_value = at if isinstance(at, datetime) else datetime.fromisoformat(str(at))
        except ValueError:  # written by hand: not a time the store could have stored
            return ChainReport(False, count, id_, "its time is not a valid timestamp")
        # As the column type (types.UTCDateTime) reads it back: the stored wall time, in UTC.
        computed = replace(content, at=at_value.replace(tzinfo=UTC)).digest()
        if computed != stored:
            return ChainReport(False, count, id_, "its content does not match its hash")
        expected_prev, expected_id, count = stored, expected_id + 1, count + 1
    if count == 0:
        return _empty_chain(connection)
    return ChainReport(True, count, head=(count, expected_prev))


def _empty_chain(connection: Connection) -> ChainReport:
    """No events: intact only if there is nothing the events should have recorded."""
    disputes = connection.execute(text("SELECT count(*) FROM dispute")).scalar_one()
    if disputes:
        return ChainReport(
            False,
            0,
            1,
            f"the chain is empty but the store holds {counted(disputes, 'dispute')}: "
            "its events were removed",
        )
    return ChainReport(True, 0)
