"""Store files in trouble, through the real command line in subprocesses.

A corrupt file, a newer schema, a network filesystem, a read-only store and a
full disk: each gets a clear message and a non-zero exit, never a traceback,
and the store file is left exactly as it was (hash before and after, and
``PRAGMA integrity_check`` where the file is a database).

Read-only stores, full disks and network filesystems are made for real in a
private mount namespace (``unshare -m``: read-only bind mounts, a tiny tmpfs,
a /proc/mounts that names NFS); the tests skip where that is not permitted.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from reliability.relkit import file_hash, integrity, query, record_figures, valid_form

from panel_tui.store.db import Store
from panel_tui.store.identity import os_login
from panel_tui.store.ledger import Ledger
from panel_tui.store.ledger.admin import Admin
from panel_tui.store.sqlite_driver import sqlite

#: Eighty-odd CLI processes: long-running, like the other subprocess suites here.
pytestmark = pytest.mark.slow
PYTHON = sys.executable
#: Every command tried against a damaged store: reads, writes and the maintenance ones.
COMMANDS = (
    ("queue",),
    ("show", "{ref}"),
    ("note", "{ref}", "checked", "the", "store"),
    ("audit", "verify"),
    ("report",),
    ("export",),
    ("doctor",),
    ("backup", "{dest}"),
)
TRIED: dict[str, int] = {}


def cli(db: Path, *args: str, ref: str = "D-2026-0001", dest: Path | None = None):
    argv = [a.format(ref=ref, dest=dest or db.with_name("copy.db")) for a in args]
    env = dict(os.environ, NO_COLOR="1", COLUMNS="200")
    return subprocess.run(
        [PYTHON, "-m", "panel_tui", "--db", str(db), *argv],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def assert_refused_cleanly(result, *args: str, exit_codes=(1, 2), says: str | None = None) -> None:
    output = result.stdout + result.stderr
    assert "Traceback" not in output, f"{args}: a traceback\n{output}"
    assert result.returncode in exit_codes, f"{args}: exit {result.returncode}\n{output}"
    assert output.strip(), f"{args}: no message"
    if says is not None:
        assert says in output.lower(), f"{args}: {says!r} not in\n{output}"


@pytest.fixture
def populated(store_path: Path) -> tuple[Path, str]:
    """A store the current OS login may write to, with one dispute; closed and checkpointed."""
    store = Store.open(str(store_path))
    try:
        Admin(store, "admin").add_person(os_login(), "Me", ["duty_lead"], "CBH")
        ref = Ledger(store, os_login()).open_dispute(valid_form())
        Ledger(store, os_login()).add_note(ref, "first note")
    finally:
        store.close()
    assert not store_path.with_name(store_path.name + "-wal").exists()
    return store_path, ref


def _try_all(path: Path, ref: str, says: str | None, name: str) -> None:
    before = file_hash(path)
    for args in COMMANDS:
        result = cli(path, *args, ref=ref, dest=path.parent / f"copy-{args[0]}.db")
        assert_refused_cleanly(result, *args, says=None if args[0] == "doctor" else says)
        assert file_hash(path) == before, f"{args} changed the file"
        TRIED[name] = TRIED.get(name, 0) + 1


# --- corrupt files -----------------------------------------------------------------------------
def test_a_file_of_garbage_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "garbage.db"
    path.write_bytes(b"not a database\n" + os.urandom(8192))
    _try_all(path, "D-2026-0001", None, "garbage file")


def test_a_store_with_a_damaged_schema_page_is_refused_untouched(populated) -> None:
    path, ref = populated
    data = bytearray(path.read_bytes())
    data[100:1100] = os.urandom(1000)  # page 1 after the file header: the schema's root
    path.write_bytes(bytes(data))
    assert integrity(path) != "ok"
    _try_all(path, ref, None, "damaged schema page")


def test_a_store_with_a_damaged_data_page_fails_cleanly(populated) -> None:
    """Reads that miss the bad page may still work; nothing gives a traceback; doctor fails."""
    path, ref = populated
    data = bytearray(path.read_bytes())
    page = 4096
    middle = (len(data) // page // 2) * page
    data[middle : middle + page] = os.urandom(page)
    path.write_bytes(bytes(data))
    assert integrity(path) != "ok"
    before = file_hash(path)
    outcomes = {}
    for args in COMMANDS:
        result = cli(path, *args, ref=ref, dest=path.parent / f"copy-{args[0]}.db")
        output = result.stdout + result.stderr
        assert "Traceback" not in output, f"{args}: a traceback\n{output}"
        if result.returncode:
            assert result.returncode in (1, 2) and output.strip(), (args, output)
        if args[0] == "note":
            before = file_hash(path)  # a write that misses the bad page may succeed
        else:
            assert file_hash(path) == before, f"{args} changed the file"
        outcomes[args[0]] = result.returncode
        TRIED["damaged data page"] = TRIED.get("damaged data page", 0) + 1
    assert outcomes["doctor"] == 1, "doctor must report the damage"
    assert outcomes["backup"] != 0, "a backup of a damaged store must not be kept"
    record_figures("damaged_data_page", outcomes)


def test_a_truncated_store_is_refused_untouched(populated) -> None:
    path, ref = populated
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    _try_all(path, ref, None, "truncated file")


def test_a_store_from_a_newer_panel_tui_is_refused_untouched(populated) -> None:
    path, ref = populated
    conn = sqlite.connect(path)
    with conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.close()
    before = file_hash(path)
    for args in COMMANDS:
        result = cli(path, *args, ref=ref, dest=path.parent / f"copy-{args[0]}.db")
        if args[0] == "doctor":
            assert_refused_cleanly(result, *args, exit_codes=(1,), says="9999")
        else:
            assert_refused_cleanly(result, *args, exit_codes=(2,), says="newer")
        assert file_hash(path) == before
        TRIED["newer schema"] = TRIED.get("newer schema", 0) + 1
    assert query(path, "SELECT version_num FROM alembic_version") == [("9999",)]


# --- mount namespaces: network filesystems, read-only stores, full disks ------------------------
def _namespace_ok() -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(
        [
            "unshare",
            "-m",
            "--propagation",
            "private",
            "sh",
            "-c",
            "mount -t tmpfs -o size=64k none /mnt && umount /mnt",
        ],
        capture_output=True,
    )
    return probe.returncode == 0


@pytest.fixture
def namespaces() -> None:
    """These tests mount file systems in a private namespace: root only, as CI runs them."""
    assert _namespace_ok(), "needs unshare -m and mount: run the slow suite as root (CI does)"


NAMESPACES = pytest.mark.usefixtures("namespaces")


def in_namespace(script: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run a shell script in a private mount namespace: its mounts vanish with it."""
    return subprocess.run(
        ["unshare", "-m", "--propagation", "private", "sh", "-euc", script],
        capture_output=True,
        text=True,
        timeout=300,
        env=dict(os.environ, NO_COLOR="1", COLUMNS="200", PY=PYTHON, **env),
    )


