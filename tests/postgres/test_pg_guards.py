"""The audit chain on PostgreSQL cannot be emptied or unguarded by the app's role.

The owner role runs ``init --app-role``; the app connects as the app role and
tries, as an attacker with its password would, to change the record directly.
"""

from __future__ import annotations

import json

import backends
import psycopg
import pytest
from cli_helpers import Cli, form


def _as(name: str, user: str, password: str) -> psycopg.Connection:
    url = backends.database_url(name, user=user, password=password).replace("+psycopg", "")
    return psycopg.connect(url, autocommit=True)


def test_the_app_role_works_but_cannot_empty_or_unguard_the_chain(roles) -> None:
    owner_cli, app_cli, name, _owner, app = roles
    out = owner_cli.ok("init", "--app-role", app)
    assert f'REVOKE UPDATE, DELETE, TRUNCATE ON panel_tui.event FROM "{app}"' in out
    # Passwords come from PGPASSWORD: the URL holds none.
    assert "app-pw" not in str(app_cli.db)
    app_cli.ok("agencies", "add", "CBH", "County Behavioral Health")
    app_cli.ok("users", "add", "jlee", "--name", "J. Lee", "--roles", "duty_lead")
    with _as(name, app, "app-pw") as conn:
        for attack in (
            "TRUNCATE panel_tui.event",
            "DELETE FROM panel_tui.event",
            "UPDATE panel_tui.event SET actor = 'someone'",
            "DROP TRIGGER event_no_truncate ON panel_tui.event",
            "ALTER TABLE panel_tui.event DISABLE TRIGGER ALL",
            "DROP TABLE panel_tui.event",
            "UPDATE panel_tui.panel_tui_version SET version_num = '0001'",
            "CREATE TABLE panel_tui.mine (x int)",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(attack)
    verified = app_cli("audit", "verify")
    assert verified.returncode == 0 and "3 events verified" in verified.stdout


def test_the_owner_is_refused_truncate_by_the_guard(roles) -> None:
    owner_cli, _app_cli, name, owner, _app = roles
    owner_cli.ok("init")
    with _as(name, owner, "owner-pw") as conn:
        for attack in ("TRUNCATE panel_tui.event", "DELETE FROM panel_tui.event"):
            with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
                conn.execute(attack)


def test_an_unknown_app_role_is_one_line_naming_the_sql(roles) -> None:
    owner_cli, *_ = roles
    result = owner_cli("init", "--app-role", "nobody_here")
    assert result.returncode == 2
    assert 'CREATE ROLE "nobody_here" LOGIN' in result.stderr
    assert "Traceback" not in result.stderr


def test_verify_refuses_an_emptied_chain(pg_cli: Cli, pg_database: str) -> None:
    """The owner (or a superuser) who disables the guard and empties the events is caught."""
    pg_cli.ok("init", "--kind", "test")
    pg_cli.ok("agencies", "add", "CBH", "County")
    pg_cli.ok("agencies", "add", "MCO", "Managed care")
    pg_cli.ok("open", "--json", "-", stdin=json.dumps(form()))
    with backends.admin_connection(pg_database) as conn:
        conn.execute("ALTER TABLE panel_tui.event DISABLE TRIGGER USER")
        conn.execute("TRUNCATE panel_tui.event")
    result = pg_cli("audit", "verify")
    assert result.returncode == 1
    said = "the chain is empty but the store holds 1 dispute: its events were removed"
    assert said in result.stdout
