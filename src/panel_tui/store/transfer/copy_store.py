"""Copying a whole store, with its full history, between SQLite and PostgreSQL (either way).

The source is verified first (the chain and the tables rebuilt from the events,
as ``audit verify`` does); a source that does not verify is refused and nothing
is written anywhere. Then every table is copied row for row, ids and versions as
they are, in the order the foreign keys need, from one snapshot of the source;
the event table's rows keep their hashes, so the copy's chain is the source's
chain. The destination must hold no store yet (a new SQLite file, or a
PostgreSQL database without one): the copy is made there in one transaction,
then checked: every table's row count, the chain's head, and the tables rebuilt
from the events. A copy that does not check out is reported, exit 1.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Table, func, select

from panel_tui.rules.errors import StoreError
from panel_tui.store.db import Store

CHUNK = 2_000


@dataclass(frozen=True)
class CopyReport:
    counts: dict[str, int]
    head: str | None
    ok: bool
    problems: tuple[str, ...] = ()
    #: False when the source did not verify and nothing was copied.
    copied: bool = True


def _tables() -> list[Table]:
    from sqlmodel import SQLModel

    import panel_tui.store.models  # noqa: F401  (registers the tables)

    return list(SQLModel.metadata.sorted_tables)


def _counts(connection: Connection, tables: list[Table]) -> dict[str, int]:
    return {
        t.name: int(connection.execute(select(func.count()).select_from(t)).scalar_one())
        for t in tables
    }


def _occupied(where: str, rows: int | None = None) -> StoreError:
    held = f" ({rows} rows)" if rows else ""
    return StoreError(
        f"{where} already holds a store{held}; it was not changed. copy-store copies into "
        "a new SQLite file or a PostgreSQL database without a store."
    )


def _refuse_older_store(dest_target: str) -> None:
    """A store at another revision would be migrated by opening it: refuse it unopened."""
    from panel_tui.store import migrate, postgres
    from panel_tui.store.db import resolve_target
    from panel_tui.store.engine import make_engine, sqlite_path

    url = resolve_target(dest_target)
    if postgres.is_postgres(url):
        engine = make_engine(url)
        try:
            with engine.connect() as connection:
                revision = migrate.current_revision(connection)
        except Exception as exc:
            if isinstance(exc, StoreError):
                raise
            raise postgres.cannot_open(url, exc) from None
        finally:
            engine.dispose()
        where = postgres.redacted(url)
    else:
        path = sqlite_path(url)
        if path is None or not path.exists():
            return
        revision = migrate.sqlite_revision(path)
        where = str(path)
    if revision is not None and revision != migrate.HEAD:
        raise _occupied(where)


def _new_sqlite_file(dest_target: str) -> Path | None:
    """The destination's SQLite file if it does not exist yet (removed if the copy fails)."""
    from panel_tui.store.db import resolve_target
    from panel_tui.store.engine import sqlite_path

    path = sqlite_path(resolve_target(dest_target))
    return path if path is not None and not path.exists() else None


def _remove(path: Path) -> None:
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        leftover.unlink(missing_ok=True)


@contextmanager
def _snapshot(store: Store) -> Iterator[Connection]:
    """One read transaction over the whole source (REPEATABLE READ on PostgreSQL)."""
    from panel_tui.store.engine import read_engine

    with read_engine(store.engine).connect() as connection, connection.begin():
        yield connection


def copy_store(
    source_target: str, dest_target: str, progress: Callable[[str], None] | None = None
) -> CopyReport:
    """Copy the store at ``source_target`` into a new store at ``dest_target``; check it."""
    from panel_tui.store.audit import verify_chain
    from panel_tui.store.rebuild.verify import check_records

    tables = _tables()
    source = Store.open(source_target)
    try:
        with _snapshot(source) as reading:
            source_chain = verify_chain(reading)
            source_records = check_records(reading)
            if not (source_chain.ok and source_records.ok):
                problems = [] if source_chain.ok else [source_chain.describe()]
                problems += [] if source_records.ok else source_records.describe()
                return CopyReport({}, None, False, tuple(problems), copied=False)
            expected = _counts(reading, tables)
            _refuse_older_store(dest_target)
            new_file = _new_sqlite_file(dest_target)
            try:
                dest = Store.open(dest_target, create=True)
                try:
                    _copy(reading, dest, tables, expected, progress)
                    with dest.engine.connect() as connection:
                        copied = _counts(connection, tables)
                        dest_chain = verify_chain(connection)
                        records = check_records(connection)
                finally:
                    dest.close()
            except BaseException:
                if new_file is not None:
                    _remove(new_file)  # leave no half-made store behind
                raise
    finally:
        source.close()
    problems = [
        f"{name}: {expected[name]} rows in the source, {copied[name]} in the copy"
        for name in expected
        if expected[name] != copied[name]
    ]
    if dest_chain.anchor != source_chain.anchor or not dest_chain.ok:
        problems.append(
            f"the copy's chain head {dest_chain.anchor} is not the source's {source_chain.anchor}"
        )
    if not records.ok:
        problems.extend(records.describe())
    return CopyReport(copied, dest_chain.anchor, not problems, tuple(problems))


def _copy(
    reading: Connection,
    dest: Store,
    tables: list[Table],
    expected: dict[str, int],
    progress: Callable[[str], None] | None,
) -> None:
    """Every row of every table into ``dest`` (which must hold none) in one transaction."""
    from panel_tui.store import postgres
    from panel_tui.store.engine import write_engine

    with write_engine(dest.engine).begin() as writing:
        occupied = sum(_counts(writing, tables).values())
        if occupied:
            raise _occupied(dest.label, occupied)
        for table in tables:
            rows = reading.execute(select(table)).mappings()
            while chunk := rows.fetchmany(CHUNK):
                writing.execute(table.insert(), [dict(r) for r in chunk])
            if progress and expected[table.name]:
                progress(f"copied {expected[table.name]} rows of {table.name}")
        if dest.is_postgres:
            postgres.move_sequences(writing, tables)
