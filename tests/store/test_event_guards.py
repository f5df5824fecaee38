"""doctor checks the event table's append-only triggers on a SQLite store.

Whoever can write the file can drop or empty them and then rewrite events with any
SQLite tool: doctor names a trigger gone or changed, and its fix puts it back.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from panel_tui.store.maintenance import doctor
from panel_tui.store.sqlite_driver import sqlite


def _guard(path: Path):
    return next(f for f in doctor(path).findings if f.name == "append-only events")


def _run(path: Path, sql: str) -> None:
    conn = sqlite.connect(path)
    try:
        conn.executescript(sql)
    finally:
        conn.close()


@pytest.fixture
def copy(world) -> Path:  # noqa: ANN001 - tests/worlds.World (a SQLite file here)
    world.store.close()
    assert isinstance(world.path, Path)
    return world.path


def test_a_store_s_triggers_are_found(copy: Path) -> None:
    found = _guard(copy)
    assert found.ok, found


@pytest.mark.parametrize(
    "tamper",
    [
        "DROP TRIGGER event_no_update",
        "DROP TRIGGER event_no_delete",
        "DROP TRIGGER event_no_delete; "
        "CREATE TRIGGER event_no_delete BEFORE DELETE ON event BEGIN SELECT 1; END",
    ],
)
def test_a_dropped_or_emptied_trigger_is_named_and_its_fix_restores_it(
    copy: Path, tamper: str
) -> None:
    _run(copy, tamper)
    found = _guard(copy)
    assert not found.ok and found.serious and not doctor(copy).ok
    name = re.search(r"event_no_\w+", tamper)
    assert name is not None and name.group(0) in found.value
    fix = re.fullmatch(r'fix: sqlite3 \S+ "(.*)" \(.*', found.advice, re.S)
    assert fix is not None, found.advice
    _run(copy, fix.group(1))
    assert _guard(copy).ok
    conn = sqlite.connect(copy)
    try:
        with pytest.raises(sqlite.DatabaseError, match="append-only"):
            conn.execute("DELETE FROM event")
    finally:
        conn.close()
