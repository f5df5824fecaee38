"""Compare the tables with what the events say: every direct edit named.

The dispute-scoped tables are checked a range of dispute ids at a time (the
events of those disputes folded, then each table's rows of those disputes read
in key order), so memory stays bounded however big the store; tables that
belong to no dispute (people, agencies, covered settings, panel agendas) are
checked whole. A row differs (a field's stored value is not the expected one),
is extra (no event made it: inserted directly) or is missing (an event made it
and none deleted it). Row counts catch rows no dispute range reaches.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, inspect, text

from panel_tui.store.rebuild.capture import plain
from panel_tui.store.rebuild.fold import BASELINE, Record, State, Written, apply, parse
from panel_tui.store.rebuild.registry import COVERED, Covered, dispute_scoped, global_tables

#: Disputes folded and compared at a time: bounds memory at any store size.
CHUNK = 4000
#: Findings kept in a report (the count is always complete).
MAX_FINDINGS = 200


@dataclass(frozen=True)
class Finding:
    """One difference between a table and the events: what, where, stored vs. expected."""

    table: str
    record: str  # e.g. "decision #12", "person eve"
    dispute: str | None  # the dispute's ref, for rows of a dispute
    field: str | None  # None: the whole row is extra or missing
    stored: Any
    expected: Any
    problem: str  # "changed" | "extra" | "missing"

    def describe(self) -> str:
        where = f"{self.table} {self.record}"
        if self.dispute and self.dispute != self.record:
            where += f" of {self.dispute}"
        if self.problem == "extra":
            return f"{where}: a row no event wrote (inserted directly)"
        if self.problem == "missing":
            return f"{where}: written by event {self.expected} but missing (deleted directly)"
        if self.expected is _UNSET:
            return f"{where}: {self.field} is {self.stored!r}, set by no event"
        return f"{where}: {self.field} is {self.stored!r}, the events say {self.expected!r}"

    def as_json(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "record": self.record,
            "dispute": self.dispute,
            "field": self.field,
            "stored": self.stored,
            "expected": None if self.expected is _UNSET else self.expected,
            "problem": self.problem,
        }


class _Unset:
    def __repr__(self) -> str:
        return "(not set)"


_UNSET = _Unset()


@dataclass
class RecordsReport:
    """What the comparison found."""

    checked: int = 0  # rows compared
    differences: int = 0
    findings: list[Finding] = field(default_factory=list)
    #: records taken as found by baseline events (not proven before them)
    unproven: int = 0
    baseline_events: tuple[int, int] | None = None  # first and last baseline event ids
    baseline_at: str | None = None
    #: set when the store predates recorded rows (schema 0003 or older): nothing compared
    skipped: str | None = None

    @property
    def ok(self) -> bool:
        return self.differences == 0 and self.skipped is None

    def add(self, finding: Finding) -> None:
        self.differences += 1
        if len(self.findings) < MAX_FINDINGS:
            self.findings.append(finding)

    def describe(self) -> list[str]:
        if self.skipped:
            return [f"records NOT checked: {self.skipped}"]
        lines = []
        if self.ok:
            lines.append(f"records: {self.checked:,} rows match what the events say")
        else:
            n = self.differences
            lines.append(
                f"records DIFFER from the events: {n:,} "
                + (
                    "difference (a direct edit to the store)"
                    if n == 1
                    else "differences (direct edits to the store)"
                )
            )
            lines += [f"  {f.describe()}" for f in self.findings]
            if self.differences > len(self.findings):
                lines.append(f"  … and {self.differences - len(self.findings):,} more")
        if self.unproven:
            first, last = self.baseline_events or (0, 0)
            lines.append(
                f"unproven: {self.unproven:,} records were taken as they were found when the "
                f"store was brought under the chain ({self.baseline_at}, events {first}–{last}); "
                "changes made to them before then cannot be shown"
            )
        return lines

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "checked": self.checked,
            "differences": self.differences,
            "findings": [f.as_json() for f in self.findings],
            "unproven": self.unproven,
            "baseline_events": list(self.baseline_events) if self.baseline_events else None,
            "skipped": self.skipped,
        }


def _query(
    connection: Connection, sql: str, params: dict[str, Any]
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Column names and rows of a plain SELECT, as the driver returns them.

    On SQLite the driver's own cursor (inside the same transaction): a million rows
    through SQLAlchemy's result objects would cost more than the whole comparison.
    """
    if connection.dialect.name == "sqlite":
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(sql, params)
            return [d[0] for d in cursor.description], cursor.fetchall()
        finally:
            cursor.close()
    result = connection.execute(text(sql), params)
    return list(result.keys()), [tuple(plain(v) for v in row) for row in result]


