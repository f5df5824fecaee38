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


def test_a_terminal_width_given_by_columns_is_kept(team: Cli) -> None:
    open_dispute(team)
    out = _piped(team, "60").ok("queue", "--section", "all_open")
    assert max(len(line) for line in out.splitlines()) <= 60
