"""Figure 3, write latency: Ledger operations on distinct live disputes, alone and 4 at once.

Each writer is its own process with its own Store (as four people's terminals
are), on one throwaway copy of the store (``stores.work_copy``, synced before the
first write; its time is reported beside the figures, not in them). Writers first
open the store and do one untimed warm-up write (SQLAlchemy compiles its statements
once per process), say ``ready``, and all start together on ``go``. Each
timed operation is one ``Ledger.record_decision`` (as the rung allows) or
``Ledger.escalate`` (with a reason, as breached stages require, and the impact on the
person, as every escalation does), taking turns,
each on a dispute no other writer touches; the writer alone makes as many as the four
together, so that each p95 is a rank among dozens, not the slowest of 15. Beside each
figure the writing thread's CPU time (p50 / p95): the rest of a write's wall time is
the disk's fsync, and on a shared machine waiting for a core. A refused or failed write counts
as failed.

The baseline is the durable-commit floor of the same file system: raw
sqlite3 ``BEGIN IMMEDIATE; INSERT; COMMIT`` with the store's pragmas (WAL,
synchronous=FULL), alone and from 4 processes. On PostgreSQL: psycopg's
``INSERT; COMMIT`` on a scratch database of the same server (fsync on).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from benchmarks import pg
from benchmarks.common import ROOT, Figure, child_env, median, p95
from benchmarks.pg import is_url
from benchmarks.stores import discard, work_copy, write_targets
from panel_tui.store.sqlite_driver import sqlite as sqlite3

WRITERS = 4


def _wait_for_go() -> None:
    print("ready", flush=True)
    if sys.stdin.readline().strip() != "go":
        raise SystemExit("no go")


def _stages(db: str, refs: list[str]) -> dict[str, int]:
    """Each target's current stage, read before the timed writes start."""
    if is_url(db):
        import psycopg

        with psycopg.connect(db, options="-c search_path=panel_tui") as pg:
            found = pg.execute(
                "SELECT ref, current_stage FROM dispute WHERE ref = ANY(%s)", (refs,)
            ).fetchall()
        return dict(found)
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        marks = ",".join("?" * len(refs))
        rows = conn.execute(
            f"SELECT ref, current_stage FROM dispute WHERE ref IN ({marks})", refs
        ).fetchall()
    finally:
        conn.close()
    return dict(rows)


def _ledger_writer(db: str, refs: list[str]) -> dict:
    from panel_tui.store.db import Store
    from panel_tui.store.ledger import Ledger

    store = Store.open(db)
    # Who may act depends on the rung: the chair records panel decisions, a
    # supervisor those below it and every escalation here.
    chair, supervisor = Ledger(store, "chair"), Ledger(store, "super")
    stages = _stages(db, refs)
    review = date.today() + timedelta(days=30)
    times: dict[str, list[float]] = {"decision": [], "escalate": []}
    cpu: dict[str, list[float]] = {"decision": [], "escalate": []}
    failures: list[str] = []

    def one(i: int, ref: str) -> tuple[str, float, float]:
        kind = "decision" if i % 2 == 0 else "escalate"
        started, on_cpu = time.perf_counter(), time.thread_time()
        if kind == "decision":
            (chair if stages[ref] == 2 else supervisor).record_decision(
                ref,
                "assigned",
                "Benchmark: CBH holds clinical responsibility under the agreement.",
                review,
                receiving_agency="CBH",
            )
        else:
            supervisor.escalate(
                ref,
                note="benchmark",
                breach_reason="benchmark: measured escalation",
                impact="benchmark: no change for the person",
            )
        wall_ms = (time.perf_counter() - started) * 1000
        return kind, wall_ms, (time.thread_time() - on_cpu) * 1000

    for i, ref in enumerate(refs):
        if i == 1:
            _wait_for_go()  # the first write was the warm-up
        try:
            kind, ms, cpu_ms = one(i, ref)
        except Exception as exc:  # a failed write is a result, not a crash
            failures.append(f"{ref}: {type(exc).__name__}: {exc}")
        else:
            if i > 0:
                times[kind].append(ms)
                cpu[kind].append(cpu_ms)
    store.close()
    return {"times": times, "cpu": cpu, "failures": failures}


