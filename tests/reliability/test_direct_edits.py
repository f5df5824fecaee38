"""Direct edits to the tables, as a user who can write the file would make them.

Every record is under the chain: ``audit verify`` and ``doctor`` rebuild the
tables from the events and name any row that differs (table, dispute ref or
login, field, stored vs. expected), exit 1. The edits of issue 10 are tried one
by one through the real command line; a property test changes any single cell
of any covered table, or deletes any row, and checks that verify names it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reliability.relkit import copy_of, records, rich_store_in
from reliability.richstore import rows

from panel_tui.cli import main
from panel_tui.store.rebuild.registry import COVERED
from panel_tui.store.sqlite_driver import sqlite as sqlite3


def edit(path: Path, sql: str, *args: Any) -> None:
    conn = sqlite3.connect(path)
    try:
        with conn:
            conn.execute(sql, args)
    finally:
        conn.close()


@pytest.fixture(scope="module")
def rich_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return rich_store_in(tmp_path_factory.mktemp("rich"), "rich.db")


@pytest.fixture
def rich(rich_base: Path, tmp_path: Path) -> Path:
    return copy_of(rich_base, tmp_path / "store.db")


def run(capsys: pytest.CaptureFixture[str], path: Path, *args: str) -> tuple[int, str]:
    code = main(["--db", str(path), *args])
    return code, capsys.readouterr().out


# --- a clean store --------------------------------------------------------------------------
def test_every_record_kind_is_written_and_verifies(rich: Path, capsys) -> None:
    counts = {t: rows(rich, f"SELECT count(*) AS n FROM {t}")[0]["n"] for t in COVERED}
    assert all(n > 0 for n in counts.values()), counts  # each covered table has rows to check
    report = records(rich)
    assert report.ok, report.describe()
    assert (
        report.checked
        == sum(counts.values())
        - rows(rich, "SELECT count(*) AS n FROM setting WHERE key NOT IN ('policy', 'store_kind')")[
            0
        ]["n"]
    )
    assert report.unproven == 0  # every record was made by an operation's event
    code, out = run(capsys, rich, "audit", "verify")
    assert code == 0
    assert "rows match what the events say" in out


# --- the edits of issue 10, through the command line -----------------------------------------
def _dispute(path: Path, n: int = 2) -> dict[str, Any]:
    return rows(path, "SELECT * FROM dispute ORDER BY id")[n]


EDITS = {
    "decision rationale": (
        "UPDATE decision SET rationale = 'the county pays, as agreed by phone'",
        ("decision", "rationale", "the county pays, as agreed by phone"),
    ),
    "decision receiving agency": (
        "UPDATE decision SET receiving_agency_id = (SELECT id FROM agency WHERE code = 'HOU')",
        ("decision", "receiving_agency_id", None),
    ),
    "dispute risk": (
        "UPDATE dispute SET risk = 'low' WHERE ref = (SELECT max(ref) FROM dispute)",
        ("dispute", "risk", "low"),
    ),
    "an administrator inserted": (
        "INSERT INTO person (login, display_name, agency_id, roles, active, version) "
        "VALUES ('mallory', 'Mallory', NULL, 'admin duty_lead', 1, 1)",
        ("person", None, "mallory"),
    ),
    "roles widened": (
        "UPDATE person SET roles = roles || ' admin' WHERE login = 'frontline'",
        ("person", "roles", "frontline admin"),
    ),
    "store made a demo (allows --as)": (
        "UPDATE setting SET value = 'demo' WHERE key = 'store_kind'",
        ("setting", "value", "demo"),
    ),
    "policy replaced": (
        "INSERT OR REPLACE INTO setting (key, value) VALUES ('policy', 'x = 1')",
        ("setting", None, None),
    ),
    "a stage's due time": (
        "UPDATE stagerecord SET due_at = '2030-01-01 00:00:00.000000' WHERE stage = 1",
        ("stagerecord", "due_at", "2030-01-01 00:00:00.000000"),
    ),
    "a decision forged": (
        "INSERT INTO decision (dispute_id, kind, outcome, receiving_agency_id, pathway, "
        "rationale, decided_by_id, capacity, stage, review_date, decided_at) SELECT id, 'final', "
        "'assigned', raising_agency_id, '', 'forged', opened_by_id, 'clinical_lead', 3, "
        "'2027-01-01', opened_at FROM dispute LIMIT 1",
        ("decision", None, None),
    ),
    "a note deleted": ("DELETE FROM note", ("note", None, None)),
    "a contact deleted": ("DELETE FROM contactattempt", ("contactattempt", None, None)),
    "evidence marked present": (
        "UPDATE evidenceitem SET present = 1 - present",
        ("evidenceitem", "present", None),
    ),
    "a cover switched back on": (
        "UPDATE interimcover SET active = 1 WHERE active = 0",
        ("interimcover", "active", 1),
    ),
    "an agency renamed": (
        "UPDATE agency SET name = 'Someone Else' WHERE code = 'MCO'",
        ("agency", "name", "Someone Else"),
    ),
    # Issue 12: a review put off, a package's next step forged, a re-rating undone.
    "a review date put off": (
        "UPDATE dispute SET review_due_on = '2030-01-01' WHERE review_due_on IS NOT NULL",
        ("dispute", "review_due_on", "2030-01-01"),
    ),
    "a funded pathway forged": (
        "UPDATE provisionalpackage SET pathway = 'paid by housing'",
        ("provisionalpackage", "pathway", "paid by housing"),
    ),
    "an expired package closed by hand": (
        "UPDATE provisionalpackage SET closed_at = NULL",
        ("provisionalpackage", "closed_at", None),
    ),
    "a synchronisation's outcome rewritten": (
        "UPDATE casesync SET outcome = 'nothing was agreed'",
        ("casesync", "outcome", "nothing was agreed"),
    ),
    "consent widened to another agency": (
        "UPDATE consentscope SET agencies = 'CBH CRS MCO'",
        ("consentscope", "agencies", "CBH CRS MCO"),
    ),
    "an impact on the person erased": (
        "UPDATE stagerecord SET impact = NULL WHERE impact IS NOT NULL",
        ("stagerecord", "impact", None),
    ),
    "a synchronisation put off": (
        "UPDATE planholderassignment SET next_sync_due = '2027-01-01 00:00:00.000000' "
        "WHERE next_sync_due IS NOT NULL",
        ("planholderassignment", "next_sync_due", None),
    ),
    "an agenda item moved": (
        "UPDATE panelagendaitem SET position = position + 5",
        ("panelagendaitem", "position", None),
    ),
}


@pytest.mark.parametrize("what", list(EDITS))
def test_each_direct_edit_is_named_by_verify_and_doctor(rich: Path, capsys, what: str) -> None:
    sql, (table, field, stored) = EDITS[what]
    _, out = run(capsys, rich, "audit", "verify")
    head = out.split("head ")[1].split()[0]
    edit(rich, sql)
    code, out = run(capsys, rich, "audit", "verify", "--format", "json")
    report = json.loads(out)
    assert code == 1 and not report["ok"]
    assert report["problem"] is None  # the events themselves are intact: only the tables moved
    found = report["records"]["findings"]
    assert any(
        f["table"] == table
        and (field is None or f["field"] == field)
        and (stored is None or stored in (f["stored"], f["record"]))
        for f in found
    ), found
    code, text = run(capsys, rich, "audit", "verify", "--expect-head", head)
    assert code == 1 and "records DIFFER" in text
    assert table in text
    code, text = run(capsys, rich, "doctor")
    assert code == 1 and "FAIL records" in text


#: Columns a copied row must change to be insertable (unique beside its key).
UNIQUE_BESIDE_KEY = {
    "dispute": {"ref": "D-2099-9999"},
    "person": {"login": "intruder"},
    "agency": {"code": "ZZZ"},
    "seenmark": {"login": "intruder"},
    "panelagendaitem": {"panel_date": "2099-01-01"},
    "evidenceitem": {"key": "forged_item"},
    "stagerecord": {"stage": 7},
    "alertsent": {"due_at": "2099-01-01 00:00:00.000000"},
}


def _insert_copy(path: Path, table: str) -> None:
    """A copy of one of ``table``'s covered rows under a new key, inserted with SQL."""
    covered = COVERED[table]
    row = next(r for r in rows(path, f"SELECT * FROM {table}") if covered.covers(r))
    row = {**row, **UNIQUE_BESIDE_KEY.get(table, {})}
    if covered.key == ("id",):
        row["id"] = rows(path, f"SELECT max(id) + 1 AS n FROM {table}")[0]["n"]
    elif table == "disputeagency":  # an agency the dispute does not involve
        row["agency_id"] = rows(
            path,
            "SELECT id FROM agency WHERE id NOT IN "
            "(SELECT agency_id FROM disputeagency WHERE dispute_id = ?) LIMIT 1",
            row["dispute_id"],
        )[0]["id"]
    columns = ", ".join(f'"{c}"' for c in row)
    marks = ", ".join("?" for _ in row)
    edit(path, f"INSERT INTO {table} ({columns}) VALUES ({marks})", *row.values())


