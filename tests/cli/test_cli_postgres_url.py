"""PostgreSQL URLs on a machine without the driver, and without a server: one line, exit 2.

These need no server (tests/postgres has the ones that do), so they run in every run.
"""

from __future__ import annotations

import json
import sys

import pytest
from cli_helpers import Cli, form


@pytest.mark.parametrize("scheme", ["postgres", "postgresql", "postgresql+psycopg"])
def test_a_missing_driver_is_one_line_naming_the_extra(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, scheme: str
) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # import psycopg raises ImportError
    result = cli("--db", f"{scheme}://someone:pw@127.0.0.1:9/db", "queue", db=False)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "'postgres' extra" in result.stderr and "uv sync --extra postgres" in result.stderr
    assert "pw@" not in result.stderr


def test_no_server_is_one_line_without_the_password(cli: Cli) -> None:
    # Port 9 (discard) on loopback: nothing listens there, the connection is refused at once.
    result = cli("--db", "postgres://someone:hunter2@127.0.0.1:9/db", "queue", db=False)
    assert result.returncode == 2
    assert result.stderr.startswith("panel-tui: the store at postgresql+psycopg://someone:***@")
    assert "hunter2" not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr


def test_an_unknown_postgres_driver_is_refused(cli: Cli) -> None:
    result = cli("--db", "postgresql+asyncpg://u@127.0.0.1:9/db", "queue", db=False)
    assert result.returncode == 2
    assert "postgresql://" in result.stderr and "Traceback" not in result.stderr


def test_the_search_on_sqlite_folds_ascii_letters_only(team: Cli) -> None:
    """SQLite's LIKE (and the quick reader's) is case-blind for A–Z only; PostgreSQL's ILIKE
    in every script (tests/postgres/test_pg_reads_writes.py). The README says so."""
    out = team.ok(
        "--as",
        "duty",
        "open",
        "--json",
        "-",
        "--format",
        "json",
        stdin=json.dumps(form(problem_statement="ÉLODIE's discharge stalled")),
    )
    ref = json.loads(out)["ref"]
    assert [d["ref"] for d in team.json("queue", "--text", "lodie")["disputes"]] == [ref]
    assert [d["ref"] for d in team.json("queue", "--text", "ÉLODIE")["disputes"]] == [ref]
    assert team.json("queue", "--text", "élodie")["disputes"] == []