@NAMESPACES
def test_a_store_on_a_network_filesystem_is_refused(populated, tmp_path: Path) -> None:
    path, ref = populated
    before = file_hash(path)
    new = tmp_path / "new" / "panel.db"
    mounts = f"/dev/vda / ext4 rw 0 0\\nserver:/export {path.parent} nfs4 rw 0 0\\n"
    results = {}
    for name, args in {
        "queue": ("--db", str(path), "queue"),
        "note": ("--db", str(path), "note", ref, "over", "nfs"),
        "init": ("--db", str(tmp_path / "panel.db"), "init", "--name", "Ada"),
    }.items():
        result = in_namespace(
            # Only this namespace sees the fake mount table; Python needs nothing else from /proc.
            f'mount -t tmpfs none /proc && printf "{mounts}" > /proc/mounts && '
            f'exec "$PY" -m panel_tui {" ".join(args)}'
        )
        results[name] = result
        assert_refused_cleanly(result, name, exit_codes=(2,), says="network filesystem")
    assert file_hash(path) == before
    assert not (tmp_path / "panel.db").exists(), "init made a store on the network filesystem"
    assert not new.exists()
    TRIED["network filesystem"] = len(results)


@NAMESPACES
def test_a_read_only_store_is_refused_untouched(populated, tmp_path: Path) -> None:
    path, ref = populated
    before = file_hash(path)
    ro = tmp_path / "ro"
    ro.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    # Root ignores chmod, so the store's directory is bind-mounted read-only instead.
    script = (
        f'mount --bind "{path.parent}" "{ro}" && mount -o remount,ro,bind "{ro}" && '
        "n=0; for c in "
        f'"queue" "note {ref} read only" "audit verify" "backup {out}/b.db" "doctor"; do '
        f'  n=$((n+1)); set +e; "$PY" -m panel_tui --db "{ro}/{path.name}" $c '
        f'  > "{out}/$n.out" 2>&1; echo $? > "{out}/$n.rc"; set -e; '
        "done"
    )
    result = in_namespace(script)
    assert result.returncode == 0, result.stderr
    seen = {}
    commands = ("queue", f"note {ref} read only", "audit verify", f"backup {out}/b.db", "doctor")
    for n, c in enumerate(commands, 1):
        text = (out / f"{n}.out").read_text()
        code = int((out / f"{n}.rc").read_text())
        seen[c.split()[0]] = (code, text.strip().splitlines()[-1] if text.strip() else "")
        assert "Traceback" not in text, f"{c}: traceback\n{text}"
        if c.startswith("note"):
            assert code != 0 and "read-only" in text.lower(), f"{c}: exit {code}\n{text}"
        elif code != 0:
            assert text.strip(), f"{c}: exit {code} and no message"
        # Not damaged, only read-only: never send the user to their backups.
        assert "damaged" not in text and "restore" not in text.lower(), f"{c}:\n{text}"
    assert file_hash(path) == before
    assert integrity(path) == "ok"
    assert query(path, "SELECT count(*) FROM note")[0][0] == 1
    TRIED["read-only store"] = len(seen)
    record_figures("read_only_store", {cmd: {"exit": c, "says": s} for cmd, (c, s) in seen.items()})


