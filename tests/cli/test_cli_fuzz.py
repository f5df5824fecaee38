"""A fuzz test of the command line: every command, every option, hostile values and files.

The argv is drawn from the parser's own tree (so a new command or option is
fuzzed without touching this file); values are hostile strings, huge numbers,
far times, the store's real refs and logins; JSON and CSV inputs are nested,
truncated, wrongly typed, or valid with one field spoiled. Every run must:
exit 0, 1 or 2; print no traceback; and on exit 2 say one line on stderr and
leave the store exactly as it was (every table's rows and content hash).

Runs in-process through ``main(argv)``; example counts follow the Hypothesis
profile (modest by default).

Generated text includes control characters (refused on input, escaped in every
message quoting them: issue 10 §5); lone surrogates cannot reach argv.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

import pytest
from cli_helpers import form
from cli_inprocess import PEOPLE, build_team_store, copy_store, fingerprint, run
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from panel_tui.cli.docs import CSV_COLUMNS, form_template
from panel_tui.cli.parser import build_parser

#: Options the fuzz leaves alone: the store under test is always the one given.
FIXED = {"--db", "-h", "--help", "--version"}
#: Commands that would open the app (they get --no-ui) or make a new store; and serve,
#: which given good input serves the app until stopped (tests/serve tests it).
SKIPPED_COMMANDS = {("init",), ("serve",)}

FUZZ = settings(
    # Half the profile's count: each example runs a whole command (0.05-0.5 s).
    max_examples=max(20, settings.default.max_examples // 2),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def _commands(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> dict[tuple[str, ...], list[argparse.Action]]:
    found: dict[tuple[str, ...], list[argparse.Action]] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found.update(_commands(sub, (*path, name)))
    if path and not any(isinstance(a, argparse._SubParsersAction) for a in parser._actions):
        found[path] = [
            a
            for a in parser._actions
            if not isinstance(a, argparse._HelpAction) and not set(a.option_strings) & FIXED
        ]
    return found


COMMANDS = {
    path: actions for path, actions in _commands(build_parser()).items()
    if path not in SKIPPED_COMMANDS
}  # fmt: skip

# --- values ------------------------------------------------------------------------------

#: Text of any script, control characters included.
text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
huge = st.sampled_from(
    ["9" * 5000, "99999999999999999999", "-1", "0", "-99999999999999999999", "1e309", "²"]
)
times = st.sampled_from(
    [
        "+99999999d", "-99999999d", "9999-12-31T23:59", "0001-01-01", "+14", "tomorrow 25:00",
        "now", "+1d12h", "2026-13-45", "+", "-", "today", "+3650d", "+3651d", "2099-01-01",
    ]
)  # fmt: skip
hostile = st.sampled_from(
    [
        "", " ", "%", "_", "\\", "'", '"', "a" * 100_000, "x" * 4001, "x" * 201, "D-2026-0001",
        "d-2026-0001 ", "D-9999-9999", "--help", "-", "=", "problem_statement=", "a=b",
        "ZZZ", "cbh", "[]", "{}", "null", "1:abc", "²:x", "9" * 30 + ":x", "\u202e", "😀" * 50,
    ]
)  # fmt: skip


def _value(action: argparse.Action, refs: list[str]) -> st.SearchStrategy[str]:
    """A value for ``action``: often a real one (so the command gets past its first
    check and meets the next), else anything hostile."""
    real: list[str] = []
    if action.choices is not None:
        real += [str(c) for c in action.choices]
    if action.dest == "ref":
        real += refs
    if action.dest in ("login", "coordinator", "as_login"):
        real += [login for login, _ in PEOPLE]
    if action.dest in ("provider", "receiving", "agency"):
        real += ["CBH", "MCO", "HSG"]
    anything = st.one_of(text, huge, times, hostile)
    return st.one_of(st.sampled_from(real), anything) if real else anything


# --- files -------------------------------------------------------------------------------


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


json_docs = st.one_of(
    st.sampled_from(
        [
            "",
            "[]",
            "null",
            '"x"',
            "5",
            "{",
            "{}",
            _nested(100_000),
            _nested(40),
            '{"a": ' + "9" * 5000 + "}",
            "\ufeff{}",
            '{"format": "panel-tui-export"}',
        ]
    ),
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | text,
        lambda children: (
            st.lists(children, max_size=4) | st.dictionaries(text, children, max_size=4)
        ),
        max_leaves=12,
    ).map(json.dumps),
    # a valid form with one field replaced by something else
    st.tuples(
        st.sampled_from(sorted(form_template())),
        st.one_of(text, huge, hostile, st.integers(), st.none(), st.lists(text, max_size=3)),
    ).map(lambda kv: json.dumps({**form(), kv[0]: kv[1]})),
)

csv_docs = st.one_of(
    st.sampled_from(["", "\ufeff", ",,,\n", "a,b\n1,2\n", '"unclosed\n']),
    st.lists(
        st.lists(st.one_of(text, hostile, times), min_size=0, max_size=len(CSV_COLUMNS) + 1),
        max_size=3,
    ).map(lambda rows: "\n".join([",".join(CSV_COLUMNS), *(",".join(r) for r in rows)])),
)

# --- the test ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    db = tmp_path_factory.mktemp("fuzz") / "team.db"
    refs = build_team_store(db, [form(), form(person_ref="P-0077", risk="low")])
    return db, refs


@pytest.fixture
def store(
    template: tuple[Path, list[str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, list[str]]:
    monkeypatch.chdir(tmp_path)  # backup and export may write where they are told
    return copy_store(template[0], tmp_path / "store.db"), template[1]


@st.composite
def invocations(draw: st.DrawFn, refs: list[str]) -> tuple[list[str], str, dict[str, str]]:
    """(argv, stdin, files to write first) for one command of the parser's tree."""
    path = draw(st.sampled_from(sorted(COMMANDS)))
    actions = COMMANDS[path]
    argv: list[str] = []
    files: dict[str, str] = {}
    stdin = ""
    if draw(st.booleans()):
        argv += ["--as", draw(st.sampled_from([p for p, _ in PEOPLE]))]
    argv += list(path)
    chosen = draw(st.lists(st.sampled_from(actions), max_size=6)) if actions else []
    required = [a for a in actions if a.required or not a.option_strings]
    for action in [*required, *chosen]:
        if action.option_strings:
            flag = draw(st.sampled_from(action.option_strings))
            if action.nargs == 0:
                argv.append(flag)
                continue
        else:
            flag = None
        if action.dest in ("json", "file") or action.metavar == "FILE":
            content = draw(csv_docs if "--csv" in argv or draw(st.booleans()) else json_docs)
            if draw(st.booleans()):
                value, stdin = "-", content
            else:
                value = f"in-{len(files)}.{draw(st.sampled_from(['json', 'csv', 'toml']))}"
                files[value] = content
        else:
            value = draw(_value(action, refs))
        argv += [flag, value] if flag else [value]
    if path == ("demo",):
        argv.append("--no-ui")
    return argv, stdin, files


@pytest.mark.backend
@FUZZ
@given(data=st.data())
def test_every_command_answers_bad_input_with_one_line_and_writes_nothing(
    store: tuple[Path, list[str]], data: st.DataObject
) -> None:
    db, refs = store
    argv, stdin, files = data.draw(invocations(refs))
    for name, content in files.items():
        Path(name).write_text(content, encoding="utf-8")
    before = fingerprint(db)
    result = run(db, *argv, stdin=stdin)
    event(f"exit {result.code}")
    shown = [a if len(a) < 60 else a[:57] + "..." for a in argv]
    assert result.code in (0, 1, 2), (shown, result.code, result.err[-2000:])
    assert "Traceback" not in result.err, (shown, result.err[-2000:])
    if result.code == 2:
        assert len(result.err.strip().splitlines()) == 1, (shown, result.err[:2000])
        assert fingerprint(db) == before, shown
    assert os.path.exists(db)
