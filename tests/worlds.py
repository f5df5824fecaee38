"""A World: a real store at an explicit instant, with helpers to act on it and inspect it.

``tests/store/conftest.py`` gives each test a World on a copy of the base store
(schema, agencies, one person per role); ``world_copy`` and ``built_once`` let a
module build a bigger situation once and copy it for each test.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import backends
import pytest
from dispute_forms import valid_form
from role_store import ADMIN, T0

from panel_tui.rules.errors import (
    DomainError,
    InvalidInputError,
    NotFoundError,
    RightsError,
    StaleWriteError,
    TransitionError,
)
from panel_tui.store.db import Store
from panel_tui.store.ledger import Ledger
from panel_tui.store.ledger.admin import Admin
from panel_tui.store.sqlite_driver import sqlite as sqlite3

#: Refusals by a rule leave one "refused" event; bad input and unknown records none.
RULE_REFUSALS = (RightsError, TransitionError, StaleWriteError)
SILENT_REFUSALS = (InvalidInputError, NotFoundError)


@dataclass
class World:
    """A store with agencies and people, its clock, and helpers to drive and inspect it."""

    store: Store
    #: The store's SQLite file, or on a PostgreSQL run its URL (tests/backends.py).
    path: Path | str
    now: datetime = T0
    _ledgers: dict[str, Ledger] = field(default_factory=dict)

    # --- acting -------------------------------------------------------------
    def ledger(self, login: str) -> Ledger:
        if login not in self._ledgers:
            self._ledgers[login] = Ledger(self.store, login, clock=lambda: self.now)
        return self._ledgers[login]

    def admin(self, login: str = ADMIN) -> Admin:
        return Admin(self.store, login, clock=lambda: self.now)

    def advance(self, **delta: float) -> datetime:
        self.now = self.now + timedelta(**delta)
        return self.now

    T0 = T0

    @staticmethod
    def form(**changes: Any) -> dict[str, Any]:
        return valid_form(**changes)

    def open(self, login: str = "duty_lead", **changes: Any) -> str:
        return self.ledger(login).open_dispute(valid_form(**changes))

    def review(self, days: int = 30) -> date:
        return (self.now + timedelta(days=days)).date()

    def to_stage(self, ref: str, stage: int, login: str = "supervisor") -> None:
        """Escalate ``ref`` up to ``stage`` now (before any clock breaches)."""
        while self.dispute(ref)["current_stage"] < stage:
            self.ledger(login).escalate(
                ref, "moving up", impact="the person waits without agreed support"
            )

    def decided(self, ref: str) -> None:
        self.ledger("supervisor").record_decision(
            ref, "assigned", "MCO has the contract for this", self.review(), receiving_agency="MCO"
        )

    # --- inspecting (raw sqlite3 or psycopg: independent of the code under test) ----
    def sql(self, query: str, *args: Any) -> list[sqlite3.Row]:
        if isinstance(self.path, str):
            return backends.pg_query(backends.database_of(self.path), query, *args)  # type: ignore[return-value]
        conn = sqlite3.connect(self.path)
        conn.row_factory = sqlite3.Row
        try:
            return conn.execute(query, args).fetchall()
        finally:
            conn.close()

    def dispute(self, ref: str) -> dict[str, Any]:
        rows = self.sql("SELECT * FROM dispute WHERE ref = ?", ref)
        assert rows, f"no dispute {ref}"
        return dict(rows[0])

    def events(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self.sql("SELECT * FROM event ORDER BY id")]

    def last_event(self) -> dict[str, Any]:
        event = self.events()[-1]
        event["before"] = json.loads(event["before"])
        event["after"] = json.loads(event["after"])
        return event

    def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of every table except the event log."""
        if isinstance(self.path, str):  # PostgreSQL: rows in no particular order, so sorted
            tables = [
                r[0]
                for r in self.sql(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = "
                    "'panel_tui' AND table_name NOT IN ('event', 'panel_tui_version')"
                )
            ]
            return {
                t: sorted((tuple(r) for r in self.sql(f'SELECT * FROM "{t}"')), key=repr)
                for t in tables
            }
        tables = [
            r["name"]
            for r in self.sql(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT IN ('event', 'alembic_version') AND name NOT LIKE 'sqlite_%' "
                # the live text index's own storage (its rows are in live_text itself)
                "AND name NOT IN (SELECT name FROM pragma_table_list WHERE type = 'shadow')"
            )
        ]
        return {
            t: [tuple(r) for r in self.sql(f'SELECT * FROM "{t}" ORDER BY rowid')] for t in tables
        }

    def refused(
        self,
        error: type[DomainError],
        attempt: Callable[[], object],
        *,
        match: str | None = None,
        actor: str | None = None,
        ref: str | None = None,
    ) -> DomainError:
        """Run ``attempt``; it must raise ``error``, change nothing, and log as the rules say."""
        before, events_before = self.snapshot(), self.events()
        with pytest.raises(error) as info:
            attempt()
        err = info.value
        assert type(err) is error, f"expected exactly {error.__name__}, got {type(err).__name__}"
        if match is not None:
            assert match in str(err), f"{match!r} not in {str(err)!r}"
        assert self.snapshot() == before, "a refused operation changed the store"
        events = self.events()
        assert events[: len(events_before)] == events_before, "an existing event changed"
        added = events[len(events_before) :]
        if isinstance(err, RULE_REFUSALS):
            assert [e["action"] for e in added] == ["refused"], added
            after = json.loads(added[0]["after"])
            assert after["reason"] == err.message
            assert isinstance(after["asked"], dict)  # what was refused, not only that it was
            if actor is not None:
                assert added[0]["actor"] == actor
            if ref is not None:
                assert added[0]["dispute_ref"] == ref
        else:
            assert added == [], f"{error.__name__} must write nothing, wrote {added}"
        return err