#: Notes written into the full disk: enough of them to fill 160 KiB of room.
NOTES = 40


@NAMESPACES
@pytest.mark.parametrize("room_kib", [0, 48, 160])
def test_a_full_disk_is_refused_and_the_store_is_intact(
    populated, tmp_path: Path, room_kib
) -> None:
    """A tiny tmpfs, filled up but for ``room_kib``: writes fail cleanly, nothing is lost."""
    path, ref = populated
    size_kib = path.stat().st_size // 1024 + 1024
    disk, out = tmp_path / "disk", tmp_path / "out"
    disk.mkdir()
    out.mkdir()
    big = "x" * 3990  # under the 4,000-character limit; a few dozen fill the room left
    script = (
        f'mount -t tmpfs -o size={size_kib}k tmpfs "{disk}" && cp "{path}" "{disk}/store.db" && '
        f'dd if=/dev/zero of="{disk}/room" bs=1k count={room_kib} 2>/dev/null || true; '
        f'dd if=/dev/zero of="{disk}/fill" bs=1k 2>/dev/null || true; '
        f'rm -f "{disk}/room"; sha256sum "{disk}/store.db" > "{out}/before"; '
        f"for i in $(seq 1 {NOTES}); do set +e; "
        f'"$PY" -m panel_tui --db "{disk}/store.db" note {ref} "{big} $i" '
        f'> "{out}/note$i.out" 2>&1; echo $? > "{out}/note$i.rc"; set -e; done; '
        f'set +e; "$PY" -m panel_tui --db "{disk}/store.db" queue > "{out}/queue.out" 2>&1; '
        f'echo $? > "{out}/queue.rc"; set -e; '
        f'rm -f "{disk}/fill"; cp "{disk}"/store.db* "{out}/"; '
        f'sha256sum "{disk}/store.db" > "{out}/after"'
    )
    result = in_namespace(script)
    assert result.returncode == 0, result.stderr
    codes = [int((out / f"note{i}.rc").read_text()) for i in range(1, NOTES + 1)]
    texts = [(out / f"note{i}.out").read_text() for i in range(1, NOTES + 1)]
    for code, text in zip(codes, texts, strict=True):
        assert "Traceback" not in text, text
        if code != 0:
            assert code == 2 and ("full" in text.lower() or "space" in text.lower()), text
    assert any(c != 0 for c in codes), "the disk never filled"
    queue_text = (out / "queue.out").read_text()
    assert "Traceback" not in queue_text, queue_text
    # What was acknowledged is there, nothing else; the file is a sound store.
    copy = out / "store.db"
    assert integrity(copy) == "ok"
    notes = query(copy, "SELECT count(*) FROM note")[0][0]
    assert notes == 1 + codes.count(0)
    if codes.count(0) == 0:
        assert (out / "before").read_text().split()[0] == (out / "after").read_text().split()[0]
    from reliability.relkit import chain

    assert chain(copy).ok
    TRIED[f"full disk ({room_kib} KiB room)"] = len(codes) + 1
    record_figures(
        f"full_disk_{room_kib}k",
        {
            "notes_saved": codes.count(0),
            "refused": sum(1 for c in codes if c),
            "exit_codes": codes,
            "message": next((t.strip() for c, t in zip(codes, texts, strict=True) if c), ""),
        },
    )


def test_sqlite_full_simulated_by_max_page_count(populated) -> None:
    """Without a tmpfs: cap the file at its size; a write fails as "disk full", nothing saved."""
    from sqlalchemy import event

    from panel_tui.rules.errors import StoreError

    path, ref = populated
    store = Store.open(str(path))
    try:
        pages = query(path, "PRAGMA page_count")[0][0]

        @event.listens_for(store.engine, "connect")
        def _cap(dbapi_connection, _record) -> None:
            dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

        store.engine.dispose()  # new connections, capped
        store._writer = store.engine.execution_options(panel_tui_write=True)
        before = (
            query(path, "SELECT count(*) FROM note")[0][0],
            query(path, "SELECT count(*) FROM event")[0][0],
        )
        ledger = Ledger(store, os_login())
        with pytest.raises(StoreError, match="full"):
            for i in range(200):
                ledger.add_note(ref, f"{i} " + "y" * 3000)
        saved = i
    finally:
        store.close()
    after = (
        query(path, "SELECT count(*) FROM note")[0][0],
        query(path, "SELECT count(*) FROM event")[0][0],
    )
    assert after == (before[0] + saved, before[1] + saved)
    assert integrity(path) == "ok"
    TRIED["simulated SQLITE_FULL"] = saved + 1


def test_record_store_file_figures() -> None:
    record_figures("store_files", {"commands_tried": dict(TRIED), "at": datetime.now(UTC)})
