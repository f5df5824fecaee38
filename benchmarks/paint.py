"""Figure 1, queue first paint: process start to the queue's rows on screen, in a real pty.

Each run forks a child on a new pseudo-terminal (its controlling terminal,
sized 120×40, TERM=xterm-256color) and starts the clock just before the
fork. The child runs panel-tui through its own command line
(``panel_tui.cli.main``) and writes a marker to a pipe from Textual's
``call_after_refresh`` once the first page of rows is painted, then says
whether rows are on the screen, then exits (the clock stops at the marker,
before that look at the screen). The bare app (Header, empty DataTable,
Footer) writes the same marker after its first refresh. App and bare runs
alternate, so both see the same noise.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import select
import signal
import struct
import sys
import termios
import time
from pathlib import Path

from benchmarks.common import NOW, ROOT, SIZE, Figure, child_env, median


def time_paint(
    cache: Path, args: list[str], timeout: float = 120.0, python: list[str] | None = None
) -> tuple[float, bool]:
    """Seconds from fork to the paint marker, and whether the marker said rows were visible.

    ``python`` replaces the interpreter's command, e.g. to run the child under a
    profiler: ``[python, "-m", "pyinstrument", "-o", "out.txt"]``.
    """
    mark_r, mark_w = os.pipe()
    os.set_inheritable(mark_w, True)
    env = child_env(cache, TERM="xterm-256color", BENCH_MARK_FD=str(mark_w))
    for name in ("COLUMNS", "LINES"):
        env.pop(name, None)
    argv = [*(python or [sys.executable]), "-m", "benchmarks.child", *args]
    cols, rows = SIZE
    started = time.perf_counter()
    pid, master = pty.fork()
    if pid == 0:  # the child: size its terminal, then become the benchmark
        try:
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
            os.chdir(ROOT)
            os.execve(argv[0], argv, env)
        finally:
            os._exit(127)
    os.close(mark_w)
    elapsed: float | None = None
    visible: bool | None = None
    marks = b""  # "painted" at the moment, then "visible 0|1" once the child has looked
    deadline = started + timeout
    watched = [master, mark_r]
    screen = bytearray()  # the tail of what the child drew, for the error message
    try:
        while master in watched:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                break
            ready, _, _ = select.select(watched, [], [], remaining)
            if mark_r in ready:
                data = os.read(mark_r, 64)
                if not data:
                    watched.remove(mark_r)  # the child closed it; keep draining the terminal
                elif visible is None:
                    if elapsed is None:
                        elapsed = time.perf_counter() - started
                    marks += data
                    said = [line.split() for line in marks.split(b"\n")[:-1]]  # whole lines
                    looked = [words[1] for words in said if words[:1] == [b"visible"]]
                    if looked:
                        visible = looked[0] == b"1"
                        deadline = time.perf_counter() + 15  # let it exit, restore the terminal
            if master in ready:
                try:
                    data = os.read(master, 65536)
                except OSError:  # EIO: the child has gone
                    data = b""
                if not data:
                    watched.remove(master)
                screen = (screen + data)[-4000:]
    finally:
        os.close(master)
        os.close(mark_r)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    if elapsed is None or visible is None:
        tail = screen.decode(errors="replace")
        raise RuntimeError(f"no first paint from {' '.join(args)}; the terminal showed:\n{tail}")
    return elapsed, visible


def demo_figure(cache: Path, repeat: int) -> Figure:
    """The quick start: `panel-tui demo` on a new path (the store built, then the app) to
    its first page of rows on screen, against the bare app in turn."""
    scratch = cache / "quick-start"
    scratch.mkdir(parents=True, exist_ok=True)
    target = scratch / "demo.db"

    def once() -> float:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        seconds, visible = time_paint(cache, ["paint", str(target), "", "demo"])
        if not visible:
            raise RuntimeError("the demo's first paint showed no dispute rows")
        return seconds

    once()  # warm the bytecode and the page cache; not counted
    demo, bare = [], []
    for _ in range(repeat):
        demo.append(once())
        bare.append(time_paint(cache, ["paint-bare"])[0])
    return Figure(
        "demo first paint (quick start)",
        60,
        round(median(demo), 3),
        round(median(bare), 3),
        "s",
        budget=1.0,
        samples=repeat,
        note="median; `panel-tui demo` on a new path: built, then rows painted; vs bare app",
    )


def figures(cache: Path, db: Path | str, size: int, repeat: int) -> list[Figure]:
    app_args = ["paint", str(db), NOW.isoformat()]
    time_paint(cache, app_args)  # warm the bytecode and the page cache; not counted
    time_paint(cache, ["paint-bare"])
    app, bare = [], []
    for _ in range(repeat):
        seconds, visible = time_paint(cache, app_args)
        if not visible:
            raise RuntimeError("panel-tui reported its first paint without dispute rows on screen")
        app.append(seconds)
        bare.append(time_paint(cache, ["paint-bare"])[0])
    measured = [
        Figure(
            "queue first paint",
            size,
            round(median(app), 3),
            round(median(bare), 3),
            "s",
            budget=1.2,
            budget_on="ratio",
            samples=repeat,
            note="median; process start to rows painted, vs bare Header+DataTable+Footer",
        )
    ]
    if size == 60 and isinstance(db, Path):  # the quick start, once per run (SQLite)
        measured.append(demo_figure(cache, repeat))
    return measured
