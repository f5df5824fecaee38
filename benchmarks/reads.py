"""The queue's store reads alone, per section and depth, against a raw sqlite3 read.

What each keystroke asks of the store, without Textual: the first page of a
section or filter with its count capped at ``COUNT_CAP`` (what the app reads
before it paints), a page in the middle and at the end of the list with no
count (page down, End), the exact count (read after the paint), and the
headless ``queue`` read in one pass. The baseline of each is a raw sqlite3
read of the same rows by primary key on a fresh read-only connection: what
the rows cost with no filter, order or count at all. Run in a child process,
median of ``repeat`` after one untimed warm-up (the page cache warm, as in use).
The time is the reading thread's CPU time (``time.thread_time``): on a machine
shared with other jobs wall time mostly measures the others. The reads are the
quick reader's on both backends (``store/read/quick_queue.py``: what the first
page and ``queue`` use); on PostgreSQL the time is wall time (the server's work
is in its own process), against a raw psycopg read; the wall time is reported
on both, so the two backends compare like for like.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from benchmarks.common import NOW, Figure, median, run_child
from benchmarks.pg import is_url

#: (name, section, text) of the filters measured.
CASES = (
    ("All open", "all_open", ""),
    ("Breached", "breached", ""),
    ("Mine", "mine", ""),
    ("Closed", "closed", ""),
    ("All open /housing", "all_open", "housing"),
    ("All open /zzz (no match)", "all_open", "zzz"),
)


def _timed(call, repeat: int) -> tuple[float, float, object]:  # noqa: ANN001
    """Median CPU ms of the calling thread, median wall ms, and the last result."""
    call()  # warm-up
    cpu, wall, result = [], [], None
    for _ in range(repeat):
        started, clock = time.thread_time(), time.perf_counter()
        result = call()
        cpu.append((time.thread_time() - started) * 1000)
        wall.append((time.perf_counter() - clock) * 1000)
    return median(cpu), median(wall), result


def _raw(path: Path, ids: list[int]) -> None:
    from panel_tui.store.sqlite_driver import sqlite

    conn = sqlite.connect(f"file:{path}?mode=ro", uri=True)
    try:
        marks = ",".join("?" * len(ids))
        conn.execute(f"SELECT * FROM dispute WHERE id IN ({marks})", ids).fetchall()
    finally:
        conn.close()


def _raw_pg(url: str, ids: list[int]) -> None:
    import psycopg

    with psycopg.connect(url, options="-c search_path=panel_tui") as conn:
        conn.execute("SELECT * FROM dispute WHERE id = ANY(%s)", (ids,)).fetchall()


def _readers(db: str) -> tuple[Callable[..., Any], Callable[..., Any], Callable[[list[int]], None]]:
    """(page, every_row, raw read by id) on the store's backend, through the quick
    reader the app's first page and ``queue`` use (sqlite3, or psycopg on PostgreSQL)."""
    from panel_tui.store.read import quick_queue

    head = quick_queue.peek(db)
    assert head is not None, "the store must be at this release's schema"
    return (
        lambda *a, **k: quick_queue.page(head, *a, **k),
        lambda *a, **k: quick_queue.every_row(head, *a, **k),
        (lambda ids: _raw_pg(db, ids)) if is_url(db) else (lambda ids: _raw(Path(db), ids)),
    )


def _measure(db: str, at: datetime, repeat: int) -> dict[str, list[float]]:
    """name → [CPU ms, wall ms, raw CPU ms, raw wall ms, matches]."""
    from panel_tui.store.read.queue_models import COUNT_CAP, QueueFilter, Section

    page, every_row, raw = _readers(db)
    out: dict[str, list[float]] = {}
    for name, section, text in CASES:
        f = QueueFilter(
            section=Section(section), text=text, mine="duty" if section == "mine" else None
        )
        exact_cpu, exact_wall, counted = _timed(lambda f=f: page(f, at, limit=0), repeat)
        total = counted.total  # type: ignore[attr-defined]
        depths = [("top", 0, COUNT_CAP), ("middle", total // 2, 0), ("end", max(0, total - 100), 0)]
        for depth, offset, cap in depths:
            cpu, wall, got = _timed(
                lambda f=f, o=offset, c=cap: page(f, at, offset=o, limit=100, total_limit=c),
                repeat,
            )
            ids = [r.id for r in got.rows] or [0]  # type: ignore[attr-defined]
            raw_cpu, raw_wall, _ = _timed(lambda ids=ids: raw(ids), repeat)
            out[f"page {depth}, {name}"] = [cpu, wall, raw_cpu, raw_wall, total]
        out[f"exact count, {name}"] = [exact_cpu, exact_wall, 0.0, 0.0, total]
    breached = QueueFilter(section=Section.BREACHED)
    few = max(1, repeat // 3)
    cpu, wall, rows = _timed(lambda: every_row(breached, at), few)
    ids = [r.id for r in rows] or [0]  # type: ignore[attr-defined]
    raw_cpu, raw_wall, _ = _timed(lambda: raw(ids), few)
    out["headless read, Breached in one pass"] = [cpu, wall, raw_cpu, raw_wall, len(rows)]  # type: ignore[arg-type]
    return out


def child(args: list[str]) -> int:
    db, at, repeat = args
    print(json.dumps(_measure(db, datetime.fromisoformat(at), int(repeat))))
    return 0


def figures(cache: Path, db: Path | str, size: int, repeat: int) -> list[Figure]:
    """SQLite: the reading thread's CPU time (the server is in the process). PostgreSQL:
    wall time, since the server's work is in another process; both report wall too."""
    result = run_child(cache, "reads", str(db), NOW.isoformat(), str(repeat))
    on_pg = is_url(db)
    out = []
    for name, (cpu, wall, raw_cpu, raw_wall, rows) in result.items():
        headless = name.startswith("headless")
        value, raw = (wall, raw_wall) if on_pg else (cpu, raw_cpu)
        kind = "wall" if on_pg else "CPU"
        driver = "psycopg" if on_pg else "sqlite3"
        out.append(
            Figure(
                f"store: {name}",
                size,
                round(value, 2),
                round(raw, 2),
                "ms",
                budget=3 if headless else None,
                budget_on="ratio",
                samples=repeat,
                note=f"{kind}; {int(rows)} matches; baseline: raw {driver} read of the same rows "
                "by id",
                wall=round(wall, 2),
            )
        )
    return out
