"""Migrations: new stores at head, older stores upgraded with a backup, others left untouched."""

from __future__ import annotations

import hashlib
import random
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory

from panel_tui.rules.errors import StoreError
from panel_tui.store import migrate
from panel_tui.store.audit import GENESIS, event_hash, verify_chain
from panel_tui.store.db import Store
from panel_tui.store.engine import make_engine, to_url
from panel_tui.store.ledger import Ledger
from panel_tui.store.read.orm_detail import dispute_detail
from panel_tui.store.rebuild.verify import check_records
from panel_tui.store.sqlite_driver import sqlite as sqlite3

FIRST = "0001"
OLD_AT = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def revision_of(path: Path) -> str | None:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    finally:
        conn.close()


def backups(path: Path) -> list[Path]:
    return sorted(path.parent.glob(f"{path.name}.pre-*.bak"))


def tables(path: Path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    finally:
        conn.close()


# --- the script directory ---------------------------------------------------------------


def test_revisions_match_the_alembic_scripts_in_order() -> None:
    config = Config()
    config.set_main_option("script_location", "panel_tui.store:migrations")
    scripts = ScriptDirectory.from_config(config)
    ordered = [s.revision for s in reversed(list(scripts.walk_revisions()))]
    assert tuple(ordered) == migrate.REVISIONS
    assert scripts.get_heads() == [migrate.HEAD]
    assert ordered[0] == FIRST


# --- a new store ------------------------------------------------------------------------


def test_a_new_store_is_at_head_with_the_event_guards(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    store = Store.open(str(path), create=True)
    store.close()
    assert revision_of(path) == migrate.HEAD
    assert {"dispute", "event", "person", "agency", "stagerecord"} <= tables(path)
    conn = sqlite3.connect(path)
    triggers = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='trigger'")}
    conn.close()
    assert {"event_no_update", "event_no_delete"} <= triggers
    assert backups(path) == []  # nothing to back up in a new file


def test_the_world_fixture_store_is_at_head(world) -> None:
    assert revision_of(world.path) == migrate.HEAD


def test_opening_a_missing_store_without_create_says_how_to_make_one(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.db"
    with pytest.raises(StoreError, match="panel-tui init"):
        Store.open(str(path))
    assert not path.exists()


def test_an_up_to_date_store_opens_without_a_backup(world) -> None:
    world.store.close()
    before = digest(world.path)
    Store.open(str(world.path)).close()
    assert backups(world.path) == []
    assert digest(world.path) == before


# --- an older store -----------------------------------------------------------------------


def build_first_revision_store(path: Path) -> None:
    """A store at revision 0001 with data written as 0001's schema had it (raw SQL)."""
    engine = make_engine(to_url(path))
    assert migrate.upgrade(engine, path, target=FIRST) is None  # a fresh file: no backup
    engine.dispose()
    at = OLD_AT.replace(tzinfo=None).isoformat(sep=" ")
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("INSERT INTO setting (key, value) VALUES ('store_kind', 'test')")
        conn.execute(
            "INSERT INTO agency (id, code, name, kind, version) VALUES "
            "(1, 'CBH', 'County', '', 1), (2, 'MCO', 'Managed Care', '', 1)"
        )
        conn.execute(
            "INSERT INTO person (id, login, display_name, agency_id, roles, active, version) "
            "VALUES (1, 'old_admin', 'Old Admin', NULL, 'admin', 1, 1), "
            "(2, 'old_duty', 'Old Duty', 1, 'duty_lead', 1, 1)"
        )
        conn.execute(
            "INSERT INTO dispute (id, ref, person_ref, dispute_type, risk, raising_agency_id, "
            "agencies_label, status, current_stage, stage_entered_at, current_due_at, opened_at, "
            "resolved_at, opened_by_id, plan_holder_id, consent_basis, problem_statement, "
            "proposed_pathway, rule_conflict, evidence_summary, interim_risk_actions, "
            "requested_decision, withdrawn_reason, version) VALUES (1, 'D-2026-0001', 'P-OLD', "
            "'funding', 'medium', 1, 'CBH→MCO', 'open', 0, ?, ?, ?, NULL, 2, NULL, 'consent', "
            "'An old problem statement', 'ACT', 'rule 4.2', 'summary', 'calls', 'decide', "
            "NULL, 1)",
            (at, "2026-01-07 10:00:00.000000", at),
        )
        conn.execute(
            "INSERT INTO disputeagency (dispute_id, agency_id, party) VALUES "
            "(1, 1, 'raising'), (1, 2, 'responding')"
        )
        conn.execute(
            "INSERT INTO stagerecord (dispute_id, stage, entered_at, due_at, entered_by_id) "
            "VALUES (1, 0, ?, '2026-01-07 10:00:00.000000', 2)",
            (at,),
        )
        fields = dict(
            id=1,
            at=OLD_AT,
            actor="old_duty",
            action="open",
            dispute_id=1,
            dispute_ref="D-2026-0001",
            stage=0,
            before="{}",
            after="{}",
            prev_hash=GENESIS,
        )
        conn.execute(
            "INSERT INTO event (id, at, actor, action, dispute_id, dispute_ref, stage, before, "
            "after, prev_hash, hash) VALUES (1, ?, 'old_duty', 'open', 1, 'D-2026-0001', 0, "
            "'{}', '{}', ?, ?)",
            (
                OLD_AT.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds"),
                GENESIS,
                event_hash(**fields),
            ),
        )
    conn.close()


def test_an_older_store_is_migrated_with_its_data_intact(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    build_first_revision_store(path)
    assert revision_of(path) == FIRST
    store = Store.open(str(path))
    try:
        assert revision_of(path) == migrate.HEAD
        det = dispute_detail(store, "D-2026-0001", OLD_AT)
        assert (det.person_ref, det.problem_statement, det.opened_by) == (
            "P-OLD",
            "An old problem statement",
            "Old Duty",
        )
        assert det.stages[0].due_at == datetime(2026, 1, 7, 10, 0, tzinfo=UTC)
        with store.engine.connect() as connection:
            assert verify_chain(connection).ok
        # The migrated store takes new changes that extend the old chain.
        Ledger(store, "old_duty").add_note("D-2026-0001", "after the upgrade")
        with store.engine.connect() as connection:
            report = verify_chain(connection)
            records = check_records(connection)
        # the old event, a baseline for people/agencies/settings and one for the dispute
        # (migration 0004: taken as found), then the note
        assert report.ok and report.events == 4
        assert records.ok and records.unproven == records.checked - 1  # the note is proven
    finally:
        store.close()

    written = backups(path)
    if migrate.HEAD == FIRST:
        # Only one revision so far: opening the "older" store was a no-op upgrade.
        assert written == []
    else:
        (backup,) = written
        assert backup.name.startswith(f"old.db.pre-{FIRST}-")
        assert revision_of(backup) == FIRST  # the copy is the store as it was
        conn = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
        assert conn.execute("SELECT person_ref FROM dispute").fetchall() == [("P-OLD",)]
        conn.close()


def test_upgrade_reports_the_backup_and_progress(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    build_first_revision_store(path)
    engine = make_engine(to_url(path))
    messages: list[str] = []
    try:
        backup = migrate.upgrade(engine, path, progress=messages.append)
        again = migrate.upgrade(engine, path, progress=messages.append)
    finally:
        engine.dispose()
    assert again is None  # already at head: nothing to do, no second backup
    if migrate.HEAD == FIRST:
        assert backup is None and messages == []
    else:
        assert backup is not None and backup.exists()
        assert messages == [
            f"backed up the store to {backup}",
            f"migrated the store from {FIRST} to {migrate.HEAD}",
        ]


# --- stores that must be left alone ---------------------------------------------------------


@pytest.fixture
def closed_store_file(base_store_file: Path, tmp_path: Path) -> Path:
    path = tmp_path / "store.db"
    shutil.copyfile(base_store_file, path)
    return path


def test_a_newer_store_is_refused_and_left_untouched(closed_store_file: Path) -> None:
    path = closed_store_file
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.close()
    before = digest(path)
    with pytest.raises(StoreError) as info:
        Store.open(str(path))
    message = str(info.value)
    assert "newer" in message and "9999" in message and "not changed" in message
    assert digest(path) == before
    assert backups(path) == []


def test_upgrade_itself_refuses_a_newer_schema(closed_store_file: Path) -> None:
    """The check also guards stores reached by URL (PostgreSQL), not only files."""
    conn = sqlite3.connect(closed_store_file)
    with conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.close()
    engine = make_engine(to_url(closed_store_file))
    try:
        with pytest.raises(StoreError, match="newer"):
            migrate.upgrade(engine, None)
    finally:
        engine.dispose()
    assert revision_of(closed_store_file) == "9999"


@pytest.mark.parametrize(
    "content",
    [
        random.Random(7).randbytes(8192),
        b"SQLite format 3\x00" + random.Random(8).randbytes(4080),
        b"dispute log\nD-1,P-1,funding\n",
    ],
    ids=["random", "bad-header", "text"],
)
def test_a_corrupt_file_is_refused_and_left_untouched(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "store.db"
    path.write_bytes(content)
    with pytest.raises(StoreError) as info:
        Store.open(str(path))
    assert "is damaged" in str(info.value) and "It was not changed" in str(info.value)
    assert path.read_bytes() == content
    assert backups(path) == []


def test_another_applications_sqlite_file_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "photos.sqlite"
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("CREATE TABLE photo (id INTEGER PRIMARY KEY, name TEXT)")
        conn.execute("INSERT INTO photo VALUES (1, 'beach')")
    conn.close()
    before = digest(path)
    with pytest.raises(StoreError, match="not a panel-tui store"):
        Store.open(str(path))
    assert digest(path) == before
    assert tables(path) == {"photo"}
