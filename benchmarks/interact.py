"""Figure 2, interaction latency, measured in-process with Textual's Pilot (headless, 120×40).

Each sample is the time from the key reaching the app (sent as the terminal
driver sends it; ``Pilot.press`` would add its own idle waits) until the
screen reflects the key: the condition below holds *and* Textual has run a
``call_after_refresh`` callback (the next frame, with the new rows, is
composed). So a sample includes the key's handling, the store query in its
thread worker, the message back to the UI and the repaint.

* filter keystroke: a character typed into the ``/`` filter (or a backspace)
  until the queue's next ``Loaded`` message for the new filter;
* section switch: a number key until the new section's first page is loaded;
* open detail: ``enter`` on a row until the dispute screen shows the dispute, the
  cursor having rested on the row ``LOOK`` s first (a person reads the row before
  opening it; the app reads and lays out the dispute under a resting cursor ahead);
  *open detail at once* (reported, not budgeted): ``enter`` as soon as the row under
  the cursor is drawn, before anything could be read ahead;
* page down: ``pagedown`` until the row under the new cursor is loaded, through All
  open from the top, from its middle row, and from as many pages before its last row
  (page down "anywhere in the list", issue 13);
* end key: ``end`` on All open, each time just after the section was chosen again
  (its pages forgotten) and counted, until the last row is loaded;
* first detail: ``enter`` until the dispute screen shows the dispute, once per fresh
  app process (started as below, its queue left idle 1.5 s as a person looks at it
  before the first open): the first open of a session; median over the processes;
* shift start: ``w`` on the queue until the shift-start view lists every change
  since the duty lead's last look (none marked: the last 24 hours, read from the
  event log and the clocks' indexes; store/read/changes.py).

The baseline is a bare Textual app whose Input echoes each keystroke into a
Static: the framework's own keystroke-to-repaint time. Budgets are ratios to it
(≤ 2×, issue 13): absolute milliseconds are not stable on a shared machine.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from benchmarks.common import NOW, SIZE, Figure, median, p95, run_child

FILTER_WORDS = ("cbh", "housing", "D-2026-01", "ACT")
ACTIONS = (
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
#: How long the queue idles before the first open of a session (a person reading it).
FIRST_LOOK = 1.5
#: How long the cursor rests on a row before Enter (a person reading the row).
LOOK = 0.5
#: Reported, not held to a budget: Enter faster than a person reads the row.
UNBUDGETED = {"open detail at once"}


async def _timed(pilot, keys: tuple[str, ...], ready: Callable[[], bool]) -> float:  # noqa: ANN001
    from benchmarks.bare import painted, send_key, until

    started = time.perf_counter()
    for key in keys:
        send_key(pilot.app, key)
    try:
        await until(ready)
    except TimeoutError:
        view = getattr(pilot.app.screen, "view", None)
        state = f"cursor {view.cursor} of {view.total}, loaded {view.loaded}" if view else ""
        raise TimeoutError(f"no repaint after {keys} on {pilot.app.screen!r} {state}") from None
    await painted(pilot.app)
    return (time.perf_counter() - started) * 1000


async def _measure_app(db: str, at: datetime, repeat: int) -> dict[str, list[float]]:
    from benchmarks.apps import BenchPanelApp
    from benchmarks.bare import until
    from panel_tui.screens.detail import DisputeScreen
    from panel_tui.screens.queue import QueueScreen
    from panel_tui.screens.shift import ShiftStartScreen
    from panel_tui.store.db import Store

    store = Store.open(db)
    app = BenchPanelApp(store, "duty", demo=True, clock=lambda: at)
    samples: dict[str, list[float]] = {name: [] for name in ACTIONS}
    async with app.run_test(size=SIZE, headless=True) as pilot:
        await until(lambda: isinstance(app.screen, QueueScreen) and app.screen.view.loaded)
        await until(lambda: app._data_version is not None)  # the first poll's refresh is done
        await pilot.pause(0.5)
        queue = app.screen
        view = queue.view

        def loaded_after(before: int) -> Callable[[], bool]:
            return lambda: app.loads > before and view.loaded

        # Section switch: every section in turn, ending on All open.
        for i in range(repeat):
            key = str((i + 1) % 7 + 1)
            samples["section switch"].append(await _timed(pilot, (key,), loaded_after(app.loads)))
        await _timed(pilot, ("6",), loaded_after(app.loads))

        # Filter: type words a key at a time, then delete them a key at a time.
        await pilot.press("slash")
        await until(lambda: app.focused is not None and app.focused.id == "filter")
        keystrokes = 0
        for word in FILTER_WORDS * repeat:
            for key in [*word, *(["backspace"] * len(word))]:
                stroke = await _timed(pilot, (key,), loaded_after(app.loads))
                samples["filter keystroke"].append(stroke)
                keystrokes += 1
            if keystrokes >= 2 * repeat:
                break
        await pilot.press("escape")
        await until(lambda: app.focused is view)

        # Page down through All open: from the top, from the middle, and towards the end.
        step = max(1, view.size.height - 1)  # the rows one page down moves
        await until(lambda: not view.total_capped)  # the middle and the end of the exact count
        await _page_downs(pilot, view, 0, samples["page down"], repeat)
        await _page_downs(pilot, view, view.total // 2, samples["page down middle"], repeat)
        near_end = max(0, view.total - 1 - repeat * step)
        await _page_downs(pilot, view, near_end, samples["page down end"], repeat)

        # End on All open, its pages forgotten each time (the section chosen again), once
        # the section is counted (else End goes to row 1,000 of "1000+"). Waited for by the
        # view's generation, which the key itself moves on: a Loaded still on its way from
        # the last End would otherwise count as this section's.
        def counted(generation: int) -> Callable[[], bool]:
            # cursor 0: the section's own start (a refresh on a clock tick keeps the cursor)
            return lambda: (
                view._generation != generation
                and view.cursor == 0
                and view.loaded
                and not view.total_capped
            )

        for _ in range(repeat):
            await _timed(pilot, ("6",), counted(view._generation))
            samples["end key"].append(
                await _timed(
                    pilot,
                    ("end",),
                    lambda: view.cursor == view.total - 1 and view.cursor_row is not None,
                )
            )
        await _timed(pilot, ("home",), lambda: view.cursor == 0 and view.cursor_row is not None)

        # Open a dispute's detail, go back, move down a row, look at it, open it; then the
        # same without the look.
        def shown(ref: str) -> Callable[[], bool]:
            return lambda: (
                isinstance(app.screen, DisputeScreen)
                and app.screen.detail is not None
                and app.screen.detail.ref == ref
            )

        for figure, look in (("open detail", LOOK), ("open detail at once", 0.0)):
            for _ in range(repeat):
                if look:
                    await asyncio.sleep(look)
                row = view.cursor_row
                assert row is not None
                samples[figure].append(await _timed(pilot, ("enter",), shown(row.ref)))
                await pilot.press("escape")
                await until(lambda: app.screen is queue)
                await pilot.press("down")
                await until(lambda: view.cursor_row is not None)

        # Shift start on `w`: what changed since the last look, listed; then back.
        def listed() -> bool:
            screen = app.screen
            if not isinstance(screen, ShiftStartScreen) or not screen.is_mounted:
                return False
            table = screen.query("#changes")
            return bool(table) and table.first().row_count == len(screen.changes.items)

        for _ in range(repeat):
            samples["shift start"].append(await _timed(pilot, ("w",), listed))
            await pilot.press("escape")
            await until(lambda: app.screen is queue)
    store.close()
    return samples


async def _page_downs(pilot, view, start: int, samples: list[float], repeat: int) -> None:  # noqa: ANN001
    """``repeat`` page downs from row ``start``, back to it whenever the last row is reached."""
    from benchmarks.bare import until

    async def go_to_start() -> None:
        view.go_to(start)
        await until(lambda: view.cursor == min(start, view.total - 1) and view.cursor_row)

    await go_to_start()
    for _ in range(repeat):
        if view.cursor >= view.total - 1:
            await go_to_start()
        before = view.cursor
        samples.append(
            await _timed(
                pilot,
                ("pagedown",),
                lambda b=before: view.cursor != b and view.cursor_row is not None,
            )
        )


async def _measure_first_detail(db: str, at: datetime) -> dict[str, list[float]]:
    """The first open of a session: a fresh app, its queue idle ``FIRST_LOOK`` s, then Enter."""
    from benchmarks.apps import BenchPanelApp
    from benchmarks.bare import until
    from panel_tui.screens.detail import DisputeScreen
    from panel_tui.screens.queue import QueueScreen
    from panel_tui.store.db import Store

    store = Store.open(db)
    app = BenchPanelApp(store, "duty", demo=True, clock=lambda: at)
    async with app.run_test(size=SIZE, headless=True) as pilot:
        await until(lambda: isinstance(app.screen, QueueScreen) and app.screen.view.loaded)
        await pilot.pause(FIRST_LOOK)
        first = await _timed(
            pilot,
            ("enter",),
            lambda: isinstance(app.screen, DisputeScreen) and app.screen.detail is not None,
        )
    store.close()
    return {"first detail": [first]}


async def _measure_bare(repeat: int) -> dict[str, list[float]]:
    from textual.widgets import Input, Static

    from benchmarks.bare import BareInputApp, until

    app = BareInputApp()
    samples: list[float] = []
    async with app.run_test(size=SIZE, headless=True) as pilot:
        await until(lambda: isinstance(app.focused, Input))
        echo = app.query_one("#echo", Static)
        typed = ""
        for i in range(max(repeat * 2, 10)):
            key = "abcdefghij"[i % 10]
            typed += key
            expected = f"filter: {typed}"
            samples.append(await _timed(pilot, (key,), lambda e=expected: str(echo.render()) == e))
    return {"keystroke": samples}


def child(kind: str, args: list[str]) -> int:
    if kind == "interact":
        db, at, repeat = args
        result = asyncio.run(_measure_app(db, datetime.fromisoformat(at), int(repeat)))
    elif kind == "interact-first":
        db, at = args
        result = asyncio.run(_measure_first_detail(db, datetime.fromisoformat(at)))
    else:
        result = asyncio.run(_measure_bare(int(args[0])))
    print(json.dumps(result))
    return 0


def figures(cache: Path, db: Path | str, size: int, repeat: int) -> list[Figure]:
    bare = run_child(cache, "interact-bare", str(repeat))["keystroke"]
    app = run_child(cache, "interact", str(db), NOW.isoformat(), str(repeat))
    # One first open per process: 2 processes in a quick run, 7 in a full one.
    app["first detail"] = [
        run_child(cache, "interact-first", str(db), NOW.isoformat())["first detail"][0]
        for _ in range(2 if repeat < 10 else 7)
    ]
    base = round(median(bare), 2)
    out: list[Figure] = []
    for action in ACTIONS:
        values = app[action]
        out.append(
            Figure(
                f"{action} median",
                size,
                round(median(values), 2),
                base,
                "ms",
                budget=None if action in UNBUDGETED else 2,
                budget_on="ratio",
                samples=len(values),
                note="key to repaint; baseline: bare Input keystroke median",
            )
        )
        out.append(
            Figure(
                f"{action} p95",
                size,
                round(p95(values), 2),
                round(p95(bare), 2),
                "ms",
                samples=len(values),
                note="baseline: bare Input keystroke p95",
            )
        )
    return out
