"""What every part of the harness shares: the pinned instant, paths, child processes, statistics.

Stores are built with their clocks relative to ``NOW`` and every measurement
reads them at ``NOW``, so a cached store gives the same queue next month.
"""

from __future__ import annotations

import json
import math
import os
import statistics
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

#: The instant every store is built around and read at.
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
SEED = 7
ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
#: The terminal size the app is measured at (a laptop terminal over SSH).
SIZE = (120, 40)


def child_env(cache: Path, **extra: str) -> dict[str, str]:
    """The environment of every measured process.

    Bytecode is cached (as in an installed package) under ``cache/pycache``:
    this workplace sets PYTHONDONTWRITEBYTECODE, which would make every start
    compile SQLAlchemy from source. Config and exports point into the cache so
    a developer's own settings never change a figure.
    """
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(cache / "pycache")
    env["PANEL_TUI_CONFIG"] = str(cache / "no-config.toml")
    env["PANEL_TUI_EXPORTS"] = str(cache / "exports")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, (str(ROOT), env.get("PYTHONPATH"))))
    env.pop("NO_COLOR", None)
    env.update(extra)
    return env


def run_child(cache: Path, kind: str, *args: str, timeout: float = 600) -> dict[str, Any]:
    """Run ``python -m benchmarks.child KIND ARGS`` and return the JSON it prints last."""
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.child", kind, *args],
        env=child_env(cache),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode != 0:
        raise RuntimeError(f"benchmark child {kind} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values)) if values else math.nan


def p95(values: Sequence[float]) -> float:
    """The nearest-rank 95th percentile (the slowest of 20 is the 95th of 20 samples' worst)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(0.95 * len(ordered)))
    return float(ordered[rank - 1])


@dataclass
class Figure:
    """One line of the results table.

    ``budget`` is compared with ``value`` (``budget_on="value"``) or with
    ``ratio`` (``budget_on="ratio"``); ``None`` means reported, not budgeted.
    """

    figure: str
    size: int
    value: float
    baseline: float
    unit: str
    budget: float | None = None
    budget_on: str = "value"
    samples: int = 0
    note: str = ""
    #: "sqlite", or "postgresql" for the same figure measured on a PostgreSQL store
    backend: str = "sqlite"
    #: wall ms, where ``value`` is CPU time (the store reads): what backends compare
    wall: float | None = None

    @property
    def ratio(self) -> float:
        if not self.baseline:
            return math.nan if not self.value else math.inf
        return self.value / self.baseline

    @property
    def within(self) -> bool | None:
        if self.budget is None:
            return None
        measured = self.ratio if self.budget_on == "ratio" else self.value
        return bool(measured <= self.budget)

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["ratio"] = _finite(self.ratio)
        data["within_budget"] = self.within
        return data


def _finite(x: float) -> float | None:
    return None if math.isnan(x) or math.isinf(x) else round(x, 3)


def machine() -> dict[str, Any]:
    import platform

    from panel_tui.store.sqlite_driver import sqlite as sqlite3

    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
