"""The queue's store reads alone, per section and depth, against a raw sqlite3 read.

What each keystroke asks of the store, without Textual: the first page of a
section or filter with its count capped at ``COUNT_CAP`` (what the app reads
before it paints), the page holding the middle row and the last page of the list
(page down, End), the exact count (read after the paint), and the headless
``queue`` read in one pass. Each page is read as the app's queue view asks for it
(``app_page``): at its page's offset, and past the first page uncounted and given
the exact count the view has by then, so that a page past the middle is read from
the end of the list (Closed's by key, ``queue_sql.page_rows``); tests/benchmarks
hold these reads to the pages the app shows. The baseline of each is a raw sqlite3
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
from typing import TYPE_CHECKING, Any

from benchmarks.common import NOW, Figure, median, run_child
from benchmarks.pg import is_url

if TYPE_CHECKING:
    from panel_tui.store.read.queue_models import QueueFilter

#: Whose Mine is read: the demo's duty lead.
MINE_LOGIN = "duty"

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


def readers(db: str) -> tuple[Callable[..., Any], Callable[..., Any], Callable[[list[int]], None]]:
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


def depths(total: int) -> list[tuple[str, int, int | None]]:
    """(depth, offset, the count the view knows) of the pages measured: the first page
    (nothing counted yet), the page holding the middle row and the last page (reached
    once the exact count is in), at the offsets the app's queue view reads."""
    from panel_tui.widgets.queue_view import PAGE

    return [
        ("top", 0, None),
        ("middle", total // 2 // PAGE * PAGE, total),
        ("end", max(0, total - 1) // PAGE * PAGE, total),
    ]


def app_page(
    page: Callable[..., Any], f: QueueFilter, at: datetime, offset: int, known: int | None
) -> Any:
    """The page at ``offset`` as the app reads it (``QueueView._request`` through
    ``PanelApp.quick_page``): a section's first page counted up to ``COUNT_CAP``; a page
    read once the exact count (``known``) is in (page down, End) not counted and given
    the count, so that the reader takes a page past the middle from the end of the list."""
    from panel_tui.store.read.queue_models import COUNT_CAP
    from panel_tui.widgets.queue_view import PAGE

    if known is None:
        return page(f, at, offset=offset, limit=PAGE, total_limit=COUNT_CAP)
    return page(f, at, offset=offset, limit=PAGE, total_limit=0, total=known)


def case_filter(section: str, text: str) -> QueueFilter:
    """A case's filter as the app's queue asks for it, Mine as the demo's duty lead's."""
    from panel_tui.store.read.queue_models import QueueFilter, Section

    return QueueFilter(
        section=Section(section), text=text, mine=MINE_LOGIN if section == "mine" else None
    )


def _measure(db: str, at: datetime, repeat: int) -> dict[str, list[float]]:
    """name → [CPU ms, wall ms, raw CPU ms, raw wall ms, matches]."""
    from panel_tui.store.read.queue_models import QueueFilter, Section

    page, every_row, raw = readers(db)
    out: dict[str, list[float]] = {}
    for name, section, text in CASES:
        f = case_filter(section, text)
        exact_cpu, exact_wall, counted = _timed(lambda f=f: page(f, at, limit=0), repeat)
        total = counted.total  # type: ignore[attr-defined]
        for depth, offset, known in depths(total):
            cpu, wall, got = _timed(
                lambda f=f, o=offset, k=known: app_page(page, f, at, o, k), repeat
            )
            ids = [r.id for r in got.rows] or [0]  # type: ignore[attr-defined]
            raw_cpu, raw_wall, _ = _timed(lambda ids=ids: raw(ids), repeat)
            out[f"page {depth}, {name}"] = [cpu, wall, raw_cpu, raw_wall, total]
        out[f"exact count, {name}"] = [exact_cpu, exact_wall, 0.0, 0.0, total]
    breached = QueueFilter(section=Section.BREACHED)
    rows = every_row(breached, at)
    ids = [r.id for r in rows] or [0]
    # In turns, each read beside its baseline: with three of one then three of the
    # other a slow spell fell on one side only (1M, idle machine: 3.60x from three
    # samples each, 2.55x from twelve in turns).
    (cpu, wall), (raw_cpu, raw_wall) = _in_turns(
        lambda: every_row(breached, at), lambda: raw(ids), repeat
    )
    out["headless read, Breached in one pass"] = [cpu, wall, raw_cpu, raw_wall, len(rows)]
    return out


def _in_turns(
    call: Callable[[], object], baseline: Callable[[], object], repeat: int
) -> tuple[tuple[float, float], tuple[float, float]]:
    """Median CPU ms and wall ms of ``call`` and of ``baseline``, sampled in turns
    after one untimed warm-up of each."""
    samples: list[list[tuple[float, float]]] = [[], []]
    call()
    baseline()
    for _ in range(repeat):
        for side, read in enumerate((call, baseline)):
            started, clock = time.thread_time(), time.perf_counter()
            read()
            cpu = (time.thread_time() - started) * 1000
            samples[side].append((cpu, (time.perf_counter() - clock) * 1000))
    return (
        (median([cpu for cpu, _ in samples[0]]), median([wall for _, wall in samples[0]])),
        (median([cpu for cpu, _ in samples[1]]), median([wall for _, wall in samples[1]])),
    )


def how_read(name: str, total: int) -> str:
    """How the app's reader takes the page a figure names ("page end, Closed"): from the
    start or from the end of the list, by key or by OFFSET; "" for the other figures."""
    from panel_tui.store.read.queue_sql import keyset

    depth, _, case = name.partition(", ")
    cases = {case_name: (section, text) for case_name, section, text in CASES}
    if not depth.startswith("page ") or case not in cases:
        return ""
    offset, known = next((o, k) for d, o, k in depths(total) if f"page {d}" == depth)
    if offset == 0:
        return f"; the first page, {'its count capped' if known is None else 'not counted'}"
    end = "end" if known is not None and 2 * offset >= known else "start"
    return f"; read from the {end} by {'key' if keyset(case_filter(*cases[case])) else 'OFFSET'}"


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
                note=f"{kind}; {int(rows)} matches{how_read(name, int(rows))}; baseline: raw "
                f"{driver} read of the same rows by id",
                wall=round(wall, 2),
            )
        )
    return out
