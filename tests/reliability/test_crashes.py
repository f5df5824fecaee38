"""A writer killed with SIGKILL at random points: the store opens, whole, with every ack.

The worker fsyncs an acknowledgement line after each committed change (and a
"planned" line before each batch), so the test knows exactly what the store
promised. After every kill: the store opens, ``PRAGMA integrity_check`` is ok,
the chain verifies, every acknowledged change is there, and each batch landed
whole or not at all. Kills during a migration leave a store that opens and
migrates to the newest schema with all its data.
"""

from __future__ import annotations

import random
import shutil
import signal
import subprocess
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from reliability.relkit import (
    T0,
    as_written_by_0003,
    build_store,
    chain,
    counts,
    event_tokens,
    integrity,
    query,
    read_jsonl,
    record_figures,
    row_tokens,
    valid_form,
)

from panel_tui.store import migrate
from panel_tui.store.db import Store
from panel_tui.store.ledger import Ledger

KILLS = 32
MIGRATION_KILLS = 6


def _wait_for(predicate, timeout: float = 20.0, step: float = 0.002) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(step)
    return False


def _check_after_kill(path: Path, acks_path: Path, before: int) -> str:
    """The promises after a crash; returns where the kill landed."""
    Store.open(str(path)).close()  # opens (recovering the WAL), as the next user would
    assert integrity(path) == "ok"
    report = chain(path)
    assert report.ok, report.describe()
    lines = read_jsonl(acks_path)
    events, rows = event_tokens(path), row_tokens(path)
    acked = [line["token"] for line in lines if "token" in line]
    acked += [t for line in lines if "batch" in line for t in line["tokens"]]
    missing = [t for t in acked if t not in events or t not in rows]
    assert not missing, f"acknowledged before the kill but lost: {missing[:5]}"
    done = {line["batch"] for line in lines if "batch" in line}
    for line in lines:
        if "planned" in line:
            present = sum(1 for t in line["tokens"] if t in events)
            assert present in (0, len(line["tokens"])), (
                f"batch {line['planned']} landed in part: {present} of {len(line['tokens'])}"
            )
    mine = lines[before:]  # what this worker wrote
    if not mine:
        return "starting"
    last = mine[-1]
    if "planned" in last and last["planned"] not in done:
        landed = any(t in events for t in last["tokens"])
        return "batch_committed_unacked" if landed else "batch_rolled_back"
    return "ready" if "ready" in last else "single_or_between"


def _kill_sequence(
    path: Path, acks_path: Path, kills: range, seed: int, spawn_worker
) -> tuple[Counter[str], list[float]]:
    """Start a writer on ``path`` and SIGKILL it, once per number in ``kills``."""
    rng = random.Random(seed * 1000 + kills.start)
    seen: Counter[str] = Counter()
    delays = []
    for kill in kills:
        before = len(read_jsonl(acks_path))
        proc = spawn_worker("crash", path, kill, acks_path, 120, stderr=subprocess.DEVNULL)

        def started(pattern: str, b: int = before) -> bool:
            return any(pattern in x for x in read_jsonl(acks_path)[b:])

        if kill % 8 == 7:
            delay = rng.uniform(0.0, 1.0)  # while it starts and opens the store
        elif kill % 3 == 0:
            # Aim at a batch: wait until one is planned, then kill inside or just after it.
            assert _wait_for(lambda: started("planned")), f"seed {seed}: no batch from {kill}"
            delay = rng.uniform(0.0, 0.25)
        else:
            assert _wait_for(lambda: started("ready")), f"seed {seed}: worker {kill} not ready"
            delay = rng.uniform(0.0, 1.5)
        time.sleep(delay)
        delays.append(round(delay, 3))
        assert proc.poll() is None, f"seed {seed}: worker {kill} exited by itself"
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        try:
            seen[_check_after_kill(path, acks_path, before)] += 1
        except AssertionError as exc:
            raise AssertionError(f"seed {seed}, kill {kill} after {delay:.3f}s: {exc}") from None
    return seen, delays


