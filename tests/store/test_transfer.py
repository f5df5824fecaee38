"""Export and import: round trips, and bad input that must leave the store untouched."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import backends
import pytest
from demo_cache import open_demo_copy
from sqlalchemy import text

from panel_tui.rules.enums import EvidenceKey
from panel_tui.rules.errors import InvalidInputError, RightsError, TransitionError
from panel_tui.store.audit import verify_chain
from panel_tui.store.db import Store
from panel_tui.store.ledger import Ledger
from panel_tui.store.ledger.admin import Admin, init_store
from panel_tui.store.read.orm_detail import dispute_detail
from panel_tui.store.transfer import (
    CSV_COLUMNS,
    FORMAT,
    export_store,
    import_csv,
    import_export,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)
D = timedelta(days=1)
NOW = T0 + 20 * D


def form(**over: object) -> dict[str, object]:
    base: dict[str, object] = {
        "person_ref": "P-0001",
        "dispute_type": "funding",
        "risk": "high",
        "raising_agency": "CBH",
        "responding_agencies": ["MCO", "HSG"],
        "consent_basis": "consent on file",
        "problem_statement": "Discharge stalled over who funds the ACT team",
        "proposed_pathway": "ACT team",
        "rule_conflict": "Who pays for ACT",
        "evidence_summary": "notes attached",
        "interim_risk_actions": "daily welfare call",
        "requested_decision": "Decide the funder",
        "evidence": {k.value: {"present": True} for k in EvidenceKey}
        | {"risk_screen": {"present": False, "note": "screen booked for Monday"}},
    }
    return base | over


#: Written once for both backends: on a PostgreSQL run every store is a new database.
pytestmark = pytest.mark.backend


@pytest.fixture
def where(tmp_path: Path) -> Iterator[Callable[[str], str]]:
    """``where(name)``: a new store's target, a SQLite file or (on PostgreSQL) a database."""
    made: list[str] = []
    count = iter(range(1_000))

    def target(name: str) -> str:
        if not backends.on_postgres():
            return str(tmp_path / f"{name}-{next(count)}.db")
        made.append(backends.create_database())
        return backends.database_url(made[-1])

    yield target
    for database in made:
        backends.drop_database(database)


def empty_store(path: Path | str) -> Store:
    return init_store(str(path), "root", "Root", kind="test", at=T0 - 30 * D)


def staffed_store(path: Path | str) -> Store:
    st = empty_store(path)
    admin = Admin(st, "root")
    for code in ("CBH", "MCO", "HSG"):
        admin.add_agency(code, f"Agency {code}", "kind", at=T0 - 30 * D)
    admin.add_person("duty", "Duty Lead", ["duty_lead", "supervisor"], "CBH", at=T0 - 30 * D)
    admin.add_person("chair", "Panel Chair", ["panel_chair"], at=T0 - 30 * D)
    admin.add_person("clin", "Clinical Lead", ["clinical_lead"], "MCO", at=T0 - 30 * D)
    # The receiving agency's team confirms acceptance.
    admin.add_person("intake", "MCO Intake", ["duty_lead"], "MCO", at=T0 - 30 * D)
    return st


