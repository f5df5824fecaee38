"""What an ORM transaction wrote to covered tables, as the rows an event carries.

A session listener notes every covered row that a flush inserts, updates or
deletes (with the columns an update changed, the version counter included).
``take_rows`` then reads those rows back as the database stores them and
empties the list: ``append_event`` puts the result in the event it appends,
so the event says exactly what its operation wrote. A write transaction that
changes a covered row after its last event is refused at commit: a change no
event records would be reported by verify as a direct edit.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import event, inspect, text
from sqlalchemy.orm import Session

from panel_tui.store.rebuild.registry import COVERED

#: Where a session keeps the rows written since its last event.
PENDING = "panel_tui.pending_rows"

Key = tuple[str, tuple[Any, ...]]


def plain(value: Any) -> Any:
    """A stored value as JSON and as every driver gives it back (bools as 0/1)."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, datetime):
        return value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _pending(session: Session) -> dict[Key, set[str] | str]:
    return session.info.setdefault(PENDING, {})


@event.listens_for(Session, "after_flush")
def _note_flushed(session: Session, _context: object) -> None:
    pending = _pending(session)
    for obj, kind in (
        *((o, "i") for o in session.new),
        *((o, "u") for o in session.dirty),
        *((o, "d") for o in session.deleted),
    ):
        table = getattr(obj, "__tablename__", None)
        covered = COVERED.get(table) if isinstance(table, str) else None
        if covered is None:
            continue
        mapper = inspect(obj).mapper
        values = {c.name: getattr(obj, p.key) for p in mapper.column_attrs for c in p.columns}
        if not covered.covers(values):
            continue
        key: Key = (covered.table, tuple(plain(values[k]) for k in covered.key))
        before = pending.get(key)
        if kind == "i" or before == "i" and kind == "u":
            pending[key] = "i"
        elif kind == "d":
            if before == "i":
                del pending[key]  # made and removed in one operation: nothing to record
            else:
                pending[key] = "d"
        else:
            changed = _changed_columns(obj)
            if not changed:
                continue
            if isinstance(before, set):
                before |= changed
            else:
                pending[key] = changed


def _changed_columns(obj: Any) -> set[str]:
    state = inspect(obj)
    mapper = state.mapper
    changed = {
        prop.columns[0].name
        for prop in mapper.column_attrs
        if state.attrs[prop.key].history.has_changes()
    }
    if changed and mapper.version_id_col is not None:
        changed.add(mapper.version_id_col.name)  # bumped by the UPDATE itself
    return changed


def take_rows(session: Session) -> dict[str, list[list[Any]]]:
    """The covered rows written since the last event, as stored; the list is emptied."""
    session.flush()
    pending = session.info.pop(PENDING, None) or {}
    rows: dict[str, list[list[Any]]] = {}
    connection = session.connection()
    for (table, pk), kind in sorted(pending.items(), key=lambda kv: (kv[0][0], str(kv[0][1]))):
        covered = COVERED[table]
        if kind == "d":
            rows.setdefault(table, []).append(["d", list(pk), None])
            continue
        where = " AND ".join(f"{k} = :k{n}" for n, k in enumerate(covered.key))
        found = (
            connection.execute(
                text(f"SELECT * FROM {table} WHERE {where}"),  # noqa: S608 - names from COVERED
                {f"k{n}": v for n, v in enumerate(pk)},
            )
            .mappings()
            .first()
        )
        if found is None:  # pragma: no cover - flushed above, so it is there
            continue
        values = {name: plain(value) for name, value in found.items()}
        if kind != "i":
            values = {name: values[name] for name in sorted(kind)}
        rows.setdefault(table, []).append([kind if kind == "i" else "u", list(pk), values])
    return rows


def unrecorded(session: Session) -> list[Key]:
    """Covered rows written after the transaction's last event (none, in a sound operation)."""
    return sorted(_pending(session), key=str)


@event.listens_for(Session, "before_commit")
def _refuse_unrecorded(session: Session) -> None:
    session.flush()
    left = session.info.get(PENDING)
    if left:
        session.info.pop(PENDING, None)
        raise RuntimeError(
            "a write changed rows under the audit chain without an event recording them: "
            + ", ".join(f"{t} {pk}" for t, pk in sorted(left, key=str))
        )


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(PENDING, None)
