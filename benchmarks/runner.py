"""Run every figure at every size, print the table and write the JSON."""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks import headless, interact, memory, paint, reads, verify, writes
from benchmarks.common import NOW, SEED, Figure, machine
from benchmarks.stores import ensure_store


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
        return cls(2, 3, 3, 2, 1) if quick else cls(7, 20, 30, 9, 3)


def run(sizes: list[int], out: Path, cache: Path, quick: bool) -> list[Figure]:
    plan = Plan.make(quick)
    say = lambda message: print(message, flush=True)  # noqa: E731
    stores = {size: ensure_store(cache, size, SEED, say) for size in sizes}
    figures: list[Figure] = []
    for size in sizes:
        db = stores[size]
        steps = (
            ("first paint", paint.figures, (cache, db, size, plan.paint)),
            ("interaction", interact.figures, (cache, db, size, plan.interact)),
            ("store reads", reads.figures, (cache, db, size, plan.headless)),
            ("writes", writes.figures, (cache, db, size, plan.write_ops)),
            ("headless start", headless.figures, (cache, db, size, plan.headless)),
            ("memory", memory.figures, (cache, db, size)),
            ("audit verify", verify.figures, (cache, db, size, plan.verify)),
        )
        for name, measure, args in steps:
            started = time.perf_counter()
            figures.extend(measure(*args))
            say(f"{size:>7,} {name}: {time.perf_counter() - started:.1f} s")
    print()
    print(table(figures))
    out.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "machine": machine(),
        "quick": quick,
        "sizes": sizes,
        "seed": SEED,
        "at": NOW.isoformat(),
        "figures": [f.as_json() for f in figures],
    }
    out.write_text(json.dumps(document, indent=2) + "\n")
    print(f"\nwritten to {out}")
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


def table(figures: list[Figure]) -> str:
    """A Markdown table: readable in a terminal and pasteable into RESULTS.md."""
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
                f.figure,
                _num(f.value, f.unit),
                _num(f.baseline, f.unit),
                "—" if not f.baseline else f"{f.ratio:.2f}×",
                budget,
                within,
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = [
        "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in rows
    ]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)