def hand_store(path: Path | str) -> Store:
    """Three disputes that between them use every operation the export carries."""
    st = staffed_store(path)
    duty, chair, clin = Ledger(st, "duty"), Ledger(st, "chair"), Ledger(st, "clin")
    review = date(2026, 6, 1)
    # 1: the whole ladder to a final determination, then acceptance.
    a = duty.open_dispute(form(), at=T0)
    duty.record_evidence(a, "risk_screen", True, "screen done: moderate", at=T0 + 5 * H)
    duty.assign_plan_holder(a, "duty", period_ends=T0 + 28 * D, next_sync=T0 + 2 * D, at=T0 + H)
    duty.record_consent(a, ["CBH", "MCO"], "care coordination", date(2026, 5, 1), at=T0 + H)
    duty.record_sync(
        a, "missed_visits", "duty, HSG outreach", "visits moved to mornings",
        held_at=T0 + 24 * H, next_due=T0 + 5 * D, at=T0 + 25 * H,
    )  # fmt: skip
    duty.assign_cover(a, "HSG", "daily visit", review_at=T0 + 3 * D, at=T0 + 2 * H)
    duty.start_provisional(a, "duty", "welfare check; med rec", days=7, at=T0 + 2 * H)
    duty.log_contact(a, "phone", "reached", "spoke with person", at=T0 + 3 * H)
    duty.log_contact(a, "visit", "no_answer", at=T0 + 20 * H)
    duty.escalate(
        a,
        "call the supervisors",
        "frontline missed it",
        at=T0 + 30 * H,
        impact="the person waits without agreed support",
    )
    duty.escalate(a, "to panel", at=T0 + 40 * H, impact="the person waits without agreed support")
    chair.record_decision(a, "no_agreement", "panel split on the contract", review, at=T0 + 50 * H)
    chair.escalate(
        a, "to the clinical lead", at=T0 + 50 * H, impact="the person waits without agreed support"
    )
    clin.record_decision(
        a, "assigned", "MCO contract covers ACT", review, receiving_agency="MCO",
        pathway="ACT", final=True, at=T0 + 60 * H,
    )  # fmt: skip
    duty.assign_plan_holder(a, "chair", at=T0 + 61 * H)
    Ledger(st, "intake").confirm_acceptance(
        a, "ACT intake on Thursday", date(2026, 3, 6), at=T0 + 70 * H
    )
    clin.add_note(a, "closed after final determination", at=T0 + 71 * H)
    # 2: withdrawn with a note.
    b = duty.open_dispute(form(person_ref="P-0002", risk="low", responding_agencies=["MCO"]),
                          at=T0 + D)  # fmt: skip
    duty.add_note(b, "family has moved", at=T0 + D + H)
    duty.withdraw(b, "moved out of county", at=T0 + D + 2 * H)
    # 3: still open at the supervisor stage.
    c = duty.open_dispute(form(person_ref="P-0003", dispute_type="eligibility"), at=T0 + 2 * D)
    duty.escalate(
        c, "supervisor call", at=T0 + 2 * D + H, impact="the person waits without agreed support"
    )
    return st


def counts(st: Store) -> tuple[int, int, int]:
    with st.engine.connect() as c:
        return tuple(  # type: ignore[return-value]
            c.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
            for t in ("dispute", "event", "person")
        )


