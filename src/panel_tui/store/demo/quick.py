"""The demo in a second: a small demo store written with the standard library alone.

``build_demo`` writes the demo's disputes through the Ledger: some 430
operations through the ORM, several seconds before the app can open, plus a
second of SQLAlchemy imports. ``build_quick`` writes the same store (same
seed, same instant: the same rows and events, with hashes chained the same
way) straight through ``sqlite3``: the schema from ``schema.sql``, the
agencies and people as ``Admin`` adds them, and the disputes' rows and events
from ``rows.LedgerOrder``, which walks every plan's steps in the order the
Ledger applies them. Tests hold its store equal to the Ledger's, table by
table and event by event, and ``audit verify`` passes on it. The app then
opens it as any store (its quick first paint), and the ORM loads after that.

Only for a new SQLite file of at most ``BULK_THRESHOLD`` disputes (bigger
demos go through ``build_demo``'s bulk path).
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from panel_tui.rules.clocks import utc
from panel_tui.rules.errors import StoreError
from panel_tui.rules.policy import parse_policy
from panel_tui.rules.policy_text import demo_policy_text
from panel_tui.store.constants import KIND_KEY, POLICY_KEY, STORE_ID_KEY
from panel_tui.store.demo import schema
from panel_tui.store.demo.history import base_plans
from panel_tui.store.demo.plan import Plan
from panel_tui.store.demo.planner import Planner
from panel_tui.store.demo.rows import (
    BULK_TABLES,
    REF_HOLE_JSON,
    BulkContext,
    EventChain,
    LedgerOrder,
)
from panel_tui.store.demo.texts import ADMIN_LOGIN, DEMO_AGENCIES, DEMO_PEOPLE
from panel_tui.store.event_hash import GENESIS, canonical
from panel_tui.store.files import refuse_network_filesystem
from panel_tui.store.identity import os_login
from panel_tui.store.migrate import HEAD
from panel_tui.store.private_files import reserve_private
from panel_tui.store.sqlite_driver import sqlite

#: The most disputes the quick path writes (``build.BULK_THRESHOLD``: more go in bulk).
QUICK_MAX = 1000
#: Tables with ids the dispute rows take, each counted from 1 in a new store.
_ID_TABLES = tuple(t for t in BULK_TABLES if t not in ("dispute", "disputeagency", "event"))


def build_quick(
    path: Path, *, disputes: int = 60, seed: int = 7, now: datetime | None = None
) -> None:
    """Create a new demo store at ``path`` as ``build_demo`` would, without the ORM."""
    if not 0 <= disputes <= QUICK_MAX:
        raise ValueError(f"the quick demo writes at most {QUICK_MAX} disputes")
    now = utc(now) if now is not None else datetime.now(UTC)
    if path.exists():
        raise StoreError(
            f"{path} already exists: the demo builds a new store. "
            "Delete it first (or use `panel-tui demo --force`)."
        )
    policy_text = demo_policy_text()
    planner = Planner(random.Random(seed), parse_policy(policy_text, source="the demo policy"), now)
    plans = base_plans(planner, disputes)
    founded = min((p.steps[0].at for p in plans), default=now) - timedelta(days=1)
    path.parent.mkdir(parents=True, exist_ok=True)
    refuse_network_filesystem(path)  # before the file exists: leave nothing there
    try:
        conn = _create(path)
        try:
            _Writer(conn, policy_text, founded).write(plans, now)
            conn.execute("COMMIT")  # one sync for the whole store
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the WAL folded into the file
        finally:
            conn.close()
    except BaseException:
        for suffix in ("", "-wal", "-shm"):
            path.with_name(path.name + suffix).unlink(missing_ok=True)
        raise


def _create(path: Path) -> Any:
    """A connection to a new, empty store at ``path`` (owner-only) in a write transaction:
    made from ``schema.sql`` if it was written at this release's revision, else through
    the migrations (slower, the same store)."""
    script = schema.shipped()
    if schema.revision_of(script) == HEAD:
        reserve_private(path)  # its -wal and -shm take the same mode
        script = f"BEGIN IMMEDIATE;\n{script}"
    else:
        from panel_tui.store.db import Store

        Store.open(str(path), create=True).close()
        script = "BEGIN IMMEDIATE;"
    conn = sqlite.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.executescript(script)  # the transaction stays open for the rows
    except BaseException:
        conn.close()
        raise
    return conn


class _Writer:
    """The demo's rows and events, into one write transaction on ``conn``."""

    def __init__(self, conn: Any, policy_text: str, founded: datetime) -> None:
        self.conn, self.policy_text, self.founded = conn, policy_text, founded
        self.chain = EventChain(0, GENESIS, os_login())
        self.columns = {
            table: [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]
            for table in (*BULK_TABLES, "agency", "person", "setting")
        }

    def insert(self, table: str, rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        names = self.columns[table]
        marks = ", ".join("?" * len(names))
        sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})"  # noqa: S608
        self.conn.executemany(sql, rows)

    def row(self, table: str, **values: Any) -> dict[str, Any]:
        """A row in table-column order (unnamed columns None)."""
        return {name: values.get(name) for name in self.columns[table]}

    def event(self, at: datetime, actor: str, action: str, after: dict, written: dict) -> None:
        """An administrative event (no dispute), as ``Admin`` appends it."""
        rows_text = canonical(written) if written else ""
        link = self.chain.link(
            at, actor, action, (None, None, None), canonical({}), canonical(after), rows_text
        )
        self.insert("event", [link])

    def write(self, plans: list[Plan], now: datetime) -> None:
        people, agencies = self._admin()
        context = BulkContext(self.policy_text, now, people, agencies, self.columns)
        ids = dict.fromkeys(_ID_TABLES, 1)
        batch = LedgerOrder(context, 1, ids).replay(plans)
        counters: dict[int, int] = {}
        refs = []
        for year in batch.years:  # Ledger.next_ref: a counter per year, from 1 in a new store
            counters[year] = counters.get(year, 0) + 1
            refs.append(f"D-{year}-{counters[year]:04d}")
        at_ref = self.columns["dispute"].index("ref")
        rows = dict(batch.rows)
        rows["dispute"] = [
            (*row[:at_ref], ref, *row[at_ref + 1 :])
            for row, ref in zip(rows["dispute"], refs, strict=True)
        ]
        events = []
        for at, actor, action, dispute_id, stage, before, after, written in batch.events:
            ref = refs[dispute_id - 1]
            if action == "open":  # the dispute row it made, with its ref
                written = written.replace(REF_HOLE_JSON, canonical(ref), 1)
            dispute = (dispute_id, ref, stage)
            events.append(self.chain.link(at, actor, action, dispute, before, after, written))
        for table in BULK_TABLES:
            self.insert(table, events if table == "event" else rows[table])
        self.insert("setting", [(f"ref_seq:{year}", str(n)) for year, n in counters.items()])

    def _admin(self) -> tuple[dict[str, tuple[int, tuple[str, ...]]], dict[str, int]]:
        """``init_store``, then ``Admin.add_agency`` and ``add_person`` for each of the
        demo's: their rows and events. The people (login → id, roles) and agencies."""
        founded = self.founded
        store_id = uuid.uuid4().hex
        admin = self.row(
            "person",
            id=1,
            login=ADMIN_LOGIN,
            display_name="Demo Administrator",
            roles="admin",
            active=1,
            version=1,
        )
        settings = {KIND_KEY: "demo", STORE_ID_KEY: store_id, POLICY_KEY: self.policy_text}
        self.insert("setting", list(settings.items()))
        self.insert("person", [tuple(admin.values())])
        covered = sorted((POLICY_KEY, KIND_KEY))  # store_id is not under the chain
        written = {
            "person": [["i", [1], admin]],
            "setting": [["i", [k], {"key": k, "value": settings[k]}] for k in covered],
        }
        after = {"kind": "demo", "store_id": store_id, "admin": ADMIN_LOGIN, "policy": "custom"}
        self.event(founded, ADMIN_LOGIN, "init", after, written)
        agencies: dict[str, int] = {}
        for n, (code, name, kind) in enumerate(DEMO_AGENCIES, 1):
            agency = self.row("agency", id=n, code=code, name=name, kind=kind, version=1)
            agencies[code] = n
            self.insert("agency", [tuple(agency.values())])
            said = {"code": code, "name": name, "kind": kind}
            at = founded + timedelta(minutes=n)
            self.event(at, ADMIN_LOGIN, "add_agency", said, {"agency": [["i", [n], agency]]})
        people: dict[str, tuple[int, tuple[str, ...]]] = {}
        for n, (login, display, roles, team) in enumerate(DEMO_PEOPLE, 2):
            person = self.row(
                "person",
                id=n,
                login=login,
                display_name=display,
                agency_id=agencies[team] if team else None,
                roles=" ".join(roles),
                active=1,
                version=1,
            )
            people[login] = (n, tuple(roles))
            self.insert("person", [tuple(person.values())])
            added = {"login": login, "roles": list(roles), "agency": team}
            at = founded + timedelta(hours=1, minutes=n - 1)
            self.event(at, ADMIN_LOGIN, "add_person", added, {"person": [["i", [n], person]]})
        return people, agencies
