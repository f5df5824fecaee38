"""Backups and health checks of a SQLite store.

A backup uses SQLite's online backup API, which copies a consistent snapshot
while other people keep writing. ``doctor`` reports what an administrator
needs to know before trusting a shared store.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection

from panel_tui.rules.errors import StoreError
from panel_tui.store.audit import verify_chain
from panel_tui.store.db import Store
from panel_tui.store.migrate import HEAD, sqlite_revision
from panel_tui.store.private_files import (
    mode_beside,
    reserve_backup,
)
from panel_tui.store.rebuild.verify import check_records
from panel_tui.store.sqlite_driver import DRIVER, is_safe, sqlite


def backup(store: Store, dest: Path | None = None, *, as_directory: bool = False) -> Path:
    """Copy the store to ``dest`` (default: beside it, timestamped); safe while others write.

    ``dest`` may be a directory; one that does not exist yet is made (0700) when
    ``as_directory`` (the user wrote ``DIR/``). The copy is owner-only, or
    group-readable where the store itself is group-shared, whatever the umask.
    """
    if store.path is None:
        raise StoreError("backup copies SQLite stores; use your database's own tools for others")
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    named = f"{store.path.stem}-{stamp}.backup.db"
    dest = reserve_backup(
        dest if dest is not None else store.path.with_name(named),
        named,
        as_directory=as_directory,
        mode=mode_beside(store.path),
        not_onto=store.path,
    )
    partial = dest.with_name(dest.name + ".partial")
    source = sqlite.connect(store.path, timeout=10)
    try:
        target = sqlite.connect(partial)
        try:
            # Copy in steps so writers get the lock between them.
            source.backup(target, pages=1024, sleep=0.005)
            check = target.execute("PRAGMA integrity_check").fetchone()[0]
        except sqlite.DatabaseError as exc:  # a damaged store, a full disk: say so
            check = str(exc)
        finally:
            target.close()
    finally:
        source.close()
    if check != "ok":
        partial.unlink(missing_ok=True)
        raise StoreError(f"the backup did not pass its integrity check ({check}); nothing kept")
    partial.replace(dest)
    return dest


@dataclass
class Finding:
    name: str
    value: str
    ok: bool = True
    advice: str = ""
    #: a serious finding makes `doctor` exit non-zero; others are warnings
    serious: bool = True


@dataclass
class DoctorReport:
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(f.ok or not f.serious for f in self.findings)

    def add(
        self, name: str, value: str, ok: bool = True, advice: str = "", serious: bool = True
    ) -> None:
        self.findings.append(Finding(name, value, ok, advice, serious))

    def add_revision(self, revision: str | None, behind: str) -> None:
        """The store's schema revision against this panel-tui's; ``behind`` says what to do."""
        current = revision == HEAD
        self.add(
            "schema",
            f"revision {revision} (this panel-tui: {HEAD})",
            current,
            "" if current else behind,
        )


#: The triggers migration 0001 puts on the event table, as SQLite keeps their text.
EVENT_GUARDS = {
    f"event_no_{verb.lower()}": (
        f"CREATE TRIGGER event_no_{verb.lower()} BEFORE {verb} ON event BEGIN SELECT "
        "RAISE(ABORT, 'events are append-only: the audit trail cannot be changed or deleted'); "
        "END"
    )
    for verb in ("UPDATE", "DELETE")
}


def event_guard_finding(conn: sqlite.Connection, path: Path) -> Finding:
    """The event table's append-only triggers are there, unchanged.

    Whoever can write the file can drop them, and then edit or delete events with
    any SQLite tool; the chain still names an edit, but a trigger gone or emptied
    is itself the mark of someone preparing one, so it is named before anything else.
    """
    stored = dict(
        conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'event'"
        ).fetchall()
    )
    wrong = [
        name
        for name, sql in EVENT_GUARDS.items()
        if " ".join(str(stored.get(name) or "").split()) != sql
    ]
    if not wrong:
        return Finding("append-only events", "UPDATE and DELETE on events refused by triggers")
    statements = " ".join(f"DROP TRIGGER IF EXISTS {name}; {EVENT_GUARDS[name]};" for name in wrong)
    return Finding(
        "append-only events",
        f"trigger {', '.join(wrong)} missing or changed: the audit trail can be rewritten",
        False,
        f'fix: sqlite3 {path} "{statements}" (someone who can write the file removed it: '
        "compare `panel-tui audit verify --expect-head` with a head recorded outside the store)",
    )


def chain_findings(report: DoctorReport, connection: Connection) -> None:
    """The audit chain and the records rebuilt from the events (SQLite or PostgreSQL)."""
    chain = verify_chain(connection)
    records = check_records(connection)
    report.add(
        "audit chain",
        chain.describe(),
        chain.ok,
        "" if chain.ok else "the audit trail was altered outside panel-tui",
    )
    lines = records.describe()
    first = [f"first: {records.findings[0].describe()}"] if records.findings else []
    unproven = lines[-1:] if records.unproven else []
    report.add(
        "records",
        "; ".join([lines[0].removeprefix("records: ")] + first + unproven),
        records.ok,
        ""
        if records.ok
        else "the tables were edited outside panel-tui: `panel-tui audit verify` names "
        "every difference",
    )


def sqlite_library_finding(version: str = sqlite.sqlite_version) -> Finding:
    """Which SQLite every connection uses, and through which driver (sqlite_driver)."""
    value = f"{version} via {DRIVER}"
    if is_safe(version):
        return Finding("SQLite library", value)
    return Finding(
        "SQLite library",
        value,
        ok=False,
        advice="older than 3.51.3, which fixed a WAL race that can corrupt a store written by "
        "several processes at once. pysqlite3 bundles a newer SQLite but has no wheel for this "
        "platform or Python (Linux x86_64 and macOS arm64, CPython 3.11-3.14): for a shared "
        "store, run panel-tui there, or on a Python whose sqlite3 links SQLite 3.51.3 or newer.",
        serious=False,
    )


def doctor(path: Path) -> DoctorReport:
    """Check a store file without changing it: read-only opens throughout."""
    report = DoctorReport()
    report.findings.append(sqlite_library_finding())
    if not path.exists():
        report.add("store", str(path), False, "no such file")
        return report
    report.add("store", str(path))
    try:
        revision = sqlite_revision(path)
    except StoreError as exc:
        report.add("schema", "unreadable", False, str(exc))
        return report
    report.add_revision(revision, "the store will be migrated (after a backup) when opened")
    conn = sqlite.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
    try:
        mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
        report.add("journal mode", mode, mode == "wal", "" if mode == "wal" else "expected WAL")
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        report.add(
            "integrity",
            integrity,
            integrity == "ok",
            "" if integrity == "ok" else "restore from a backup",
        )
        if integrity == "ok":
            report.findings.append(event_guard_finding(conn, path))
    except sqlite.DatabaseError as exc:
        report.add("integrity", str(exc), False, "restore from a backup")
        return report
    finally:
        conn.close()
    if integrity != "ok":
        # The chain and the records cannot be read reliably from a damaged file.
        report.add("audit chain", "not checked: the file is damaged", False, "restore a backup")
        return report
    from sqlalchemy import create_engine

    engine = create_engine(f"sqlite:///file:{path}?mode=ro&uri=true", module=sqlite)
    try:
        with engine.connect() as connection:
            chain_findings(report, connection)
    finally:
        engine.dispose()
    from panel_tui.site import load_site_config
    from panel_tui.store.sharing_checks import sharing_findings

    report.findings += sharing_findings(path, load_site_config())
    free = shutil.disk_usage(path.parent).free
    size = path.stat().st_size
    low = free < max(100 * 1024 * 1024, 2 * size)
    report.add(
        "free disk",
        f"{free / 1024 / 1024:.0f} MiB free; store {size / 1024 / 1024:.1f} MiB",
        not low,
        "less than twice the store or 100 MiB free: migrations and backups may fail" if low else "",
        serious=False,
    )
    return report
