"""Bad input, fuzzed: the form, the policy file and both import formats.

Whatever arrives, the answer is an InvalidInputError that names the field (and
for imports the row), never another exception, and nothing is written: the
tables and the event log are counted before and after each attempt.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import math
import tomllib
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from profiles import examples
from reliability.relkit import T0, counts, record_figures, valid_form

from panel_tui.rules.clocks import clock_state, due_time
from panel_tui.rules.enums import Risk, Stage
from panel_tui.rules.errors import DomainError, InvalidInputError
from panel_tui.rules.forms import form_errors, validate_form
from panel_tui.rules.policy import default_policy_text, parse_policy, policy_errors
from panel_tui.store.db import Store
from panel_tui.store.ledger import Ledger
from panel_tui.store.ledger.admin import Admin
from panel_tui.store.transfer import CSV_EXAMPLE, export_store, import_csv, import_export

# Examples per test under the ci profile (.ci/run); a quarter of it under dev (tests/profiles.py).
FORM_EXAMPLES = examples(1000)
LEDGER_FORM_EXAMPLES = examples(300)
POLICY_TEXT_EXAMPLES = examples(1000)
POLICY_MUTATION_EXAMPLES = examples(1000)
CSV_EXAMPLES = examples(300)
EXPORT_EXAMPLES = examples(300)
TABLES = (
    "dispute",
    "event",
    "stagerecord",
    "evidenceitem",
    "disputeagency",
    "note",
    "decision",
    "acceptance",
    "interimcover",
    "provisionalpackage",
    "contactattempt",
    "person",
    "agency",
    "setting",
)
SEEN: Counter[str] = Counter()
FUZZ = settings(
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# --- values a careless or hostile sender might put anywhere ----------------------------------
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(
        [
            "",
            " ",
            "x" * 5000,
            "\x00",
            "CBH",
            "cbh ",
            "ZZZ",
            "2026-13-45",
            "2026-03-02T09:00:00",
            "2026-03-02T09:00:00+00:00",
            "9999-12-31T23:59:59+14:00",
            "closed",
            "critical",
            "-1",
            "5",
            "NaN",
            "Robert'); DROP TABLE dispute;--",
        ]
    ),
)
JUNK = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=10), inner, max_size=3)
    ),
    max_leaves=6,
)


@st.composite
def mutated_forms(draw: st.DrawFn) -> dict[str, Any]:
    form = valid_form(
        dispute_type=draw(st.sampled_from(["eligibility", "funding", "safeguarding", "capacity"])),
        risk=draw(st.sampled_from(["critical", "high", "medium", "low"])),
    )
    for _ in range(draw(st.integers(1, 3))):
        how = draw(st.sampled_from(["drop", "replace", "add", "evidence", "agencies"]))
        key = draw(st.sampled_from(sorted(form)))
        if how == "drop":
            form.pop(key, None)
        elif how == "replace":
            form[key] = draw(JUNK)
        elif how == "add":
            form[draw(st.text(min_size=1, max_size=12))] = draw(JUNK)
        elif how == "evidence":
            evidence = (
                dict(form.get("evidence") or {}) if isinstance(form.get("evidence"), dict) else {}
            )
            item = draw(
                st.sampled_from(["contact_history", "risk_screen", "bogus", "service_plan"])
            )
            evidence[item] = draw(
                st.one_of(JUNK, st.fixed_dictionaries({"present": JUNK, "note": JUNK}))
            )
            form["evidence"] = evidence
        else:
            form[draw(st.sampled_from(["raising_agency", "responding_agencies"]))] = draw(
                st.one_of(
                    st.sampled_from(["CBH", "MCO", "HOU", "ZZZ", ""]),
                    st.lists(st.sampled_from(["CBH", "MCO", "HOU", "ZZZ", "", " mco"]), max_size=7),
                )
            )
    return form


# --- the form ----------------------------------------------------------------------------------
@given(form=mutated_forms())
@settings(FUZZ, max_examples=FORM_EXAMPLES)
def test_the_form_names_the_field_of_any_bad_input(form: dict[str, Any]) -> None:
    SEEN["form"] += 1
    errors = form_errors(copy.deepcopy(form))
    try:
        validate_form(copy.deepcopy(form))
    except InvalidInputError as err:
        SEEN["form refused"] += 1
        assert err.field, f"no field named: {err}"
        assert err.field in errors, (err.field, errors)
    else:
        assert errors == {}


@pytest.fixture
def open_store(store_path: Path):
    store = Store.open(str(store_path))
    yield store
    store.close()


@given(form=mutated_forms())
@settings(FUZZ, max_examples=LEDGER_FORM_EXAMPLES)
def test_opening_a_bad_form_writes_nothing(open_store: Store, form: dict[str, Any]) -> None:
    SEEN["ledger form"] += 1
    ledger = Ledger(open_store, "duty_lead", clock=lambda: T0)
    path = open_store.path
    before = counts(path, TABLES)
    try:
        ledger.open_dispute(form)
    except InvalidInputError as err:
        SEEN["ledger form refused"] += 1
        assert err.field, f"no field named: {err}"
        assert counts(path, TABLES) == before, f"{err} but something was written"
    else:
        after = counts(path, TABLES)
        assert after["dispute"] == before["dispute"] + 1


# --- the policy file ---------------------------------------------------------------------------
def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return (
            "{" + ", ".join(f"{json.dumps(k)} = {_toml_value(v)}" for k, v in value.items()) + "}"
        )
    raise TypeError(type(value))


def to_toml(doc: dict[str, Any]) -> str:
    """A small TOML writer: top-level values, then one [table] per nested table."""
    lines = [
        f"{json.dumps(k)} = {_toml_value(v)}" for k, v in doc.items() if not isinstance(v, dict)
    ]
    for name, table in doc.items():
        if isinstance(table, dict):
            lines.append(f"[{json.dumps(name)}]")
            lines += [f"{json.dumps(k)} = {_toml_value(v)}" for k, v in table.items()]
    return "\n".join(lines) + "\n"


TOML_SCALARS = st.one_of(
    st.booleans(),
    st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(st.characters(blacklist_categories=["Cs"]), max_size=20),
    st.sampled_from(["admin", "supervisor", "nobody", "", "frontline"]),
)
TOML_VALUES = st.one_of(
    TOML_SCALARS,
    st.lists(TOML_SCALARS, max_size=5),
    st.dictionaries(st.text(min_size=1, max_size=8), TOML_SCALARS, max_size=3),
)
DEFAULT_DOC = tomllib.loads(default_policy_text())


def _paths(doc: dict[str, Any]) -> list[tuple[str, ...]]:
    found: list[tuple[str, ...]] = []
    for key, value in doc.items():
        found.append((key,))
        if isinstance(value, dict):
            found += [(key, *p) for p in _paths(value)]
    return found


EXTREMES = st.sampled_from(
    [
        0,
        -1,
        1,
        0.5,
        1e-300,
        7,
        14,
        365,
        366,
        3650,
        3651,
        8760,
        8761,
        10**6,
        2**31,
        2**63 - 1,
        1e308,
        math.nan,
        math.inf,
        -math.inf,
    ]
)


def _get(doc: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        doc = doc[key]
    return doc


@st.composite
def mutated_policies(draw: st.DrawFn) -> str:
    doc = copy.deepcopy(DEFAULT_DOC)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_paths(doc) or [("clock",)]))
        parent = doc
        for key in path[:-1]:
            parent = parent[key]
        how = draw(
            st.sampled_from(["drop", "replace", "add", "window", "role", "number", "number"])
        )
        if how == "drop":
            parent.pop(path[-1], None)
        elif how == "replace":
            parent[path[-1]] = draw(TOML_VALUES)
        elif how == "add":
            parent[draw(st.text(min_size=1, max_size=10))] = draw(TOML_SCALARS)
        elif how == "number":
            # Any number in the policy, set to a boundary or an absurd value.
            numeric = [p for p in _paths(doc) if isinstance(_get(doc, p), int | float)]
            if numeric:
                target = draw(st.sampled_from(numeric))
                _get(doc, target[:-1])[target[-1]] = draw(EXTREMES)
        elif how == "window":
            risk = draw(st.sampled_from(["critical", "high", "medium", "low"]))
            windows = doc.setdefault("windows", {})
            if not isinstance(windows, dict):
                continue
            old = windows.get(risk)
            row = list(old) if isinstance(old, list) and old else [4, 24, 24, 24]
            row[draw(st.integers(0, len(row) - 1))] = draw(
                st.one_of(
                    st.floats(allow_nan=True, allow_infinity=True),
                    st.integers(-(2**63), 2**63 - 1),
                    st.sampled_from([0, -1, 1e-300, 8760, 8761, 1e308]),
                )
            )
            windows[risk] = row
        else:
            rights = doc.setdefault("rights", {})
            if isinstance(rights, dict):
                action = draw(st.sampled_from(sorted(DEFAULT_DOC["rights"])))
                rights[action] = draw(st.lists(st.sampled_from(["admin", "pope", "", "oversight"])))
    text = to_toml(doc)
    if draw(st.booleans()):
        # And sometimes damage the text itself: cut, repeat or insert at a line.
        lines = text.splitlines()
        i = draw(st.integers(0, len(lines) - 1))
        lines.insert(i, draw(st.sampled_from(["", "[clock]", "x = ", "= 1", lines[i], "[[a]]"])))
        text = "\n".join(lines)
    return text


def _policy_checked(text: str) -> None:
    problems = policy_errors(text)
    try:
        policy = parse_policy(text, source="the policy file")
    except InvalidInputError as err:
        SEEN["policy refused"] += 1
        assert problems, "parse_policy refused what policy_errors accepts"
        if str(err).startswith("the policy file is not valid TOML"):
            where = str(err)
            assert "line" in where or "end of document" in where, f"no place named: {err}"
        else:
            assert err.field, f"no key named: {err}"
            assert any(p.startswith(err.field) for p in problems), (err.field, problems)
        return
    assert problems == []
    # An accepted policy must be usable: every clock can be computed from it.
    for risk in Risk:
        for stage in Stage:
            due = due_time(policy, risk, stage, T0)
            if due is not None:
                clock_state(policy, entered=T0, due=due, now=T0 + timedelta(days=400))
    start = datetime(2026, 3, 2, tzinfo=UTC)
    for days in (policy.provisional.min_days, policy.provisional.max_days):
        _ = start + timedelta(days=days)
    _ = start + policy.liaison_after


@given(text=st.text(max_size=300))
@settings(FUZZ, max_examples=POLICY_TEXT_EXAMPLES)
def test_any_text_as_a_policy_gets_a_clear_answer(text: str) -> None:
    SEEN["policy text"] += 1
    _policy_checked(text)


@given(text=mutated_policies())
@settings(FUZZ, max_examples=POLICY_MUTATION_EXAMPLES)
def test_a_damaged_default_policy_names_the_key(text: str) -> None:
    SEEN["policy mutation"] += 1
    _policy_checked(text)


# --- the import formats ------------------------------------------------------------------------
IMPORTER_ROLES = [
    "admin",
    "duty_lead",
    "supervisor",
    "program_manager",
    "clinical_lead",
    "integration_lead",
]


@pytest.fixture
def import_store(store_path: Path):
    """A store whose 'importer' holds every role an import replays, with the CSV's agencies."""
    store = Store.open(str(store_path))
    admin = Admin(store, "admin")
    admin.add_agency("HSG", "Housing")
    admin.add_person("importer", "Importer", IMPORTER_ROLES, "CBH")
    yield store
    store.close()


