"""The bulk path's events made ready for the hash chain where their rows are made.

An event's hash is the SHA-256 of its canonical JSON (``EventContent.
canonical_text``): its keys sorted, ``action, actor, after, at, before,
dispute_id, dispute_ref, id, prev, real_actor, rows, stage``. All but three of
those values are known where the rows are made (a worker process for a big
build); ``dispute_ref``, ``id`` and ``prev`` only where the events are chained
and written, one after another. So the worker writes each event's text before
them (``head``) and after them (``tail``) and this process puts the three in
between: escaping the long JSON texts (before, after, the rows written), a
dispute's time as text and the time order of a batch's events were four fifths
of chaining them (15.6 → 3.0 µs an event). A test holds every digest equal to
``EventContent``'s.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from json.encoder import encode_basestring_ascii
from typing import Any

from panel_tui.store.demo.rows import REF_HOLE_JSON, EventChain, as_stored
from panel_tui.store.event_hash import canonical

#: (time as stored, actor, action, dispute id, stage, before, after, the rows written,
#: the hashed text before the ref, the hashed text after ``prev``/``real_actor``)
PreparedEvent = tuple["str | None", str, str, int, "int | None", str, str, str, str, str]
#: ``REF_HOLE_JSON`` as it reads in the hashed text: the rows are a JSON string there.
_HOLE_ESCAPED = encode_basestring_ascii(REF_HOLE_JSON)[1:-1]


def _json(value: Any) -> str:
    """A value as ``canonical`` writes it, without the encoder for the plain ones."""
    kind = type(value)
    if kind is str:
        return encode_basestring_ascii(value)
    if kind is int:
        return int.__repr__(value)
    if value is None:
        return "null"
    return canonical(value)


def hash_tail(rows: str, stage: int | None) -> str:
    """The hashed text after ``prev`` and ``real_actor``: the rows (left out when there
    are none, as ``EventContent.content`` leaves them out) and the stage."""
    written = f',"rows":{_json(rows)}' if rows else ""
    return f'{written},"stage":{_json(stage)}}}'


def prepare_events(events: Sequence[tuple[Any, ...]]) -> list[PreparedEvent]:
    """A batch's events (``BulkBatch.events`` as ``RowMaker`` makes them) in time order
    (ties in the order made, as the chain takes them), each with its hashed text around
    the three values only the chain knows."""
    prepared = []
    for at, actor, action, dispute_id, stage, before, after, rows in sorted(
        events, key=lambda e: e[0]
    ):
        moment: datetime = at
        iso = moment.isoformat(timespec="microseconds")
        # The stored form from the same text when the time is in UTC (all the demo's
        # are): one isoformat an event rather than two.
        stored = f"{iso[:10]} {iso[11:26]}" if iso.endswith("+00:00") else as_stored(moment)
        head = (
            f'{{"action":{_json(action)},"actor":{_json(actor)},"after":{_json(after)},'
            f'"at":"{iso}","before":{_json(before)},"dispute_id":{_json(dispute_id)},'
            '"dispute_ref":'
        )
        tail = hash_tail(rows, stage)
        prepared.append((stored, actor, action, dispute_id, stage, before, after, rows, head, tail))
    return prepared


class PreparedChain(EventChain):
    """``EventChain`` for prepared events: the same rows and hashes, less work here."""

    def __init__(self, event_id: int, prev_hash: str, real_login: str) -> None:
        super().__init__(event_id, prev_hash, real_login)
        self._real_json = f',"real_actor":{_json(real_login)}'

    def link_prepared(
        self, event: PreparedEvent, ref: str, rows: str | None = None
    ) -> tuple[Any, ...]:
        """The next event row (as ``link``'s), for ``event`` of dispute ``ref``; ``rows``
        replaces the rows it wrote (the open event's, once its dispute has its ref)."""
        if rows is not None:
            event = (*event[:7], rows, event[8], hash_tail(rows, event[4]))
        return self._link(event, ref, _json(ref))

    def link_opening(self, event: PreparedEvent, ref: str) -> tuple[Any, ...]:
        """``link_prepared(event, ref, rows)`` for an open event, its rows' ``REF_HOLE_JSON``
        given ``ref``: the ref put into the rows and into their escaped copy in the
        hashed text, rather than escaping the rows again (the open event's rows hold the
        whole dispute row: 15 µs a dispute, a tenth of chaining). Escaping maps each
        character on its own and a stored text holds no U+0000, so the hole's first
        escaped occurrence is the one to fill. ``ref`` is D-YYYY-NNNN, plain text in JSON."""
        written, tail = event[7], event[9]
        assert REF_HOLE_JSON in written and _HOLE_ESCAPED in tail
        filled = written.replace(REF_HOLE_JSON, f'"{ref}"', 1)
        tail = tail.replace(_HOLE_ESCAPED, f'\\"{ref}\\"', 1)
        return self._link((*event[:7], filled, event[8], tail), ref, f'"{ref}"')

    def _link(self, event: PreparedEvent, ref: str, ref_json: str) -> tuple[Any, ...]:
        at, actor, action, dispute_id, stage, before, after, written, head, tail = event
        self.event_id += 1
        real = self.real_login if self.real_login != actor else None
        # prev is a hex digest (or GENESIS): plain text in JSON, no escaping to do.
        middle = f',"id":{self.event_id},"prev":"{self.prev_hash}"'
        if real is not None:
            middle += self._real_json
        text = head + ref_json + middle + tail
        prev, self.prev_hash = self.prev_hash, hashlib.sha256(text.encode("utf-8")).hexdigest()
        return (
            self.event_id,
            *(at, actor, action, dispute_id, ref, stage, before, after),
            prev,
            self.prev_hash,
            written,
            real,
        )