def _raw_pg_writer(url: str, count: int) -> dict:
    """psycopg's ``INSERT; COMMIT`` (the server's fsync on: synchronous_commit is on)."""
    import psycopg

    conn = psycopg.connect(url)
    _wait_for_go()
    times: list[float] = []
    for i in range(count):
        started = time.perf_counter()
        conn.execute("INSERT INTO raw_commit (v) VALUES (%s)", (f"row {i}",))
        conn.commit()
        times.append((time.perf_counter() - started) * 1000)
    conn.close()
    return {"times": {"commit": times}, "failures": []}


def _raw_writer(db: str, count: int) -> dict:
    if is_url(db):
        return _raw_pg_writer(db, count)
    from panel_tui.store.sqlite_driver import sqlite as sqlite3

    conn = sqlite3.connect(db, timeout=10, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT)")
    _wait_for_go()
    times: list[float] = []
    for i in range(count):
        started = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO t (v) VALUES (?)", (f"row {i}",))
        conn.execute("COMMIT")
        times.append((time.perf_counter() - started) * 1000)
    conn.close()
    return {"times": {"commit": times}, "failures": []}


def child(kind: str, args: list[str]) -> int:
    if kind == "write":
        result = _ledger_writer(args[0], args[1].split(","))
    else:
        result = _raw_writer(args[0], int(args[1]))
    print(json.dumps(result), flush=True)
    return 0