def _events(connection: Connection, where: str, params: dict[str, Any]) -> Iterator[Written]:
    _, found = _query(
        connection,
        f"SELECT id, dispute_id, action, rows FROM event WHERE {where} ORDER BY id",  # noqa: S608
        params,
    )
    for id_, dispute_id, action, rows in found:
        if rows:
            yield parse(id_, dispute_id, action, rows)


def _select(covered: Covered, where: str) -> str:
    """The rows of ``covered`` whose dispute matches ``where`` (on ``SCOPE``), in key order."""
    source, scope = covered.scope_from or (f"{covered.table} t", f"t.{covered.scope}")
    condition = where.replace("SCOPE", scope)
    return f"SELECT t.*, {scope} AS _scope FROM {source} WHERE {condition}"  # noqa: S608


class _Checker:
    """One verify run: the global state, the report, dispute refs for naming rows."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.report = RecordsReport()
        self.global_rows: list[Written] = []
        self.refs: dict[int, str | None] = {}

    def rows(self, sql: str, params: dict[str, Any]) -> Iterator[dict[str, Any]]:
        names, found = _query(self.connection, sql, params)
        for values in found:
            yield dict(zip(names, values))  # noqa: B905 - one row, its own names

    def compare(
        self, covered: Covered, stored: dict[str, Any] | None, record: Record | None
    ) -> None:
        """One row: stored (None: absent) against expected (None: no event wrote it)."""
        expected_row = record.values if record is not None and record.exists else None
        scope = record.scope if record is not None else None
        if stored is not None:
            scope = stored.pop("_scope", scope)
            self.report.checked += 1
            if record is not None and record.baseline:
                self.report.unproven += 1
            if stored == expected_row:
                return  # the usual case: nothing else to do
        elif expected_row is None:
            return
        dispute = self.refs.get(scope) if isinstance(scope, int) else None
        if covered.table == "dispute" and stored is not None:
            dispute = dispute or stored.get("ref")
        label = covered.label(stored if stored is not None else expected_row or {})
        if expected_row is None:
            self.report.add(Finding(covered.table, label, dispute, None, stored, None, "extra"))
            return
        if stored is None:
            assert record is not None
            self.report.add(
                Finding(covered.table, label, dispute, None, None, record.made_by, "missing")
            )
            return
        for name, value in stored.items():
            want = expected_row.get(name, covered.defaults.get(name, _UNSET))
            if want != value:
                self.report.add(
                    Finding(covered.table, label, dispute, name, value, want, "changed")
                )

    def compare_table(
        self, covered: Covered, stored_rows: Iterator[dict[str, Any]], expected: dict
    ) -> int:
        seen = 0
        naming = covered.table == "dispute"  # rows of later tables are named by its refs
        for stored in stored_rows:
            seen += 1
            if naming:
                self.refs.setdefault(stored["id"], stored["ref"])
            if not covered.covers(stored):
                continue
            key = tuple(stored[k] for k in covered.key)
            self.compare(covered, stored, expected.pop(key, None))
        for record in expected.values():
            self.compare(covered, None, record)
        return seen


def _has_rows_column(connection: Connection) -> bool:
    return any(c["name"] == "rows" for c in inspect(connection).get_columns("event"))


def check_records(connection: Connection, chunk: int = CHUNK) -> RecordsReport:
    """Rebuild every covered table from the events and compare it with what is stored."""
    if not _has_rows_column(connection):
        checker = _Checker(connection)
        checker.report.skipped = (
            "the store predates recorded rows (schema 0003 or older); open it with this "
            "panel-tui to migrate it"
        )
        return checker.report
    checker = _Checker(connection)
    scoped = dispute_scoped()
    is_global = {c.table for c in global_tables()}.__contains__
    # Events of no dispute: administration (people, agencies, policy).
    checker.global_rows += _events(connection, "dispute_id IS NULL", {})
    low, high = _scope_bounds(connection, scoped)
    seen = dict.fromkeys((c.table for c in scoped), 0)
    for lo in range(low, high + 1, chunk):
        params = {"lo": lo, "hi": lo + chunk - 1}
        state: State = {}
        for written in _events(connection, "dispute_id BETWEEN :lo AND :hi", params):
            apply(state, written, lambda t: not is_global(t))
            if any(is_global(t) for t in written.rows):
                checker.global_rows.append(written)
        disputes = state.get("dispute", {})
        checker.refs = {k[0]: r.values.get("ref") for k, r in disputes.items()}
        for covered in scoped:
            stored = checker.rows(_select(covered, "SCOPE BETWEEN :lo AND :hi"), params)
            seen[covered.table] += checker.compare_table(
                covered, stored, state.get(covered.table, {})
            )
    for covered in scoped:
        total = connection.execute(text(f"SELECT count(*) FROM {covered.table}")).scalar_one()  # noqa: S608
        if total != seen[covered.table]:
            checker.report.add(
                Finding(
                    covered.table,
                    f"{total - seen[covered.table]} rows",
                    None,
                    "dispute_id",
                    "outside every dispute",
                    "a dispute's id",
                    "changed",
                )
            )
    _check_globals(checker, is_global)
    _check_clocks(checker)
    _note_baseline(connection, checker.report)
    return checker.report


def _scope_bounds(connection: Connection, scoped: list[Covered]) -> tuple[int, int]:
    lows, highs = [], []
    for covered in [*scoped, Covered("event")]:
        if covered.scope_from:
            continue  # reached through its parent's range
        column = covered.scope
        row = connection.execute(
            text(f"SELECT min({column}), max({column}) FROM {covered.table}")  # noqa: S608
        ).first()
        if row and row[0] is not None and isinstance(row[0], int):
            lows.append(row[0])
            highs.append(row[1] if isinstance(row[1], int) else row[0])
    return (min(lows), max(highs)) if lows else (1, 0)


def _check_globals(checker: _Checker, is_global: Any) -> None:
    checker.global_rows.sort(key=lambda w: w.event_id)
    state: State = {}
    for written in checker.global_rows:
        apply(state, written, is_global)
    checker.refs = {}
    # doctor reads a store as it is: one from before 0005 has no seen marks or alerts yet.
    present = set(inspect(checker.connection).get_table_names())
    for covered in global_tables():
        if covered.table not in present:
            continue
        order = ", ".join(covered.key)
        stored = checker.rows(f"SELECT * FROM {covered.table} ORDER BY {order}", {})  # noqa: S608
        checker.compare_table(covered, stored, state.get(covered.table, {}))


#: A dispute's cached clock columns against the stage record they copy: the ledger keeps
#: them equal, so a difference is an edit even where a baseline took both as found.
_CLOCKS = """
SELECT d.id, d.ref, d.status, d.current_stage, d.stage_entered_at, d.current_due_at,
       s.id, s.entered_at, s.due_at,
       EXISTS (SELECT 1 FROM stagerecord h WHERE h.dispute_id = d.id AND h.stage > d.current_stage)
