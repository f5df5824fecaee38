"""Tables printed to a pipe: rows whole, for grep and ``less -S`` (by hand, piped at
Rich's assumed 80 columns, every cell folded: "Agenc ies", "D-202 / 6-002 / 6")."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from backends import cli_env
from cli_helpers import Cli, open_dispute
from demo_cache import demo_copy


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


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    """The 60-dispute demo (liaison cases, reviews due and not), read as at its build."""
    home = tmp_path_factory.mktemp("tables")
    db = demo_copy(tmp_path_factory, home / "demo.db", disputes=60, seed=7, now=BUILT_AT)
    return Cli(db, unicode_env(cli_env(home)))


BUILT_AT = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
AT = ("--at", BUILT_AT.isoformat())


def unicode_env(env: dict[str, str]) -> dict[str, str]:
    """A UTF-8 terminal that shows every glyph, whatever the test runner's own is."""
    env = {k: v for k, v in env.items() if k not in ("PANEL_TUI_GLYPHS", "LC_ALL", "LC_CTYPE")}
    return {**env, "TERM": "xterm-256color", "LANG": "C.UTF-8"}


def _narrow_rows(out: str) -> dict[str, str]:
    return {line.split()[0]: line for line in out.splitlines()[2:-1]}


@pytest.mark.parametrize("width", ["80", "120"])
def test_a_narrow_queue_keeps_the_review_date_and_the_liaison_mark(demo: Cli, width: str) -> None:
    """The narrow queue dropped the Review column and the "! liaison" the full table shows:
    at 80 and 120 columns each dispute's line carries both, as its JSON says."""
    disputes = demo.json("queue", "--section", "all_open", *AT)["disputes"]
    waiting = {d["ref"] for d in disputes if d["liaison"] and d["stage"] != 4}
    due = {d["ref"] for d in disputes if d["review_due"]}
    assert waiting and due and any(d["review_due_on"] for d in disputes if d["ref"] not in due)

    out = _piped(demo, width).ok("queue", "--section", "all_open", *AT)
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= int(width)
    assert lines[1].split()[-1] == "Review"
    rows = _narrow_rows(out)
    assert sorted(rows) == sorted(d["ref"] for d in disputes)
    for d in disputes:
        cells = rows[d["ref"]].split()
        assert cells[3] == f"S{d['stage']}" + ("!" if d["ref"] in waiting else ""), cells
        on = d["review_due_on"]
        review = datetime.fromisoformat(on).strftime("%d %b").split() if on else ["-"]
        if d["ref"] in due:
            review[0] = "▲" + review[0]
        assert cells[-len(review) :] == review, rows[d["ref"]]
    assert "! liaison's trigger met" in lines[-1] and "▲ review due" in lines[-1]


def _non_ascii(text: str) -> set[str]:
    return {c for c in text if ord(c) > 127}


def test_a_linux_console_gets_the_queue_and_a_dispute_in_ascii(demo: Cli) -> None:
    """Under TERM=linux (whose fonts lack ✖ ▲ ✓ → and the table's heavy corners) what is
    printed for people is ASCII, as in the app; JSON is data and keeps its text."""
    console = Cli(demo.db, {**demo.env, "TERM": "linux"})
    ref = demo.json("queue", "--section", "liaison", *AT)["disputes"][0]["ref"]
    for columns in ("80", "250"):
        queue = ("queue", "--section", "all_open", *AT)
        assert _non_ascii(_piped(demo, columns).ok(*queue)) & {"✖", "▲", "→"}  # as a check
        out = _piped(console, columns).ok(*queue)
        assert not _non_ascii(out), out
        assert "CBH>" in out and ("X BREACHED" in out or columns == "250")
    shown = console.ok("show", ref, *AT)
    assert not _non_ascii(shown) and "! COMMISSIONER LIAISON TRIGGERED" in shown
    assert _non_ascii(demo.ok("show", ref, *AT))
    assert "→" in console.json("queue", *AT)["disputes"][0]["agencies"]
    report = ("report", *AT)  # Markdown drawn by Rich: its rules and bullets
    assert _non_ascii(demo.ok(*report)) and not _non_ascii(console.ok(*report))


def test_a_not_upheld_decision_names_the_agency_that_keeps_the_case(demo: Cli) -> None:
    """Under "Receiving", a not-upheld decision's agency read as the one taking it on."""
    refs = [d["ref"] for d in demo.json("queue", "--section", "closed", *AT)["disputes"]]
    for ref in refs:
        decisions = demo.json("show", ref, *AT)["decisions"]
        kept = [x for x in decisions if x["outcome"] == "not_upheld" and x["receiving_agency"]]
        if kept:
            break
    else:
        raise AssertionError("the demo has no not-upheld decision naming an agency")
    agency = kept[-1]["receiving_agency"]
    row = next(line for line in demo.ok("show", ref, *AT).splitlines() if "not_upheld" in line)
    cells = [cell.strip() for cell in row.split("│")]
    assert f"— ({agency} keeps it)" in cells and agency not in cells, row