def _run_together(cache: Path, jobs: list[list[str]]) -> list[dict]:
    """Start the writers, wait until all are ready, then let them go at once."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "benchmarks.child", *job],
            env=child_env(cache),
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for job in jobs
    ]
    results = []
    try:
        for proc in procs:
            assert proc.stdout is not None
            line = proc.stdout.readline().strip()
            if line != "ready":
                raise RuntimeError(f"writer not ready: {line} {proc.stderr.read()[-3000:]}")  # type: ignore[union-attr]
        for proc in procs:
            assert proc.stdin is not None
            proc.stdin.write("go\n")
            proc.stdin.flush()
        for proc in procs:
            out, err = proc.communicate(timeout=600)
            if proc.returncode != 0:
                raise RuntimeError(f"writer failed:\n{err[-3000:]}")
            results.append(json.loads(out.strip().splitlines()[-1]))
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
    return results


def _merge(results: list[dict], part: str = "times") -> tuple[dict[str, list[float]], list[str]]:
    """The writers' ``part`` ("times", wall ms; "cpu", the writing thread's CPU ms) by
    kind, all writers together, and their failures."""
    times: dict[str, list[float]] = {}
    failures: list[str] = []
    for result in results:
        for kind, values in result.get(part, {}).items():
            times.setdefault(kind, []).extend(values)
        failures.extend(result["failures"])
    return times, failures


def _cpu(values: list[float]) -> str:
    """What a write's wall time was spent computing (the rest: the disk, and waiting for a
    core on a shared machine)."""
    return f"; writer CPU p50 {median(values):.1f} / p95 {p95(values):.1f} ms"


def _copies(cache: Path, db: Path | str) -> tuple[str, str, Callable[[], list[str]]]:
    """(the store's throwaway copy, a scratch store for the raw writers, its write targets)."""
    if is_url(db):
        work_url = pg.work_copy(str(db), "writes")
        scratch_url = pg.work_copy(pg.url_of(str(db), "template1"), "raw")
        pg.raw_table(scratch_url)
        return work_url, scratch_url, lambda: pg.write_targets(work_url)
    work = work_copy(cache, Path(db), "writes")
    scratch = work.with_name(f"{work.stem}-raw.db")
    discard(scratch)
    return str(work), str(scratch), lambda: write_targets(work)


def _discard(target: str) -> None:
    if is_url(target):
        pg.discard(target)
    else:
        discard(Path(target))


def figures(cache: Path, db: Path | str, size: int, ops: int) -> list[Figure]:
    copying = time.perf_counter()
    work, scratch, targets_of = _copies(cache, db)
    copied = time.perf_counter() - copying
    on_pg = is_url(db)
    try:
        targets = targets_of()
        # Each writer needs its warm-up dispute plus ``ops`` more, and the one writer alone
        # writes as many as the four together (a p95 of its 15 decisions was their
        # slowest); small stores get fewer ops.
        per = max(2, min(ops, (len(targets) - 1 - WRITERS) // (2 * WRITERS)))
        if len(targets) < 2 * WRITERS * per + 1 + WRITERS:
            raise RuntimeError(f"only {len(targets)} live disputes to write to in {db}")
        first, rest = targets[: WRITERS * per + 1], targets[WRITERS * per + 1 :]
        chunks = [rest[i * (per + 1) : (i + 1) * (per + 1)] for i in range(WRITERS)]
        ran_alone = _run_together(cache, [["write", str(work), ",".join(first)]])
        ran_four = _run_together(cache, [["write", str(work), ",".join(c)] for c in chunks])
        (alone, alone_failed), (four, four_failed) = _merge(ran_alone), _merge(ran_four)
        alone_cpu, four_cpu = _merge(ran_alone, "cpu")[0], _merge(ran_four, "cpu")[0]
        raw_alone, _ = _merge(
            _run_together(cache, [["write-raw", str(scratch), str(WRITERS * per)]])
        )
        raw_four, _ = _merge(
            _run_together(cache, [["write-raw", str(scratch), str(per)]] * WRITERS)
        )
    finally:
        _discard(work)
        _discard(scratch)
    base1, base4 = raw_alone["commit"], raw_four["commit"]
    all_four = four.get("decision", []) + four.get("escalate", [])
    out = []
    for kind in ("decision", "escalate"):
        values = alone.get(kind, [])
        note = f"1 writer; {kind}; baseline raw {'psycopg' if on_pg else 'sqlite3'} commit"
        note += _cpu(alone_cpu.get(kind, []))
        out.append(
            Figure(
                f"{kind} p50, 1 writer",
                size,
                _r(median(values)),
                _r(median(base1)),
                "ms",
                samples=len(values),
                note=note,
            )
        )
        out.append(
            Figure(
                f"{kind} p95, 1 writer",
                size,
                _r(p95(values)),
                _r(p95(base1)),
                "ms",
                budget=25,
                samples=len(values),
                note=note,
            )
        )
    note4 = f"{WRITERS} writer processes, decisions and escalations; baseline raw commits"
    note4 += _cpu(four_cpu.get("decision", []) + four_cpu.get("escalate", []))
    out.append(
        Figure(
            f"write p50, {WRITERS} writers",
            size,
            _r(median(all_four)),
            _r(median(base4)),
            "ms",
            samples=len(all_four),
            note=note4,
        )
    )
    out.append(
        Figure(
            f"write p95, {WRITERS} writers",
            size,
            _r(p95(all_four)),
            _r(p95(base4)),
            "ms",
            budget=150,
            samples=len(all_four),
            note=note4,
        )
    )
    out.append(
        Figure(
            "writes: throwaway copy of the store",
            size,
            round(copied, 1),
            0.0,
            "s",
            samples=1,
            note="not timed in the writes: CREATE DATABASE ... TEMPLATE"
            if on_pg
            else "not timed in the writes: a kernel file copy (stores.work_copy), synced",
        )
    )
    failed = len(alone_failed) + len(four_failed)
    out.append(
        Figure(
            "failed writes",
            size,
            float(failed),
            0.0,
            "count",
            budget=0,
            samples=len(all_four) + sum(map(len, alone.values())),
            note="; ".join((alone_failed + four_failed)[:3]),
        )
    )
    return out


def _r(x: float) -> float:
    return round(x, 2)
