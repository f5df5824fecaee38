"""A demo past the bulk threshold on PostgreSQL: written by COPY (SQLite's ints for
booleans, its time text), its chain verified, its sequences moved past the ids the bulk
path gave, and its queue the same as a SQLite demo's built from the same seed."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import backends
import pytest
from backends import cli_env
from cli_helpers import Cli, form
from sqlalchemy.engine import make_url

from panel_tui.store.constants import DEMO_LOGIN
from panel_tui.store.demo import BULK_THRESHOLD, build, build_demo

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
SECTIONS = ("all_open", "closed", "breached", "reviews_due", "provisional_expiring")


def test_a_bulk_demo_verifies_continues_and_queues_as_its_sqlite_twin(
    pg_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Fewer disputes through the Ledger first (an operation per commit: most of the build's
    # time); the bulk path, under test here, still writes all but these.
    monkeypatch.setattr(build, "BASE_DISPUTES", 12)
    url = backends.database_url(pg_database)
    password = make_url(url).password
    assert password
    disputes = BULK_THRESHOLD + 100
    said: list[str] = []
    build_demo(url, disputes=disputes, seed=5, now=NOW, progress=said.append).close()
    assert any(m.startswith("bulk: ") for m in said), said  # the bulk path wrote most
    assert not [m for m in said if str(password) in m], said
    twin_path = tmp_path / "twin.db"
    build_demo(str(twin_path), disputes=disputes, seed=5, now=NOW).close()
    env = cli_env(tmp_path)
    pg, twin = Cli(url, env), Cli(twin_path, env)  # type: ignore[arg-type]

    verified = pg.json("audit", "verify")
    assert verified["ok"] and verified["events"] == twin.json("audit", "verify")["events"]

    at = ("--as", DEMO_LOGIN, "--at", NOW.isoformat(), "--limit", "100000")
    for section in SECTIONS:
        on_pg = pg.json("queue", "--section", section, *at)
        assert on_pg == twin.json("queue", "--section", section, *at), section
    assert len(pg.json("queue", "--section", "closed", *at)["disputes"]) > BULK_THRESHOLD / 2

    # The Ledger's next rows take ids after the bulk path's: every sequence was moved.
    highest = backends.pg_query(pg_database, "SELECT max(id) FROM dispute")[0][0]
    last_event = backends.pg_query(pg_database, "SELECT max(id) FROM event")[0][0]
    opened = json.loads(
        pg.ok(
            "--as", DEMO_LOGIN, "open", "--json", "-", "--format", "json", stdin=json.dumps(form())
        )
    )
    rows = backends.pg_query(pg_database, "SELECT id FROM dispute WHERE ref = ?", opened["ref"])
    assert rows[0][0] == highest + 1
    assert backends.pg_query(pg_database, "SELECT max(id) FROM event")[0][0] > last_event
    assert pg.json("audit", "verify")["ok"]
