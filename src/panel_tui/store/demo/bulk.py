"""The bulk path: the rest of a big demo, a chunk of disputes per write transaction.

Disputes are made in jobs of ``BATCH`` (each with its own seed, by
``batches.make_batch``, in worker processes for a big build). A ``BulkChain``
gives them refs from the year counters, chains their events with hashes exactly
as the Ledger would, and holds the compiled INSERT statements; an ``Inserter``
thread runs one batch's executemany (on PostgreSQL, a COPY per table) while the
next batch is chained. One transaction per operation (an fsync on every commit)
would take many minutes. On PostgreSQL the ids given here are then set as the
sequences' last values.
"""

from __future__ import annotations

import contextlib
import gc
import os
import queue
import random
import threading
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, Table, func, select
from sqlalchemy import insert as sa_insert
from sqlmodel import Session, SQLModel, col

from panel_tui.store import postgres
from panel_tui.store.db import Store
from panel_tui.store.demo.batches import batches, default_workers
from panel_tui.store.demo.chain_text import PreparedChain
from panel_tui.store.demo.planner import Planner
from panel_tui.store.demo.rows import (
    BULK_TABLES,
    IDS_PER_DISPUTE,
    BulkBatch,
    BulkContext,
    BulkJob,
)
from panel_tui.store.demo.rows import columns as table_columns
from panel_tui.store.event_hash import GENESIS
from panel_tui.store.identity import os_login
from panel_tui.store.models import Dispute, Event, Person, Setting

BATCH = 5000
#: Disputes per write transaction. On SQLite nothing grows with one (no journal: see
#: ``unjournaled``), but at each commit the inserter's queue drains and the workers
#: wait: 4 of them at 1,000,000 disputes rather than 20 when each was a WAL's worth.
CHUNK = 250_000


def _table(name: str) -> Table:
    return SQLModel.metadata.tables[name]


class BulkChain:
    """The store's side of the bulk path: refs, the hash chain and the INSERT statements."""

    def __init__(self, session: Session, years: range) -> None:
        self.session = session
        self.next_dispute = (session.execute(select(func.max(Dispute.id))).scalar() or 0) + 1
        self.next_ids = {
            name: (session.execute(select(func.max(_table(name).c.id))).scalar() or 0) + 1
            for name in IDS_PER_DISPUTE
        }
        head = session.execute(
            select(col(Event.id), col(Event.hash)).order_by(col(Event.id).desc()).limit(1)
        )
        row = head.first()
        # The demo's events are acted as its people by whoever builds it: recorded, as
        # the ledger records every identity override.
        self.chain = PreparedChain(row[0] if row else 0, row[1] if row else GENESIS, os_login())
        self.counters: dict[int, int] = {}
        for year in years:  # read now: later the connection belongs to the inserter
            stored = session.get(Setting, f"ref_seq:{year}")
            if stored is not None:
                self.counters[year] = int(stored.value)
            else:  # as Ledger.next_ref starts a year it has no counter for
                self.counters[year] = session.execute(
                    select(func.count()).where(col(Dispute.ref).like(f"D-{year}-%"))
                ).scalar_one()
        dialect = session.get_bind().dialect
        self.copy = dialect.name == "postgresql"
        self.sql = {}
        for name in BULK_TABLES:
            columns = [c.name for c in _table(name).columns]
            if self.copy:  # COPY's text form reads the SQLite-shaped values as they are
                self.sql[name] = f"COPY {name} ({', '.join(columns)}) FROM STDIN"
                continue
            compiled = sa_insert(_table(name)).compile(dialect=dialect, column_keys=columns)
            # Our tuples are in table-column order: the statement must be too.
            assert list(compiled.positiontup or columns) == columns, name
            self.sql[name] = str(compiled)

    def context(self, policy_text: str, now: datetime) -> BulkContext:
        people = {
            login: (pid, tuple(roles.split()))
            for pid, login, roles in self.session.execute(
                select(col(Person.id), col(Person.login), col(Person.roles))
            )
        }
        agency = _table("agency")
        agencies = {
            code: aid for code, aid in self.session.execute(select(agency.c.code, agency.c.id))
        }
        # The columns go with it: a worker process then makes rows without SQLAlchemy.
        columns = {name: table_columns(name) for name in BULK_TABLES}
        return BulkContext(policy_text, now, people, agencies, columns)

    def take(self, batch: BulkBatch) -> list[tuple[str, list[tuple[Any, ...]]]]:
        """A batch as (INSERT, rows): refs given, events chained in time order."""
        refs = []
        for year in batch.years:
            self.counters[year] += 1
            refs.append(f"D-{year}-{self.counters[year]:04d}")
        rows = dict(batch.rows)
        rows["dispute"] = [
            (r[0], ref, *r[2:]) for r, ref in zip(rows["dispute"], refs, strict=True)
        ]
        events = rows["event"] = []
        first, link = batch.first_dispute, self.chain.link_prepared
        opening = self.chain.link_opening
        for event in batch.events:  # in time order (batches.make_batch)
            ref = refs[event[3] - first]
            if event[2] == "open":  # the dispute row it made, with the ref given above
                events.append(opening(event, ref))
            else:
                events.append(link(event, ref))
        return [(self.sql[name], rows[name]) for name in BULK_TABLES if rows[name]]

    def save_counters(self) -> None:
        """Later Ledger.open_dispute refs continue after the highest number used."""
        for year, number in self.counters.items():
            row = self.session.get(Setting, f"ref_seq:{year}")
            if row is None:
                self.session.add(Setting(key=f"ref_seq:{year}", value=str(number)))
            else:
                row.value = str(max(int(row.value), number))
                self.session.add(row)
        self.session.flush()


