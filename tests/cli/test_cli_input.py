"""Bad input on the command line: one line on stderr, exit 2, nothing written (issue 11).

Run in-process through ``main(argv)`` (tests/cli_inprocess.py) on copies of one
team store built once for the module.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_helpers import form
from cli_inprocess import Run, build_team_store, copy_store, fingerprint, ok, run

from panel_tui.rules.limits import SHORT_MAX, TEXT_MAX


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    db = tmp_path_factory.mktemp("template") / "team.db"
    refs = build_team_store(
        db,
        [
            form(),
            form(person_ref="P-50_off", problem_statement="Discharge 100% stalled over A_B."),
            form(person_ref="P-0077", raising_agency="HSG", responding_agencies=["CBH"]),
        ],
    )
    return db, refs


@pytest.fixture
def store(template: tuple[Path, list[str]], tmp_path: Path) -> Path:
    return copy_store(template[0], tmp_path / "store.db")


@pytest.fixture
def refs(template: tuple[Path, list[str]]) -> list[str]:
    return template[1]


def refused(db: Path, *argv: str, stdin: str = "", code: int = 2) -> Run:
    """Run a command that must be refused with ``code``, one line, nothing written."""
    before = fingerprint(db)
    result = run(db, *argv, stdin=stdin)
    assert result.code == code, (argv, result)
    assert "Traceback" not in result.err
    assert result.out == "", result.out  # no usage lines where a script reads results
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("panel-tui: "), result.err
    assert fingerprint(db) == before
    return result


# --- tracebacks that were ----------------------------------------------------------------


@pytest.mark.backend
@pytest.mark.parametrize("doc", ["[]", "null", '"x"', "5", "[{}]"])
def test_open_json_that_is_not_one_object(store: Path, doc: str) -> None:
    result = refused(store, "--as", "duty", "open", "--json", "-", stdin=doc)
    assert "one JSON object of form fields" in result.err and "--template" in result.err


@pytest.mark.backend
def test_deeply_nested_json_for_open_and_import(store: Path, tmp_path: Path) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    result = refused(store, "--as", "duty", "open", "--json", "-", stdin=deep)
    assert "nested deeper than 32 levels" in result.err
    path = tmp_path / "deep.json"
    path.write_text('{"format": ' + "[" * 50 + "]" * 50 + "}")
    assert "nested deeper" in refused(store, "import", str(path)).err


@pytest.mark.backend
def test_a_five_thousand_digit_number(store: Path, tmp_path: Path) -> None:
    doc = json.dumps(form()).replace('"P-0042"', "9" * 5000)
    result = refused(store, "--as", "duty", "open", "--json", "-", stdin=doc)
    # Our words, not Python's ("Exceeds the limit (4300 digits) for integer string ...").
    assert "a number of more than 4,300 digits (no field takes one)" in result.err
    assert "Exceeds" not in result.err and "conversion" not in result.err
    path = tmp_path / "big.json"
    path.write_text('{"version": ' + "9" * 5000 + "}")
    assert "more than 4,300 digits" in refused(store, "import", str(path)).err
    for option in ("--limit", "--stage"):
        result = refused(store, "queue", option, "9" * 5000)
        assert "'99999999999999999999' is not from" in result.err  # quoted short
        assert len(result.err) < 200, result.err


@pytest.mark.backend
@pytest.mark.parametrize(
    "argv",
    [
        ("queue", "--at", "+99999999d"),
        ("queue", "--due-within", "99999999d"),
        ("show", "{ref}", "--at", "9999-12-31T23:59"),
        ("report", "--days", "99999999"),
        ("report", "--from", "+99999999d"),
        ("--as", "chair", "decide", "{ref}", "--outcome", "not_upheld", "--rationale",
         "the current arrangement stands", "--review", "+99999999d"),
        ("--as", "sup", "cover", "{ref}", "--provider", "MCO", "--level", "daily calls",
         "--review", "+99999999d"),
        ("--as", "sup", "provisional", "{ref}", "--coordinator", "duty", "--actions",
         "welfare check", "--days", "99999999"),
        ("--as", "sup", "provisional", "{ref}", "--coordinator", "duty", "--actions",
         "welfare check", "--until", "+99999999d"),
    ],
)  # fmt: skip
def test_overflowing_times_and_durations(store: Path, refs: list[str], argv: tuple) -> None:
    result = refused(store, *(a.replace("{ref}", refs[0]) for a in argv))
    assert "too far" in result.err or "from 1 to" in result.err


@pytest.mark.backend
def test_a_search_of_100000_characters(store: Path) -> None:
    result = refused(store, "queue", "--text", "a" * 100_000)
    assert f"at most {SHORT_MAX}" in result.err


# --- the one grammar -----------------------------------------------------------------


@pytest.mark.backend
def test_the_app_date_forms_work_on_the_command_line(store: Path, refs: list[str]) -> None:
    ok(
        store,
        "--as",
        "sup",
        "escalate",
        refs[0],
        "--impact",
        "no support while agencies disagree",
        "--note",
        "to the supervisor",
    )
    ok(
        store, "--as", "sup", "decide", refs[0], "--outcome", "assigned", "--receiving", "MCO",
        "--rationale", "the current arrangement stands", "--review", "+14",
    )  # fmt: skip
    shown = json.loads(ok(store, "show", refs[0], "--format", "json"))
    assert shown["decisions"][0]["review_date"] > shown["opened_at"][:10]


# --- the small items ---------------------------------------------------------------


@pytest.mark.backend
def test_expect_version_ahead_of_the_dispute(store: Path, refs: list[str]) -> None:
    result = refused(
        store,
        "--as",
        "duty",
        "escalate",
        refs[0],
        "--impact",
        "no support while agencies disagree",
        "--note",
        "x",
        "--expect-version",
        "999",
    )
    assert f"{refs[0]} has no version 999: it is at version 1" in result.err
    assert "changed by" not in result.err


@pytest.mark.backend
def test_search_text_percent_and_underscore_are_literal(store: Path, refs: list[str]) -> None:
    for text in ("%", "100%", "_b", "50_"):
        for who in ((), ("--as", "duty")):  # the quick reader and the ORM's query
            found = json.loads(ok(store, *who, "queue", "--text", text, "--format", "json"))
            assert [d["ref"] for d in found["disputes"]] == [refs[1]], (text, who)
    assert json.loads(ok(store, "queue", "--text", "P_00", "--format", "json"))["total"] == 0


@pytest.mark.backend
def test_an_unknown_agency_filter_names_the_known_ones(store: Path) -> None:
    for who in ((), ("--as", "duty")):
        result = refused(store, *who, "queue", "--agency", "ZZZ")
        assert "unknown agency 'ZZZ': this store has CBH, HSG, MCO" in result.err
    assert json.loads(ok(store, "queue", "--agency", "hsg", "--format", "json"))["total"] == 1


def test_policy_check_errors_go_to_stderr(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[clock]\nwarning_fraction = 7\n")
    result = run(None, "policy", "check", str(bad))
    assert result.code == 2 and result.out == ""
    assert "warning_fraction" in result.err and "Traceback" not in result.err


@pytest.mark.backend
def test_a_byte_order_mark_is_accepted_for_json_and_csv(store: Path, tmp_path: Path) -> None:
    path = tmp_path / "form.json"
    path.write_text("\ufeff" + json.dumps(form()), encoding="utf-8")
    assert "opened D-" in ok(store, "--as", "duty", "open", "--json", str(path))
    assert "opened D-" in ok(
        store, "--as", "duty", "open", "--json", "-", stdin="\ufeff" + json.dumps(form())
    )


# --- one bound for every free text ---------------------------------------------------


@pytest.mark.backend
@pytest.mark.parametrize(
    "argv",
    [
        ("--as", "duty", "note", "{ref}", "{long}"),
        ("--as", "sup", "escalate", "{ref}", "--impact", "no support", "--note", "{long}"),
        ("--as", "sup", "escalate", "{ref}", "--impact", "no support", "--breach-reason", "{long}"),
        ("--as", "sup", "escalate", "{ref}", "--impact", "{long}"),
        ("--as", "sup", "cover", "{ref}", "--provider", "MCO", "--level", "{long}"),
        ("--as", "sup", "provisional", "{ref}", "--coordinator", "duty", "--actions", "{long}",
         "--days", "10"),
        ("--as", "duty", "withdraw", "{ref}", "--reason", "{long}"),
        ("--as", "duty", "evidence", "{ref}", "risk_screen", "--absent", "--note", "{long}"),
        ("--as", "duty", "edit", "{ref}", "--set", "problem_statement={long}"),
        ("agencies", "add", "ZZZ", "{short}"),
        ("users", "add", "zed", "--name", "{short}", "--roles", "frontline"),
    ],
)  # fmt: skip
def test_free_text_has_one_upper_bound(store: Path, refs: list[str], argv: tuple) -> None:
    long, short = "x" * (TEXT_MAX + 1), "x" * (SHORT_MAX + 1)
    args = [
        a.replace("{ref}", refs[0]).replace("{long}", long).replace("{short}", short) for a in argv
    ]
    result = refused(store, *args)
    assert "too long: at most" in result.err
    at_limit = [a.replace(long, "x" * TEXT_MAX).replace(short, "x" * SHORT_MAX) for a in args]
    assert run(store, *at_limit).code == 0


@pytest.mark.backend
def test_decision_rationale_and_start_plan_are_bounded(store: Path, refs: list[str]) -> None:
    ref = refs[0]
    ok(
        store,
        "--as",
        "sup",
        "escalate",
        ref,
        "--impact",
        "no support while agencies disagree",
        "--note",
        "to the supervisor",
    )
    decide = ("--as", "sup", "decide", ref, "--outcome", "assigned", "--receiving", "MCO",
              "--review", "+14", "--rationale")  # fmt: skip
    refused(store, *decide, "x" * (TEXT_MAX + 1))
    refused(store, *decide, "MCO holds the contract", "--pathway", "x" * (TEXT_MAX + 1))
    ok(store, *decide, "x" * TEXT_MAX)
    accept = ("--as", "duty", "accept", ref, "--start-plan")
    refused(store, *accept, "x" * (TEXT_MAX + 1), code=2)


# --- import: what the store holds is skipped; nothing from the future ----------------------


@pytest.mark.backend
def test_importing_the_same_export_again_skips_what_is_held(
    store: Path, refs: list[str], tmp_path: Path
) -> None:
    export = tmp_path / "export.json"
    ok(store, "export", "-o", str(export))
    again = json.loads(ok(store, "import", str(export), "--format", "json"))
    assert again["imported"] == 0 and again["skipped"] == {r: r for r in refs}

    fresh = tmp_path / "fresh.db"
    ok(fresh, "init", "--name", "Fresh Admin")
    first = json.loads(ok(fresh, "import", str(export), "--format", "json"))
    assert first["imported"] == len(refs) and first["skipped"] == {}
    before = fingerprint(fresh)["dispute"]
    for _ in range(3):
        out = ok(fresh, "import", str(export))
        assert (
            "imported 0 disputes" in out and f"skipped {len(refs)} the store already holds" in out
        )
    assert fingerprint(fresh)["dispute"] == before


@pytest.mark.backend
def test_importing_the_same_csv_again_skips_what_is_held(store: Path, tmp_path: Path) -> None:
    from panel_tui.store.transfer import CSV_EXAMPLE

    log = tmp_path / "log.csv"
    log.write_text(CSV_EXAMPLE + CSV_EXAMPLE.splitlines()[1] + "\n")  # the row twice
    first = json.loads(ok(store, "--as", "imp", "import", str(log), "--format", "json"))
    assert first["imported"] == 1 and list(first["skipped"]) == ["row 2"]
    second = json.loads(ok(store, "--as", "imp", "import", str(log), "--format", "json"))
    assert second["imported"] == 0 and len(second["skipped"]) == 2


@pytest.mark.backend
def test_import_refuses_times_in_the_future(store: Path, tmp_path: Path) -> None:
    from panel_tui.store.transfer import CSV_EXAMPLE

    log = tmp_path / "future.csv"
    log.write_text(CSV_EXAMPLE.replace("2026-03-02T09:00:00+00:00", "2099-01-01T09:00:00+00:00"))
    result = refused(store, "--as", "imp", "import", str(log))
    assert "row 1, field 'opened_at'" in result.err and "in the future" in result.err

    export = tmp_path / "export.json"
    ok(store, "export", "-o", str(export))
    doc = json.loads(export.read_text())
    doc["disputes"][0]["opened_at"] = "2099-01-01T09:00:00+00:00"
    export.write_text("\ufeff" + json.dumps(doc))  # a byte-order mark is fine
    result = refused(store, "import", str(export))
    assert "opened_at" in result.err and "in the future" in result.err


@pytest.mark.backend
@pytest.mark.parametrize(
    "argv",
    [
        ("queue", "--limit", "1\n2"),
        ("queue", "--expect-version", "\x85"),
        ("queue", "--agency", "Z\nZ"),
        ("queue", "--at", "now\r\nlater"),
    ],
)
def test_a_message_quoting_what_was_typed_stays_on_one_line(store: Path, argv: tuple) -> None:
    result = refused(store, *argv)
    assert "\\x" in result.err  # the control character, shown escaped
