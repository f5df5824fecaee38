"""The quick start's point, checked in a fresh interpreter: the app opened on a store
(a SQLite file or a PostgreSQL URL) paints its first page before the ORM is imported.

Shared by tests/app/test_quick_start.py and tests/postgres/test_pg_quickread.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

_PROBE = """
import asyncio, json, sys
from pathlib import Path
import panel_tui.app as app_module
from panel_tui.app import PanelApp
from panel_tui.store.lazy import LazyStore
from panel_tui.store.read.quick_queue import peek

HEAVY = {{"sqlalchemy", "sqlmodel", "pydantic", "alembic"}}
# Not needed before the first frame either (the person has no roles until the store opens;
# a store on the shipped or the demo policy needs no TOML parsed to draw its queue).
LATER = {{"panel_tui.rules.rights", "panel_tui.cli.output", "tomllib"}}

class Probe(PanelApp):
    CSS_PATH = str(Path(app_module.__file__).with_name("app.tcss"))
    seen = None
    def on_queue_view_loaded(self) -> None:
        if self.seen is None:
            self.seen = sorted(HEAVY & {{m.split(".")[0] for m in sys.modules}})
            self.seen += sorted(LATER & set(sys.modules))

async def main() -> None:
    target = {target!r}
    head = peek(target)
    app = Probe(LazyStore(target), "duty", head=head)
    async with app.run_test() as pilot:
        while app.seen is None or not app.store_is_open:
            await pilot.pause(0.02)
        after = sorted(HEAVY & {{m.split(".")[0] for m in sys.modules}})
    print(json.dumps({{"quick": head is not None, "at_first_page": app.seen, "after": after}}))

asyncio.run(main())
"""


def first_paint_imports(target: str) -> dict[str, Any]:
    """``quick`` (the quick reader took the store), ``at_first_page`` (the heavy modules,
    and those of ``LATER``, imported when the first page was drawn) and ``after`` (the
    heavy ones once the Store was open)."""
    done = subprocess.run(
        [sys.executable, "-c", _PROBE.format(target=target)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])
