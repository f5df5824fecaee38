"""doctor on a PostgreSQL store: the server, the revision, the roles and privileges, the
guards and the chain, each named; what an attacker with a superuser's password changed."""

from __future__ import annotations

import json

import backends
from cli_helpers import Cli

from panel_tui.store.migrate import HEAD


def _findings(cli: Cli) -> tuple[int, dict[str, dict[str, object]]]:
    result = cli("doctor", "--format", "json")
    assert "Traceback" not in result.stderr, result.stderr
    found = json.loads(result.stdout)["findings"]
    return result.returncode, {f["name"]: f for f in found}


def test_a_store_run_as_its_roles_is_healthy_and_each_check_is_named(roles) -> None:
    owner_cli, app_cli, _name, owner, app = roles
    owner_cli.ok("init", "--app-role", app)
    app_cli.ok("agencies", "add", "CBH", "County Behavioral Health")
    code, found = _findings(app_cli)
    assert code == 0, found
    assert all(f["ok"] for f in found.values()), found
    assert found["PostgreSQL server"]["value"].split(".")[0].isdigit()
    assert found["schema"]["value"].startswith(f"revision {HEAD}")
    assert found["roles"]["value"] == f"owner {owner}; app roles: {app}"
    assert found["connected as"]["value"] == app
    assert "events verified" in found["audit chain"]["value"]
    assert "app-pw" not in json.dumps(found)
    # The owner is told everyday use belongs to the app role: a warning, not a failure.
    code, as_owner = _findings(owner_cli)
    assert code == 0 and not as_owner["connected as"]["ok"]
    assert not as_owner["connected as"]["serious"]


def test_a_disabled_guard_and_a_role_that_may_empty_the_chain_fail(roles) -> None:
    owner_cli, app_cli, name, _owner, app = roles
    owner_cli.ok("init", "--app-role", app)
    with backends.admin_connection(name) as conn:  # a superuser's password in the wrong hands
        conn.execute("ALTER TABLE panel_tui.event DISABLE TRIGGER event_no_truncate")
        conn.execute(f"GRANT TRUNCATE ON panel_tui.event TO {app}")
    code, found = _findings(app_cli)
    assert code == 1
    assert not found["guards"]["ok"] and "event_no_truncate" in found["guards"]["value"]
    assert not found["privileges"]["ok"] and app in found["privileges"]["value"]
    assert found["audit chain"]["ok"]  # nothing was emptied yet: only the exposure is named
    text = app_cli("doctor")
    assert text.returncode == 1 and "FAIL guards: missing or disabled: event_no_truncate" in (
        text.stdout
    )


def test_an_edited_event_fails_the_chain(pg_cli: Cli, pg_database: str) -> None:
    pg_cli.ok("init")
    pg_cli.ok("agencies", "add", "CBH", "County Behavioral Health")
    with backends.admin_connection(pg_database) as conn:
        conn.execute("ALTER TABLE panel_tui.event DISABLE TRIGGER ALL")
        conn.execute("UPDATE panel_tui.event SET actor = 'someone' WHERE id = 2")
    code, found = _findings(pg_cli)
    assert code == 1
    assert not found["audit chain"]["ok"] and "event 2" in found["audit chain"]["value"]
    assert not found["guards"]["ok"]


def test_a_database_without_a_store_is_one_finding(pg_cli: Cli) -> None:
    code, found = _findings(pg_cli)
    assert code == 1
    assert found["schema"] == {
        "name": "schema",
        "value": "no store in this database",
        "ok": False,
        "advice": "create it with init",
        "serious": True,
    }


def test_the_live_refresh_trigger_is_checked_and_its_fix_named(roles) -> None:
    """Without the notify trigger (migration 0012) writes commit and verify, but no running
    app hears them: doctor fails it, saying how the owner puts it back."""
    owner_cli, app_cli, name, _owner, app = roles
    owner_cli.ok("init", "--app-role", app)
    code, found = _findings(app_cli)
    assert code == 0 and found["live refresh"]["ok"], found
    assert "event_notify" in found["live refresh"]["value"]
    with backends.admin_connection(name) as conn:
        conn.execute("ALTER TABLE panel_tui.event DISABLE TRIGGER event_notify")
    code, found = _findings(app_cli)
    assert code == 1 and not found["live refresh"]["ok"]
    assert "disabled" in found["live refresh"]["value"]
    fix = "ALTER TABLE panel_tui.event ENABLE TRIGGER event_notify"
    assert fix in found["live refresh"]["advice"]
    assert found["guards"]["ok"]  # the append-only guards are another finding
    # Only firing in replica sessions is as good as disabled for the app.
    with backends.admin_connection(name) as conn:
        conn.execute("ALTER TABLE panel_tui.event ENABLE REPLICA TRIGGER event_notify")
    code, found = _findings(app_cli)
    assert code == 1 and "disabled" in found["live refresh"]["value"]
    with backends.admin_connection(name) as conn:
        conn.execute("DROP TRIGGER event_notify ON panel_tui.event")
    code, found = _findings(app_cli)
    assert code == 1 and "missing" in found["live refresh"]["value"]
    advice = found["live refresh"]["advice"]
    assert "CREATE TRIGGER event_notify AFTER INSERT ON panel_tui.event" in advice
    # The fix as named puts it back: doctor passes again.
    with backends.admin_connection(name) as conn:
        conn.execute(advice.split("does: ", 1)[1])
    code, found = _findings(app_cli)
    assert code == 0 and found["live refresh"]["ok"]


def test_a_guard_enabled_only_for_replicas_is_named(roles) -> None:
    """ENABLE REPLICA TRIGGER leaves a guard in place that an ordinary session never fires."""
    owner_cli, app_cli, name, _owner, app = roles
    owner_cli.ok("init", "--app-role", app)
    with backends.admin_connection(name) as conn:
        conn.execute("ALTER TABLE panel_tui.event ENABLE REPLICA TRIGGER event_no_delete")
    code, found = _findings(app_cli)
    assert code == 1 and "event_no_delete" in found["guards"]["value"]
