"""The demo builds in a PostgreSQL database: into one without a store, again only with
--rebuild, never over a store that is not a demo."""

from __future__ import annotations

import json

import backends
from cli_helpers import Cli


def test_the_demo_builds_verifies_and_is_kept_or_rebuilt(pg_cli: Cli, pg_database: str) -> None:
    pg_cli.ok("demo", "--no-ui", "--disputes", "12")
    verified = json.loads(pg_cli.ok("audit", "verify", "--format", "json"))
    assert verified["ok"] and verified["events"] > 12, verified
    exported = json.loads(pg_cli.ok("export"))
    assert len(exported["disputes"]) == 12
    kept = pg_cli.ok("demo", "--no-ui")
    assert "kept the demo store" in kept
    assert json.loads(pg_cli.ok("audit", "verify", "--format", "json"))["head"] == verified["head"]
    pg_cli.ok("demo", "--no-ui", "--rebuild", "--disputes", "5", "--seed", "3")
    assert len(json.loads(pg_cli.ok("export"))["disputes"]) == 5
    with backends.admin_connection(pg_database) as conn:
        schemas = conn.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg_%' "
            "AND nspname NOT IN ('information_schema', 'public')"
        ).fetchall()
    assert schemas == [("panel_tui",)]


def test_a_store_that_is_not_a_demo_is_never_replaced(pg_cli: Cli) -> None:
    pg_cli.ok("init")
    pg_cli.ok("agencies", "add", "CBH", "County Behavioral Health")
    head = json.loads(pg_cli.ok("audit", "verify", "--format", "json"))["head"]
    for extra in ((), ("--rebuild",)):
        result = pg_cli("demo", "--no-ui", *extra)
        assert result.returncode == 2 and "not a demo" in result.stderr, result.stderr
        assert result.stderr.count("\n") == 1
    assert json.loads(pg_cli.ok("audit", "verify", "--format", "json"))["head"] == head
