"""Tampering with the audit trail directly in SQLite: the chain names the first bad event.

A tamperer with the sqlite3 module and write access to the file can drop the
triggers and change, delete or insert event rows. ``panel-tui audit verify``
must then name the first event that does not verify. The triggers themselves
must refuse UPDATE and DELETE on events from any connection.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from profiles import examples
from reliability.relkit import T0, chain, query, record_figures, valid_form

from panel_tui.store.audit import event_hash
from panel_tui.store.db import Store
from panel_tui.store.ledger import Ledger
from panel_tui.store.sqlite_driver import sqlite as sqlite3
from panel_tui.store.types import UTCDateTime

APPEND_ONLY = "events are append-only"
TRIED: dict[str, int] = {}


@pytest.fixture
def trail(store_path: Path) -> Path:
    """A store with a few dozen events of every common kind."""
    store = Store.open(str(store_path))
    try:
        now = T0
        duty = Ledger(store, "duty_lead", clock=lambda: now)
        sup = Ledger(store, "supervisor", clock=lambda: now)
        mco = Ledger(store, "mco_duty_lead", clock=lambda: now)  # MCO receives: it confirms
        for n in range(4):
            ref = duty.open_dispute(valid_form(person_ref=f"P-{n:04d}"))
            duty.assign_cover(ref, "CBH", "daily call")
            duty.add_note(ref, f"note {n}")
            sup.escalate(
                ref, "to the supervisors", impact="the person waits without agreed support"
            )
            if n % 2:
                sup.record_decision(
                    ref,
                    "assigned",
                    "MCO has the contract",
                    date(2026, 6, 1),
                    receiving_agency="MCO",
                )
                mco.confirm_acceptance(ref, "intake booked Thursday", date(2026, 3, 3))
            now += timedelta(hours=1)
    finally:
        store.close()
    assert chain(store_path).ok
    return store_path


def _tamper(path: Path, *statements: tuple[str, tuple]) -> None:
    """What a tamperer does: drop the guards, change rows, put the guards back."""
    conn = sqlite3.connect(path)
    try:
        guards = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'event'"
        ).fetchall()
        assert len(guards) == 2
        with conn:
            for name, _ in guards:
                conn.execute(f'DROP TRIGGER "{name}"')
            for sql, args in statements:
                conn.execute(sql, args)
            for _, sql in guards:
                conn.execute(sql)
    finally:
        conn.close()


def _verify_cli(path: Path) -> dict:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "panel_tui",
            "--db",
            str(path),
            "audit",
            "verify",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        env=dict(os.environ, NO_COLOR="1"),
        timeout=60,
    )
    assert "Traceback" not in result.stderr, result.stderr
    report = json.loads(result.stdout)
    assert result.returncode == (0 if report["ok"] else 1)
    text = subprocess.run(
        [sys.executable, "-m", "panel_tui", "--db", str(path), "audit", "verify"],
        capture_output=True,
        text=True,
        env=dict(os.environ, NO_COLOR="1"),
        timeout=60,
    )
    if not report["ok"]:
        assert f"BROKEN at event {report['first_bad_event']}" in text.stdout, text.stdout
    return report


def _count(path: Path) -> int:
    return query(path, "SELECT max(id) FROM event")[0][0]


def _row(path: Path, id_: int) -> dict:
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        return dict(conn.execute("SELECT * FROM event WHERE id = ?", (id_,)).fetchone())
    finally:
        conn.close()


# --- the triggers --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE event SET actor = 'mallory' WHERE id = 5",
        "UPDATE event SET after = '{}' WHERE id >= 3",
        "DELETE FROM event WHERE id = 5",
        "DELETE FROM event",
    ],
)
def test_the_triggers_refuse_update_and_delete(trail: Path, sql: str) -> None:
    before = query(trail, "SELECT * FROM event ORDER BY id")
    conn = sqlite3.connect(trail)
    try:
        with pytest.raises(sqlite3.DatabaseError, match=APPEND_ONLY), conn:
            conn.execute(sql)
    finally:
        conn.close()
    assert query(trail, "SELECT * FROM event ORDER BY id") == before
    # ...and through the store's own engine, in a write transaction.
    from sqlalchemy import text
    from sqlalchemy.exc import DatabaseError

    store = Store.open(str(trail))
    try:
        with pytest.raises(DatabaseError, match=APPEND_ONLY), store.write() as session:
            session.execute(text(sql))
    finally:
        store.close()
    assert query(trail, "SELECT * FROM event ORDER BY id") == before


# --- change, delete, insert ------------------------------------------------------------
def test_a_changed_event_is_named(trail: Path) -> None:
    _tamper(trail, ("UPDATE event SET actor = 'mallory' WHERE id = 7", ()))
    report = _verify_cli(trail)
    assert (report["ok"], report["first_bad_event"]) == (False, 7)
    assert "content does not match" in report["problem"]


def test_a_changed_event_with_a_recomputed_hash_breaks_the_next_link(trail: Path) -> None:
    row = _row(trail, 9)
    at = UTCDateTime().process_result_value(
        __import__("datetime").datetime.fromisoformat(row["at"]), None
    )
    forged = dict(row, after=json.dumps({"rationale": "rewritten"}))
    new_hash = event_hash(
        id=9,
        at=at,
        actor=forged["actor"],
        action=forged["action"],
        dispute_id=forged["dispute_id"],
        dispute_ref=forged["dispute_ref"],
        stage=forged["stage"],
        before=forged["before"],
        after=forged["after"],
        prev_hash=forged["prev_hash"],
        rows=forged["rows"],
        real_actor=forged["real_actor"],
    )
    _tamper(
        trail, ("UPDATE event SET after = ?, hash = ? WHERE id = 9", (forged["after"], new_hash))
    )
    report = _verify_cli(trail)
    assert (report["ok"], report["first_bad_event"]) == (False, 10)
    assert "previous-hash" in report["problem"]


@pytest.mark.parametrize("value", ["", "yesterday", 12345])
def test_a_time_that_is_not_a_time_is_named(trail: Path, value) -> None:
    _tamper(trail, ("UPDATE event SET at = ? WHERE id = 4", (value,)))
    report = _verify_cli(trail)
    assert (report["ok"], report["first_bad_event"]) == (False, 4)
    doctor = subprocess.run(
        [sys.executable, "-m", "panel_tui", "--db", str(trail), "doctor"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert doctor.returncode == 1 and "Traceback" not in doctor.stderr, doctor.stderr
    assert "BROKEN at event 4" in doctor.stdout


def test_a_deleted_event_is_named(trail: Path) -> None:
    _tamper(trail, ("DELETE FROM event WHERE id = 12", ()))
    report = _verify_cli(trail)
    assert (report["ok"], report["first_bad_event"]) == (False, 12)
    assert "missing" in report["problem"]


def test_an_event_appended_by_hand_is_named(trail: Path) -> None:
    last = _row(trail, _count(trail))
    forged = dict(last, id=last["id"] + 1, actor="mallory", prev_hash=last["hash"])
    columns = ", ".join(forged)
    marks = ", ".join("?" for _ in forged)
    _tamper(trail, (f"INSERT INTO event ({columns}) VALUES ({marks})", tuple(forged.values())))
    report = _verify_cli(trail)
    assert (report["ok"], report["first_bad_event"]) == (False, last["id"] + 1)


def test_an_event_inserted_in_the_middle_is_named(trail: Path) -> None:
    top = _count(trail)
    model = _row(trail, 5)
    forged = dict(model, actor="mallory", after=json.dumps({"text": "never happened"}))
    columns = ", ".join(forged)
    marks = ", ".join("?" for _ in forged)
    shifts = [(f"UPDATE event SET id = id + 1 WHERE id = {i}", ()) for i in range(top, 4, -1)]
    _tamper(
        trail, *shifts, (f"INSERT INTO event ({columns}) VALUES ({marks})", tuple(forged.values()))
    )
    report = _verify_cli(trail)
    assert (report["ok"], report["first_bad_event"]) == (False, 5)


COLUMNS = (
    "at",
    "actor",
    "action",
    "dispute_id",
    "dispute_ref",
    "stage",
    "before",
    "after",
    "prev_hash",
    "hash",
)


@given(data=st.data())
@settings(
    max_examples=examples(150),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
def test_any_change_to_any_event_is_named(trail: Path, tmp_path: Path, data) -> None:
    import shutil

    copy = tmp_path / f"copy-{os.urandom(4).hex()}.db"
    shutil.copyfile(trail, copy)
    top = _count(copy)
    target = data.draw(st.integers(1, top), "event")
    column = data.draw(st.sampled_from(COLUMNS), "column")
    old = _row(copy, target)[column]
    new = data.draw(
        st.one_of(
            st.text(max_size=20),
            st.integers(-5, 10**6),
            st.none(),
            st.just("2026-03-02 09:00:00.000001"),
            st.just("0" * 64),
        ),
        "value",
    )
    if new == old or (column in ("at",) and new is None) or str(new) == str(old):
        return  # not a change
    try:
        _tamper(copy, (f'UPDATE event SET "{column}" = ? WHERE id = ?', (new, target)))
    except sqlite3.IntegrityError:
        return  # a NOT NULL column refused it: not a change
    if _row(copy, target)[column] == old:
        return  # the column's affinity turned it back into the same value ('00' → 0)
    report = chain(copy)
    assert not report.ok and report.first_bad_id == target, (column, old, new, report)
    TRIED["random changes"] = TRIED.get("random changes", 0) + 1
    copy.unlink()


def test_record_tampering_figures() -> None:
    record_figures(
        "tampering", {"random_single_field_changes_detected": TRIED.get("random changes", 0)}
    )
