"""The quick demo (store/demo/quick.py) writes the store the Ledger writes, without the ORM.

Built from the same seed at the same instant, both stores hold the same rows in
every table and the same events, field by field (the store's random id aside,
which only the init event names); the quick store's chain and records verify.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from panel_tui.cli import main
from panel_tui.rules.errors import StoreError
from panel_tui.store.audit import verify_chain
from panel_tui.store.db import Store
from panel_tui.store.demo import build_demo, schema
from panel_tui.store.demo.quick import build_quick
from panel_tui.store.migrate import HEAD
from panel_tui.store.rebuild.verify import check_records
from panel_tui.store.sqlite_driver import sqlite

NOW = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)
#: The event's columns that differ between two builds: the hashes (the init event names
#: the store's random id, and every later hash follows from it).
CHAINED = ("prev_hash", "hash")


@pytest.fixture(scope="module")
def ledger_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("ledger") / "demo.db"
    build_demo(str(path), now=NOW).close()
    yield path


def _tables(conn: sqlite.Connection) -> list[str]:
    """The tables, the live text index's own among them (its rows are the indexed text),
    but not the tables it keeps them in (their layout follows the transactions)."""
    found = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND name NOT IN (SELECT name FROM pragma_table_list WHERE type = 'shadow') "
        "ORDER BY name"
    )
    return [name for (name,) in found]


def _rows(conn: sqlite.Connection, table: str) -> list[dict[str, object]]:
    cursor = conn.execute(f"SELECT * FROM {table} ORDER BY rowid")  # noqa: S608 - our names
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]


def assert_same_store(ledger: Path, quick: Path) -> None:
    """Every table's rows and every event equal, the store id (and what hashes it) aside."""
    a, b = sqlite.connect(ledger), sqlite.connect(quick)
    try:
        assert _tables(a) == _tables(b)
        ids = {}
        for table in _tables(a):
            left, right = _rows(a, table), _rows(b, table)
            if table == "setting":
                ids = {c["key"]: c["value"] for c in (*left, *right) if c["key"] == "store_id"}
                assert len(ids) == 1  # both have one; the values differ, being random
                left = [r for r in left if r["key"] != "store_id"]
                right = [r for r in right if r["key"] != "store_id"]
            if table == "event":
                init_a, init_b = json.loads(left[0]["after"]), json.loads(right[0]["after"])
                assert init_a.pop("store_id") != init_b.pop("store_id")
                assert init_a == init_b
                left = [{k: v for k, v in r.items() if k not in CHAINED} for r in left[1:]]
                right = [{k: v for k, v in r.items() if k not in CHAINED} for r in right[1:]]
            assert len(left) == len(right), table
            for x, y in zip(left, right, strict=True):
                assert x == y, table
    finally:
        a.close()
        b.close()


def _verified(path: Path) -> None:
    store = Store.open(str(path))
    try:
        with store.engine.connect() as connection:
            report = verify_chain(connection)
            assert report.ok, report.describe()
            records = check_records(connection)
            assert records.ok, records.describe()
    finally:
        store.close()


def test_the_quick_demo_is_the_ledgers(ledger_demo: Path, tmp_path: Path) -> None:
    quick = tmp_path / "quick.db"
    build_quick(quick, now=NOW)
    assert_same_store(ledger_demo, quick)
    _verified(quick)
    assert stat.S_IMODE(quick.stat().st_mode) == 0o600  # owner-only, as Store.open makes it
    assert not Path(f"{quick}-wal").exists()  # the WAL folded in


@pytest.mark.slow
@pytest.mark.parametrize(("disputes", "seed"), [(150, 3), (97, 11)])
def test_the_quick_demo_is_the_ledgers_for_other_seeds(
    tmp_path: Path, disputes: int, seed: int
) -> None:
    ledger, quick = tmp_path / "ledger.db", tmp_path / "quick.db"
    at = datetime(2026, 11, 30, 23, 45, tzinfo=UTC)
    build_demo(str(ledger), disputes=disputes, seed=seed, now=at).close()
    build_quick(quick, disputes=disputes, seed=seed, now=at)
    assert_same_store(ledger, quick)
    _verified(quick)


def test_the_shipped_schema_is_the_migrated_one() -> None:
    assert schema.shipped() == schema.migrated_dump(), (
        "store/demo/schema.sql is not what the migrations make: after adding a migration, "
        "run `uv run python -m panel_tui.store.demo.schema`"
    )
    assert schema.revision_of(schema.shipped()) == HEAD


def _schema(path: Path) -> list[tuple[str, str, str]]:
    conn = sqlite.connect(path)
    try:
        made = conn.execute("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL")
        return sorted(made.fetchall())
    finally:
        conn.close()


def test_the_quick_store_has_the_migrated_schema_on_one_line(tmp_path: Path) -> None:
    """schema.sql writes each statement on one line: a quick store's tables, indexes and
    triggers are the migrated store's, their text differing in layout only."""
    migrated, quick = tmp_path / "migrated.db", tmp_path / "quick.db"
    Store.open(str(migrated), create=True).close()
    build_quick(quick, disputes=0, now=NOW)
    want = [(kind, name, schema.one_line(sql)) for kind, name, sql in _schema(migrated)]
    assert _schema(quick) == want
    assert any("\n" in sql for _, _, sql in _schema(migrated))  # the layout did differ


def test_one_line_keeps_quoted_text_and_refuses_comments() -> None:
    sql = "CREATE TABLE t (\n\ta TEXT DEFAULT 'x\n  y', \n\t\"b\n c\" INT\n)"
    assert schema.one_line(sql) == "CREATE TABLE t (a TEXT DEFAULT 'x\n  y', \"b\n c\" INT)"
    with pytest.raises(ValueError, match="comment"):
        schema.one_line("CREATE TABLE t (\n\ta INT -- why\n)")


def test_a_stale_schema_falls_back_to_the_migrations(
    ledger_demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    older = schema.shipped().replace(HEAD, "0001", 1)
    assert schema.revision_of(older) == "0001"
    monkeypatch.setattr(schema, "shipped", lambda: older)
    quick = tmp_path / "quick.db"
    build_quick(quick, now=NOW)
    assert_same_store(ledger_demo, quick)


def test_the_quick_demo_loads_no_sqlalchemy(tmp_path: Path) -> None:
    code = (
        "import sys; from pathlib import Path; "
        "from panel_tui.store.demo.quick import build_quick; "
        f"build_quick(Path({str(tmp_path / 'q.db')!r})); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'sqlmodel')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=os.environ
    )
    assert done.stdout.strip() == "[]"


def test_the_quick_demo_refuses_an_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "here.db"
    path.write_bytes(b"not a store")
    with pytest.raises(StoreError, match="already exists"):
        build_quick(path, now=NOW)
    assert path.read_bytes() == b"not a store"


def test_demo_no_ui_writes_the_quick_store(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "demo.db"
    assert main(["demo", "--no-ui", "--db", str(path)]) == 0
    assert "demo store with 60 disputes" in capsys.readouterr().err
    assert main(["--db", str(path), "audit", "verify"]) == 0
    conn = sqlite.connect(path)
    try:
        assert conn.execute("SELECT count(*) FROM dispute").fetchone() == (60,)
        kind = conn.execute("SELECT value FROM setting WHERE key = 'store_kind'").fetchone()
        assert kind == ("demo",)
    finally:
        conn.close()
