"""Tables printed to a pipe: rows whole, for grep and ``less -S`` (by hand, piped at
Rich's assumed 80 columns, every cell folded: "Agenc ies", "D-202 / 6-002 / 6")."""

from __future__ import annotations

from cli_helpers import Cli, open_dispute


def _piped(team: Cli, columns: str | None) -> Cli:
    env = {k: v for k, v in team.env.items() if k != "COLUMNS"}
    if columns:
        env["COLUMNS"] = columns
    return Cli(team.db, env)


def test_a_piped_queue_keeps_each_row_on_one_line(team: Cli) -> None:
    opened = {open_dispute(team, responding_agencies=["MCO", "HSG"]) for _ in range(3)}
    out = _piped(team, None).ok("queue", "--section", "all_open")
    body = [line for line in out.splitlines() if line.startswith("│")]
    refs = [line.split("│")[1].strip() for line in body]
    assert set(refs) == opened  # each reference whole, on its row's one line
    header = next(line for line in out.splitlines() if "Ref" in line)
    assert "Agencies" in header and "Prov. ends" in header


def test_a_terminal_too_narrow_for_the_table_gets_the_apps_columns(team: Cli) -> None:
    """At 80 columns Rich folded every cell ("D-202 / 6-002 / 6"); the queue is printed as
    the app shows it at that width instead: abbreviated, one row per line, no word cut."""
    opened = [open_dispute(team, responding_agencies=["MCO", "HSG"]) for _ in range(2)]
    out = _piped(team, "80").ok("queue", "--section", "all_open")
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert lines[1].split()[:5] == ["Ref", "Type", "Risk", "St", "Clock"]
    assert "Agencies" in lines[1]
    rows = [line.split()[0] for line in lines[2:-1]]
    assert sorted(rows) == sorted(opened)
    assert lines[-1].startswith("clocks as at")
