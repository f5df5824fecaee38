"""Group mode with real OS users: members share the store, everyone else is kept out."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from osusers.oskit import SIDE_FILES, Host, mode_of

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def team(host: Host) -> dict[str, str]:
    group = host.add_group("grp")
    people = {
        "group": group,
        "alice": host.add_user("alice", group),
        "bob": host.add_user("bob", group),
        "mallory": host.add_user("mallory"),
    }
    store = host.srv / "panel" / "panel.db"
    made = host.panel(
        None, "init", "--db", str(store), "--group", group, "--admin", people["alice"], "--install"
    )
    assert made.returncode == 0, made.stdout + made.stderr
    people["store"] = str(store)
    return people


def test_init_makes_the_directory_setgid_group_only_and_the_store_0660(host, team) -> None:
    store = Path(team["store"])
    assert mode_of(store.parent) == (0o2770, "root", team["group"])
    assert mode_of(store) == (0o660, "root", team["group"])
    site = (host.xdg / "panel-tui" / "config.toml").read_text()
    assert f'path = "{store}"' in site and 'mode = "group"' in site


def test_members_share_the_store_found_through_the_site_config(host, team) -> None:
    # No --db, no PANEL_TUI_DB: `ssh host panel-tui ...` finds the store.
    added = host.panel(team["alice"], "agencies", "add", "CBH", "County Behavioral Health")
    assert added.returncode == 0, added.stderr
    assert (
        host.panel(team["alice"], "users", "add", team["bob"], "--roles", "admin").returncode == 0
    )
    by_bob = host.panel(team["bob"], "agencies", "add", "MCO", "Managed care")
    assert by_bob.returncode == 0, by_bob.stderr
    listed = host.panel(team["alice"], "agencies", "list", "--format", "json")
    assert {a["code"] for a in json.loads(listed.stdout)} == {"CBH", "MCO"}
    events = host.panel(team["bob"], "audit", "verify", "--format", "json")
    assert json.loads(events.stdout)["ok"] is True


def test_files_sqlite_creates_follow_the_group_whoever_creates_them(host, team) -> None:
    """-wal and -shm: mode 0660 and the group, under umask 022, for the first member to open."""
    for login in (team["bob"], team["alice"]):
        made = host.as_user(login, host.install.python, "-c", SIDE_FILES, team["store"])
        assert made.returncode == 0, made.stderr
        for suffix, (mode, uid, gid) in json.loads(made.stdout).items():
            assert (mode, uid, gid) == (0o660, host.uid(login), host.gid(team["group"])), suffix
    # And the next member can still write, whoever left the files behind.
    again = host.panel(team["alice"], "agencies", "add", "HSG", "Housing")
    assert again.returncode == 0, again.stderr


def test_someone_outside_the_group_cannot_open_the_store(host, team) -> None:
    before = Path(team["store"]).read_bytes()
    refused = host.panel(team["mallory"], "--db", team["store"], "agencies", "add", "X", "Evil")
    assert refused.returncode == 2 and "Permission denied" in refused.stderr
    assert "Traceback" not in refused.stderr
    direct = host.as_user(
        team["mallory"],
        host.install.python,
        "-c",
        "import sqlite3, sys; sqlite3.connect(sys.argv[1]).execute('SELECT 1 FROM person')",
        team["store"],
    )
    assert direct.returncode != 0 and "unable to open database file" in direct.stderr
    assert Path(team["store"]).read_bytes() == before


def test_doctor_checks_the_group_setup_and_names_the_fix(host, team) -> None:
    healthy = host.panel(team["alice"], "doctor", "--format", "json")
    found = {f["name"]: f for f in json.loads(healthy.stdout)["findings"]}
    assert healthy.returncode == 0, healthy.stdout
    assert found["sharing"]["value"].startswith("group mode")
    assert found["directory"]["ok"] and found["permissions panel.db"]["ok"]

    store = Path(team["store"])
    os.chmod(store, 0o644)  # the usual umask's mode: readable by everyone on the host
    os.chmod(store.parent, 0o770)  # setgid lost
    try:
        broken = host.panel(team["alice"], "doctor")
        assert broken.returncode == 1
        assert f"chgrp {team['group']} {store.parent} && chmod 2770 {store.parent}" in broken.stdout
        assert f"chgrp {team['group']} {store} && chmod 660 {store}" in broken.stdout
    finally:
        os.chmod(store, 0o660)
        os.chmod(store.parent, 0o2770)


def test_read_only_for_you_names_the_file_at_fault(host, team) -> None:
    """The old trap: a -wal left with the wrong group; the message says which file."""
    store = Path(team["store"])
    holder = host.as_user(team["alice"], host.install.python, "-c", SIDE_FILES, str(store))
    assert holder.returncode == 0, holder.stderr
    wal = Path(f"{store}-wal")
    # A checkpointed WAL is removed on close: recreate the file the way the trap left it.
    wal.touch()
    os.chown(wal, host.uid(team["alice"]), host.gid(team["alice"]))
    os.chmod(wal, 0o644)
    try:
        refused = host.panel(team["bob"], "agencies", "add", "TRP", "Trap")
        assert refused.returncode != 0
        assert str(wal) in refused.stderr, refused.stderr
        assert "Traceback" not in refused.stderr
    finally:
        wal.unlink()
    assert stat.S_IMODE(store.stat().st_mode) == 0o660
