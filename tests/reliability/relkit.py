"""Shared kit of the reliability suite: build stores, inspect them, record figures.

Imported by the tests (as ``reliability.relkit``) and by ``worker.py``, which
runs in its own process. Inspection goes through the sqlite3 module (psycopg for
a PostgreSQL store's URL: tests/backends.py), not the code under test, except
where the store's own verifier is the thing checked.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from dispute_forms import valid_form  # noqa: F401  # re-exported for the worker script
from role_store import ADMIN, ROLES, T0  # noqa: F401  # re-exported for the tests
from role_store import build_role_store as build_store  # noqa: F401

from panel_tui.store.audit import GENESIS, event_hash
from panel_tui.store.sqlite_driver import sqlite as sqlite3

if TYPE_CHECKING:
    from panel_tui.store.rebuild.verify import RecordsReport

T = TypeVar("T")

FIGURES_ENV = "PANEL_TUI_RELIABILITY_OUT"

#: Every acknowledged change carries a token into a text field of its row and its event.
TOKEN = re.compile(r"tok-[0-9a-z]+-[0-9]+")

#: Where each operation leaves its token in the domain tables.
TOKEN_COLUMNS = {
    "note": ("note", "text"),
    "contactattempt": ("contactattempt", "note"),
    "interimcover": ("interimcover", "support_level"),
    "stagerecord": ("stagerecord", "escalation_note"),
    "decision": ("decision", "rationale"),
    "dispute": ("dispute", "problem_statement"),
    "provisionalpackage": ("provisionalpackage", "actions"),
    "acceptance": ("acceptance", "start_plan"),
}


def connect(path: Path, *, readonly: bool = True) -> sqlite3.Connection:
    uri = f"file:{path}?mode=ro" if readonly else f"file:{path}"
    return sqlite3.connect(uri, uri=True, timeout=30)


def query(path: Path | str, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    """``sql`` (``?`` marks) on the store; a PostgreSQL store's times read back as SQLite
    keeps them (tests/backends.py), so a test compares one form on both."""
    if "://" in str(path):
        import backends

        return list(backends.pg_query(backends.database_of(str(path)), sql, *args))
    conn = connect(Path(path))
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def integrity(path: Path) -> str:
    try:
        return str(query(path, "PRAGMA integrity_check")[0][0])
    except sqlite3.DatabaseError as exc:
        return f"unreadable: {exc}"


def _read_only(path: Path | str, check: Callable[[Any], T]) -> T:
    """``check`` of the store's own, over a read-only SQLAlchemy connection to ``path``
    (on PostgreSQL: the store's own read engine, one read-only snapshot)."""
    from sqlalchemy import create_engine

    if "://" in str(path):
        from panel_tui.store.engine import make_engine, read_engine

        engine = make_engine(str(path))
        try:
            with read_engine(engine).connect() as connection, connection.begin():
                return check(connection)
        finally:
            engine.dispose()
    engine = create_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
    try:
        with engine.connect() as connection:
            return check(connection)
    finally:
        engine.dispose()


def chain(path: Path | str) -> Any:
    """The store's own chain verifier, over a read-only connection."""
    from panel_tui.store.audit import verify_chain

    return _read_only(path, verify_chain)


def records(path: Path) -> RecordsReport:
    """The store's own record check (every covered table rebuilt from the events)."""
    from panel_tui.store.rebuild.verify import check_records

    return _read_only(path, check_records)


def rich_store_in(directory: Path, name: str) -> Path:
    """A store holding every kind of record (reliability/richstore.py), built at ``name``."""
    from reliability.richstore import build_rich_store

    path = directory / name
    build_store(path)
    build_rich_store(path)
    return path


def copy_of(base: Path, path: Path) -> Path:
    """A fresh copy of a store built once per module, for one test to change."""
    shutil.copyfile(base, path)
    return path


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def event_tokens(path: Path | str) -> dict[str, tuple[int, str]]:
    """token → (event id, action) for every non-refused event carrying a token."""
    found: dict[str, tuple[int, str]] = {}
    for id_, action, after in query(
        path, "SELECT id, action, after FROM event WHERE action != 'refused' ORDER BY id"
    ):
        for token in TOKEN.findall(after):
            found.setdefault(token, (id_, action))
    return found


def row_tokens(path: Path | str) -> dict[str, str]:
    """token → table for every domain row carrying a token."""
    found: dict[str, str] = {}
    for table, column in TOKEN_COLUMNS.values():
        for (value,) in query(path, f'SELECT "{column}" FROM "{table}"'):
            for token in TOKEN.findall(value or ""):
                found.setdefault(token, table)
    return found


def counts(path: Path | str, tables: Iterable[str] = ("dispute", "event")) -> dict[str, int]:
    return {t: query(path, f'SELECT count(*) FROM "{t}"')[0][0] for t in tables}


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    rows = []
    for line in path.read_text().splitlines():
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError:
            break  # a line cut by SIGKILL before its fsync: it was not acknowledged
    return rows


# --- figures for docs/RELIABILITY.md ----------------------------------------------------
def record_figures(section: str, figures: dict[str, Any]) -> None:
    """Merge this test's figures into the JSON file named by $PANEL_TUI_RELIABILITY_OUT."""
    target = os.environ.get(FIGURES_ENV)
    if not target:
        return
    path = Path(target)
    data = json.loads(path.read_text()) if path.exists() else {}
    data[section] = figures
    path.write_text(json.dumps(data, indent=2, sort_keys=True, default=str) + "\n")


def as_written_by_0003(path: Path) -> None:
    """Rewrite a current store as schema 0003 had it: events without rows or real_actor,
    disputes and packages without what reviews added, none of 0009's and 0010's indexes,
    none of 0011's plan, synchronisation, consent or impact records, nor 0014's text index."""
    conn = sqlite3.connect(path)
    try:
        guards = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'event'"
        ).fetchall()
        with conn:
            for name, _ in guards:
                conn.execute(f'DROP TRIGGER "{name}"')
            # What 0014 added (the live disputes' text index): its triggers, then the table.
            for trigger in ("insert", "delete", "update"):
                conn.execute(f"DROP TRIGGER IF EXISTS live_text_{trigger}")
            conn.execute("DROP TABLE IF EXISTS live_text")
            prev = GENESIS
            events = conn.execute(
                "SELECT id, at, actor, action, dispute_id, dispute_ref, stage, before, after "
                "FROM event ORDER BY id"
            ).fetchall()
            for id_, at, actor, action, dispute_id, ref, stage, before, after in events:
                digest = event_hash(
                    id=id_,
                    at=datetime.fromisoformat(at).replace(tzinfo=UTC),
                    actor=actor,
                    action=action,
                    dispute_id=dispute_id,
                    dispute_ref=ref,
                    stage=stage,
                    before=before,
                    after=after,
                    prev_hash=prev,
                )
                conn.execute(
                    "UPDATE event SET prev_hash = ?, hash = ? WHERE id = ?", (prev, digest, id_)
                )
                prev = digest
            conn.execute("ALTER TABLE event DROP COLUMN rows")
            # What 0005 added (shift start): its tables and the index of events by time.
            for table in ("seenmark", "alertsent"):
                conn.execute(f"DROP TABLE IF EXISTS {table}")
            conn.execute("DROP INDEX IF EXISTS ix_event_at")
            conn.execute("DROP INDEX IF EXISTS ix_event_action_at")  # what 0010 added
            conn.execute("ALTER TABLE event DROP COLUMN real_actor")  # what 0006 added
            # What 0008 added (reviews, a package's next step): the index before its column.
            conn.execute("DROP INDEX IF EXISTS ix_dispute_review_due")
            conn.execute("ALTER TABLE dispute DROP COLUMN review_due_on")
            conn.execute("ALTER TABLE provisionalpackage DROP COLUMN closed_at")
            conn.execute("ALTER TABLE provisionalpackage DROP COLUMN pathway")
            for index in (  # what 0009 added (the queue sections' order indexes)
                "ix_dispute_live_order",
                "ix_dispute_closed_order",
                "ix_dispute_plan_holder",
                "ix_dispute_opened_by",
            ):
                conn.execute(f"DROP INDEX IF EXISTS {index}")
            # What 0011 added (plan holder's period, syncs, consent scope, impact).
            for table in ("casesync", "consentscope"):
                conn.execute(f"DROP TABLE IF EXISTS {table}")
            conn.execute("ALTER TABLE stagerecord DROP COLUMN impact")
            conn.execute("ALTER TABLE planholderassignment DROP COLUMN period_ends")
            conn.execute("ALTER TABLE planholderassignment DROP COLUMN next_sync_due")
            for _, sql in guards:
                conn.execute(sql)
            conn.execute("UPDATE alembic_version SET version_num = '0003'")
    finally:
        conn.close()
