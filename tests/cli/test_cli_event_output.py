"""What the command line shows of events: the real login beside a claimed one, and
event payloads as JSON objects (not JSON text inside a string) in JSON output."""

from __future__ import annotations

import json
import os
import pwd
import sqlite3

import pytest
from cli_helpers import Cli, form

REAL_LOGIN = pwd.getpwuid(os.getuid()).pw_name


def _open(team: Cli, login: str = "duty") -> str:
    out = team.ok("--as", login, "open", "--json", "-", stdin=json.dumps(form()))
    return next(word for word in out.split() if word.startswith("D-"))


@pytest.mark.backend
def test_show_names_the_real_login_beside_the_claimed_one(team: Cli) -> None:
    ref = _open(team)
    events = team.json("show", ref, "--format", "json")["events"]
    opened = next(e for e in events if e["action"] == "open")
    assert (opened["actor"], opened["real_actor"]) == ("duty", REAL_LOGIN)
    assert f"duty (by {REAL_LOGIN})" in team.ok("show", ref)


@pytest.mark.backend
def test_event_payloads_are_objects_in_json_output(team: Cli) -> None:
    ref = _open(team)
    team.ok("--as", "duty", "note", ref, "Called the county duty desk twice today.")
    events = team.json("show", ref, "--format", "json")["events"]
    assert events and all(isinstance(e["before"], dict) for e in events)
    assert all(isinstance(e["after"], dict) for e in events)
    opened = next(e for e in events if e["action"] == "open")
    assert opened["after"]["person_ref"] == "P-0042"


@pytest.mark.backend
def test_users_show_names_the_real_login_of_an_administrator_acting_as_another(
    team: Cli,
) -> None:
    team.ok("users", "add", "boss", "--name", "Boss", "--roles", "admin")
    team.ok("--as", "boss", "users", "add", "newbie", "--name", "New", "--roles", "frontline")
    added = team.json("users", "show", "newbie", "--format", "json")["history"][0]
    assert (added["action"], added["actor"], added["real_actor"]) == (
        "add_person",
        "boss",
        REAL_LOGIN,
    )
    assert f"boss (by {REAL_LOGIN})" in team.ok("users", "show", "newbie")


def test_a_refused_act_as_is_audited_naming_who_tried_and_whom(cli: Cli) -> None:
    cli.ok("init")  # a real store: --as is refused there
    result = cli("--as", "chair", "agencies", "add", "XX", "Forged agency")
    assert result.returncode == 1 and "--as chair refused" in result.stderr
    with sqlite3.connect(cli.db) as db:
        actor, real, action, after = db.execute(
            "SELECT actor, real_actor, action, after FROM event ORDER BY id DESC LIMIT 1"
        ).fetchone()
    assert (actor, real, action) == (REAL_LOGIN, None, "refused")
    assert json.loads(after) == {
        "action": "act_as",
        "rule": "identity.override",
        "reason": "--as chair refused: this store does not allow acting as someone else.",
        "asked": {"as": "chair"},
    }
    assert "audit chain intact" in cli.ok("audit", "verify")
