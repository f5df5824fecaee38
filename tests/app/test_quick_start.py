"""Opening the app the quick way: first page from the file, the Store opened after it.

This is how ``panel-tui`` opens a store that needs no migration (cli/app_launch.open_app):
the queue is painted from ``store/read/quick_queue.py`` before SQLAlchemy is
imported, then the Store opens in a worker and the acting person's rights
arrive. These tests hold each step to what the user sees.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from backends import target_of
from first_paint import first_paint_imports
from helpers import screen_text, wait_for, wait_text
from storefix import NOW

from panel_tui.app import PanelApp
from panel_tui.config import Settings
from panel_tui.screens.form import DisputeFormScreen
from panel_tui.screens.queue import QueueScreen
from panel_tui.store.db import Store
from panel_tui.store.lazy import LazyStore
from panel_tui.store.read.quick_queue import peek
from panel_tui.widgets.queue_view import QueueView

SIZE = (80, 24)


def quick_app(path: Path | str, login: str = "duty", target: str | None = None) -> PanelApp:
    head = peek(str(path))
    assert head is not None, "a store at the head revision is read the quick way"
    return PanelApp(
        LazyStore(target or str(path)),
        login,
        clock=lambda: NOW,
        settings=Settings(poll_seconds=0.2, shift_start=False),
        head=head,
    )


@pytest.mark.backend
async def test_rows_first_then_the_store_and_the_persons_rights(store: Store) -> None:
    app = quick_app(target_of(store))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen))
        await wait_for(pilot, lambda: app.screen.query_one(QueueView).loaded)
        assert "D-2026-0001" in screen_text(app)
        # The Store opens by itself after the first page, and who is acting is known.
        await wait_for(pilot, lambda: app.store_is_open and app.person is not None)
        await wait_text(pilot, "duty (duty_lead)")
        await wait_for(pilot, lambda: "New" in screen_text(app).splitlines()[-1])
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, DisputeFormScreen))


@pytest.mark.backend
async def test_a_section_asked_for_before_the_store_is_open_is_shown(store: Store) -> None:
    """Keys pressed at once wait for the one opening instead of failing or being lost."""
    app = quick_app(target_of(store))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")  # Breached: not the quick page, needs the Store
        await wait_text(pilot, "1 dispute · Breached")
        assert "D-2026-0001" in screen_text(app)
        assert app.store_is_open


async def test_a_store_that_fails_to_open_ends_the_app_with_the_reason(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """SQLite only: a file that is not there (refused databases: tests/postgres/test_pg_open.py)."""
    assert store.path is not None
    missing = tmp_path / "gone" / "panel.db"
    app = quick_app(store.path, target=str(missing))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.return_code is not None, timeout=10)
    assert app.return_code == 2
    # Printed as the app closes, wrapped to the terminal: a long temp path is cut anywhere.
    said = "".join(capsys.readouterr().err.split())
    assert "".join(f"no store at {missing}. Create one with `panel-tui init".split()) in said


def test_the_first_page_is_painted_before_the_orm_is_imported(store: Store) -> None:
    """The point of the quick start, checked in a fresh interpreter (on PostgreSQL:
    tests/postgres/test_pg_quickread.py's test of the same name)."""
    assert store.path is not None
    seen = first_paint_imports(str(store.path))
    assert seen["quick"] is True
    assert seen["at_first_page"] == []
    assert "sqlalchemy" in seen["after"]  # the probe sees the ORM once the Store is open


def test_collection_is_paused_from_the_command_line_until_the_store_is_open(store: Store) -> None:
    """cli/app_launch.open_app pauses the cyclic collector for the start (it walked every
    object Textual and the ORM load); the app resumes it once the store is open, and the
    command line leaves it as it found it. In a fresh interpreter, through open_app."""
    assert store.path is not None
    code = f"""
import argparse, asyncio, gc, json
from pathlib import Path
import panel_tui.app as app_module
from panel_tui.app import PanelApp
from panel_tui.cli import app_launch
from panel_tui.config import Settings

seen = {{"before": gc.isenabled()}}

class Probe(PanelApp):
    CSS_PATH = str(Path(app_module.__file__).with_name("app.tcss"))
    def on_queue_view_loaded(self) -> None:
        seen.setdefault("at_first_page", gc.isenabled())
        super().on_queue_view_loaded()

def run(store, login, *, demo=False, head=None) -> int:
    app = Probe(store, login, demo=demo, head=head, settings=Settings(shift_start=False))
    async def main() -> None:
        async with app.run_test() as pilot:
            while "opening" in app.sub_title:  # _store_opened names the store instead
                await pilot.pause(0.02)
            seen["store_open"] = gc.isenabled()
    asyncio.run(main())
    return 0

app_launch.run = run
app_launch.open_app(argparse.Namespace(db={str(store.path)!r}, as_login=None))
seen["after"] = gc.isenabled()
print(json.dumps(seen))
"""
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen == {"before": True, "at_first_page": False, "store_open": True, "after": True}
