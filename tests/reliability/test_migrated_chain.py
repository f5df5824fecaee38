"""A store written before events carried their rows, brought under the chain by migration 0004.

The old store is made as the 0003 code wrote it: every operation run for real,
then the chain rewritten without the rows its events now carry (hashes
recomputed as 0003 computed them), the column dropped and the schema stamped
0003. Opening it migrates it: verify then passes, says plainly which records
it took as found (not proven before the migration), and catches any later edit.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from reliability.relkit import (
    T0,
    as_written_by_0003,
    chain,
    copy_of,
    records,
    rich_store_in,
)
from reliability.richstore import rows

from panel_tui.cli import main
from panel_tui.store.db import Store
from panel_tui.store.ledger import Ledger
from panel_tui.store.sqlite_driver import sqlite as sqlite3


@pytest.fixture(scope="module")
def old_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = rich_store_in(tmp_path_factory.mktemp("old"), "old.db")
    as_written_by_0003(path)
    return path


@pytest.fixture
def old(old_base: Path, tmp_path: Path) -> Path:
    return copy_of(old_base, tmp_path / "old.db")


def test_the_old_store_is_as_0003_wrote_it(old: Path) -> None:
    assert rows(old, "SELECT version_num FROM alembic_version")[0]["version_num"] == "0003"
    assert "rows" not in rows(old, "SELECT * FROM event LIMIT 1")[0]
    assert chain(old).ok  # the 0003 chain verifies as it always did
    report = records(old)
    assert not report.ok and report.skipped and "0003" in report.skipped


def test_a_migrated_store_verifies_and_says_what_it_could_not_prove(old: Path, capsys) -> None:
    before = rows(old, "SELECT count(*) AS n FROM event")[0]["n"]
    disputes = rows(old, "SELECT count(*) AS n FROM dispute")[0]["n"]
    Store.open(str(old)).close()  # migrates to head
    assert chain(old).ok  # the old events are untouched, the baseline extends the chain
    baseline = rows(old, "SELECT * FROM event WHERE id > ? ORDER BY id", before)
    assert {e["action"] for e in baseline} == {"baseline"}
    assert len(baseline) == disputes + 1  # one per dispute, one for people, agencies, policy
    assert sorted(e["dispute_id"] for e in baseline if e["dispute_id"]) == [
        r["id"] for r in rows(old, "SELECT id FROM dispute ORDER BY id")
    ]
    assert all('"unproven_before":true' in e["after"] for e in baseline)
    report = records(old)
    assert report.ok, report.describe()
    assert report.unproven == report.checked > 0  # every record was taken as found
    assert report.baseline_events == (before + 1, before + len(baseline))
    code = main(["--db", str(old), "audit", "verify"])
    out = capsys.readouterr().out
    assert code == 0
    assert f"unproven: {report.unproven:,} records were taken as they were found" in out
    assert "changes made to them before then cannot be shown" in out


def test_edits_after_the_migration_are_caught(old: Path) -> None:
    Store.open(str(old)).close()
    conn = sqlite3.connect(old)
    with conn:
        conn.execute("UPDATE decision SET rationale = 'rewritten later'")
    conn.close()
    report = records(old)
    assert [(f.table, f.field, f.stored) for f in report.findings] == [
        ("decision", "rationale", "rewritten later")
    ]


def test_operations_after_the_migration_are_proven_by_their_events(old: Path) -> None:
    store = Store.open(str(old))
    try:
        ref = rows(old, "SELECT ref FROM dispute WHERE status = 'open' ORDER BY id")[0]["ref"]
        later = lambda: T0 + timedelta(hours=5)  # noqa: E731 - within the stage's window
        Ledger(store, "duty_lead", clock=later).add_note(ref, "after the upgrade")
        Ledger(store, "supervisor", clock=later).escalate(
            ref, "after the upgrade", impact="the person waits without agreed support"
        )
    finally:
        store.close()
    report = records(old)
    assert report.ok, report.describe()
    assert report.unproven == report.checked - 2  # the new note and stage: proven by events


def test_a_clock_edited_before_the_migration_is_still_caught(old: Path) -> None:
    """A baseline takes rows as found, but the queue's cached clock must agree with its stage."""
    target = rows(old, "SELECT id, ref FROM dispute WHERE status = 'open' ORDER BY id")[0]
    conn = sqlite3.connect(old)
    with conn:  # before 0004: no event could show it
        conn.execute(
            "UPDATE dispute SET current_due_at = '2030-01-01 00:00:00.000000' WHERE id = ?",
            (target["id"],),
        )
    conn.close()
    Store.open(str(old)).close()
    report = records(old)
    assert [(f.table, f.dispute, f.field, f.stored) for f in report.findings] == [
        ("dispute", target["ref"], "current_due_at", "2030-01-01 00:00:00.000000")
    ]
