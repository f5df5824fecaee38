"""Figure 6, audit verify: the chain and every record rebuilt from the events, as a shift runs it.

Wall time of the installed ``panel-tui --db STORE audit verify --format json``
in a subprocess (median of several; it must answer ok), against the baseline
of the same process verifying the hash chain alone (what ``audit verify`` did
before the records were under the chain), run in a child the same way. A
separate child reports the CPU time of each part (on PostgreSQL the client's
only: the server's share is in its own process).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.common import ROOT, Figure, child_env, median

#: A shift's start: verify must not hold anyone up for longer than this.
BUDGET = 60.0

PARTS = (
    "import json, sys, time\n"
    "from sqlalchemy import create_engine\n"
    "from panel_tui.store.audit import verify_chain\n"
    "from panel_tui.store.rebuild.verify import check_records\n"
    "if '://' in sys.argv[1]:\n"
    "    from panel_tui.store.engine import make_engine, to_url\n"
    "    engine = make_engine(to_url(sys.argv[1]))\n"
    "else:\n"
    "    engine = create_engine('sqlite:///file:' + sys.argv[1] + '?mode=ro&uri=true')\n"
    "out = {}\n"
    "with engine.connect() as connection:\n"
    "    for name, check in (('chain', verify_chain), ('records', check_records)):\n"
    "        wall, cpu = time.perf_counter(), time.process_time()\n"
    "        report = check(connection)\n"
    "        out[name] = [time.perf_counter() - wall, time.process_time() - cpu, report.ok]\n"
    "print(json.dumps(out))\n"
)


def _run(cache: Path, argv: list[str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(argv, env=child_env(cache), cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed:\n{done.stdout[-2000:]}{done.stderr[-3000:]}")
    return elapsed, done.stdout


def figures(cache: Path, db: Path | str, size: int, repeat: int) -> list[Figure]:
    script = Path(sys.executable).parent / "panel-tui"
    argv = [str(script), "--db", str(db), "audit", "verify", "--format", "json"]
    chain_only = [sys.executable, "-c", PARTS.replace("('records', check_records)", ""), str(db)]
    _, out = _run(cache, argv)  # warm-up (page cache); also check it answers ok
    report = json.loads(out)
    if not report["ok"]:
        raise RuntimeError(f"audit verify of the benchmark store is not ok: {out[:2000]}")
    full, chain = [], []
    for _ in range(repeat):
        full.append(_run(cache, argv)[0])
        chain.append(_run(cache, chain_only)[0])
    parts = json.loads(_run(cache, [sys.executable, "-c", PARTS, str(db)])[1])
    records = report["records"]
    return [
        Figure(
            "audit verify (chain + records)",
            size,
            round(median(full), 3),
            round(median(chain), 3),
            "s",
            budget=BUDGET,
            samples=repeat,
            note=f"median wall; {report['events']:,} events, {records['checked']:,} rows "
            "compared; baseline: the chain alone",
        ),
        Figure(
            "audit verify: records part, CPU",
            size,
            round(parts["records"][1], 3),
            round(parts["chain"][1], 3),
            "s",
            samples=1,
            note="process time of the rebuild and comparison; baseline: of the chain's hashes",
        ),
    ]
