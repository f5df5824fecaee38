"""Reads and writes on PostgreSQL: one snapshot per read, a bounded wait then "busy",
responding agencies in one order, and the case-blind search."""

from __future__ import annotations

import json

import backends
import pytest
from cli_helpers import Cli, form
from sqlalchemy import text

from panel_tui.rules.errors import InvalidInputError, StoreBusyError
from panel_tui.store import postgres
from panel_tui.store.db import Store
from panel_tui.store.ledger.admin import Admin


@pytest.fixture
def team(pg_cli: Cli) -> Cli:
    pg_cli.ok("init", "--kind", "test")
    for code in ("CBH", "MCO", "HSG", "ACU"):
        pg_cli.ok("agencies", "add", code, f"Agency {code}")
    return pg_cli


def _open(cli: Cli, **changes: object) -> str:
    out = cli.ok("open", "--json", "-", "--format", "json", stdin=json.dumps(form(**changes)))
    return json.loads(out)["ref"]


def test_responding_agencies_come_back_in_one_order(team: Cli) -> None:
    ref = _open(team, responding_agencies=["HSG", "ACU", "MCO"])
    shown = team.json("show", ref)
    # In the order they were named (read.orm_detail.named_order), whatever the rows' order.
    assert shown["responding_agencies"] == ["HSG", "ACU", "MCO"]


def test_the_search_is_case_blind_in_every_script_on_postgresql(team: Cli) -> None:
    """PostgreSQL's ILIKE folds ÉLODIE to élodie; SQLite's LIKE folds ASCII only (README)."""
    ref = _open(team, problem_statement="ÉLODIE's discharge stalled")
    _open(team, problem_statement="someone else")
    for needle in ("élodie", "ÉLODIE", "Élodie", "LODIE"):
        found = [d["ref"] for d in team.json("queue", "--text", needle)["disputes"]]
        assert found == [ref], needle


def test_a_read_is_one_snapshot(team: Cli) -> None:
    """A commit made during a read is not seen by the rest of that read."""
    store = Store.open(str(team.db))
    try:
        with store.read() as session:
            before = session.execute(text("SELECT count(*) FROM agency")).scalar_one()
            Admin(store, "root").add_agency("NEW", "Arrived meanwhile")
            during = session.execute(text("SELECT count(*) FROM agency")).scalar_one()
        with store.read() as session:
            after = session.execute(text("SELECT count(*) FROM agency")).scalar_one()
    finally:
        store.close()
    assert (before, during, after) == (4, 4, 5)


def test_a_writer_behind_another_waits_a_bounded_time_then_is_busy(
    team: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(postgres, "LOCK_TIMEOUT_MS", 300)
    store = Store.open(str(team.db))
    holder = backends.admin_connection(postgres_db(team))
    try:
        with holder as conn:
            conn.execute("SELECT pg_advisory_lock(%s)", (postgres.CHAIN_LOCK,))
            with pytest.raises(StoreBusyError):
                Admin(store, "root").add_agency("BSY", "Never added")
            conn.execute("SELECT pg_advisory_unlock(%s)", (postgres.CHAIN_LOCK,))
        Admin(store, "root").add_agency("BSY", "Added once the lock is free")
    finally:
        store.close()
    codes = [a["code"] for a in team.json("agencies", "list")]
    assert "BSY" in codes


def postgres_db(cli: Cli) -> str:
    return str(cli.db).rsplit("/", 1)[1]


def test_a_nul_is_bad_input_even_in_a_lookup(team: Cli) -> None:
    """PostgreSQL cannot hold U+0000 even in a query's parameter: "is this login taken?"
    runs before the text guard's flush, and was the driver's DataError (a traceback)."""
    store = Store.open(str(team.db))
    try:
        with pytest.raises(InvalidInputError, match="U\\+0000"):
            Admin(store, "root").add_person("mal\x00", "Mal", ["frontline"])
    finally:
        store.close()
    result = team("open", "--json", "-", stdin=json.dumps(form(problem_statement="a\u0000b")))
    assert result.returncode == 2 and "U+0000" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert team.json("queue")["disputes"] == []