def disputes_without_refs(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [{k: v for k, v in d.items() if k != "ref"} for d in doc["disputes"]]


def chain_ok(st: Store) -> bool:
    """The chain verifies and every imported row is what its replayed events say."""
    from panel_tui.store.rebuild.verify import check_records

    with st.engine.connect() as c:
        return verify_chain(c).ok and check_records(c).ok


ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00$")


def times_in(value: Any, key: str = "") -> list[tuple[str, Any]]:
    if isinstance(value, dict):
        return [t for k, v in value.items() for t in times_in(v, k)]
    if isinstance(value, list):
        return [t for v in value for t in times_in(v, key)]
    return [(key, value)] if key.endswith("_at") or key == "at" else []


# --- export ---------------------------------------------------------------------------
def test_export_document_shape(where: Callable[[str], str]) -> None:
    st = hand_store(where("a"))
    doc = export_store(st, at=NOW)
    json.dumps(doc)
    assert (doc["format"], doc["version"]) == (FORMAT, 1)
    assert doc["exported_at"] == NOW.isoformat()
    assert [a["code"] for a in doc["agencies"]] == ["CBH", "HSG", "MCO"]
    assert {p["login"] for p in doc["people"]} == {"root", "duty", "chair", "clin", "intake"}
    first = doc["disputes"][0]
    assert first["responding_agencies"] == ["MCO", "HSG"]  # the order they were named in
    assert [s["stage"] for s in first["stages"]] == [0, 1, 2, 3]
    assert first["stages"][1]["breach_reason"] == "frontline missed it"
    assert first["stages"][1]["entered_by"] == "duty"
    assert [x["kind"] for x in first["decisions"]] == ["decision", "final"]
    assert first["decisions"][1]["decided_by"] == "clin"
    assert first["packages"][0]["status"] == "converted"
    assert len(first["packages"][0]["contacts"]) == 2
    assert first["evidence"]["risk_screen"]["present"] is True
    assert first["acceptance"]["start_date"] == "2026-03-06"
    assert [h["login"] for h in first["plan_holders"]] == ["duty", "chair"]
    assert first["plan_holders"][0]["period_ends"] == (T0 + 28 * D).isoformat()
    assert [x["trigger"] for x in first["syncs"]] == ["missed_visits"]
    assert first["consent_scopes"][0]["agencies"] == ["CBH", "MCO"]
    assert first["stages"][1]["impact"] == "the person waits without agreed support"
    assert doc["disputes"][1]["withdrawal"] == {
        "by": "duty",
        "reason": "moved out of county",
        "at": (T0 + D + 2 * H).isoformat(),
    }
    stamps = [v for _, v in times_in(doc) if v is not None]
    assert len(stamps) > 30
    assert all(ISO_WITH_OFFSET.match(v) for v in stamps), stamps


# --- round trip -----------------------------------------------------------------------
def test_round_trip_hand_built(where: Callable[[str], str]) -> None:
    src = hand_store(where("a"))
    doc = export_store(src, at=NOW)
    dst = empty_store(where("b"))
    result = import_export(dst, "root", doc)
    assert result.disputes == 3
    assert result.agencies_added == ("CBH", "HSG", "MCO")
    assert set(result.people_added) == {"duty", "chair", "clin", "intake"}
    assert set(result.refs) == {d["ref"] for d in doc["disputes"]}
    again = export_store(dst, at=NOW)
    assert disputes_without_refs(again) == disputes_without_refs(doc)
    assert again["agencies"] == doc["agencies"]
    assert chain_ok(dst)
    # The plan holder's period, the synchronisation, consent and impacts came across.
    kept = again["disputes"][0]
    assert kept["syncs"][0]["outcome"] == "visits moved to mornings"
    assert kept["consent_scopes"][0]["purpose"] == "care coordination"
    assert {s["impact"] for s in kept["stages"][1:]} == {"the person waits without agreed support"}
    # The replayed history is real: recorded as the people who acted, at their times.
    first = dispute_detail(dst, result.refs[doc["disputes"][0]["ref"]], NOW)
    finals = [e for e in first.events if e.action == "final_determination"]
    assert [(e.actor, e.at) for e in finals] == [("clin", T0 + 60 * H)]


def test_round_trip_into_a_store_that_already_has_disputes(where: Callable[[str], str]) -> None:
    src = hand_store(where("a"))
    doc = export_store(src, at=NOW)
    dst = hand_store(where("b"))  # same agencies, people and refs already taken
    held = import_export(dst, "root", doc)  # and the same disputes: skipped, not doubled
    assert held.refs == {} and held.skipped == {
        r: r for r in ("D-2026-0001", "D-2026-0002", "D-2026-0003")
    }
    for dispute in doc["disputes"]:  # other people's disputes, under refs already taken
        dispute["person_ref"] += "-B"
    result = import_export(dst, "root", doc)
    assert result.agencies_added == () and result.people_added == ()
    assert len(set(result.refs.values()) & set(result.refs)) == 0  # new refs
    again = export_store(dst, at=NOW)
    assert len(again["disputes"]) == 6
    assert disputes_without_refs(again)[3:] == disputes_without_refs(doc)
    assert chain_ok(dst)


def test_round_trip_demo(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, where: Callable[[str], str]
) -> None:
    # The quick reader's tests' demo: built once for both.
    built_at = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    src = open_demo_copy(tmp_path_factory, tmp_path / "demo.db", disputes=60, seed=7, now=built_at)
    doc = export_store(src, at=built_at)
    dst = init_store(where("b"), "admin", "Admin", kind="test")
    result = import_export(dst, "admin", doc)
    assert result.disputes == 60
    assert disputes_without_refs(export_store(dst, at=built_at)) == disputes_without_refs(doc)
    assert chain_ok(dst)


# --- bad export input -----------------------------------------------------------------
def _bad_import(where: Callable[[str], str], mutate: Any, login: str = "root") -> InvalidInputError:
    doc = export_store(hand_store(where("a")), at=NOW)
    mutate(doc)
    dst = staffed_store(where("b"))
    before = counts(dst)
    with pytest.raises(InvalidInputError) as err:
        import_export(dst, login, doc)
    assert counts(dst) == before, "nothing may be written"
    return err.value


def test_bad_form_field_in_the_middle_names_row_and_field(where: Callable[[str], str]) -> None:
    err = _bad_import(where, lambda doc: doc["disputes"][1].update(risk="severe"))
    assert (err.row, err.field) == (2, "risk")
    assert "row 2" in str(err)


def test_evidence_present_must_be_true_or_false(where: Callable[[str], str]) -> None:
    """ "no" is not read as present (bool("no") is True): it is refused, naming the item."""

    def mutate(doc: dict[str, Any]) -> None:
        doc["disputes"][1]["evidence"]["risk_screen"]["present"] = "no"

    err = _bad_import(where, mutate)
    assert (err.row, err.field) == (2, "evidence.risk_screen.present")
    assert "true or false" in str(err)


def test_naive_timestamp_is_refused(where: Callable[[str], str]) -> None:
    def mutate(doc: dict[str, Any]) -> None:
        doc["disputes"][1]["notes"][0]["at"] = "2026-03-03T10:00:00"

    err = _bad_import(where, mutate)
    assert (err.row, err.field) == (2, "notes[0].at")
    assert "time zone" in str(err)


def test_unknown_login_and_agency_are_refused(where: Callable[[str], str]) -> None:
    err = _bad_import(where, lambda doc: doc["disputes"][2].update(opened_by="nobody"))
    assert (err.row, err.field) == (3, "opened_by")

    def provider(doc: dict[str, Any]) -> None:
        doc["disputes"][0]["covers"][0]["provider"] = "ZZZ"

    err = _bad_import(where, provider)
    assert (err.row, err.field) == (1, "covers[0].provider")


def test_events_out_of_order_are_refused(where: Callable[[str], str]) -> None:
    def mutate(doc: dict[str, Any]) -> None:
        stages = doc["disputes"][0]["stages"]
        stages[2]["entered_at"] = stages[1]["entered_at"].replace("2026-03-03", "2026-03-02")

    err = _bad_import(where, mutate)
    assert (err.row, err.field) == (1, "stages[2].entered_at")

    def after_close(doc: dict[str, Any]) -> None:
        doc["disputes"][0]["covers"][0]["starts_at"] = (T0 + 80 * H).isoformat()

    err = _bad_import(where, after_close)
    assert (err.row, err.field) == (1, "covers[0]")


def test_refusal_during_replay_rolls_everything_back(where: Callable[[str], str]) -> None:
    """Valid-looking data that a rule refuses: the chair may not make a final determination."""
    doc = export_store(hand_store(where("a")), at=NOW)
    doc["disputes"][0]["decisions"][1]["decided_by"] = "chair"
    dst = staffed_store(where("b"))
    before = counts(dst)
    with pytest.raises(RightsError) as err:
        import_export(dst, "root", doc)
    assert "row 1" in str(err.value) and "decisions[1]" in str(err.value)
    assert counts(dst) == before
    assert chain_ok(dst)


def test_import_needs_the_administer_right(where: Callable[[str], str]) -> None:
    doc = export_store(hand_store(where("a")), at=NOW)
    dst = staffed_store(where("b"))
    before = counts(dst)
    with pytest.raises(RightsError):
        import_export(dst, "duty", doc)
    assert counts(dst) == before


def test_not_an_export(where: Callable[[str], str]) -> None:
    dst = empty_store(where("b"))
    with pytest.raises(InvalidInputError) as err:
        import_export(dst, "root", {"format": "something-else"})
    assert err.value.field == "format"
    doc = export_store(dst, at=NOW) | {"version": 99}
    with pytest.raises(InvalidInputError) as err:
        import_export(dst, "root", doc)
    assert err.value.field == "version"


# --- CSV --------------------------------------------------------------------------------
def csv_row(**over: str) -> dict[str, str]:
    base = {
        "opened_at": "2026-03-02T09:00:00+00:00",
        "person_ref": "P-0100",
        "dispute_type": "funding",
        "risk": "medium",
        "raising_agency": "CBH",
        "responding_agencies": "MCO;HSG",
        "consent_basis": "consent on file",
        "problem_statement": "Discharge stalled over who funds the ACT team",
        "proposed_pathway": "ACT team",
        "rule_conflict": "Who pays for ACT",
        "evidence_summary": "notes attached",
        "interim_risk_actions": "",
        "requested_decision": "Decide the funder",
        "evidence_contact_history": "present",
        "evidence_risk_screen": "absent: booked for Monday",
        "evidence_service_plan": "present: plan of 1 March",
        "evidence_engagement_attempts": "present",
        "stage": "0",
        "stage_entered_at": "",
        "status": "open",
        "resolved_at": "",
        "outcome": "",
        "receiving_agency": "",
        "rationale": "",
        "decided_by": "",
        "review_date": "",
        "start_plan": "",
        "withdrawn_reason": "",
    }
    return base | over


def to_csv(rows: list[dict[str, str]], columns: tuple[str, ...] = CSV_COLUMNS) -> str:
    import csv
    import io

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


GOOD_ROWS = [
    csv_row(),
    csv_row(
        person_ref="P-0101", risk="high", interim_risk_actions="daily call", stage="2",
        stage_entered_at="2026-03-05T09:00:00+00:00",
    ),
    csv_row(
        person_ref="P-0102", status="closed", stage="1",
        stage_entered_at="2026-03-03T09:00:00+00:00", resolved_at="2026-03-04T15:00:00+01:00",
        outcome="assigned", receiving_agency="MCO", rationale="MCO contract covers ACT",
        decided_by="J. Smith, supervisor", review_date="2026-06-01",
        start_plan="ACT intake on Thursday",
    ),
    csv_row(person_ref="P-0103", status="withdrawn", resolved_at="2026-03-02T12:00:00Z",
            withdrawn_reason="moved out of county"),
    csv_row(
        person_ref="P-0104", status="decided", stage="3",
        stage_entered_at="2026-03-06T09:00:00+00:00", outcome="joint",
        receiving_agency="HSG", rationale="joint plan with housing lead",
        decided_by="A. Lead", review_date="2026-04-01", resolved_at="2026-03-07T09:00:00+00:00",
    ),
]  # fmt: skip


def csv_store(path: Path) -> Store:
    st = staffed_store(path)
    Admin(st, "root").add_person(
        "importer", "Importer", ["supervisor", "clinical_lead"], "CBH", at=T0 - 30 * D
    )
    return st


def test_csv_import_happy_path(where: Callable[[str], str]) -> None:
    st = csv_store(where("c"))
    result = import_csv(st, "importer", to_csv(GOOD_ROWS))
    assert result.disputes == 5
    assert list(result.refs) == [f"row {n}" for n in range(1, 6)]
    at = datetime(2026, 3, 10, tzinfo=UTC)
    details = [dispute_detail(st, result.refs[f"row {n}"], at) for n in range(1, 6)]
    assert [d.status for d in details] == ["open", "open", "closed", "withdrawn", "decided"]
    assert [d.stage for d in details] == [0, 2, 1, 0, 3]
    assert details[0].responding_agencies == ("MCO", "HSG")
    ev = {e.key: (e.present, e.note) for e in details[0].evidence}
    assert ev["risk_screen"] == (False, "booked for Monday")
    assert ev["service_plan"] == (True, "plan of 1 March")
    # Row 2: stage 2 reached at the given time; stage 1 halfway between opening and then.
    two = details[1]
    assert two.stages[2].entered_at == datetime(2026, 3, 5, 9, tzinfo=UTC)
    assert two.stages[1].entered_at == datetime(2026, 3, 3, 21, tzinfo=UTC)
    # High risk: stage 0 (24 h) was breached when left after 36 h, so a reason was recorded.
    assert two.stages[0].breach_reason
    # Row 3: closed at its resolved time (given in +01:00), with the decision and a note.
    three = details[2]
    assert three.resolved_at == datetime(2026, 3, 4, 14, tzinfo=UTC)
    assert three.decisions[0].receiving_agency == "MCO"
    assert three.acceptance is not None and three.acceptance.start_plan.startswith("ACT")
    assert any("J. Smith" in n.text for n in three.notes)
    # Row 5: at stage 3 the decision is the named authority's final determination.
    assert details[4].decisions[0].kind == "final"
    assert details[3].withdrawn_reason == "moved out of county"
    assert all(e.actor == "importer" for d in details for e in d.events)
    assert chain_ok(st)


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"opened_at": "2 March 2026"}, "opened_at"),
        ({"opened_at": "2026-03-02T09:00:00"}, "opened_at"),  # no time zone
        ({"raising_agency": "ZZZ"}, "raising_agency"),
        ({"responding_agencies": "MCO;ZZZ"}, "responding_agencies"),
        ({"risk": "high", "interim_risk_actions": ""}, "interim_risk_actions"),
        ({"evidence_risk_screen": "absent"}, "evidence_risk_screen"),
        ({"stage": "7"}, "stage"),
        ({"status": "closed", "resolved_at": "2026-03-04T09:00:00Z"}, "outcome"),
        ({"status": "withdrawn", "withdrawn_reason": "moved"}, "resolved_at"),
        ({"stage": "2", "stage_entered_at": "2026-03-01T09:00:00+00:00"}, "stage_entered_at"),
    ],
)
def test_csv_bad_row_names_row_and_field(
    where: Callable[[str], str], bad: dict[str, str], field: str
) -> None:
    st = csv_store(where("c"))
    before = counts(st)
    rows = copy.deepcopy(GOOD_ROWS)
    rows[2] = csv_row(person_ref="P-0199") | bad
    with pytest.raises(InvalidInputError) as err:
        import_csv(st, "importer", to_csv(rows))
    assert (err.value.row, err.value.field) == (3, field), str(err.value)
    assert counts(st) == before


