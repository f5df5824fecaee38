"""Figure 5, memory: peak RSS of the app with the store open and scrolled end to end.

A child process runs the app headless (``run_test``, 120×40) on the store,
pages down through All open to its last row, then switches to Closed (the
whole history), jumps to its end and back to the top, and exits. Its peak
RSS comes from ``os.wait4``'s rusage for that child alone. The baseline is
the bare Textual app (Header, empty DataTable, Footer) started and stopped
the same way.

The peak is the child's own ``VmHWM`` from /proc/self/status, read just
before it exits. ``getrusage``/``wait4`` maxrss would be wrong here: Linux
folds the high-water mark of the forked copy of the harness (which has a
store module and SQLAlchemy loaded) into the child's maxrss at ``exec``.
"""

from __future__ import annotations

import asyncio
import json
from datetime import datetime
from pathlib import Path

from benchmarks.common import NOW, SIZE, Figure, run_child


async def _scroll(db: str, at: datetime) -> dict:
    from benchmarks.apps import BenchPanelApp
    from benchmarks.bare import send_key, until
    from panel_tui.screens.queue import QueueScreen
    from panel_tui.store.db import Store

    store = Store.open(db)
    app = BenchPanelApp(store, "duty", demo=True, clock=lambda: at)
    presses = 0
    async with app.run_test(size=SIZE, headless=True):
        await until(lambda: isinstance(app.screen, QueueScreen) and app.screen.view.loaded)
        view = app.screen.view
        while view.cursor < view.total - 1:
            before = view.cursor
            send_key(app, "pagedown")
            presses += 1
            await until(lambda b=before: view.cursor != b and view.cursor_row is not None)
        open_total = view.total
        loads = app.loads
        send_key(app, "7")  # Closed: every resolved dispute
        await until(lambda: app.loads > loads and view.loaded)
        for key, row in (("end", view.total - 1), ("home", 0)):
            send_key(app, key)
            await until(lambda r=row: view.cursor == r and view.cursor_row is not None)
        closed_total = view.total
    store.close()
    return {"pagedowns": presses, "all_open": open_total, "closed": closed_total}


async def _bare() -> dict:
    from benchmarks.bare import BareApp, until

    app = BareApp()
    async with app.run_test(size=SIZE, headless=True) as pilot:
        await until(lambda: app.screen.is_current)
        await pilot.pause(0.2)
    return {}


def _high_water_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status: the memory figure needs Linux")


def child(kind: str, args: list[str]) -> int:
    if kind == "memory":
        result = asyncio.run(_scroll(args[0], datetime.fromisoformat(args[1])))
    else:
        result = asyncio.run(_bare())
    result["peak_mb"] = _high_water_mb()
    print(json.dumps(result), flush=True)
    return 0


def peak_rss(cache: Path, args: list[str]) -> tuple[float, dict]:
    """MB of peak resident memory of one child, and what it printed."""
    result = run_child(cache, *args)
    return result["peak_mb"], result


def figures(cache: Path, db: Path | str, size: int) -> list[Figure]:
    bare, _ = peak_rss(cache, ["memory-bare"])
    app, done = peak_rss(cache, ["memory", str(db), NOW.isoformat()])
    return [
        Figure(
            "peak RSS, scrolled end to end",
            size,
            round(app, 1),
            round(bare, 1),
            "MB",
            budget=150,
            samples=1,
            note=(
                f"{done['pagedowns']} page downs through {done['all_open']} open, then end and "
                f"home of {done['closed']} closed; baseline bare app"
            ),
        )
    ]
