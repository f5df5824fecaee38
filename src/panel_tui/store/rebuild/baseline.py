"""Baseline events: records taken as they are found, because no event proves them.

Stores written before events carried their rows (schema 0003 and older) hold
records that no event can rebuild. Migration 0004 appends, after the existing
chain, one ``baseline`` event per dispute (its rows as they stand) and one for
the rest (people, agencies, covered settings, panel agendas). From then on any
direct edit is caught; what happened to those records before the baseline
cannot be shown, and ``audit verify`` says so. A later migration that brings
new records under the chain can call ``record_baseline`` the same way.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, inspect, text

from panel_tui.store.audit import GENESIS, canonical, event_hash
from panel_tui.store.rebuild.capture import plain
from panel_tui.store.rebuild.fold import BASELINE
from panel_tui.store.rebuild.registry import Covered, dispute_scoped, global_tables

ACTOR = "panel-tui"
CHUNK = 4000

_INSERT = text(
    "INSERT INTO event (id, at, actor, action, dispute_id, dispute_ref, stage, before, after, "
    "rows, prev_hash, hash) VALUES (:id, :at, :actor, :action, :dispute_id, :dispute_ref, "
    ":stage, :before, :after, :rows, :prev_hash, :hash)"
)


def _entries(covered: Covered, rows: list[dict[str, Any]]) -> list[list[Any]]:
    return [["i", [row[k] for k in covered.key], row] for row in rows if covered.covers(row)]


def _read(connection: Connection, sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    result = connection.execute(text(sql), params)
    names = list(result.keys())
    return [{k: plain(v) for k, v in zip(names, values, strict=True)} for values in result]


class _Appender:
    """Extends the chain from its head with baseline events, a batch at a time."""

    def __init__(self, connection: Connection, at: datetime, why: str) -> None:
        self.connection = connection
        self.at = at.astimezone(UTC)
        sqlite = connection.dialect.name == "sqlite"
        naive = self.at.replace(tzinfo=None)
        self.stored_at: Any = naive.isoformat(" ", "microseconds") if sqlite else naive
        self.after = canonical({"unproven_before": True, "why": why})
        head = connection.execute(text("SELECT id, hash FROM event ORDER BY id DESC LIMIT 1"))
        row = head.first()
        self.id, self.prev = (int(row[0]), str(row[1])) if row else (0, GENESIS)
        self.batch: list[dict[str, Any]] = []
        self.count = 0

    def add(
        self, dispute_id: int | None, ref: str | None, stage: int | None, rows: dict[str, Any]
    ) -> None:
        if not rows:
            return
        self.id += 1
        rows_text = canonical(rows)
        fields = {
            "id": self.id,
            "actor": ACTOR,
            "action": BASELINE,
            "dispute_id": dispute_id,
            "dispute_ref": ref,
            "stage": stage,
            "before": "{}",
            "after": self.after,
            "prev_hash": self.prev,
        }
        digest = event_hash(at=self.at, rows=rows_text, **fields)
        self.batch.append({**fields, "at": self.stored_at, "rows": rows_text, "hash": digest})
        self.prev = digest
        self.count += 1
        if len(self.batch) >= 1000:
            self.flush()

    def flush(self) -> None:
        if self.batch:
            self.connection.execute(_INSERT, self.batch)
            self.batch = []


def record_baseline(connection: Connection, *, why: str, at: datetime | None = None) -> int:
    """Append baseline events for every covered record; returns how many events."""
    appender = _Appender(connection, at or datetime.now(UTC), why)
    # A later migration's tables (seen marks, alerts: 0005; syncs, consent: 0011) are not
    # there yet when migration 0004 runs this; they start empty: nothing to take.
    present = set(inspect(connection).get_table_names())
    rest = {}
    for covered in global_tables():
        if covered.table not in present:
            continue
        order = ", ".join(covered.key)
        rows = _read(connection, f"SELECT * FROM {covered.table} ORDER BY {order}", {})  # noqa: S608
        if entries := _entries(covered, rows):
            rest[covered.table] = entries
    appender.add(None, None, None, rest)
    scoped = [c for c in dispute_scoped() if c.table in present]
    bounds = connection.execute(text("SELECT min(id), max(id) FROM dispute")).first()
    low, high = (bounds[0], bounds[1]) if bounds and bounds[0] is not None else (1, 0)
    for lo in range(low, high + 1, CHUNK):
        params = {"lo": lo, "hi": lo + CHUNK - 1}
        by_dispute: dict[int, dict[str, list[list[Any]]]] = defaultdict(dict)
        heads: dict[int, tuple[str, int]] = {}
        for covered in scoped:
            source, scope = covered.scope_from or (f"{covered.table} t", f"t.{covered.scope}")
            order = ", ".join(f"t.{k}" for k in covered.key)
            sql = (
                f"SELECT t.*, {scope} AS _scope FROM {source} "  # noqa: S608
                f"WHERE {scope} BETWEEN :lo AND :hi ORDER BY {order}"
            )
            for row in _read(connection, sql, params):
                dispute_id = row.pop("_scope")
                if covered.table == "dispute":
                    heads[dispute_id] = (row["ref"], row["current_stage"])
                by_dispute[dispute_id].setdefault(covered.table, []).extend(
                    _entries(covered, [row])
                )
        for dispute_id in sorted(by_dispute):
            ref, stage = heads.get(dispute_id, (None, None))
            appender.add(dispute_id, ref, stage, by_dispute[dispute_id])
    appender.flush()
    return appender.count
