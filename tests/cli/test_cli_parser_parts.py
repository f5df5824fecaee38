"""``queue`` and ``show`` are parsed by the top parser with only their part of the tree.

``parser.command_parser`` builds the read commands alone for a command line naming
them (issue 13: the whole tree was about 12 ms of argparse and 6 ms of imports at each
start of a script's ``panel-tui queue``). Whatever the line, the part must parse it as
the whole tree does: the same namespace, or the same refusal.
"""

from __future__ import annotations

import argparse

import pytest

from panel_tui.cli.parser import ALONE, _tree, build_parser, command_parser

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
