"""Files holding personal data are private under umask 022: store, backups, exports, .bak.

Run through the real command line, whose processes inherit the umask set here.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from cli_helpers import Cli


@pytest.fixture
def store(cli: Cli, umask_022: None) -> Cli:
    cli.ok("init", "--name", "Test Admin")
    return cli


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_store_and_its_wal_are_owner_only(store: Cli) -> None:
    store.ok("agencies", "add", "CBH", "County")
    assert mode(store.db) == 0o600
    for suffix in ("-wal", "-shm"):
        side = Path(f"{store.db}{suffix}")
        if side.exists():
            assert mode(side) == 0o600, suffix


def test_backup_into_a_new_directory_makes_it_private(store: Cli, tmp_path: Path) -> None:
    out = store.ok("backup", f"{tmp_path / 'backups' / 'nightly'}/")
    directory = tmp_path / "backups" / "nightly"
    assert mode(directory) == 0o700 and mode(tmp_path / "backups") == 0o700
    (copy,) = directory.glob("*.backup.db")
    assert str(copy) in out
    assert mode(copy) == 0o600
    single = tmp_path / "one.db"
    store.ok("backup", str(single))
    assert mode(single) == 0o600


def test_a_backup_of_a_group_shared_store_is_group_readable_only(
    store: Cli, tmp_path: Path
) -> None:
    os.chmod(store.db, 0o660)
    store.ok("backup", str(tmp_path / "g.db"))
    assert mode(tmp_path / "g.db") == 0o660


@pytest.mark.parametrize("where", ["file.txt/sub/", "file.txt/copy.db", "missing/copy.db"])
def test_an_impossible_backup_destination_is_one_line_exit_2(
    store: Cli, tmp_path: Path, where: str
) -> None:
    (tmp_path / "file.txt").write_text("a file, not a directory")
    result = store("backup", str(tmp_path / where))
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "DEST" in result.stderr


@pytest.mark.backend
def test_export_to_a_file_is_owner_only(store: Cli, tmp_path: Path) -> None:
    target = tmp_path / "export.json"
    target.write_text("old, world-readable")
    os.chmod(target, 0o644)
    store.ok("export", "-o", str(target))
    assert mode(target) == 0o600
    assert "disputes" in json.loads(target.read_text())
    result = store("export", "-o", str(tmp_path / "nope" / "x.json"))
    assert result.returncode == 2 and result.stderr.count("\n") == 1


def test_the_pre_migration_copy_is_owner_only(cli: Cli, umask_022: None) -> None:
    from panel_tui.store import migrate
    from panel_tui.store.engine import make_engine, to_url

    engine = make_engine(to_url(str(cli.db)))  # a store at the first revision
    try:
        migrate.upgrade(engine, cli.db, target="0001")
    finally:
        engine.dispose()
    os.chmod(cli.db, 0o600)
    result = cli("agencies", "list")  # the next open migrates, and copies the store first
    assert result.returncode == 0, result.stderr
    (bak,) = cli.db.parent.glob(f"{cli.db.name}.pre-*.bak")
    assert mode(bak) == 0o600


def test_doctor_flags_a_world_readable_store_with_the_fix(store: Cli) -> None:
    assert store("doctor").returncode == 0
    os.chmod(store.db, 0o644)
    result = store("doctor")
    assert result.returncode == 1
    assert "FAIL permissions" in result.stdout
    assert f"chmod o-rwx {store.db}" in result.stdout
