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
    start, building a new demo at ``db`` first, with the clock left as it is: ``at`` "")."""
    import panel_tui.app as app_module
    from benchmarks.apps import BenchPanelApp, rows_visible

    clock = {"clock": lambda: datetime.fromisoformat(at)} if at else {}

    def report(app) -> None:  # noqa: ANN001
        os.write(int(os.environ["BENCH_MARK_FD"]), f"painted {int(rows_visible(app))}\n".encode())
        app.exit()

    def run_app(store, login, *, demo=False, head=None) -> int:  # noqa: ANN001
        app = BenchPanelApp(store, login, demo=demo, head=head, on_first_paint=report, **clock)
        app.run()
        return app.return_code or 0

    app_module.run_app = run_app  # open_app imports it from the module when it is called
    from panel_tui.cli import main

    return main([*command, "--db", db] if command else ["--db", db])


def paint_bare() -> int:
    from benchmarks.bare import BareApp

    def report(app) -> None:  # noqa: ANN001
        os.write(int(os.environ["BENCH_MARK_FD"]), b"painted 1\n")
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
