"""The audit trail: an append-only, hash-chained event log.

Each event stores SHA-256 over its own content and the previous event's hash.
The head is read and extended inside the caller's write transaction (which on
SQLite began IMMEDIATE, so no other writer can extend it meanwhile). Ids are
consecutive, so a deleted row shows as a gap and an inserted one as a bad hash.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, select, text
from sqlmodel import Session

from panel_tui.rules.errors import InvalidInputError
from panel_tui.store.models import Event

GENESIS = "0" * 64


def canonical(value: Any) -> str:
    """Stable JSON: sorted keys, no spaces, dates as ISO text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=_default)


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"cannot put {type(value).__name__} in an event")


def event_hash(
    *,
    id: int,
    at: datetime,
    actor: str,
    action: str,
    dispute_id: int | None,
    dispute_ref: str | None,
    stage: int | None,
    before: str,
    after: str,
    prev_hash: str,
) -> str:
    content = canonical(
        {
            "id": id,
            "at": at.isoformat(timespec="microseconds"),
            "actor": actor,
            "action": action,
            "dispute_id": dispute_id,
            "dispute_ref": dispute_ref,
            "stage": stage,
            "before": before,
            "after": after,
            "prev": prev_hash,
        }
    )
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


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
) -> Event:
    """Append one event to the chain, in the caller's (write) transaction."""
    head = session.execute(select(Event.id, Event.hash).order_by(Event.id.desc()).limit(1)).first()
    next_id, prev_hash = (head[0] + 1, head[1]) if head else (1, GENESIS)
    before_text, after_text = canonical(before or {}), canonical(after or {})
    # Hash exactly what will be read back: UTC, microsecond precision.
    at = at.astimezone(UTC)
    event = Event(
        id=next_id,
        at=at,
        actor=actor,
        action=action,
        dispute_id=dispute_id,
        dispute_ref=dispute_ref,
        stage=stage,
        before=before_text,
        after=after_text,
        prev_hash=prev_hash,
        hash=event_hash(
            id=next_id,
            at=at,
            actor=actor,
            action=action,
            dispute_id=dispute_id,
            dispute_ref=dispute_ref,
            stage=stage,
            before=before_text,
            after=after_text,
            prev_hash=prev_hash,
        ),
    )
    session.add(event)
    session.flush()
    return event


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
        anchor_id = int(id_text)
    except ValueError:
        raise InvalidInputError(
            f"'{anchor}' is not ID:HASH (as audit verify prints it)", field="expect_head"
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
    last = 0
    while True:
        rows = connection.execute(
            text(
                "SELECT id, at, actor, action, dispute_id, dispute_ref, stage, before, after, "
                "prev_hash, hash FROM event WHERE id > :last ORDER BY id LIMIT :n"
            ),
            {"last": last, "n": batch},
        ).all()
        if not rows:
            return
        yield from rows
        last = rows[-1][0]


def verify_chain(connection: Connection) -> ChainReport:
    """Walk the chain from the first event; name the first event that does not verify."""
    from panel_tui.store.types import UTCDateTime

    decode = UTCDateTime().process_result_value
    expected_prev, expected_id, count = GENESIS, 1, 0
    for row in _rows(connection):
        (id_, at, actor, action, dispute_id, dispute_ref, stage, before, after, prev, stored) = row
        if id_ != expected_id:
            return ChainReport(
                False, count, expected_id, f"event {expected_id} is missing (next is {id_})"
            )
        if prev != expected_prev:
            return ChainReport(False, count, id_, "its previous-hash does not match the chain")
        try:
            at_value = at if isinstance(at, datetime) else datetime.fromisoformat(str(at))
        except ValueError:  # written by hand: not a time the store could have stored
            return ChainReport(False, count, id_, "its time is not a valid timestamp")
        computed = event_hash(
            id=id_,
            at=decode(at_value.replace(tzinfo=None), None),  # type: ignore[arg-type]
            actor=actor,
            action=action,
            dispute_id=dispute_id,
            dispute_ref=dispute_ref,
            stage=stage,
            before=before,
            after=after,
            prev_hash=prev,
        )
        if computed != stored:
            return ChainReport(False, count, id_, "its content does not match its hash")
        expected_prev, expected_id, count = stored, expected_id + 1, count + 1
    return ChainReport(True, count, head=(count, expected_prev) if count else None)
