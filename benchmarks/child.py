"""Entry points of the measured processes: ``python -m benchmarks.child KIND [ARGS]``.

Each kind imports only what it measures, so a bare baseline never pays for
panel_tui. Results go to stdout as one JSON line (first paint reports on the
file descriptor in $BENCH_MARK_FD instead: its stdout is the terminal).
"""

from __future__ import annotations

import os
import sys
from datetime import datetime


def paint_app(db: str, at: str, *command: str) -> int:
    """Start panel-tui through its own command line; exit once the queue's rows are painted.

    ``command`` is the rest of the command line (none: open ``db``; ``demo``: the quick
    start, building a new demo at ``db`` first, with the clock left as it is: ``at`` "").
    Textual and the app are imported where the command line imports them (its ``run``,
    which this replaces), so what the command line does before (the quick look at the
    store, pausing the collector for the start) comes first here too."""
    from panel_tui.cli import app_launch

    clock = {"clock": lambda: datetime.fromisoformat(at)} if at else {}

    def report(app) -> None:  # noqa: ANN001
        from benchmarks.apps import rows_visible

        # The moment first, then the check of what is on screen: rendering the screen to
        # text for the check took the app a few ms the bare app's marker never waited for.
        mark = int(os.environ["BENCH_MARK_FD"])
        os.write(mark, b"painted\n")
        os.write(mark, f"visible {int(rows_visible(app))}\n".encode())
        app.exit()

    def run(store, login, *, demo=False, head=None) -> int:  # noqa: ANN001
        from benchmarks.apps import BenchPanelApp

        app = BenchPanelApp(store, login, demo=demo, head=head, on_first_paint=report, **clock)
        app.run()
        return app.return_code or 0

    app_launch.run = run  # open_app and the demo command call it from the module
    from panel_tui.cli import main

    return main([*command, "--db", db] if command else ["--db", db])


def paint_bare() -> int:
    from benchmarks.bare import BareApp

    def report(app) -> None:  # noqa: ANN001
        os.write(int(os.environ["BENCH_MARK_FD"]), b"painted\nvisible 1\n")
        app.exit()

    BareApp(on_first_paint=report).run()
    return 0


def main(argv: list[str]) -> int:
    kind, args = argv[0], argv[1:]
    if kind == "paint":
        return paint_app(*args)
    if kind == "paint-bare":
        return paint_bare()
    if kind in ("interact", "interact-first", "interact-bare"):
        from benchmarks import interact

        return interact.child(kind, args)
    if kind in ("memory", "memory-bare"):
        from benchmarks import memory

        return memory.child(kind, args)
    if kind == "reads":
        from benchmarks import reads

        return reads.child(args)
    if kind in ("write", "write-raw"):
        from benchmarks import writes

        return writes.child(kind, args)
    raise SystemExit(f"unknown benchmark child {kind!r}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
