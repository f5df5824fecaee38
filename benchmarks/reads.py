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
shared with other jobs wall time mostly measures the others.
"""

from __future__ import annotations

import json
import time
from datetime import datetime
from pathlib import Path

from benchmarks.common import NOW, Figure, median, run_child

#: (name, section, text) of the filters measured.
CASES = (
    ("All open", "all_open", ""),
    ("Breached", "breached", ""),
    ("Mine", "mine", ""),
    ("Closed", "closed", ""),
    ("All open /housing", "all_open", "housing"),
    ("All open /zzz (no match)", "all_open", "zzz"),
)


def _timed(call, repeat: int) -> tuple[float, object]:  # noqa: ANN001
    call()  # warm-up
    samples, result = [], None
    for _ in range(repeat):
        started = time.thread_time()
        result = call()
        samples.append((time.thread_time() - started) * 1000)
    return median(samples), result


def _raw(path: Path, ids: list[int]) -> None:
    from panel_tui.store.sqlite_driver import sqlite

    conn = sqlite.connect(f"file:{path}?mode=ro", uri=True)
    try:
        marks = ",".join("?" * len(ids))
        conn.execute(f"SELECT * FROM dispute WHERE id IN ({marks})", ids).fetchall()
    finally:
        conn.close()


def _measure(db: str, at: datetime, repeat: int) -> dict[str, list[float]]:
    from panel_tui.store.read import sqlite3_queue
    from panel_tui.store.read.queue_models import COUNT_CAP, QueueFilter, Section

    path = Path(db)
    head = sqlite3_queue.peek(db)
    assert head is not None, "the store must be at this release's schema"
    out: dict[str, list[float]] = {}
    for name, section, text in CASES:
        f = QueueFilter(
            section=Section(section), text=text, mine="duty" if section == "mine" else None
        )
        exact_ms, counted = _timed(lambda f=f: sqlite3_queue.page(head, f, at, limit=0), repeat)
        total = counted.total
        depths = [("top", 0, COUNT_CAP), ("middle", total // 2, 0), ("end", max(0, total - 100), 0)]
        for depth, offset, cap in depths:
            ms, page = _timed(
                lambda f=f, o=offset, c=cap: sqlite3_queue.page(
                    head, f, at, offset=o, limit=100, total_limit=c
                ),
                repeat,
            )
            ids = [r.id for r in page.rows] or [0]
            raw_ms, _ = _timed(lambda ids=ids: _raw(path, ids), repeat)
            out[f"page {depth}, {name}"] = [ms, raw_ms, total]
        out[f"exact count, {name}"] = [exact_ms, 0.0, total]
    breached = QueueFilter(section=Section.BREACHED)
    ms, rows = _timed(lambda: sqlite3_queue.every_row(head, breached, at), max(1, repeat // 3))
    ids = [r.id for r in rows] or [0]
    raw_ms, _ = _timed(lambda: _raw(path, ids), max(1, repeat // 3))
    out["headless read, Breached in one pass"] = [ms, raw_ms, len(rows)]
    return out


def child(args: list[str]) -> int:
    db, at, repeat = args
    print(json.dumps(_measure(db, datetime.fromisoformat(at), int(repeat))))
    return 0


def figures(cache: Path, db: Path, size: int, repeat: int) -> list[Figure]:
    result = run_child(cache, "reads", str(db), NOW.isoformat(), str(repeat))
    out = []
    for name, (value, raw, rows) in result.items():
        headless = name.startswith("headless")
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
                note=f"CPU; {int(rows)} matches; baseline: raw sqlite3 read of the same rows by id",
            )
        )
    return out