FROM dispute d LEFT JOIN stagerecord s ON s.dispute_id = d.id AND s.stage = d.current_stage
WHERE s.id IS NULL
   OR d.stage_entered_at IS DISTINCT FROM s.entered_at
   OR (d.status = 'open' AND d.current_due_at IS DISTINCT FROM s.due_at)
   OR (d.status <> 'open' AND d.current_due_at IS NOT NULL)
   OR EXISTS (SELECT 1 FROM stagerecord h WHERE h.dispute_id = d.id AND h.stage > d.current_stage)
"""


def _check_clocks(checker: _Checker) -> None:
    """The queue's clock columns agree with the dispute's current stage record."""
    _, found = _query(checker.connection, _CLOCKS, {})
    for _id, ref, status, stage, entered, due, record, s_entered, s_due, higher in found:
        expected_due = s_due if status == "open" else None
        differences: list[tuple[str, Any, Any]]  # (field, stored, expected)
        if record is None or higher:
            differences = [("current_stage", stage, "the highest stage it has a record of")]
        else:
            differences = [
                (name, stored, expected)
                for name, stored, expected in (
                    ("stage_entered_at", entered, s_entered),
                    ("current_due_at", due, expected_due),
                )
                if stored != expected
            ]
        for name, stored, expected in differences:
            checker.report.add(Finding("dispute", ref, ref, name, stored, expected, "changed"))


def _note_baseline(connection: Connection, report: RecordsReport) -> None:
    row = connection.execute(
        text("SELECT min(id), max(id), min(at) FROM event WHERE action = :a"), {"a": BASELINE}
    ).first()
    if row and row[0] is not None:
        report.baseline_events = (int(row[0]), int(row[1]))
        report.baseline_at = str(row[2])[:16]


__all__ = ["COVERED", "Finding", "RecordsReport", "check_records"]
