"""`panel-tui COMMAND --help` is enough to write a valid form, a valid CSV, a valid edit."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from cli_helpers import form
from cli_inprocess import build_team_store, ok, run

from panel_tui.cli import docs
from panel_tui.cli.parser import build_parser
from panel_tui.rules.enums import EvidenceKey
from panel_tui.rules.fields import FORM_FIELDS, TEXT_FIELDS
from panel_tui.rules.forms import validate_form
from panel_tui.store.transfer import CSV_COLUMNS


def _arguments(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _arguments(sub, (*path, name))
        elif not isinstance(action, argparse._HelpAction | argparse._VersionAction):
            yield " ".join(path), action


def test_every_argument_of_every_command_has_help_text() -> None:
    missing = [
        f"{path}: {'/'.join(a.option_strings) or a.dest}"
        for path, a in _arguments(build_parser())
        if not a.help
    ]
    assert missing == []


def test_every_command_that_changes_a_dispute_has_the_stale_write_guard() -> None:
    """``_Commands.on_dispute`` gives each its ref and ``--expect-version``; a note only
    appends, so it cannot go stale and takes no version."""
    from panel_tui.cli import writes

    (commands,) = (a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    changing = {
        name: {a.dest for a in sub._actions}
        for name, sub in commands.choices.items()
        if getattr(sub.get_default("handler"), "__module__", "") == writes.__name__
        and any(a.dest == "ref" for a in sub._actions)
    }
    assert len(changing) >= 16
    unguarded = [c for c, dests in sorted(changing.items()) if "expect_version" not in dests]
    assert unguarded == ["note"]


def test_the_form_printed_by_open_help_is_valid() -> None:
    # The field and column names the help lists are rules/fields.py's own: nothing to drift.
    validate_form(docs.form_template())


def _help(*argv: str) -> str:
    result = run(None, *argv, "--help")
    assert result.code == 0
    return result.out


def test_open_help_names_every_field_and_evidence_item() -> None:
    text = _help("open")
    for name in [*FORM_FIELDS, "evidence", *(k.value for k in EvidenceKey)]:
        assert name in text, name
    assert "--template" in text


def test_import_help_lists_every_csv_column_and_what_is_skipped() -> None:
    text = " ".join(_help("import").split())  # the column list is wrapped
    for column in CSV_COLUMNS:
        assert column in text, column
    assert "already holds" in text and "skipped" in text


def test_edit_help_lists_its_fields() -> None:
    text = _help("edit")
    for name in TEXT_FIELDS:
        assert name in text, name


def test_the_template_opens_as_printed(tmp_path: Path) -> None:
    db = tmp_path / "store.db"
    build_team_store(db, [])
    template = ok(db, "open", "--template")
    data = json.loads(template)
    assert (data["raising_agency"], data["responding_agencies"]) == ("CBH", ["HSG"])
    out = ok(db, "--as", "duty", "open", "--json", "-", stdin=template)
    assert out.startswith("opened D-")


def test_the_template_without_a_store_is_still_a_valid_form(tmp_path: Path) -> None:
    result = run(tmp_path / "none.db", "open", "--template")
    assert result.code == 0 and not (tmp_path / "none.db").exists()
    validate_form(json.loads(result.out))


def test_every_field_edit_help_names_can_be_set(tmp_path: Path) -> None:
    db = tmp_path / "store.db"
    (ref,) = build_team_store(db, [form()])
    sets = [a for field in TEXT_FIELDS for a in ("--set", f"{field}=A new text for {field}")]
    ok(db, "--as", "duty", "edit", ref, *sets)
    shown = json.loads(ok(db, "show", ref, "--format", "json"))
    assert {f: shown[f] for f in TEXT_FIELDS} == {f: f"A new text for {f}" for f in TEXT_FIELDS}


def test_each_commands_format_help_names_exactly_the_formats_it_takes() -> None:
    """`import --help` said "json or csv for scripts" where import takes table or json."""
    import re

    seen = 0
    for command, action in _arguments(build_parser()):
        if action.dest != "format" or not action.choices:
            continue
        seen += 1
        named = set(re.findall(r"\b(table|json|csv|md|toml)\b", action.help.split("(default")[0]))
        assert named == set(action.choices), (command, action.help, action.choices)
    assert seen > 10
