"""Run every figure at every size, print the table and write the JSON."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from benchmarks import headless, interact, memory, paint, pg, reads, verify, writes
from benchmarks.common import NOW, SEED, Figure, machine
from benchmarks.stores import BUILT, ensure_store, store_path

#: Issue 13: the 1,000,000-dispute demo store built in at most five minutes.
BUILD_BUDGET_S = 300.0


@dataclass(frozen=True)
class Plan:
    """How many samples of each figure: a full run, or ``--quick`` (the CI check)."""

    paint: int
    interact: int
    write_ops: int
    headless: int
    verify: int

    @classmethod
    def make(cls, quick: bool) -> Plan:
        return cls(2, 3, 3, 2, 1) if quick else cls(15, 20, 30, 9, 3)


#: The groups of figures, by the name ``--figures`` takes, in the order they run.
GROUPS = ("paint", "interaction", "reads", "writes", "headless", "memory", "verify")


def run(
    sizes: list[int],
    out: Path,
    cache: Path,
    quick: bool,
    postgres: str | None = None,
    groups: tuple[str, ...] = GROUPS,
) -> list[Figure]:
    """Every figure (of ``groups``) at every size; with ``postgres`` ("start" for a
    throwaway cluster, or a superuser's URL) every figure again on a PostgreSQL store of
    the same demo."""
    say = lambda message: print(message, flush=True)  # noqa: E731
    if postgres is None:
        return _run(sizes, out, cache, (quick, groups), None, say)
    if postgres != "start":
        return _run(sizes, out, cache, (quick, groups), postgres, say)
    with pg.cluster() as admin_url:
        say("started a throwaway PostgreSQL cluster (fsync on)")
        return _run(sizes, out, cache, (quick, groups), admin_url, say)


def _run(
    sizes: list[int],
    out: Path,
    cache: Path,
    what: tuple[bool, tuple[str, ...]],
    pg_admin: str | None,
    say: Callable[[str], None],
) -> list[Figure]:
    quick, groups = what
    plan = Plan.make(quick)
    backends: list[tuple[str, dict[int, Path | str]]] = [
        ("sqlite", {size: ensure_store(cache, size, SEED, say) for size in sizes})
    ]
    if pg_admin is not None:
        digest = store_path(cache, 0).stem.rsplit("-", 1)[-1]
        built = {size: pg.ensure_store(pg_admin, size, digest, say) for size in sizes}
        backends.append(("postgresql", dict(built)))
    figures: list[Figure] = _builds(backends[0][1])
    for size in sizes:
        for backend, stores in backends:
            figures.extend(_measure(cache, stores[size], size, (plan, groups), backend, say))
    print()
    print(table(figures))
    if pg_admin is not None:
        print()
        print(comparison(figures))
    out.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "machine": machine(),
        "backends": [name for name, _ in backends],
        "quick": quick,
        "sizes": sizes,
        "seed": SEED,
        "at": NOW.isoformat(),
        "figures": [f.as_json() for f in figures],
    }
    out.write_text(json.dumps(document, indent=2) + "\n")
    print(f"\nwritten to {out}")
    return figures


def _builds(stores: dict[int, Path | str]) -> list[Figure]:
    """The SQLite stores this run built (not those found cached): wall time, CPU, WAL."""
    out = []
    for size, path in stores.items():
        if path not in BUILT:
            continue
        wall, cpu, wal = BUILT[path]
        budget = BUILD_BUDGET_S if size >= 1_000_000 else None
        note = f"panel-tui demo's build_demo, seed {SEED}; this process's CPU {cpu:.0f} s"
        out += [
            Figure("demo build, wall", size, round(wall, 1), 0, "s", budget, samples=1, note=note),
            Figure(
                "demo build, WAL at most",
                size,
                round(wal / 2**20, 1),
                0,
                "MB",
                samples=1,
                note="the WAL beside the store, sampled every 0.5 s while it was built",
            ),
        ]
    return out


def _measure(
    cache: Path,
    db: Path | str,
    size: int,
    what: tuple[Plan, tuple[str, ...]],
    backend: str,
    say: Callable[[str], None],
) -> list[Figure]:
    plan, groups = what
    steps = (
        ("first paint", paint.figures, (cache, db, size, plan.paint)),
        ("interaction", interact.figures, (cache, db, size, plan.interact)),
        ("store reads", reads.figures, (cache, db, size, plan.headless)),
        ("writes", writes.figures, (cache, db, size, plan.write_ops)),
        ("headless start", headless.figures, (cache, db, size, plan.headless)),
        ("memory", memory.figures, (cache, db, size)),
        ("audit verify", verify.figures, (cache, db, size, plan.verify)),
    )
    figures: list[Figure] = []
    for group, (name, measure, args) in zip(GROUPS, steps, strict=True):
        if group not in groups:
            continue
        started = time.perf_counter()
        measured = measure(*args)
        for figure in measured:
            figure.backend = backend
        figures.extend(measured)
        say(f"{size:>7,} {backend} {name}: {time.perf_counter() - started:.1f} s")
        say(table(measured))  # as it goes: a long run's figures are not lost if it stops
    return figures


def _num(x: float | None, unit: str = "") -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    if math.isinf(x):
        return "∞"
    text = (
        f"{x:,.0f}"
        if abs(x) >= 1000
        else f"{x:.3g}"
        if abs(x) < 1
        else f"{x:,.2f}".rstrip("0").rstrip(".")
    )
    return f"{text} {unit}".strip()


def comparison(figures: list[Figure]) -> str:
    """SQLite and PostgreSQL side by side: each figure's value on both, and their ratio.

    The store reads compare wall times (on SQLite their value is the thread's CPU time,
    which would leave out nothing there but the server's whole share on PostgreSQL)."""
    lite = {(f.size, f.figure): f for f in figures if f.backend == "sqlite"}
    rows = [("size", "figure", "SQLite", "PostgreSQL", "PG / SQLite", "PG vs its baseline")]
    for f in figures:
        other = lite.get((f.size, f.figure))
        if f.backend != "postgresql" or other is None:
            continue
        a, b = (other.wall, f.wall) if f.wall is not None else (other.value, f.value)
        rows.append(
            (
                f"{f.size:,}",
                f.figure,
                _num(a, f.unit),
                _num(b, f.unit),
                "—" if not a else f"{b / a:.2f}×",
                "—" if not f.baseline else f"{f.ratio:.2f}×",
            )
        )
    return _markdown(rows)


def table(figures: list[Figure]) -> str:
    """A Markdown table: readable in a terminal and pasteable into RESULTS.md."""
    both = len({f.backend for f in figures}) > 1
    rows = [("size", "figure", "value", "baseline", "ratio", "budget", "within")]
    for f in figures:
        if f.budget is None:
            budget = "—"
        elif f.budget_on == "ratio":
            budget = f"≤ {f.budget:g}× baseline"
        else:
            budget = f"≤ {_num(f.budget, f.unit)}"
        within = {None: "", True: "yes", False: "**NO**"}[f.within]
        rows.append(
            (
                f"{f.size:,}",
                f"{f.figure} (PostgreSQL)" if both and f.backend == "postgresql" else f.figure,
                _num(f.value, f.unit),
                _num(f.baseline, f.unit),
                "—" if not f.baseline else f"{f.ratio:.2f}×",
                budget,
                within,
            )
        )
    return _markdown(rows)


def _markdown(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = [
        "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in rows
    ]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)
