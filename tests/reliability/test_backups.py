"""Backups while others write, the README's restore, and doctor's findings.

Three writer processes keep committing while ``panel-tui backup`` copies the
store: the copy opens, passes ``PRAGMA integrity_check``, its chain verifies,
it holds at least every event committed before the backup began, and its
events are exactly the live store's first events. Then the documented restore
(README, "Backups and health") brings a damaged store back and ``doctor``
passes, reporting everything the issue asks of it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from subprocess import Popen

import pytest
from reliability.relkit import chain, integrity, query, read_jsonl, record_figures

from panel_tui.store.maintenance import DoctorReport, sqlite_library_finding
from panel_tui.store.sqlite_driver import DRIVER
from panel_tui.store.sqlite_driver import sqlite as sqlite3

WRITERS = 3
#: Changes each writer has acknowledged before the backup starts: evidence it is writing.
WARMED = 3
#: How long a condition may take before the test calls it a hang (load slows, never fails).
PATIENCE = 300.0


def cli(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "panel_tui", "--db", str(db), *args],
        capture_output=True,
        text=True,
        env=dict(os.environ, NO_COLOR="1", COLUMNS="200"),
        timeout=120,
    )


def acknowledged(acks: Path) -> int:
    """How many changes (single or batch) a writer has acknowledged as committed."""
    return sum(1 for x in read_jsonl(acks) if "token" in x or "batch" in x)


def wait_until(condition: Callable[[], bool], what: str, procs: list[Popen[bytes]]) -> None:
    """Poll until ``condition`` holds; a writer that exits meanwhile fails the test at once."""
    deadline = time.monotonic() + PATIENCE
    while not condition():
        for proc in procs:
            if proc.poll() is not None:
                _, stderr = proc.communicate()
                raise AssertionError(f"a writer stopped before {what}:\n{stderr.decode()}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting until {what}")
        time.sleep(0.05)


@pytest.mark.slow
def test_a_backup_taken_while_three_processes_write(
    store_path: Path, tmp_path: Path, spawn_worker
) -> None:
    acks = [tmp_path / f"acks{n}.jsonl" for n in range(WRITERS)]
    # The writers write until ``stop`` appears (if the test fails first, the fixture kills
    # them; their own hour is only a last bound).
    stop = tmp_path / "stop"
    procs = [
        spawn_worker("crash", store_path, 100 + n, ack, 3600, stop) for n, ack in enumerate(acks)
    ]
    # The backup starts mid-stream: every writer has committed changes and goes on.
    wait_until(lambda: all(acknowledged(a) >= WARMED for a in acks), "each wrote its first", procs)
    before = [acknowledged(a) for a in acks]
    committed = query(store_path, "SELECT max(id) FROM event")[0][0]
    dest = tmp_path / "backups" / "copy.db"
    dest.parent.mkdir()
    began = time.monotonic()
    result = cli(store_path, "backup", str(dest))
    took = time.monotonic() - began
    assert result.returncode == 0, result.stdout + result.stderr
    # ... and every writer was still writing when it finished: each commits another change
    # after the backup returned, so the backup ran wholly inside all three streams. (Waited
    # for, not timed: on a loaded machine the writers may be slow, never wrongly absent.)
    after = [acknowledged(a) for a in acks]
    wait_until(
        lambda: all(acknowledged(a) > n for a, n in zip(acks, after, strict=True)),
        "each wrote again after the backup",
        procs,
    )
    stop.touch()
    for proc in procs:
        _, stderr = proc.communicate(timeout=120)
        assert proc.returncode == 0, f"a writer failed beside the backup:\n{stderr.decode()}"

    # The copy: sound, verified, and a prefix of the live chain at least as long as
    # what was committed before the backup began.
    assert integrity(dest) == "ok"
    report = chain(dest)
    assert report.ok, report.describe()
    assert report.events >= committed
    live = query(store_path, "SELECT id, hash FROM event WHERE id <= ? ORDER BY id", report.events)
    assert query(dest, "SELECT id, hash FROM event ORDER BY id") == live
    assert not list(dest.parent.glob("*.partial"))
    final = query(store_path, "SELECT max(id) FROM event")[0][0]
    assert chain(store_path).ok

    # The README's restore: move the damaged store and its -wal/-shm aside, copy the
    # backup into its place, and doctor passes.
    data = bytearray(store_path.read_bytes())
    data[100:4096] = os.urandom(3996)
    store_path.write_bytes(bytes(data))
    damaged = cli(store_path, "doctor")
    assert damaged.returncode == 1 and "Traceback" not in damaged.stderr, damaged.stderr
    assert "FAIL" in damaged.stdout
    aside = tmp_path / "damaged"
    aside.mkdir()
    for suffix in ("", "-wal", "-shm"):
        side = store_path.with_name(store_path.name + suffix)
        if side.exists():
            shutil.move(side, aside / side.name)
    shutil.copyfile(dest, store_path)
    store_path.chmod(0o600)  # the README's restore: the copy is private again
    restored = cli(store_path, "doctor")
    assert restored.returncode == 0, restored.stdout + restored.stderr
    for finding in (
        "SQLite library",
        "journal mode: wal",
        "integrity: ok",
        "audit chain",
        "permissions",
        "free disk",
    ):
        assert finding in restored.stdout, f"doctor does not report {finding!r}:\n{restored.stdout}"
    assert f"audit chain intact: {report.events} events verified" in restored.stdout
    assert cli(store_path, "queue").returncode == 0
    record_figures(
        "backup_while_writing",
        {
            "writer_processes": WRITERS,
            "events_committed_before_backup": committed,
            "events_in_backup": report.events,
            "events_at_end": final,
            "changes_acknowledged_during_backup": sum(after) - sum(before),
            "backup_seconds": round(took, 2),
            "doctor_after_restore": restored.stdout.splitlines(),
        },
    )


# --- doctor ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("version", "safe"),
    [
        ("3.40.1", False),
        ("3.51.2", False),
        ("3.9.9", False),
        ("3.51", False),
        ("3.51.3", True),
        ("3.51.10", True),
        ("3.52.0", True),
        ("3.100.0", True),
        ("4.0.0", True),
    ],
)
def test_doctor_warns_about_an_sqlite_before_3_51_3(version: str, safe: bool) -> None:
    finding = sqlite_library_finding(version)
    assert finding.value == f"{version} via {DRIVER}"
    assert finding.ok is safe
    if not safe:
        assert "3.51.3" in finding.advice and "WAL" in finding.advice
        assert finding.serious is False  # a warning: doctor still passes
        report = DoctorReport([finding])
        assert report.ok


def test_doctor_reports_this_python_s_sqlite(store_path: Path) -> None:
    result = cli(store_path, "doctor")
    assert result.returncode == 0, result.stdout + result.stderr
    line = next(x for x in result.stdout.splitlines() if "SQLite library" in x)
    assert f"{sqlite3.sqlite_version} via {DRIVER}" in line
    old = tuple(int(p) for p in sqlite3.sqlite_version.split(".")) < (3, 51, 3)
    assert line.startswith("WARN" if old else "ok"), line