def _csv_rows() -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(CSV_EXAMPLE))
    closed = next(reader)
    withdrawn = dict(
        closed,
        status="withdrawn",
        outcome="",
        receiving_agency="",
        rationale="",
        decided_by="",
        review_date="",
        start_plan="",
        withdrawn_reason="family moved out of area",
        person_ref="P-1002",
    )
    waiting = dict(
        withdrawn,
        status="open",
        stage="2",
        resolved_at="",
        withdrawn_reason="",
        stage_entered_at="2026-03-05T09:00:00+00:00",
        person_ref="P-1003",
        risk="high",
        interim_risk_actions="daily welfare call",
    )
    final = dict(
        closed,
        stage="3",
        stage_entered_at="2026-03-06T09:00:00+00:00",
        resolved_at="2026-03-07T10:00:00+00:00",
        status="decided",
        start_plan="",
        dispute_type="capacity",
        person_ref="P-1004",
    )
    return list(closed), [closed, withdrawn, waiting, final]


def _write_csv(header: list[str], rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


CSV_HEADER, CSV_ROWS = _csv_rows()
CELL_JUNK = st.one_of(
    SCALARS.map(lambda v: "" if v is None else str(v)),
    st.sampled_from(
        [
            "present",
            "absent",
            "absent:",
            "present: ok",
            "4",
            "0",
            "decided",
            "withdrawn",
            "open",
            "no_agreement",
            "2026-02-01",
            "2026-03-01T09:00:00Z",
            "2026-03-02T08:59:59+00:00",
            "MCO;MCO",
            "CBH;MCO",
            ";",
            "9",
        ]
    ),
)


def test_the_csv_fixture_imports_cleanly(import_store: Store) -> None:
    result = import_csv(import_store, "importer", _write_csv(CSV_HEADER, CSV_ROWS))
    assert result.disputes == len(CSV_ROWS)


def _refused_cleanly(store: Store, attempt, row: int | None, what: str) -> str:
    """Run an import; it may succeed, or refuse naming ``row`` with nothing written."""
    path = store.path
    before = counts(path, TABLES)
    try:
        attempt()
    except InvalidInputError as err:
        assert counts(path, TABLES) == before, f"{err} but something was written"
        assert err.field or err.row, f"{what}: names neither row nor field: {err}"
        if row is not None:
            assert err.row == row, f"{what}: the bad row is {row}, the error says {err}"
        return "InvalidInputError"
    except DomainError as err:
        # A rule refusing the replayed history (a stage it could not have reached, say).
        assert counts(path, TABLES) == before, f"{err} but something was written"
        if row is not None:
            assert f"row {row}" in str(err), f"{what}: the error does not name row {row}: {err}"
        return type(err).__name__
    return "imported"


@given(data=st.data())
@settings(FUZZ, max_examples=CSV_EXAMPLES)
def test_a_bad_csv_cell_names_its_row_and_nothing_is_written(import_store: Store, data) -> None:
    rows = [dict(r) for r in CSV_ROWS]
    how = data.draw(st.sampled_from(["cell", "cell", "cell", "header", "extra"]), "how")
    row = None
    if how == "cell":
        row = data.draw(st.integers(1, len(rows)), "row")
        column = data.draw(st.sampled_from(CSV_HEADER), "column")
        rows[row - 1][column] = data.draw(CELL_JUNK, "value")
        text = _write_csv(CSV_HEADER, rows)
    elif how == "header":
        header = list(CSV_HEADER)
        header[data.draw(st.integers(0, len(header) - 1))] = data.draw(st.text(max_size=12))
        text = _write_csv(CSV_HEADER, rows).replace(",".join(CSV_HEADER), ",".join(header), 1)
    else:
        text = _write_csv(CSV_HEADER, rows) + data.draw(st.text(max_size=60))
    SEEN["csv"] += 1
    outcome = _refused_cleanly(
        import_store, lambda: import_csv(import_store, "importer", text), row, how
    )
    SEEN[f"csv {outcome}"] += 1


def _source_export(path: Path) -> dict[str, Any]:
    """A small store with a closed, a withdrawn and a live dispute, exported."""
    store = Store.open(str(path))
    try:
        at = T0
        duty = Ledger(store, "duty_lead", clock=lambda: at)
        sup = Ledger(store, "supervisor", clock=lambda: at)
        one = duty.open_dispute(valid_form(person_ref="P-0001"))
        duty.assign_cover(one, "CBH", "daily call")
        duty.start_provisional(one, "duty_lead", "welfare checks", days=10)
        duty.log_contact(one, "phone", "reached", "spoke to him")
        sup.escalate(one, "needs the supervisors", impact="the person waits without agreed support")
        sup.record_decision(
            one, "assigned", "MCO contract covers it", date(2026, 6, 1), receiving_agency="MCO"
        )
        mco = Ledger(store, "mco_duty_lead", clock=lambda: at)  # MCO receives: it confirms
        mco.confirm_acceptance(one, "intake booked Thursday", date(2026, 3, 3))
        two = duty.open_dispute(valid_form(person_ref="P-0002", risk="low"))
        duty.add_note(two, "family moving")
        duty.withdraw(two, "moved out of the area")
        three = duty.open_dispute(valid_form(person_ref="P-0003"))
        sup.escalate(three, "up", impact="the person waits without agreed support")
        sup.escalate(three, "up again", impact="the person waits without agreed support")
        duty.record_evidence(three, "service_plan", True, "received")
        return export_store(store, at=T0 + timedelta(days=1))
    finally:
        store.close()


@pytest.fixture(scope="module")
def export_doc(tmp_path_factory: pytest.TempPathFactory, base_store: Path) -> dict[str, Any]:
    import shutil

    path = tmp_path_factory.mktemp("export") / "source.db"
    shutil.copyfile(base_store, path)
    return _source_export(path)


def _doc_paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, inner in value.items():
            found += _doc_paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            found += _doc_paths(inner, (*prefix, i))
    return found


def test_the_export_fixture_imports_cleanly(import_store: Store, export_doc) -> None:
    result = import_export(import_store, "importer", copy.deepcopy(export_doc))
    assert result.disputes == 3


@given(data=st.data())
@settings(FUZZ, max_examples=EXPORT_EXAMPLES)
def test_a_damaged_export_names_its_row_and_nothing_is_written(
    import_store: Store, export_doc, data
) -> None:
    doc = copy.deepcopy(export_doc)
    inside = data.draw(st.integers(0, 4), "where") > 0  # mostly inside a dispute
    paths = _doc_paths(doc["disputes"], ("disputes",)) if inside else _doc_paths(doc)
    path = data.draw(st.sampled_from([p for p in paths if len(p) > (2 if inside else 0)]), "path")
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    how = data.draw(st.sampled_from(["replace", "replace", "drop"]), "how")
    if how == "drop" and isinstance(parent, dict) or how == "drop":
        parent.pop(path[-1])
    else:
        parent[path[-1]] = data.draw(JUNK, "value")
    row = path[1] + 1 if inside else None
    SEEN["export"] += 1
    outcome = _refused_cleanly(
        import_store, lambda: import_export(import_store, "admin", doc), row, str(path)
    )
    SEEN[f"export {outcome}"] += 1


# --- unreadable files through the real command line --------------------------------------------
@pytest.mark.parametrize(
    "args",
    [
        ("policy", "check", "{file}"),
        ("policy", "set", "{file}"),
        ("open", "--json", "{file}"),
        ("open", "--json", "-"),
        ("import", "{file}"),
        ("import", "--csv", "{file}"),
    ],
)
@pytest.mark.parametrize("content", ["binary", "huge csv cell"])
def test_unreadable_files_get_a_message_not_a_traceback(tmp_path: Path, args, content) -> None:
    import os
    import subprocess
    import sys

    db = tmp_path / "store.db"
    env = dict(os.environ, NO_COLOR="1")
    run = [sys.executable, "-m", "panel_tui", "--db", str(db)]
    subprocess.run([*run, "init", "--name", "Ada"], check=True, capture_output=True, env=env)
    before = counts(db, ("event", "dispute", "setting"))
    file = tmp_path / "input"
    if content == "binary":
        data = b"\xff\xfe\xc1" + bytes(range(256)) * 4
    else:
        data = (",".join(CSV_HEADER) + "\n" + "x" * 200_000 + "\n").encode()
    file.write_bytes(data)
    argv = [a.format(file=file) for a in args]
    result = subprocess.run(
        [*run, *argv], input=data if "-" in argv else None, capture_output=True, env=env
    )
    output = (result.stdout + result.stderr).decode(errors="replace")
    assert "Traceback" not in output, output
    assert result.returncode in (1, 2) and output.strip(), (result.returncode, output)
    assert counts(db, ("event", "dispute", "setting")) == before
    SEEN["unreadable files via the CLI"] += 1


def test_record_fuzzing_figures() -> None:
    """Runs last in this module: writes how many inputs each fuzzer tried."""
    record_figures(
        "bad_input",
        {
            "settings": {
                "form": FORM_EXAMPLES,
                "ledger_form": LEDGER_FORM_EXAMPLES,
                "policy_text": POLICY_TEXT_EXAMPLES,
                "policy_mutation": POLICY_MUTATION_EXAMPLES,
                "csv": CSV_EXAMPLES,
                "export": EXPORT_EXAMPLES,
            },
            "inputs_tried": dict(sorted(SEEN.items())),
        },
    )
