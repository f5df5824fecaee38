"""Export then import keeps every record the store holds: `show --format json` is the same.

The source store uses every record type a dispute can carry (the form and evidence,
the ladder with impacts, cover, provisional packages with contacts and a funded
pathway, decisions, acceptance, withdrawal, plan holders with a period,
synchronisations, consent scopes, review triggers, reviews, risk re-rated, notes)
and a person who has left. A fresh store that imports its export (`export` and
`import` on the command line, as the administrator would) must show each dispute as
the source does, hold as many rows of each table, and verify.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cli_inprocess import ok
from dispute_forms import valid_form
from sqlalchemy import text

from panel_tui.rules.errors import InvalidInputError
from panel_tui.store.audit import verify_chain
from panel_tui.store.db import Store
from panel_tui.store.identity import os_login
from panel_tui.store.ledger import Ledger
from panel_tui.store.ledger.admin import Admin, init_store
from panel_tui.store.ledger.agenda import PanelAgenda
from panel_tui.store.read.agenda import agenda
from panel_tui.store.rebuild.verify import check_records
from panel_tui.store.transfer import export_store, import_export

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)
D = timedelta(days=1)
NOW = T0 + 20 * D
IMPACT = "the person waits without agreed support"

#: Every table a dispute's record lives in, and the people and agencies around it.
TABLES = (
    "agency",
    "person",
    "dispute",
    "disputeagency",
    "evidenceitem",
    "stagerecord",
    "interimcover",
    "provisionalpackage",
    "contactattempt",
    "decision",
    "acceptance",
    "planholderassignment",
    "casesync",
    "consentscope",
    "note",
    "panelagendaitem",
)
#: The panel whose agenda a chair put in order by hand.
PANEL = date(2026, 3, 6)
#: Agenda changes are replayed as the rows they left (``agenda_place``), not change by
#: change: the history is compared without them, the agenda itself in ``agendas``.
AGENDA_ACTIONS = {"agenda_add", "agenda_move", "agenda_remove", "agenda_place"}


#: The administrator of both stores: whoever runs the tests, as `init` and `import` act.
ADMIN = os_login()


def _staffed(path: Path) -> Store:
    st = init_store(str(path), ADMIN, "Admin", kind="test", at=T0 - 30 * D)
    admin = Admin(st, ADMIN)
    for code in ("CBH", "MCO", "HSG"):
        admin.add_agency(code, f"Agency {code}", "kind", at=T0 - 30 * D)
    admin.add_person("duty", "Duty Lead", ["duty_lead", "supervisor"], "CBH", at=T0 - 30 * D)
    admin.add_person("chair", "Panel Chair", ["panel_chair"], at=T0 - 30 * D)
    admin.add_person("clin", "Clinical Lead", ["clinical_lead"], "MCO", at=T0 - 30 * D)
    admin.add_person("intake", "MCO Intake", ["duty_lead"], "MCO", at=T0 - 30 * D)
    admin.add_person("leaver", "Left Since", ["duty_lead"], "CBH", at=T0 - 30 * D)
    return st


def every_record_store(path: Path) -> Store:
    """Four disputes that between them hold every record type there is.

    Written in time order, as a store is: the import replays in time order, and the
    notes and the history are listed in the order they were written.
    """
    st = _staffed(path)
    duty, chair, clin = Ledger(st, "duty"), Ledger(st, "chair"), Ledger(st, "clin")
    review = date(2026, 6, 1)
    # 1: the whole ladder to a final determination, then acceptance by the receiving team.
    a = duty.open_dispute(valid_form(responding_agencies=["MCO", "HSG"]), at=T0)
    duty.record_consent(a, ["CBH", "MCO"], "care coordination", date(2026, 5, 1), at=T0 + H)
    duty.assign_plan_holder(a, "duty", period_ends=T0 + 28 * D, next_sync=T0 + 2 * D, at=T0 + H)
    duty.assign_cover(a, "HSG", "daily visit", review_at=T0 + 3 * D, at=T0 + 2 * H)
    duty.start_provisional(a, "duty", "welfare check; med rec", days=7, at=T0 + 2 * H)
    duty.log_contact(a, "phone", "reached", "spoke with person", at=T0 + 3 * H)
    duty.record_evidence(a, "risk_screen", False, "screen booked", at=T0 + 5 * H)
    duty.record_sync(
        a, "missed_visits", "duty, HSG outreach", "visits moved to mornings",
        held_at=T0 + 24 * H, next_due=T0 + 5 * D, at=T0 + 25 * H,
    )  # fmt: skip
    duty.escalate(a, "call the supervisors", "frontline missed it", at=T0 + 30 * H, impact=IMPACT)
    duty.escalate(a, "to panel", at=T0 + 40 * H, impact=IMPACT)
    chair.record_decision(a, "no_agreement", "panel split on the contract", review, at=T0 + 50 * H)
    chair.escalate(a, "to the clinical lead", at=T0 + 50 * H, impact=IMPACT)
    clin.record_decision(
        a, "assigned", "MCO contract covers ACT", review, receiving_agency="MCO",
        pathway="ACT", final=True, at=T0 + 60 * H,
    )  # fmt: skip
    duty.assign_plan_holder(a, "chair", at=T0 + 61 * H)
    Ledger(st, "intake").confirm_acceptance(
        a, "ACT intake Thursday", date(2026, 3, 6), at=T0 + 70 * H
    )
    clin.add_note(a, "closed after final determination", at=T0 + 71 * H)
    # A closed dispute's decision is still reviewed: a trigger, then the review itself.
    duty.review_trigger(a, "services_refused", "declined the ACT visit", at=T0 + 4 * D)
    chair.record_review(a, "visits resumed; plan stands", date(2026, 4, 15), at=T0 + 5 * D)
    # 2: withdrawn with a note, by a person who has since left.
    leaver = Ledger(st, "leaver")
    b = leaver.open_dispute(valid_form(person_ref="P-0002", risk="low"), at=T0 + D)
    leaver.add_note(b, "family has moved", at=T0 + D + H)
    leaver.withdraw(b, "moved out of county", at=T0 + D + 2 * H)
    # 3: open; risk raised (the clock tightens, the review comes forward), then lowered.
    c = duty.open_dispute(valid_form(person_ref="P-0003", risk="medium"), at=T0 + 2 * D)
    duty.rerate_risk(c, "critical", "threatened eviction on Friday", at=T0 + 2 * D + 3 * H)
    duty.escalate(c, "supervisor call", at=T0 + 2 * D + 4 * H, impact=IMPACT)
    duty.review_trigger(c, "critical_incident", "crisis team called out", at=T0 + 3 * D)
    chair.rerate_risk(c, "high", "tenancy saved; still fragile", at=T0 + 4 * D)
    # The chair puts it on a panel's agenda by hand, then moves it above the first
    # dispute (already decided): the first one's place is fixed by that move.
    panel = PanelAgenda(st, "chair")
    panel.add(PANEL, c, at=T0 + 4 * D + 2 * H)
    with st.engine.connect() as conn:
        ids = dict(conn.execute(text("SELECT ref, id FROM dispute")).all())
    panel.move(PANEL, c, -1, [ids[a], ids[c]], at=T0 + 4 * D + 3 * H)
    # 4: open; a provisional package that ran out, converted to its funded pathway.
    e = duty.open_dispute(valid_form(person_ref="P-0004"), at=T0 + 3 * D)
    duty.start_provisional(e, "duty", "daily meds prompt", days=7, at=T0 + 3 * D + H)
    duty.log_contact(e, "visit", "reached", at=T0 + 4 * D)
    duty.record_pathway(e, "MCO intensive case management", at=T0 + 11 * D)
    duty.start_provisional(e, "duty", "step-down bridge", days=7, at=T0 + 12 * D)
    Admin(st, ADMIN).deactivate("leaver", "left the service", at=T0 + 15 * D)
    return st


def shown(db: Path) -> dict[str, Any]:
    """`show --format json` of every dispute, by its place in the store (refs may differ)."""
    st = Store.open(str(db))
    try:
        with st.engine.connect() as c:
            refs = list(c.execute(text("SELECT ref FROM dispute ORDER BY id")).scalars())
    finally:
        st.close()
    return {
        n: _comparable(json.loads(ok(db, "show", ref, "--format", "json", "--at", NOW.isoformat())))
        for n, ref in enumerate(refs)
    }


def _comparable(detail: dict[str, Any]) -> dict[str, Any]:
    """A dispute as shown, less what names rows of one store (ids, refs, events' row ids)."""
    kept = {k: v for k, v in detail.items() if k not in ("id", "ref", "events")}
    for key in ("packages", "decisions"):
        kept[key] = [{k: v for k, v in x.items() if k != "id"} for x in kept[key]]
    # The history as recorded: who did what, when, at which stage (the ids in it aside).
    kept["history"] = [
        (e["action"], e["actor"], e["at"], e["stage"])
        for e in detail["events"]
        if e["action"] not in AGENDA_ACTIONS
    ]
    return kept


def counts(db: Path) -> dict[str, int]:
    st = Store.open(str(db))
    try:
        with st.engine.connect() as c:
            rows = {t: c.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in TABLES}
            rows["inactive people"] = c.execute(
                text("SELECT count(*) FROM person WHERE NOT active")
            ).scalar_one()
    finally:
        st.close()
    return rows


def assert_round_trip(tmp_path: Path, build: Callable[[Path], Store], disputes: int) -> None:
    """Export the store ``build`` makes and import it into a fresh one, both on the
    command line: every dispute is shown the same, every table holds as many rows."""
    src_db, dst_db, doc = tmp_path / "a.db", tmp_path / "b.db", tmp_path / "export.json"
    build(src_db).close()
    ok(src_db, "export", "--output", str(doc))
    ok(dst_db, "init", "--name", "Admin", "--kind", "test")
    imported = json.loads(ok(dst_db, "import", str(doc), "--format", "json"))
    assert imported["imported"] == disputes
    dst = Store.open(str(dst_db))
    try:
        with dst.engine.connect() as c:
            assert verify_chain(c).ok and check_records(c).ok
    finally:
        dst.close()

    before, after = shown(src_db), shown(dst_db)
    assert set(after) == set(before) == set(range(disputes))
    for n in before:
        for key in before[n]:
            assert after[n][key] == before[n][key], f"dispute {n + 1}: {key} differs"
    assert counts(dst_db) == counts(src_db)
    assert agendas(dst_db) == agendas(src_db)


def agendas(db: Path) -> dict[str, list[tuple[str, bool]]]:
    """Every panel's agenda as panel mode lists it: whose dispute, and placed by hand."""
    st = Store.open(str(db))
    try:
        with st.engine.connect() as c:
            days = [
                date.fromisoformat(str(d))
                for d in c.execute(
                    text("SELECT DISTINCT panel_date FROM panelagendaitem ORDER BY 1")
                ).scalars()
            ]
        return {
            day.isoformat(): [(e.person_ref, e.picked) for e in agenda(st, day, NOW)]
            for day in days
        }
    finally:
        st.close()


def test_every_record_survives_export_and_import(tmp_path: Path) -> None:
    assert_round_trip(tmp_path, every_record_store, 4)


def _pathway(st: Store, ref: str) -> None:
    duty = Ledger(st, "duty")
    duty.start_provisional(ref, "duty", "daily meds prompt", days=7, at=T0 + H)
    duty.record_pathway(ref, "MCO intensive case management", at=T0 + 9 * D)


def _trigger(st: Store, ref: str) -> None:
    Ledger(st, "duty").review_trigger(ref, "critical_incident", "crisis call-out", at=T0 + D)


def _review(st: Store, ref: str) -> None:
    Ledger(st, "chair").record_review(ref, "plan holds", date(2026, 4, 1), at=T0 + 2 * D)


def _rerate(st: Store, ref: str) -> None:
    Ledger(st, "duty").rerate_risk(ref, "critical", "eviction notice served", at=T0 + 3 * H)


def _agenda(st: Store, ref: str) -> None:
    PanelAgenda(st, "chair").add(PANEL, ref, at=T0 + D)


def _leaver(st: Store, ref: str) -> None:
    Ledger(st, "leaver").add_note(ref, "handing over: leaving Friday", at=T0 + D)
    Admin(st, ADMIN).deactivate("leaver", "left the service", at=T0 + 2 * D)


@pytest.mark.parametrize(
    "record",
    [_pathway, _trigger, _review, _rerate, _agenda, _leaver],
    ids=["funded pathway", "review trigger", "review", "risk re-rated", "agenda", "a leaver"],
)
def test_each_record_type_survives_on_its_own(
    tmp_path: Path, record: Callable[[Store, str], None]
) -> None:
    """One dispute with one record type: each of these was lost (or changed) by the
    import before the export carried it."""

    def build(path: Path) -> Store:
        st = _staffed(path)
        record(st, Ledger(st, "duty").open_dispute(valid_form(), at=T0))
        return st

    assert_round_trip(tmp_path, build, 1)


def _refused(tmp_path: Path, mutate: Callable[[dict[str, Any]], None]) -> InvalidInputError:
    """Import an export of the full store after ``mutate``: refused, and nothing written."""
    tmp_path.mkdir(exist_ok=True)
    src = every_record_store(tmp_path / "a.db")
    doc = json.loads(json.dumps(export_store(src, at=NOW)))
    src.close()
    mutate(doc)
    dst = init_store(str(tmp_path / "b.db"), ADMIN, "Admin", kind="test", at=T0 - 30 * D)
    dst.close()
    before = counts(tmp_path / "b.db")
    dst = Store.open(str(tmp_path / "b.db"))
    try:
        with pytest.raises(InvalidInputError) as err:
            import_export(dst, ADMIN, doc)
    finally:
        dst.close()
    assert counts(tmp_path / "b.db") == before, "nothing may be written"
    return err.value


def test_a_re_rating_that_does_not_end_at_the_risk_is_refused(tmp_path: Path) -> None:
    err = _refused(tmp_path, lambda doc: doc["disputes"][2].update(risk="low"))
    assert (err.row, err.field) == (3, "risk_ratings")


def test_re_ratings_must_chain(tmp_path: Path) -> None:
    err = _refused(
        tmp_path / "to", lambda doc: doc["disputes"][2]["risk_ratings"][1].update(to="low")
    )
    assert (err.row, err.field) == (3, "risk_ratings")
    err = _refused(
        tmp_path / "from", lambda doc: doc["disputes"][2]["risk_ratings"][1].update({"from": 7})
    )
    assert (err.row, err.field) == (3, "risk_ratings[1].from")


def test_bad_review_records_name_their_field(tmp_path: Path) -> None:
    def unknown_trigger(doc: dict[str, Any]) -> None:
        doc["disputes"][0]["review_triggers"][0]["trigger"] = "moon phase"

    def bad_next(doc: dict[str, Any]) -> None:
        doc["disputes"][0]["reviews"][0]["next_review"] = "soon"

    def unknown_recorder(doc: dict[str, Any]) -> None:
        doc["disputes"][3]["packages"][0]["pathway_by"] = "nobody"

    def not_a_list(doc: dict[str, Any]) -> None:
        doc["disputes"][0]["reviews"] = "reviewed"

    def no_place(doc: dict[str, Any]) -> None:
        doc["disputes"][2]["agenda"][0]["position"] = 0

    def picked_as_text(doc: dict[str, Any]) -> None:
        doc["disputes"][0]["agenda"][0]["picked"] = "no"

    for mutate, row, field in (
        (unknown_trigger, 1, "review_triggers[0].trigger"),
        (bad_next, 1, "reviews[0].next_review"),
        (unknown_recorder, 4, "packages[0].pathway_by"),
        (not_a_list, 1, "reviews"),
        (no_place, 3, "agenda[0].position"),
        (picked_as_text, 1, "agenda[0].picked"),
    ):
        err = _refused(tmp_path / field, mutate)
        assert (err.row, err.field) == (row, field)


def test_an_older_export_without_review_records_still_imports(tmp_path: Path) -> None:
    """Exports from before these records: their notes come in as notes, nothing is refused."""
    src = every_record_store(tmp_path / "a.db")
    doc = json.loads(json.dumps(export_store(src, at=NOW)))
    src.close()
    for d in doc["disputes"]:
        d["risk"] = d["risk_ratings"][0]["from"] if d["risk_ratings"] else d["risk"]
        for key in ("risk_ratings", "review_triggers", "reviews"):
            del d[key]
    dst = init_store(str(tmp_path / "b.db"), ADMIN, "Admin", kind="test", at=T0 - 30 * D)
    assert import_export(dst, ADMIN, doc).disputes == 4
    dst.close()
