"""Hostile text on the command line: refused on input; escaped on every output path.

Input goes through the real command line. For output, the text is written
straight into the store with SQL, as an older store (or an attacker with the
file) could hold it, and every way of reading it back is checked.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from cli_helpers import Cli, form
from hostile import CLEAR, NUL, OSC8, RLO, TITLE, assert_no_raw

from panel_tui.store.sqlite_driver import sqlite as sqlite3

FORMULA = '=HYPERLINK("https://evil.example/x","open me")'


@pytest.fixture
def hostile_store(cli: Cli, tmp_path: Path) -> Cli:
    """A store whose every kind of text holds a control sequence, written by SQL."""
    cli.ok("init", "--name", "Test Admin")
    cli.ok("agencies", "add", "CBH", "County")
    cli.ok("agencies", "add", "MCO", "Managed Care")
    cli.ok("users", "add", "mal", "--name", "Mal", "--roles", "frontline", "--agency", "CBH")
    for person in ("P-0001", "P-0002"):
        cli.ok(
            "open", "--json", "-", stdin=json.dumps(form(person_ref=person, rule_conflict=FORMULA))
        )
    conn = sqlite3.connect(cli.db)
    with conn:
        conn.execute("UPDATE agency SET name = ? WHERE code = 'CBH'", (f"County {TITLE}",))
        conn.execute("UPDATE person SET display_name = ? WHERE login = 'mal'", (f"Mal {OSC8}",))
        conn.execute(
            "UPDATE dispute SET problem_statement = ?, agencies_label = ?, consent_basis = ?",
            (f"Stalled {CLEAR} badly", f"CBH{RLO}→MCO", f"consent{NUL}given"),
        )
        conn.execute(
            "INSERT INTO note (dispute_id, by_id, at, text) "
            "SELECT id, opened_by_id, opened_at, ? FROM dispute WHERE ref LIKE '%-0001'",
            (f"note {CLEAR}{TITLE}",),
        )
    conn.close()
    return cli


def _year(cli: Cli) -> str:
    return str(json.loads(cli.ok("queue", "--format", "json"))["disputes"][0]["ref"].split("-")[1])


def _ref(cli: Cli) -> str:
    return f"D-{_year(cli)}-0001"


@pytest.mark.backend
@pytest.mark.parametrize(
    "args",
    [
        ("agencies", "add", "EVL", f"Evil {CLEAR}"),
        ("users", "add", f"x{RLO}y", "--roles", "frontline"),
        (
            "users",
            "add",
            "csi",
            "--name",
            "N\x9b2J",
            "--roles",
            "frontline",
        ),  # NUL: no argv has one
    ],
)
def test_hostile_arguments_are_refused_with_the_field_named(
    cli: Cli, args: tuple[str, ...]
) -> None:
    cli.ok("init", "--name", "Test Admin")
    result = cli(*args)
    assert result.returncode == 2, result.stderr
    assert "field '" in result.stderr and "U+" in result.stderr
    assert result.stderr.count("\n") == 1  # one line, no traceback
    assert_no_raw(result.stderr)


@pytest.mark.backend
def test_a_hostile_form_is_refused_and_nothing_is_written(cli: Cli) -> None:
    cli.ok("init", "--name", "Test Admin")
    cli.ok("agencies", "add", "CBH", "County")
    cli.ok("agencies", "add", "MCO", "Managed Care")
    result = cli("open", "--json", "-", stdin=json.dumps(form(problem_statement=f"x {OSC8} y z")))
    assert result.returncode == 2
    assert "problem_statement" in result.stderr
    assert json.loads(cli.ok("queue", "--format", "json"))["total"] == 0


def test_every_table_shows_hostile_text_escaped(hostile_store: Cli) -> None:
    cli = hostile_store
    show = cli.ok("show", _ref(cli))
    assert "Stalled \\x1b[2J badly" in show
    assert "consent\\x00given" in show
    for out in (
        show,
        cli.ok("queue"),
        cli.ok("users", "list"),
        cli.ok("agencies", "list"),
        cli.ok("report", "--format", "md"),
        cli.ok("report"),
    ):
        assert_no_raw(out)
    assert "\\x1b]0;pwned\\x07" in cli.ok("agencies", "list")
    assert "Mal \\x1b]8;;https://evil.example/" in cli.ok("users", "list")


def test_json_output_escapes_controls_and_keeps_the_data(hostile_store: Cli) -> None:
    cli = hostile_store
    for args in (
        ("show", _ref(cli)),
        ("queue",),
        ("users", "list"),
        ("agencies", "list"),
        ("report",),
    ):
        out = cli.ok(*args, "--format", "json")
        assert_no_raw(out)
        json.loads(out)
    detail = json.loads(cli.ok("show", _ref(cli), "--format", "json"))
    assert detail["problem_statement"] == f"Stalled {CLEAR} badly"  # the data, unchanged


def test_csv_output_neutralises_formulas_and_controls(hostile_store: Cli) -> None:
    cli = hostile_store
    report = cli.ok("report", "--format", "csv")
    assert_no_raw(report)
    themes = [row for row in csv.reader(io.StringIO(report)) if row[0] == "recurring_theme"]
    assert themes, report
    assert all(row[1].startswith("'=") for row in themes), themes
    for args in (("queue",), ("users", "list"), ("agencies", "list")):
        out = cli.ok(*args, "--format", "csv")
        assert_no_raw(out)
        for row in csv.reader(io.StringIO(out)):
            assert not any(cell[:1] in ("=", "+", "@") for cell in row), row
    assert "County \\x1b]0;pwned\\x07" in cli.ok("agencies", "list", "--format", "csv")


def test_export_s_consent_summary_escapes_the_refs_it_names(
    hostile_store: Cli, tmp_path: Path
) -> None:
    cli = hostile_store
    conn = sqlite3.connect(cli.db)
    with conn:  # a reference is made by the store, but the file can be edited
        conn.execute("UPDATE dispute SET ref = ref || ? WHERE ref LIKE '%-0002'", (CLEAR,))
    conn.close()
    result = cli("export", "-o", str(tmp_path / "out.json"))
    assert result.returncode == 0, result.stderr
    assert "no scope recorded" in result.stderr and "\\x1b[2J" in result.stderr
    assert_no_raw(result.stderr)