@pytest.mark.slow
def test_sigkill_at_random_points_loses_nothing_acknowledged(
    store_path: Path, tmp_path: Path, spawn_worker
) -> None:
    seed = random.randrange(1 << 30)
    # Two stores killed side by side: one per core, half the wall time.
    other = tmp_path / "other.db"
    shutil.copyfile(store_path, other)
    half = KILLS // 2
    jobs = [(store_path, range(0, half)), (other, range(half, KILLS))]
    with ThreadPoolExecutor(2) as pool:
        futures = [
            pool.submit(_kill_sequence, p, p.with_suffix(".acks"), r, seed, spawn_worker)
            for p, r in jobs
        ]
        results = [f.result() for f in futures]
    seen: Counter[str] = Counter()
    delays: list[float] = []
    for found, waited in results:
        seen.update(found)
        delays += waited
    in_batch = seen["batch_rolled_back"] + seen["batch_committed_unacked"]
    assert in_batch >= 3, f"seed {seed}: too few kills inside a batch: {seen}"
    assert seen["single_or_between"] >= 5, f"seed {seed}: too few kills among single writes: {seen}"
    lines = [x for p, _ in jobs for x in read_jsonl(p.with_suffix(".acks"))]
    totals = [counts(p) for p, _ in jobs]
    record_figures(
        "crashes",
        {
            "kills": KILLS,
            "stores": len(jobs),
            "seed": seed,
            "delay_range_seconds": [min(delays), max(delays)],
            "kills_by_point": dict(sorted(seen.items())),
            "acknowledged_single_changes": sum(1 for x in lines if "token" in x),
            "acknowledged_batches": sum(1 for x in lines if "batch" in x),
            "acknowledged_changes_in_batches": sum(len(x["tokens"]) for x in lines if "batch" in x),
            "events_at_end": sum(t["event"] for t in totals),
            "disputes_at_end": sum(t["dispute"] for t in totals),
        },
    )


def _old_schema_store(path: Path) -> None:
    """A store at schema 0003 with a few hundred disputes, as an older panel-tui left it.

    Migration 0004 appends a baseline event per dispute: long enough to be killed in.
    """
    build_store(path)
    store = Store.open(str(path))
    try:
        ledger = Ledger(store, "supervisor", clock=lambda: T0)
        with ledger.batch():
            for i in range(300):
                ref = ledger.open_dispute(valid_form(person_ref=f"P-{3000 + i}"))
                ledger.add_note(ref, "an old note " * 20)
                ledger.assign_cover(ref, "CBH", "daily call")
    finally:
        store.close()
    as_written_by_0003(path)
    assert migrate.sqlite_revision(path) == "0003"


def _event_columns(path: Path) -> set[str]:
    return {r[1] for r in query(path, "PRAGMA table_info(event)")}


@pytest.mark.slow
def test_sigkill_during_a_migration_leaves_a_store_that_opens(tmp_path: Path, spawn_worker) -> None:
    old = tmp_path / "old.db"
    _old_schema_store(old)
    original = counts(old, ("dispute", "note", "interimcover"))
    old_events = query(old, "SELECT id, hash FROM event ORDER BY id")
    rng = random.Random()
    interrupted = finished = 0
    for kill in range(MIGRATION_KILLS):
        work = tmp_path / f"kill{kill}"
        work.mkdir()
        path = work / "store.db"
        shutil.copyfile(old, path)
        proc = spawn_worker("open", path, stderr=subprocess.DEVNULL)
        # The migration starts by writing its backup copy beside the store.
        assert _wait_for(lambda w=work: any(w.glob("*.pre-0003-*.bak")), step=0.0005)
        time.sleep(rng.uniform(0.0, 1.2) if kill else 0.0)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        proc.wait()
        revision = migrate.sqlite_revision(path)
        assert revision in migrate.REVISIONS
        # All or nothing: the old revision never has half of the new schema.
        assert ("rows" in _event_columns(path)) == (revision != "0003")
        if revision == "0003":
            interrupted += 1
        else:
            finished += 1
        Store.open(str(path)).close()  # the next user's open migrates it
        assert migrate.sqlite_revision(path) == migrate.HEAD
        assert integrity(path) == "ok"
        report = chain(path)
        assert report.ok, report.describe()
        assert counts(path, original) == original
        # The old chain is kept as it was; the migration only appends its baseline events.
        kept = query(path, f"SELECT id, hash FROM event WHERE id <= {len(old_events)}")
        assert kept == old_events
    assert interrupted >= 1, "no kill landed before the migration committed"
    record_figures(
        "migration_kills",
        {
            "kills": MIGRATION_KILLS,
            "killed_before_the_migration_committed": interrupted,
            "killed_after_it_committed": finished,
            "disputes": original["dispute"],
            "events": len(old_events),
        },
    )
