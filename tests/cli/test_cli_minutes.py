"""``panel-tui minutes``: the panel's minutes reach the chair on stdout.

The app saves minutes as a file in the current directory; through the service
account it must not (the account would write the file), so the command line
streams them and the user's own shell saves them (tests/osusers checks that).
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from cli_helpers import Cli
from demo_cache import demo_copy

from panel_tui.store.db import Store
from panel_tui.store.read.agenda import agenda
from panel_tui.store.read.minutes import minutes_markdown

BUILT_AT = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    home = tmp_path_factory.mktemp("minutes")
    env = dict(os.environ, XDG_DATA_HOME=str(home / "data"), NO_COLOR="1")
    env.pop("PANEL_TUI_DB", None)
    db = demo_copy(tmp_path_factory, home / "demo.db", disputes=60, seed=7, now=BUILT_AT)
    return Cli(db, env)


def test_minutes_are_the_app_s_minutes_on_stdout(demo: Cli) -> None:
    at = BUILT_AT.isoformat()
    shown = demo("minutes", "2026-11-01", "--at", at)
    assert shown.returncode == 0, shown.stderr
    store = Store.open(str(demo.db))
    try:
        day = date(2026, 11, 1)
        entries = agenda(store, day, BUILT_AT)
        expected = minutes_markdown(day, entries, "CHAIR")
    finally:
        store.close()
    assert any(e.decisions for e in entries)  # the demo's panel decided something that day
    head, _, rest = shown.stdout.partition("\n\nChair: ")
    assert head == "# Panel minutes, 2026-11-01"
    assert rest.split("\n", 1)[1] == expected.split("Chair: CHAIR\n", 1)[1] + "\n"
    assert not list(Path(demo.db).parent.glob("panel-minutes-*"))  # nothing written


def test_a_date_that_is_not_one_is_one_line_exit_2(demo: Cli) -> None:
    refused = demo("minutes", "next thursday")
    assert refused.returncode == 2
    assert refused.stderr.count("\n") == 1 and "DATE" in refused.stderr