@pytest.mark.parametrize("table", [t for t in COVERED if t != "setting"])
def test_a_row_inserted_directly_into_any_covered_table_is_named(rich: Path, table: str) -> None:
    """Every covered table, not only those of the edits above (a setting cannot be
    inserted beside its one covered row: "policy replaced" covers it)."""
    _insert_copy(rich, table)
    report = records(rich)
    assert any(f.table == table and f.problem == "extra" for f in report.findings), (
        table,
        report.findings,
    )


def test_a_finding_names_table_dispute_field_stored_and_expected(rich: Path) -> None:
    target = _dispute(rich)
    edit(rich, "UPDATE dispute SET risk = 'low' WHERE id = ?", target["id"])
    (finding,) = records(rich).findings
    assert (finding.table, finding.dispute, finding.field) == ("dispute", target["ref"], "risk")
    assert (finding.stored, finding.expected) == ("low", target["risk"])
    assert finding.describe() == (
        f"dispute {target['ref']}: risk is 'low', the events say '{target['risk']}'"
    )


def test_an_inserted_person_is_named_by_login(rich: Path) -> None:
    edit(rich, EDITS["an administrator inserted"][0])
    (finding,) = records(rich).findings
    assert finding.describe() == "person mallory: a row no event wrote (inserted directly)"


