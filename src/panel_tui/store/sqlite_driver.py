"""The one place that chooses the SQLite driver, for every connection panel-tui makes.

SQLite before 3.51.3 has a WAL race that can corrupt a store written by
several processes at once, and many Pythons link an older SQLite (Debian 12's:
3.40.1). The ``pysqlite3`` wheel bundles its own SQLite (0.6.1: 3.53.4), so
where a wheel exists (pyproject's environment marker) it is installed and used
here; elsewhere the standard library's ``sqlite3`` is the fallback and
``doctor`` warns if it is too old.

Everything that talks to SQLite — the ORM's engine (``create_engine(...,
module=sqlite)``), the quick reader, backups, migrations' checks, doctor —
imports ``sqlite`` from here, so one process never mixes two SQLite libraries
on the same file and every ``except sqlite.Error`` catches what was raised.
Importing it costs no more than the standard library's module (both ≈ 10 ms).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

DRIVER: str
if TYPE_CHECKING:
    # pysqlite3 ships no type hints; its dbapi2 is the standard module's interface.
    import sqlite3 as sqlite
else:
    try:
        from pysqlite3 import dbapi2 as sqlite

        DRIVER = "pysqlite3"
    except ImportError:  # no wheel for this platform: the standard library's module
        import sqlite3 as sqlite

        DRIVER = "sqlite3"

#: 3.51.3 fixed a WAL race that can corrupt a store written by several processes at once.
SAFE_SQLITE = (3, 51, 3)


def version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(".")[:3])


def library() -> str:
    """Which driver and which SQLite, for doctor and ``--version``: 'pysqlite3 (SQLite 3.53.4)'."""
    return f"{DRIVER} (SQLite {sqlite.sqlite_version})"


def is_safe(version: str | None = None) -> bool:
    return version_tuple(version or sqlite.sqlite_version) >= SAFE_SQLITE
