"""Every SQLite connection goes through ``store/sqlite_driver.py``: pysqlite3 where it has a wheel.

The quick reader (first paint, ``queue``) opens its own connections without the
ORM: it must use the same library, or one process would run two SQLites on one file.
"""

from __future__ import annotations

import ast
import platform
import sys
from pathlib import Path

import panel_tui
from panel_tui.store import sqlite_driver
from panel_tui.store.db import Store
from panel_tui.store.read import sqlite3_queue

SRC = Path(panel_tui.__file__).parent


def _imports_stdlib_sqlite3(path: Path) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(a.name == "sqlite3" for a in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and node.module == "sqlite3":
            return True
    return False


def test_nothing_but_the_driver_module_imports_the_standard_library_s_sqlite3() -> None:
    offenders = [
        str(p.relative_to(SRC))
        for p in SRC.rglob("*.py")
        if p.name != "sqlite_driver.py" and _imports_stdlib_sqlite3(p)
    ]
    assert offenders == []


def test_where_a_wheel_exists_the_bundled_sqlite_is_used_and_is_fixed() -> None:
    wheel_platform = (sys.platform, platform.machine()) in {
        ("linux", "x86_64"),
        ("darwin", "arm64"),
    } and (3, 11) <= sys.version_info[:2] <= (3, 14)
    if wheel_platform:
        assert sqlite_driver.DRIVER == "pysqlite3"
        assert sqlite_driver.is_safe()  # 3.51.3 or newer: the WAL-reset race is fixed
    assert sqlite_driver.library().startswith(sqlite_driver.DRIVER)


def test_the_orm_and_the_quick_reader_use_the_same_library(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    store = Store.open(str(path), create=True)
    try:
        assert store.engine.dialect.dbapi is sqlite_driver.sqlite
    finally:
        store.close()
    assert sqlite3_queue.sqlite is sqlite_driver.sqlite
    with sqlite3_queue._read_only(path) as conn:
        assert isinstance(conn, sqlite_driver.sqlite.Connection)
