"""users set / deactivate / reactivate / show through the command line."""

from __future__ import annotations

import json

import pytest
from cli_helpers import Cli, form


@pytest.mark.backend
def test_a_leaver_is_refused_and_their_history_shows(team: Cli) -> None:
    team.ok("users", "set", "front", "--roles", "supervisor", "--agency", "MCO")
    team.ok("users", "deactivate", "duty", "--reason", "left 2026-11-30")
    result = team("--as", "duty", "open", "--json", "-", stdin=json.dumps(form()))
    assert result.returncode == 1 and "deactivated" in result.stderr
    assert "Traceback" not in result.stderr
    shown = json.loads(team.ok("users", "show", "duty", "--format", "json"))
    assert shown["active"] is False
    assert [e["action"] for e in shown["history"]] == ["add_person", "deactivate_person"]
    table = team.ok("users", "show", "front")
    assert "supervisor" in table and "MCO" in table and "set_person" in table
    team.ok("users", "reactivate", "duty")
    team.ok("--as", "duty", "open", "--json", "-", stdin=json.dumps(form()))


@pytest.mark.backend
def test_the_last_administrator_cannot_deactivate_themselves(team: Cli) -> None:
    me = json.loads(team.ok("users", "list", "--format", "json"))
    admin = next(p["login"] for p in me if "admin" in p["roles"])
    result = team("users", "deactivate", admin, "--reason", "oops")
    assert result.returncode == 1 and "nobody active who can administer" in result.stderr
    result = team("users", "show", "ghost")
    assert result.returncode == 2 and result.stderr.count("\n") == 1
