"""Exit codes and messages: 1 refused by a rule, 2 bad usage or input; nothing written."""

from __future__ import annotations

import json

import pytest
from cli_helpers import Cli, form

from panel_tui.store.sqlite_driver import sqlite as sqlite3


def counts(cli: Cli) -> tuple[int, int]:
    db = sqlite3.connect(cli.db)
    try:
        return (
            db.execute("SELECT count(*) FROM dispute").fetchone()[0],
            db.execute("SELECT count(*) FROM event").fetchone()[0],
        )
    finally:
        db.close()


def test_refused_by_rule_is_exit_1_and_audited(team: Cli) -> None:
    out = team.ok(
        "--as", "duty", "open", "--json", "-", "--format", "json", stdin=json.dumps(form())
    )
    ref = json.loads(out)["ref"]
    before = counts(team)
    result = team(
        "--as",
        "front",
        "decide",
        ref,
        "--outcome",
        "assigned",
        "--receiving",
        "MCO",
        "--rationale",
        "frontline cannot decide this",
        "--review",
        "+7d",
    )
    assert result.returncode == 1
    assert "may not record a decision" in result.stderr
    assert "panel_chair" in result.stderr
    assert "Traceback" not in result.stderr
    disputes, events = counts(team)
    assert (disputes, events) == (before[0], before[1] + 1)  # only the refusal event
    assert team.json("show", ref)["events"][-1]["action"] == "refused"


def test_invalid_form_names_field_and_writes_nothing(team: Cli) -> None:
    before = counts(team)
    bad = form(risk="critical", interim_risk_actions="")
    result = team("--as", "duty", "open", "--json", "-", stdin=json.dumps(bad))
    assert result.returncode == 2
    assert "interim_risk_actions" in result.stderr
    result = team("--as", "duty", "open", "--json", "-", stdin="{not json")
    assert result.returncode == 2 and "not valid JSON" in result.stderr
    result = team(
        "--as", "duty", "open", "--json", "-", stdin=json.dumps(form(raising_agency="NOPE"))
    )
    assert result.returncode == 2 and "unknown agency 'NOPE'" in result.stderr
    assert counts(team) == before


@pytest.mark.backend
def test_bad_usage_is_exit_2(team: Cli) -> None:
    assert team("queue", "--format", "yaml").returncode == 2
    assert team("queue", "--due-within", "soon").returncode == 2
    result = team("queue", "--at", "half past nine")
    assert result.returncode == 2 and "not a time" in result.stderr
    assert team("frobnicate").returncode == 2
    result = team("show", "D-1999-0001")
    assert result.returncode == 1 and "no dispute D-1999-0001" in result.stderr


def test_missing_store_is_a_clear_error(cli: Cli) -> None:
    result = cli("queue")
    assert result.returncode == 2
    assert "no store at" in result.stderr and "init" in result.stderr
    assert not cli.db.exists()


@pytest.mark.backend
def test_as_refused_on_a_real_store(cli: Cli) -> None:
    cli.ok("init")
    result = cli("--as", "somebody", "queue", "--mine")
    assert result.returncode == 1
    assert "does not allow acting as someone else" in result.stderr


@pytest.mark.backend
def test_policy_check_names_the_key(cli: Cli, tmp_path) -> None:
    from panel_tui.rules.policy import default_policy_text

    good = tmp_path / "good.toml"
    good.write_text(default_policy_text())
    assert "valid" in cli.ok("policy", "check", str(good))
    bad = tmp_path / "bad.toml"
    bad.write_text(
        default_policy_text().replace("high = [24, 24, 48, 48]", "high = [24, -1, 48, 48]")
    )
    result = cli("policy", "check", str(bad))
    assert result.returncode == 2
    assert "windows.high[1]" in result.stderr and result.stdout == ""
    shown = json.loads(cli.ok("policy", "show", "--default", "--format", "json"))
    assert shown["windows"]["critical"] == [4, 24, 24, 24]
    assert shown["clock"]["warning_fraction"] == 0.75


def test_audit_verify_names_tampered_event(team: Cli) -> None:
    team.ok("--as", "duty", "open", "--json", "-", stdin=json.dumps(form()))
    db = sqlite3.connect(team.db)
    db.execute("DROP TRIGGER event_no_update")
    target = db.execute("SELECT id FROM event WHERE action = 'open'").fetchone()[0]
    db.execute("UPDATE event SET after = '{}' WHERE id = ?", (target,))
    db.commit()
    db.close()
    result = team("audit", "verify")
    assert result.returncode == 1
    assert f"event {target}" in result.stdout


def _head(team: Cli) -> str:
    """The head ``audit verify`` prints: the last event's id and hash."""
    report = json.loads(team.ok("audit", "verify", "--format", "json"))
    head_id, head_hash = report["head"].split(":")
    assert report["ok"] and int(head_id) == report["events"] and len(head_hash) == 64
    return report["head"]


def _tamper(team: Cli, *sql: str, args: tuple = ()) -> None:
    db = sqlite3.connect(team.db)
    db.execute("DROP TRIGGER event_no_update")
    db.execute("DROP TRIGGER event_no_delete")
    for statement in sql:
        db.execute(statement, args)
    db.commit()
    db.close()