def test_csv_missing_and_unknown_columns(where: Callable[[str], str]) -> None:
    st = csv_store(where("c"))
    before = counts(st)
    without = tuple(c for c in CSV_COLUMNS if c != "risk")
    with pytest.raises(InvalidInputError) as err:
        import_csv(st, "importer", to_csv(GOOD_ROWS, without))
    assert err.value.field == "risk"
    with pytest.raises(InvalidInputError) as err:
        import_csv(st, "importer", to_csv(GOOD_ROWS, (*CSV_COLUMNS, "comments")))
    assert err.value.field == "comments"
    with pytest.raises(InvalidInputError) as err:
        import_csv(st, "importer", to_csv(GOOD_ROWS).replace("withdrawn_reason", "withdrawn_why"))
    assert err.value.field == "withdrawn_reason"  # a misspelt column is a missing one
    with pytest.raises(InvalidInputError):
        import_csv(st, "importer", "")
    assert counts(st) == before


def test_csv_importer_without_the_decision_right_is_refused_before_writing(
    where: Callable[[str], str],
) -> None:
    st = csv_store(where("c"))
    before = counts(st)
    # duty holds duty_lead and supervisor but not clinical_lead: row 5's final determination.
    with pytest.raises(RightsError) as err:
        import_csv(st, "duty", to_csv(GOOD_ROWS))
    assert "row 5" in str(err.value) and "final determination" in str(err.value)
    assert counts(st) == before
    # The chair may record panel decisions but not open disputes: refused at row 1.
    with pytest.raises(RightsError) as err:
        import_csv(st, "chair", to_csv(GOOD_ROWS))
    assert "row 1" in str(err.value)
    assert counts(st) == before