def _jobs(
    rng: random.Random, seed: int, count: int, live: int, first_dispute: int, first_ids: dict
) -> list[BulkJob]:
    """Closed and withdrawn disputes over the past two years, oldest first, then live ones."""
    ages = sorted((rng.uniform(35, 730) for _ in range(count - live)), reverse=True)
    parts: list[dict[str, Any]] = [
        {"ages": tuple(ages[i : i + BATCH])} for i in range(0, len(ages), BATCH)
    ]
    parts += [{"live": tuple(range(i, min(live, i + BATCH)))} for i in range(0, live, BATCH)]
    jobs = []
    for n, part in enumerate(parts):
        job = BulkJob(f"{seed}:bulk:{n}", first_dispute, dict(first_ids), **part)
        first_dispute += job.count
        first_ids = {t: i + IDS_PER_DISPUTE[t] * job.count for t, i in first_ids.items()}
        jobs.append(job)
    return jobs


class Inserter(threading.Thread):
    """Runs the INSERTs of one batch while the next batch is made.

    SQLite releases the GIL while it steps a statement, so the B-tree work
    overlaps the Python that makes rows. Only this thread uses the connection
    until ``finish``.
    """

    def __init__(self, connection: Connection, *, copy: bool = False) -> None:
        super().__init__(name="panel-tui-demo-inserter", daemon=True)
        self.connection = connection
        self.copy = copy
        self.jobs: queue.Queue[list[tuple[str, list[tuple[Any, ...]]]] | None] = queue.Queue(2)
        self.error: BaseException | None = None

    def run(self) -> None:
        while (batch := self.jobs.get()) is not None:
            if self.error is not None:
                continue  # drain: the main thread will raise it
            try:
                if self.copy:
                    self._copy(batch)
                else:
                    for sql, rows in batch:
                        self.connection.exec_driver_sql(sql, rows)
            except BaseException as exc:  # handed to the main thread
                self.error = exc

    def _copy(self, batch: list[tuple[str, list[tuple[Any, ...]]]]) -> None:
        """PostgreSQL: each table's rows by COPY, in text form. The rows hold what SQLite
        is given (times as ISO text, booleans as 0/1), and PostgreSQL reads each by its
        column's type: 'YYYY-MM-DD HH:MM:SS.ffffff' a timestamp, '1' true. An
        executemany would bind the ints as integers, which a boolean column refuses."""
        driver = self.connection.connection.driver_connection
        assert driver is not None
        with driver.cursor() as cursor:
            for sql, rows in batch:
                with cursor.copy(sql) as copy:
                    for row in rows:
                        copy.write_row(row)

    def put(self, batch: list[tuple[str, list[tuple[Any, ...]]]]) -> None:
        if self.error is not None:
            raise self.error
        self.jobs.put(batch)

    def finish(self) -> None:
        self.jobs.put(None)
        self.join()
        if self.error is not None:
            raise self.error