def test_a_recorded_head_catches_events_removed_from_the_end(team: Cli) -> None:
    team.ok("--as", "duty", "open", "--json", "-", stdin=json.dumps(form()))
    head = _head(team)
    assert f"head {head}" in team.ok("audit", "verify")
    team.ok("--as", "duty", "note", "D-2026-0001", "called MCO, no answer")
    team.ok("audit", "verify", "--expect-head", head)  # the chain grew: still holds it
    head_id = int(head.split(":")[0])
    assert int(_head(team).split(":")[0]) > head_id
    _tamper(team, "DELETE FROM event WHERE id >= ?", args=(head_id,))  # the newest events
    alone = team("audit", "verify")
    # The chain alone cannot tell; the rows those events wrote are now nobody's.
    assert alone.returncode == 1 and "audit chain intact" in alone.stdout
    assert "note #1 of D-2026-0001: a row no event wrote (inserted directly)" in alone.stdout
    result = team("audit", "verify", "--expect-head", head)
    assert result.returncode == 1
    assert f"the chain ends at event {head_id - 1}" in result.stdout
    assert "events were removed from its end" in result.stdout


def test_a_recorded_head_catches_a_rewrite_with_every_hash_recomputed(team: Cli) -> None:
    from datetime import datetime

    from panel_tui.store.audit import event_hash
    from panel_tui.store.types import UTCDateTime

    team.ok("--as", "duty", "open", "--json", "-", stdin=json.dumps(form()))
    head = _head(team)
    head_id = int(head.split(":")[0])
    db = sqlite3.connect(team.db)
    row = db.execute(
        "SELECT at, actor, action, dispute_id, dispute_ref, stage, before, prev_hash, rows, "
        "real_actor "
        "FROM event WHERE id = ?",
        (head_id,),
    ).fetchone()
    db.close()
    at, actor, action, dispute_id, dispute_ref, stage, before, prev, rows, real = row
    forged_after = '{"forged": true}'
    forged = event_hash(
        id=head_id,
        at=UTCDateTime().process_result_value(datetime.fromisoformat(at), None),
        actor=actor,
        action=action,
        dispute_id=dispute_id,
        dispute_ref=dispute_ref,
        stage=stage,
        before=before,
        after=forged_after,
        prev_hash=prev,
        rows=rows,
        real_actor=real,
    )
    _tamper(
        team,
        "UPDATE event SET after = ?, hash = ? WHERE id = ?",
        args=(forged_after, forged, head_id),
    )
    assert team("audit", "verify").returncode == 0  # a consistent forgery
    result = team("audit", "verify", "--expect-head", head)
    assert result.returncode == 1 and f"event {head_id}" in result.stdout
    assert "not the one recorded" in result.stdout
    result = team("audit", "verify", "--expect-head", "twelve")
    assert result.returncode == 2 and "is not ID:HASH" in result.stderr


def test_opening_the_app_checks_the_store_and_the_line_first(cli: Cli) -> None:
    """Bare ``panel-tui`` parses only --db/--as (fast); everything else gets the full parser."""
    result = cli()  # no store yet: no app, the message, and nothing created
    assert result.returncode == 2 and "no store at" in result.stderr
    assert not cli.db.exists()
    cli.ok("init")
    result = cli("--as", "somebody")  # a real store refuses --as before any screen
    assert result.returncode == 1 and "does not allow acting as someone else" in result.stderr
    result = cli("--help")
    assert result.returncode == 0 and "queue" in result.stdout and "demo" in result.stdout
    result = cli("--db", db=False)
    assert result.returncode == 2 and "expected one argument" in result.stderr


@pytest.mark.backend
def test_a_real_process_says_and_exits_as_the_in_process_runs_do(team: Cli) -> None:
    """The other tests run ``main`` in this process; here the same commands run as processes."""
    process = team.in_subprocess()
    cases = {
        ("agencies", "list", "--format", "json"): 0,
        ("show", "D-1999-0001"): 1,  # refused: no such dispute
        ("queue", "--format", "yaml"): 2,  # argparse's usage error
        ("demo", "--disputes", "9" * 20): 2,  # argparse's, through our type
        ("--help",): 0,
    }
    for args, code in cases.items():
        real, here = process(*args), team(*args)
        assert real.returncode == code, (args, real.stderr)
        assert (here.returncode, here.stdout, here.stderr) == (
            real.returncode,
            real.stdout,
            real.stderr,
        ), args
        assert "Traceback" not in real.stderr
        if code == 2:  # bad usage: one line on stderr, nothing where a script reads results
            assert real.stdout == "" and len(real.stderr.splitlines()) == 1, real


@pytest.mark.parametrize(
    ("argv", "command"),
    [
        (("note", "D-2026-0001", "--text", "rang MCO"), "panel-tui note"),
        (("queue", "--nope"), "panel-tui queue"),
        (("users", "add", "bob", "--name", "Bob", "--roles", "frontline", "--bogus"),
         "panel-tui users add"),
        (("--nope",), "panel-tui"),
    ],
)  # fmt: skip
def test_an_unknown_option_points_at_the_help_of_the_command_it_was_typed_to(
    team: Cli, argv: tuple[str, ...], command: str
) -> None:
    """`note REF --text x` said "see `panel-tui --help`", which does not list note's options."""
    before = counts(team)
    result = team(*argv)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.endswith(f"(see `{command} --help`)\n"), result.stderr
    assert result.stderr.count("\n") == 1
    assert counts(team) == before
