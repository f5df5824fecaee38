"""``queue`` and ``show`` are parsed by the top parser with only their part of the tree.

``parser.command_parser`` builds the read commands alone for a command line naming
them (issue 13: the whole tree was about 12 ms of argparse and 6 ms of imports at each
start of a script's ``panel-tui queue``). Whatever the line, the part must parse it as
the whole tree does: the same namespace, or the same refusal.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from demo_cache import demo_copy
from hypothesis import given
from hypothesis import strategies as st

from panel_tui.cli.app_launch import plain_launch
from panel_tui.cli.parser import ALONE, _tree, app_arguments, build_parser, command_parser

LINES = [
    ["queue"],
    ["queue", "--breached", "--format", "json", "--at", "2026-11-02T09:00:00+00:00"],
    ["--db", "x.db", "queue", "--section", "closed", "--text", "p-", "--limit", "3"],
    ["queue", "--db", "y.db", "--as", "amy", "--agency", "mco", "--risk", "high"],
    ["--db=queue", "show", "D-2026-0001", "--format", "json"],
    ["--as", "amy", "show", "D-1"],
    ["--d", "x.db", "queue", "--indent", "2"],  # an abbreviation of --db, as argparse takes it
    # Refusals: the same message and exit status.
    ["queue", "--bogus"],
    ["queue", "--format", "xml"],
    ["queue", "--limit", "0"],
    ["queue", "show"],
    ["show"],
    ["show", "D-1", "--format", "csv"],
    ["queue", "-h"],
    ["show", "--help"],
]


def _parse(parser: argparse.ArgumentParser, line: list[str], capsys: pytest.CaptureFixture[str]):  # noqa: ANN202
    try:
        parsed = vars(parser.parse_args(line))
    except SystemExit as exc:
        captured = capsys.readouterr()
        return ("exit", exc.code, captured.out, captured.err)
    return ("parsed", parsed)


@pytest.mark.parametrize("line", LINES, ids=" ".join)
def test_the_part_parses_a_line_as_the_whole_tree(
    line: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    part = command_parser(line)
    assert part is not build_parser()  # these lines take the part
    assert _parse(part, line, capsys) == _parse(build_parser(), line, capsys)


@pytest.mark.parametrize(
    "line",
    [
        [],
        ["--help"],
        ["--version"],
        ["users", "list"],
        ["--bogus", "queue"],
        ["queue", "--db"],
        ["report"],
    ],
    ids=lambda line: " ".join(line) or "no words",
)
def test_any_other_line_takes_the_whole_tree(line: list[str]) -> None:
    assert command_parser(line) is build_parser()


def _commands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    (sub,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


@pytest.mark.parametrize("name", sorted(ALONE))
def test_a_command_alone_is_the_whole_trees_command(name: str) -> None:
    """Its adder makes it (moved to another, the part would lack it), with the same
    options and help as in the whole tree."""
    part, whole = _commands(_tree(ALONE[name])), _commands(build_parser())
    assert name in part
    assert part[name].format_help() == whole[name].format_help()
    assert part[name]._defaults == whole[name]._defaults


BUILT_AT = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)

# --- the plain launch, read without argparse (cli/app_launch.py) -------------------------
LAUNCH_WORDS = ["--db", "--as", "--db=s.db", "--as=amy", "s.db", "amy", "-x", "--d", "--", "="]


@given(st.lists(st.sampled_from(LAUNCH_WORDS), max_size=5))
def test_a_plain_launch_is_read_as_argparse_reads_it(words: list[str]) -> None:
    """Whatever it takes, argparse takes the same way; what it leaves, argparse reads."""
    quick = plain_launch(words)
    if quick is not None:
        parsed = app_arguments(words)
        assert parsed is not None and vars(parsed) == vars(quick)


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ([], {"db": None, "as_login": None}),
        (["--db", "s.db"], {"db": "s.db", "as_login": None}),
        (["--as=amy", "--db", "/srv/panel.db"], {"db": "/srv/panel.db", "as_login": "amy"}),
    ],
)
def test_the_usual_launches_need_no_argparse(words: list[str], expected: dict) -> None:
    quick = plain_launch(words)
    assert quick is not None and vars(quick) == expected


def test_opening_the_app_imports_no_argparse(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Through the real command line, in a fresh interpreter: the app's launch on a
    current store (its run replaced) reads ``--db`` without importing argparse."""
    db = demo_copy(tmp_path_factory, tmp_path / "demo.db", disputes=60, seed=7, now=BUILT_AT)
    code = (
        "import sys, json\n"
        "from panel_tui.cli import app_launch, main\n"
        "seen = {}\n"
        "app_launch.run = lambda store, login, **kw: seen.setdefault('argparse', "
        "'argparse' in sys.modules) and 0\n"
        f"code = main(['--db', {str(db)!r}])\n"
        "print(json.dumps(seen))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {"argparse": False}