def _journal_mode(engine: Engine, mode: str) -> str:
    """Set the store's journal mode on the pool's connection (outside any transaction:
    SQLite refuses to leave or enter WAL inside one); the mode it is in afterwards."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        found = cursor.execute(f"PRAGMA journal_mode = {mode}").fetchone()
        cursor.close()
    finally:
        raw.close()
    return str(found[0]).lower() if found else ""


@contextlib.contextmanager
def unjournaled(engine: Engine) -> Iterator[None]:
    """SQLite: the bulk chunks written straight into the file, then WAL mode again.

    In WAL mode every page of a chunk was written twice, into the WAL and then by the
    checkpoint into the file: at 50,000 disputes 5.9 s of system CPU of a 10.7 s
    insert, against 0.7 s of 5.0 s with no journal (the same rows, one process). A
    journal protects a transaction that may roll back or a file others read; a demo
    being built has neither: nobody else has it open (this is the pool's only
    connection), and a failed build is deleted whole (``build_demo``). The file the
    user gets is in WAL mode again, like every store (a test reads its header's mode).
    """
    if engine.dialect.name != "sqlite":
        yield
        return
    mode = _journal_mode(engine, "OFF")
    assert mode == "off", f"the bulk build could not leave WAL mode (got {mode})"
    try:
        yield
    except BaseException:
        with contextlib.suppress(Exception):  # the build's own error is the one to report
            _journal_mode(engine, "WAL")
        raise
    mode = _journal_mode(engine, "WAL")
    assert mode == "wal", f"the bulk build could not return to WAL mode (got {mode})"


#: Seconds between handing the page cache of the store being built back to the OS.
TRIM_EVERY = 2.0


@contextlib.contextmanager
def page_cache_trimmed(engine: Engine) -> Iterator[None]:
    """SQLite on Linux: the store's written pages handed back to the OS as the build goes.

    A 1,000,000-dispute build writes 13 GB, each page once (the pages it writes
    again stay in SQLite's own cache, ``bulk_loading``). Left in the page cache
    they filled memory with pages nobody reads, and on these machines each fresh
    page of memory costs far more to fill than one used before: past about 4 GB
    written, the inserter's system time went from about 1 to 10 µs a page (copying
    into the page cache, ``copy_folio_from_iter_atomic``; 92 s of system CPU in a
    1M build). Every ``TRIM_EVERY`` seconds this asks the kernel to write back the
    dirty pages (without waiting) and drop the clean ones (``POSIX_FADV_DONTNEED``),
    so the build keeps reusing the same few hundred MB of memory. It does not wait
    for the disk and writes nothing of its own.
    """
    path = engine.url.database if engine.dialect.name == "sqlite" else None
    if not path or path == ":memory:" or not hasattr(os, "posix_fadvise"):
        yield  # PostgreSQL, or a platform without posix_fadvise (macOS)
        return
    stop = threading.Event()
    descriptor = os.open(path, os.O_RDONLY)

    def trim() -> None:
        while not stop.wait(TRIM_EVERY):
            os.posix_fadvise(descriptor, 0, 0, os.POSIX_FADV_DONTNEED)

    thread = threading.Thread(target=trim, name="panel-tui-demo-trim", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        os.close(descriptor)


def run_bulk(
    store: Store,
    planner: Planner,
    seed: int,
    policy_text: str,
    counts: tuple[int, int],
    progress: Callable[[str], None],
    workers: int | None = None,
) -> None:
    """``counts`` disputes, of which that many live, a ``CHUNK`` per write transaction.

    On SQLite the chunks are written without a journal (``unjournaled``), so
    there is no WAL beside the store at all (it was folded back after each chunk,
    a chunk's pages at most). A failure leaves earlier chunks written: the demo
    builder removes the half-built store.
    """
    count, live = counts
    workers = default_workers() if workers is None else workers
    year = planner.now.year
    with store.write() as session:
        chain = BulkChain(session, range(year - 3, year + 1))
        context = chain.context(policy_text, planner.now)
    jobs = _jobs(planner.rng, seed, count, live, chain.next_dispute, chain.next_ids)
    per = max(1, CHUNK // BATCH)
    done = 0
    # A batch is some 400,000 dicts, lists and tuples, none of them in a cycle: with the
    # collector on, its passes over them all were a third of the time making rows.
    # Collected once a chunk instead.
    collecting = gc.isenabled()
    gc.disable()
    try:
        with (
            unjournaled(store.engine),
            page_cache_trimmed(store.engine),
            batches(context, jobs, workers) as made,
        ):
            for first in range(0, len(jobs), per):
                with store.write() as session:
                    chain.session = session
                    inserter = Inserter(session.connection(), copy=chain.copy)
                    inserter.start()
                    try:
                        for _ in jobs[first : first + per]:
                            batch = next(made)
                            inserter.put(chain.take(batch))
                            done += len(batch.years)
                            progress(f"bulk: {done:,} of {count:,} disputes")
                    finally:
                        inserter.finish()
                progress(f"bulk: {done:,} of {count:,} disputes committed")
                gc.collect()
    finally:
        if collecting:
            gc.enable()
    with store.write() as session:
        chain.session = session
        chain.save_counters()
        if chain.copy:  # the ids were given here: the Ledger's next ones come after them
            postgres.move_sequences(session.connection(), map(_table, BULK_TABLES))
