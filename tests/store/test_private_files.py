"""Files holding personal data are created owner-only (or group) under any umask, with no window."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from panel_tui.store.private_files import (
    GROUP_SHARED,
    PRIVATE,
    mode_beside,
    open_private,
    private_dir,
    reserve_private,
    world_readable,
    write_private,
)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_write_private_is_owner_only_under_umask_022(tmp_path: Path, umask_022: None) -> None:
    plain = tmp_path / "plain.txt"
    plain.write_text("x")
    assert mode(plain) == 0o644  # what the umask alone gives: the bug this module fixes
    target = write_private(tmp_path / "draft.json", "Client disclosed self-harm plan")
    assert mode(target) == PRIVATE
    assert target.read_text() == "Client disclosed self-harm plan"
    assert not world_readable(target)


def test_an_existing_world_readable_file_is_narrowed_before_it_is_written(
    tmp_path: Path, umask_022: None
) -> None:
    target = tmp_path / "minutes.md"
    target.write_text("old")
    os.chmod(target, 0o644)
    with open_private(target) as handle:
        # The mode is already narrowed before the first byte goes in.
        assert mode(target) == PRIVATE
        handle.write("new")
    assert target.read_text() == "new"
    write_private(target, "newer")
    assert mode(target) == PRIVATE


def test_group_mode_is_passed_through_and_nothing_wider(tmp_path: Path, umask_022: None) -> None:
    target = write_private(tmp_path / "export.json", "{}", GROUP_SHARED)
    assert mode(target) == 0o660  # the umask 022 would have removed group write
    for wide in (0o644, 0o666, 0o700):
        with pytest.raises(ValueError):
            write_private(tmp_path / "wide", "x", wide)


def test_reserve_refuses_an_existing_file_and_a_symlink(tmp_path: Path, umask_022: None) -> None:
    target = reserve_private(tmp_path / "backup.db")
    assert mode(target) == PRIVATE and target.stat().st_size == 0
    with pytest.raises(FileExistsError):
        reserve_private(target)
    victim = tmp_path / "victim"
    victim.write_text("keep")
    (tmp_path / "link").symlink_to(victim)
    with pytest.raises(OSError), open_private(tmp_path / "link") as handle:
        handle.write("overwritten")
    assert victim.read_text() == "keep"


def test_private_dir_makes_missing_directories_0700(tmp_path: Path, umask_022: None) -> None:
    made = private_dir(tmp_path / "a" / "b")
    assert made.is_dir()
    assert mode(tmp_path / "a") == 0o700 and mode(made) == 0o700
    existing = tmp_path / "open"
    existing.mkdir(mode=0o755)
    os.chmod(existing, 0o755)
    private_dir(existing)
    assert mode(existing) == 0o755  # an existing directory is not the helper's to change


def test_a_copy_beside_a_group_shared_store_is_group_readable(tmp_path: Path) -> None:
    store = tmp_path / "s.db"
    store.write_text("")
    os.chmod(store, 0o600)
    assert mode_beside(store) == PRIVATE
    os.chmod(store, 0o660)
    assert mode_beside(store) == GROUP_SHARED
    assert mode_beside(None) == PRIVATE