def test_csv_rule_refusal_during_replay_rolls_back(where: Callable[[str], str]) -> None:
    """Stage 4 needs a liaison trigger: 2 days after opening there is none."""
    st = csv_store(where("c"))
    before = counts(st)
    rows = [
        *GOOD_ROWS,
        csv_row(person_ref="P-0105", stage="4", stage_entered_at="2026-03-04T09:00:00+00:00"),
    ]
    with pytest.raises(TransitionError) as err:
        import_csv(st, "importer", to_csv(rows))
    assert "row 6" in str(err.value)
    assert counts(st) == before


def test_unknown_role_of_a_new_person_is_refused(where: Callable[[str], str]) -> None:
    doc = export_store(hand_store(where("a")), at=NOW)
    index = next(n for n, p in enumerate(doc["people"]) if p["login"] == "clin")
    doc["people"][index]["roles"] = ["wizard"]
    dst = empty_store(where("b"))
    before = counts(dst)
    with pytest.raises(InvalidInputError) as err:
        import_export(dst, "root", doc)
    assert err.value.field == f"people[{index}].roles"
    assert counts(dst) == before


def test_malformed_dispute_is_named(where: Callable[[str], str]) -> None:
    err = _bad_import(where, lambda doc: doc["disputes"][1].update(covers=["not an object"]))
    assert err.row == 2


def test_the_documented_example_imports(where: Callable[[str], str]) -> None:
    from panel_tui.store.transfer import CSV_EXAMPLE

    st = csv_store(where("c"))
    result = import_csv(st, "importer", CSV_EXAMPLE)
    detail = dispute_detail(st, result.refs["row 1"], NOW)
    assert (detail.status, detail.stage, detail.person_ref) == ("closed", 1, "P-1001")
    assert detail.responding_agencies == ("MCO", "HSG")
