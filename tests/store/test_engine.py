"""The engine's SQLite settings, the write lock taken at BEGIN, network filesystem refusal."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from panel_tui.rules.errors import StoreBusyError, StoreError
from panel_tui.store import engine
from panel_tui.store.db import Store
from panel_tui.store.engine import BUSY_TIMEOUT_MS, sqlite_path, to_url
from panel_tui.store.files import filesystem_type, refuse_network_filesystem
from panel_tui.store.ledger import Ledger
from panel_tui.store.ledger.base import write_refused
from panel_tui.store.sqlite_driver import sqlite as sqlite3


def pragma(session, name: str):
    return session.execute(text(f"PRAGMA {name}")).scalar_one()


@pytest.mark.parametrize("mode", ["read", "write"])
def test_every_store_connection_is_configured(world, mode) -> None:
    with getattr(world.store, mode)() as session:
        assert pragma(session, "journal_mode") == "wal"
        assert pragma(session, "foreign_keys") == 1
        assert pragma(session, "busy_timeout") >= 5000
        assert pragma(session, "synchronous") == 2  # FULL


def test_busy_timeout_is_at_least_five_seconds() -> None:
    assert BUSY_TIMEOUT_MS >= 5000


def test_wal_is_persistent_in_the_file(world) -> None:
    conn = sqlite3.connect(world.path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        conn.close()


def test_foreign_keys_are_enforced(world) -> None:
    with (
        pytest.raises(Exception, match="FOREIGN KEY"),  # noqa: B017
        world.store.write() as session,
    ):
        session.execute(
            text(
                "INSERT INTO note (dispute_id, by_id, at, text) "
                "VALUES (999, 999, '2026-01-01', 'x')"
            )
        )


def test_a_write_transaction_holds_the_write_lock_from_its_first_statement(world) -> None:
    other = sqlite3.connect(world.path, timeout=0, isolation_level=None)
    try:
        with world.store.write() as session:
            # Only a read so far: a deferred BEGIN would hold no write lock yet.
            session.execute(text("SELECT count(*) FROM dispute")).scalar_one()
            with pytest.raises(sqlite3.OperationalError, match="database is locked"):
                other.execute("BEGIN IMMEDIATE")
            # Readers are never blocked by the writer (WAL).
            assert other.execute("SELECT count(*) FROM person").fetchone()[0] >= 10
        other.execute("BEGIN IMMEDIATE")  # free again once the write committed
        other.execute("ROLLBACK")
    finally:
        other.close()


def test_a_read_transaction_does_not_take_the_write_lock(world) -> None:
    other = sqlite3.connect(world.path, timeout=0, isolation_level=None)
    try:
        with world.store.read() as session:
            session.execute(text("SELECT count(*) FROM dispute")).scalar_one()
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
    finally:
        other.close()


def test_a_writer_waits_for_another_instead_of_failing(world) -> None:
    held = threading.Event()

    def hold_the_lock_briefly() -> None:
        holder = sqlite3.connect(world.path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        held.set()
        time.sleep(0.3)  # well inside the busy timeout
        holder.execute("COMMIT")
        holder.close()

    thread = threading.Thread(target=hold_the_lock_briefly)
    thread.start()
    held.wait()
    try:
        ref = world.open()  # waits on the busy timeout, then writes
    finally:
        thread.join()
    assert world.dispute(ref)["status"] == "open"


def test_a_store_held_past_the_busy_timeout_raises_the_busy_type(world, monkeypatch) -> None:
    monkeypatch.setattr(engine, "BUSY_TIMEOUT_MS", 100)  # the real 10 s, made short
    store = Store.open(str(world.path))
    holder = sqlite3.connect(world.path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StoreBusyError) as info:
            Ledger(store, "duty_lead").open_dispute(world.form())
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        store.close()
    assert "the store is busy" in str(info.value) and "Nothing was saved" in str(info.value)


def test_other_refusals_of_the_database_are_not_busy(world) -> None:
    reader = sqlite3.connect(f"file:{world.path}?mode=ro", uri=True)
    try:
        reader.execute("CREATE TABLE t (x)")
    except sqlite3.OperationalError as driver_error:
        refused = write_refused(OperationalError("CREATE", {}, driver_error))
    finally:
        reader.close()
    assert type(refused) is StoreError  # not retried as busy, whatever it says
    assert "read-only" in str(refused)


# --- URLs -------------------------------------------------------------------------------


def test_paths_and_urls(tmp_path: Path) -> None:
    url = to_url(tmp_path / "a.db")
    assert url == f"sqlite:///{tmp_path / 'a.db'}"
    assert sqlite_path(url) == tmp_path / "a.db"
    # Every usual PostgreSQL spelling names the one driver panel-tui uses (psycopg 3).
    for spelling in ("postgres", "postgresql", "postgresql+psycopg", "POSTGRES"):
        assert to_url(f"{spelling}://u@h/db") == "postgresql+psycopg://u@h/db"
    assert sqlite_path("postgresql://u@h/db") is None
    assert sqlite_path("sqlite://") is None
    assert sqlite_path("sqlite:///:memory:") is None


# --- network filesystems ------------------------------------------------------------------

MOUNTS = """\
/dev/sda1 / ext4 rw,relatime 0 0
proc /proc proc rw 0 0
server:/export /srv/shared nfs4 rw,vers=4.2 0 0
//nas/care /mnt/care cifs rw,vers=3.0 0 0
/dev/sdb1 /srv/shared/local ext4 rw 0 0
/dev/sdc1 /mnt/my\\040disk ext4 rw 0 0
"""


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/home/ada/panel.db", "ext4"),
        ("/srv/shared/panel.db", "nfs4"),
        ("/srv/shared/deep/dir/panel.db", "nfs4"),
        ("/srv/shared/local/panel.db", "ext4"),  # the longest mount prefix wins
        ("/srv/sharedother/panel.db", "ext4"),  # a name prefix is not a mount prefix
        ("/mnt/care/panel.db", "cifs"),
        ("/mnt/my disk/panel.db", "ext4"),  # \040 is a space in /proc/mounts
        ("/srv/shared", "nfs4"),
    ],
)
def test_filesystem_type_finds_the_mount_holding_the_path(path, expected) -> None:
    assert filesystem_type(Path(path), MOUNTS) == expected


@pytest.mark.parametrize(
    ("path", "fs"), [("/srv/shared/panel.db", "nfs4"), ("/mnt/care/team/panel.db", "cifs")]
)
def test_a_store_on_a_network_filesystem_is_refused(path, fs) -> None:
    with pytest.raises(StoreError) as info:
        refuse_network_filesystem(Path(path), MOUNTS)
    message = str(info.value)
    assert f"network filesystem ({fs})" in message
    assert path in message
    assert "local disk" in message


@pytest.mark.parametrize("path", ["/home/ada/panel.db", "/srv/shared/local/panel.db"])
def test_a_store_on_a_local_disk_is_fine(path) -> None:
    refuse_network_filesystem(Path(path), MOUNTS)


def test_smb_and_sshfs_are_network_filesystems_too() -> None:
    for fs in ("smb3", "smbfs", "fuse.sshfs", "9p", "nfs"):
        mounts = f"/dev/sda1 / ext4 rw 0 0\nremote /net {fs} rw 0 0\n"
        with pytest.raises(StoreError, match=fs.replace(".", r"\.")):
            refuse_network_filesystem(Path("/net/panel.db"), mounts)