@contextmanager
def world_copy(source: Path | str, folder: Path, *, keep: bool = False) -> Iterator[World]:
    """A World on a copy of ``source``: a SQLite file copied into ``folder``, or on a
    PostgreSQL run a new database made from the template database named ``source``
    (dropped afterwards unless ``keep``)."""
    path: Path | str
    if backends.on_postgres():
        path = backends.database_url(backends.create_database(str(source)))
    else:
        path = folder / "store.db"
        shutil.copyfile(source, path)
    store = Store.open(str(path))
    try:
        yield World(store, path)
    finally:
        store.close()
        if isinstance(path, str) and not keep:
            backends.drop_database(backends.database_of(path))


def base_source(request: pytest.FixtureRequest) -> Path | str:
    """The session's base store: its SQLite file, or on a PostgreSQL run its template."""
    if backends.on_postgres():
        return str(request.getfixturevalue("base_store_database"))
    return Path(request.getfixturevalue("base_store_file"))


def built_once(
    request: pytest.FixtureRequest,
    factory: pytest.TempPathFactory,
    build: Callable[[World], None],
) -> Iterator[Path | str]:
    """For a module-scoped fixture: the base store with ``build`` run on it once, as a
    source for ``world_copy`` (a SQLite file, or a template database's name)."""
    situations = Situations(base_source(request), factory)
    try:
        yield situations.source(build)[0]
    finally:
        situations.drop()


class Situations:
    """Situations built once on copies of the base store, each kept as a source for
    ``world_copy``: ``source(build)`` runs ``build(world)`` the first time it is asked
    for and gives (the source, what ``build`` returned) from then on."""

    def __init__(self, base: Path | str, factory: pytest.TempPathFactory) -> None:
        self.base = base
        self.factory = factory
        self._built: dict[Callable[[World], Any], tuple[Path | str, Any]] = {}

    def source(self, build: Callable[[World], Any]) -> tuple[Path | str, Any]:
        if build not in self._built:
            with world_copy(self.base, self.factory.mktemp("situation"), keep=True) as world:
                made = build(world)
                path = world.path
            source = backends.database_of(path) if isinstance(path, str) else path
            self._built[build] = (source, made)
        return self._built[build]

    def drop(self) -> None:
        """On a PostgreSQL run, drop the template databases (files go with the run)."""
        for source, _ in self._built.values():
            if isinstance(source, str):
                backends.drop_database(source)
