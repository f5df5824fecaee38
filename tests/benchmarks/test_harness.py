"""The benchmark harness works end to end at the 60-dispute size.

It runs ``python -m benchmarks run --quick --sizes 60`` in a subprocess and
checks that the JSON has every figure with numbers in it. No timing is
asserted: a benchmark measures speed, a test checks behaviour.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: Reported when the run built its store (each test's cache starts empty).
BUILT = {"demo build, wall", "demo build, WAL at most"}

EXPECTED = {
    *BUILT,
    "queue first paint",
    "demo first paint (quick start)",
    *(
        f"{a} {s}"
        for a in (
            "filter keystroke",
            "section switch",
            "open detail",
            "open detail at once",
            "first detail",
            "page down",
            "page down middle",
            "page down end",
            "end key",
            "shift start",
        )
        for s in ("median", "p95")
    ),
    *(f"{k} {p}, 1 writer" for k in ("decision", "escalate") for p in ("p50", "p95")),
    "write p50, 4 writers",
    "write p95, 4 writers",
    "failed writes",
    "writes: throwaway copy of the store",
    "headless queue --breached --format json",
    *(
        f"store: {kind}, {name}"
        for name in (
            "All open",
            "Breached",
            "Mine",
            "Closed",
            "All open /housing",
            "All open /zzz (no match)",
        )
        for kind in ("page top", "page middle", "page end", "exact count")
    ),
    "store: headless read, Breached in one pass",
    "headless: textual modules imported",
    "peak RSS, scrolled end to end",
    "audit verify (chain + records)",
    "audit verify: records part, CPU",
}


def test_quick_run_at_60_reports_every_figure(tmp_path: Path) -> None:
    done, results = _quick_run(tmp_path)
    assert "| size" in done.stdout  # the table was printed
    assert {"cores", "python", "sqlite", "date"} <= set(results["machine"])
    figures = results["figures"]
    assert {f["figure"] for f in figures} == EXPECTED
    for f in figures:
        assert f["size"] == 60
        for key in ("value", "baseline"):
            assert isinstance(f[key], int | float) and math.isfinite(f[key]), (f["figure"], key)
        assert f["samples"] >= 1, f["figure"]
        assert f["within_budget"] in (True, False, None)
        if f["baseline"]:
            assert isinstance(f["ratio"], float), f["figure"]


def test_figures_picks_the_groups_measured(tmp_path: Path) -> None:
    # What a 1,000,000 run uses to measure the queue's figures without writes and verify.
    _, results = _quick_run(tmp_path, "--figures", "headless")
    assert {f["figure"] for f in results["figures"]} == {
        *BUILT,
        "headless queue --breached --format json",
        "headless: textual modules imported",
    }


def _quick_run(tmp_path: Path, *more: str) -> tuple[subprocess.CompletedProcess[str], dict]:
    """``benchmarks run --quick --sizes 60`` in a subprocess: its output and its JSON."""
    out = tmp_path / "results.json"
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, (str(ROOT), env.get("PYTHONPATH"))))
    command = [sys.executable, "-m", "benchmarks", "run", "--quick", "--sizes", "60"]
    command += ["--out", str(out), "--cache", str(tmp_path / "cache"), *more]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done, json.loads(out.read_text())
