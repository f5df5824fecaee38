"""Figure 4, headless start: ``panel-tui queue --breached --format json`` as a script runs it.

Wall time of the installed console script in a subprocess (its JSON read
through a pipe, as ``| jq`` would), median of several, alternating with the
baseline ``python -c pass``. A separate run of the same command through
``panel_tui.cli.main`` reports whether any ``textual`` module was imported.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.common import NOW, ROOT, Figure, child_env, median

CHECK = (
    "import sys\n"
    "from panel_tui.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "loaded = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
    "sys.stderr.write('\\nTEXTUAL_MODULES=%d\\n' % len(loaded))\n"
    "sys.exit(code)\n"
)


def command(db: Path) -> list[str]:
    script = Path(sys.executable).parent / "panel-tui"
    return [
        str(script),
        "--db",
        str(db),
        "queue",
        "--breached",
        "--format",
        "json",
        "--at",
        NOW.isoformat(),
    ]


def _wall(cache: Path, argv: list[str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(argv, env=child_env(cache), cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed:\n{done.stderr[-3000:]}")
    return elapsed, done.stdout


def figures(cache: Path, db: Path | str, size: int, repeat: int) -> list[Figure]:
    argv = command(db)
    _, out = _wall(cache, argv)  # warm-up; also check it answers
    total = json.loads(out)["total"]
    app, bare = [], []
    for _ in range(repeat):
        app.append(_wall(cache, argv)[0])
        bare.append(_wall(cache, [sys.executable, "-c", "pass"])[0])
    check = subprocess.run(
        [sys.executable, "-c", CHECK, *argv[1:]],
        env=child_env(cache),
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    marker = [line for line in check.stderr.splitlines() if line.startswith("TEXTUAL_MODULES=")]
    if check.returncode != 0 or not marker:
        raise RuntimeError(f"the import check failed:\n{check.stderr[-3000:]}")
    textual_modules = int(marker[-1].split("=")[1])
    return [
        Figure(
            "headless queue --breached --format json",
            size,
            round(median(app), 3),
            round(median(bare), 3),
            "s",
            budget=0.6,
            samples=repeat,
            note=f"median wall; {total} breached disputes; baseline python -c pass",
        ),
        Figure(
            "headless: textual modules imported",
            size,
            float(textual_modules),
            0.0,
            "count",
            budget=0,
            samples=1,
            note="sys.modules after panel_tui.cli.main",
        ),
    ]
