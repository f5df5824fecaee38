"""The demo's entry point: a new store, its agencies and people, then the disputes.

``build_demo`` refuses to replace an existing file, creates the store with a
policy that allows ``--as LOGIN``, adds the demo agencies and people, writes the
first disputes through the Ledger and, for big demos, the rest in bulk; on any
failure it removes the half-built store.
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from panel_tui.rules.clocks import utc
from panel_tui.rules.errors import StoreError
from panel_tui.rules.policy import parse_policy
from panel_tui.rules.policy_text import demo_policy_text
from panel_tui.store import postgres
from panel_tui.store.db import Store
from panel_tui.store.demo.bulk import run_bulk
from panel_tui.store.demo.history import base_plans, run_ledger
from panel_tui.store.demo.plan import Plan
from panel_tui.store.demo.planner import Planner
from panel_tui.store.demo.texts import ADMIN_LOGIN, DEMO_AGENCIES, DEMO_PEOPLE
from panel_tui.store.engine import (
    bulk_loading,
    refresh_statistics,
    sqlite_path,
    to_url,
    unsynced,
)
from panel_tui.store.ledger.admin import Admin, init_store

#: Disputes written through the Ledger before the bulk path takes over.
BASE_DISPUTES = 60
BULK_THRESHOLD = 1000
__all__ = ["BASE_DISPUTES", "BULK_THRESHOLD", "build_demo", "demo_policy_text"]


def build_demo(
    target: str,
    *,
    disputes: int = BASE_DISPUTES,
    seed: int = 7,
    now: datetime | None = None,
    progress: Callable[[str], None] | None = None,
) -> Store:
    """Create a new demo store at ``target`` (a path or URL) and fill it from ``seed``."""
    say = progress or (lambda _message: None)
    now = utc(now) if now is not None else datetime.now(UTC)
    path = sqlite_path(to_url(target))
    if path is not None and path.exists():
        raise StoreError(
            f"{path} already exists: the demo builds a new store. "
            "Delete it first (or use `panel-tui demo --force`)."
        )
    bulk = disputes > BULK_THRESHOLD
    on_postgres = postgres.is_postgres(target)
    if bulk and path is None and not on_postgres:
        raise StoreError(
            f"a demo of more than {BULK_THRESHOLD:,} disputes is written in bulk to a SQLite "
            "file or a PostgreSQL store: give a file path or a URL."
        )
    policy_text = demo_policy_text()
    rng = random.Random(seed)
    planner = Planner(rng, parse_policy(policy_text, source="the demo policy"), now)
    plans = base_plans(planner, min(disputes, BASE_DISPUTES) if bulk else disputes)
    earliest = min((p.steps[0].at for p in plans), default=now)
    if bulk:
        earliest = min(earliest, now - timedelta(days=731))
    founded = earliest - timedelta(days=1)
    say(f"creating the demo store at {path or postgres.redacted(target)}")
    # A bulk build writes its file with no journal for minutes: killed on the way, it would
    # leave a broken store at the name the user opens. It is built under a name of its own
    # and given the user's only when whole.
    building = building_name(path) if bulk and path is not None else None
    if building is not None:
        _remove(building)  # a build killed before this one
    store = init_store(
        str(building) if building is not None else target,
        ADMIN_LOGIN,
        "Demo Administrator",
        kind="demo",
        policy_text=policy_text,
        at=founded,
    )
    try:
        with unsynced(store.engine):  # a new file: one sync at the end (engine.unsynced)
            _fill(store, plans, bulk, (disputes, seed), planner, policy_text, founded, say)
    except BaseException:
        store.close()
        for built in (path, building):
            if built is not None:
                _remove(built)
        if on_postgres:  # the half-built demo's schema (bulk chunks are committed one by one)
            from panel_tui.store.demo.pg_target import clear_demo

            # The build's own error is the one to report; a server gone away leaves a demo
            # store that `demo --rebuild` clears.
            with contextlib.suppress(Exception):
                clear_demo(store.url)
        raise
    if building is not None and path is not None:
        store.close()
        for suffix in ("-wal", "-shm", ""):  # the file last: the name the user opens
            part = building.with_name(building.name + suffix)
            if part.exists():
                part.replace(path.with_name(path.name + suffix))
        store = Store.open(target)
    say("demo store ready")
    return store


def building_name(path: Path) -> Path:
    """Where a bulk demo for ``path`` is written until it is whole."""
    return path.with_name(f".{path.name}.building")


def _remove(path: Path) -> None:
    """A SQLite file and the WAL and shared memory beside it."""
    for suffix in ("", "-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


def _fill(
    store: Store,
    plans: list[Plan],
    bulk: bool,
    size: tuple[int, int],
    planner: Planner,
    policy_text: str,
    founded: datetime,
    say: Callable[[str], None],
) -> None:
    """The demo's agencies, people and disputes, into the new store."""
    disputes, seed = size
    admin = Admin(store, ADMIN_LOGIN)
    for n, (code, name, kind) in enumerate(DEMO_AGENCIES, 1):
        admin.add_agency(code, name, kind, at=founded + timedelta(minutes=n))
    for n, (login, display, roles, agency) in enumerate(DEMO_PEOPLE, 1):
        admin.add_person(login, display, roles, agency, at=founded + timedelta(hours=1, minutes=n))
    say(f"writing {len(plans)} disputes through the ledger")
    run_ledger(store, plans, say)
    if bulk:
        rest = disputes - len(plans)
        base_live = sum(
            1 for p in plans if not any(s.kind in ("accept", "withdraw") for s in p.steps)
        )
        live = min(rest, max(round(disputes * 0.05) - base_live, 20))
        say(f"bulk: adding {rest:,} disputes")
        with bulk_loading(store.engine):
            run_bulk(store, planner, seed, policy_text, (rest, live), say)
        refresh_statistics(store.engine)