def test_a_deleted_row_names_the_event_that_made_it(rich: Path) -> None:
    note = rows(rich, "SELECT * FROM note ORDER BY id")[0]  # the add_note one
    made_by = rows(rich, "SELECT id FROM event WHERE action = 'add_note'")[0]["id"]
    edit(rich, "DELETE FROM note WHERE id = ?", note["id"])
    (finding,) = records(rich).findings
    assert (finding.table, finding.problem, finding.expected) == ("note", "missing", made_by)
    assert f"#{note['id']}" in finding.describe()


def test_a_row_moved_outside_every_dispute_is_counted(rich: Path) -> None:
    edit(rich, "UPDATE note SET dispute_id = 'nowhere'")
    report = records(rich)
    assert not report.ok
    assert any(
        f.table == "note" and "outside every dispute" in str(f.stored) for f in report.findings
    )


# --- any single cell, any row -----------------------------------------------------------------
def _cells(path: Path) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for table, covered in COVERED.items():
        for row in rows(path, f"SELECT * FROM {table}"):
            if covered.covers(row):
                out.append((table, row))
    return out


@settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_any_single_cell_change_is_named(rich_base: Path, tmp_path: Path, data) -> None:
    cells = _cells(rich_base)
    table, row = data.draw(st.sampled_from(cells), "row")
    column = data.draw(st.sampled_from(sorted(row)), "column")
    new = data.draw(
        st.one_of(
            st.text(max_size=12),
            st.integers(-3, 10**6),
            st.none(),
            st.just("2026-03-02 09:00:00.000001"),
        ),
        "value",
    )
    if new == row[column] or str(new) == str(row[column]):
        return  # not a change
    copy = copy_of(
        rich_base, tmp_path / f"cell-{abs(hash((table, column, str(new), str(row))))}.db"
    )
    covered = COVERED[table]
    where = " AND ".join(f"{k} = ?" for k in covered.key)
    try:
        edit(
            copy,
            f'UPDATE {table} SET "{column}" = ? WHERE {where}',
            new,
            *(row[k] for k in covered.key),
        )
    except sqlite3.IntegrityError:
        return  # NOT NULL or UNIQUE refused it: not a change
    key_values = [new if k == column else row[k] for k in covered.key]
    after = rows(copy, f"SELECT * FROM {table} WHERE {where}", *key_values)
    if after and after[0][column] == row[column]:
        return  # the column's affinity stored the same value again ('7' → 7)
    report = records(copy)
    assert not report.ok, (table, column, row[column], new)
    if column in covered.key or (table == "setting"):
        # the row now has another key (or is no longer a covered setting): named as
        # extra and/or missing
        assert any(f.table == table for f in report.findings), report.findings
    else:
        assert any(
            f.table == table and f.field == column and f.stored == after[0][column]
            for f in report.findings
        ) or any(f.table == table and f.problem in ("extra", "missing") for f in report.findings), (
            table,
            column,
            report.findings,
        )
    copy.unlink()


@settings(
    max_examples=30,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_any_deleted_row_is_named(rich_base: Path, tmp_path: Path, data) -> None:
    table, row = data.draw(st.sampled_from(_cells(rich_base)), "row")
    covered = COVERED[table]
    copy = copy_of(rich_base, tmp_path / f"del-{abs(hash((table, str(row))))}.db")
    where = " AND ".join(f"{k} = ?" for k in covered.key)
    edit(copy, "PRAGMA foreign_keys = OFF")
    edit(copy, f"DELETE FROM {table} WHERE {where}", *(row[k] for k in covered.key))
    report = records(copy)
    assert any(f.table == table and f.problem == "missing" for f in report.findings), (
        table,
        report.findings,
    )
    copy.unlink()


def test_a_fresh_process_records_every_row_it_writes(store_path: Path) -> None:
    """The first operation of a process records the rows of its very first flush too."""
    import os
    import subprocess
    import sys

    from reliability.relkit import valid_form

    from panel_tui.store.db import Store
    from panel_tui.store.identity import os_login
    from panel_tui.store.ledger.admin import Admin

    store = Store.open(str(store_path))
    try:  # the person this process runs as: a real store allows no --as
        Admin(store, "admin").add_person(os_login(), "Shell User", ["duty_lead"], "CBH")
    finally:
        store.close()
    for args, stdin in (
        (["open", "--json", "-"], json.dumps(valid_form())),
        (["note", "D-2026-0001", "a note"], None),
    ):
        done = subprocess.run(
            [sys.executable, "-m", "panel_tui", "--db", str(store_path), *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=dict(os.environ, NO_COLOR="1"),
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
    report = records(store_path)
    assert report.ok, report.describe()
    assert rows(store_path, "SELECT count(*) AS n FROM dispute")[0]["n"] == 1
