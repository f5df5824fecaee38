"""The demo store: realistic coverage, a valid chain, determinism, and the bulk path."""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from demo_cache import demo_progress, open_demo_copy
from sqlalchemy import func, select, text

from panel_tui.rules.clocks import clock_state
from panel_tui.rules.enums import ClockState, DisputeType, EvidenceKey, Risk, Stage, Status
from panel_tui.rules.errors import StoreError
from panel_tui.rules.forms import DisputeForm
from panel_tui.rules.policy import KNOWN_ROLES, default_policy
from panel_tui.store.audit import verify_chain
from panel_tui.store.db import Store
from panel_tui.store.demo import DEMO_LOGIN, Planner, base_plans, build_demo
from panel_tui.store.demo.texts import DEMO_PEOPLE
from panel_tui.store.ledger import Ledger
from panel_tui.store.models import (
    Acceptance,
    Agency,
    ContactAttempt,
    Decision,
    Dispute,
    DisputeAgency,
    Event,
    InterimCover,
    Note,
    Person,
    ProvisionalPackage,
    Setting,
    StageRecord,
)
from panel_tui.store.rebuild.verify import check_records

NOW = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)
LIVE = (Status.OPEN.value, Status.DECIDED.value)
TIME_TEXT = r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    store = build_demo(str(tmp_path_factory.mktemp("demo") / "demo.db"), now=NOW)
    yield store
    store.close()


@pytest.fixture(scope="module")
def bulk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, list[str]]]:
    # The app tests' big demo (built at 09:00 that day): one build serves them all.
    big = {"disputes": 3000, "seed": 3, "now": NOW.replace(minute=0)}
    store = open_demo_copy(tmp_path_factory, tmp_path_factory.mktemp("bulk") / "bulk.db", **big)
    yield store, demo_progress(tmp_path_factory, **big)
    store.close()


def _disputes(store: Store) -> list[Dispute]:
    with store.read() as session:
        return list(session.execute(select(Dispute).order_by(Dispute.id)).scalars())


def _clocks(store: Store, disputes: list[Dispute]) -> Counter[tuple[int, ClockState]]:
    policy = store.policy()
    return Counter(
        (
            d.current_stage,
            clock_state(policy, entered=d.stage_entered_at, due=d.current_due_at, now=NOW).state,
        )
        for d in disputes
        if d.status == Status.OPEN.value
    )


def _count(store: Store, model: type, *where: object) -> int:
    with store.read() as session:
        return session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def _check_consistent(store: Store) -> None:
    """Every dispute's denormalised columns agree with its rows, as the Ledger keeps them."""
    with store.read() as session:
        stages = {
            (r.dispute_id, r.stage): r for r in session.execute(select(StageRecord)).scalars()
        }
        codes = dict(session.execute(select(Agency.id, Agency.code)).all())
        parties: dict[int, dict[str, list[str]]] = {}
        for row in session.execute(select(DisputeAgency)).scalars():
            parties.setdefault(row.dispute_id, {}).setdefault(row.party, []).append(
                codes[row.agency_id]
            )
        accepted = set(session.execute(select(Acceptance.dispute_id)).scalars())
        disputes = list(session.execute(select(Dispute)).scalars())
    for d in disputes:
        record = stages[d.id, d.current_stage]
        assert all((d.id, s) in stages for s in range(d.current_stage)), d.ref
        assert record.entered_at == d.stage_entered_at, d.ref
        if d.status == Status.OPEN.value:
            assert record.left_at is None and record.due_at == d.current_due_at, d.ref
            assert (d.current_due_at is None) == (d.current_stage == Stage.COMMISSIONER_LIAISON)
            assert d.resolved_at is None
        else:
            assert d.current_due_at is None and record.left_at is not None, d.ref
        if d.status == Status.CLOSED.value:
            assert d.id in accepted and d.resolved_at is not None, d.ref
        if d.status == Status.WITHDRAWN.value:
            assert d.withdrawn_reason and d.resolved_at is not None, d.ref
        raising, responding = d.agencies_label.split("→")
        assert [raising] == parties[d.id]["raising"], d.ref
        assert sorted(responding.split(",")) == sorted(parties[d.id]["responding"]), d.ref


# --- the default demo -----------------------------------------------------------------
def test_demo_store_kind_policy_and_people(demo: Store) -> None:
    assert demo.kind() == "demo"
    policy = demo.policy()
    assert policy.identity.allow_override is True
    assert policy.windows == default_policy().windows
    assert policy.rights == default_policy().rights
    with demo.read() as session:
        people = list(session.execute(select(Person)).scalars())
        agencies = session.execute(select(func.count()).select_from(Agency)).scalar_one()
    roles = {role for person in people for role in person.role_list}
    assert roles == KNOWN_ROLES
    assert agencies == 7
    assert len(people) >= 14
    duty = next(p for p in people if p.login == DEMO_LOGIN)
    assert "duty_lead" in duty.role_list


def test_demo_covers_every_type_risk_stage_and_clock(demo: Store) -> None:
    disputes = _disputes(demo)
    assert len(disputes) == 60
    assert {d.dispute_type for d in disputes} == {t.value for t in DisputeType}
    assert {d.risk for d in disputes} == {r.value for r in Risk}
    live_open = [d for d in disputes if d.status == Status.OPEN.value]
    assert {d.current_stage for d in live_open} == {int(s) for s in Stage}
    clocks = _clocks(demo, live_open)
    for stage in range(4):
        for state in (ClockState.ON_TRACK, ClockState.WARNING, ClockState.BREACHED):
            assert clocks[stage, state] >= 1, (stage, state)
    assert {d.status for d in disputes} == {s.value for s in Status}
    assert all(d.opened_at < NOW for d in disputes)


def test_demo_has_protection_decisions_and_outcomes(demo: Store) -> None:
    assert _count(demo, InterimCover) >= 20
    with demo.read() as session:
        packages = list(session.execute(select(ProvisionalPackage)).scalars())
        contacts = Counter(session.execute(select(ContactAttempt.package_id)).scalars())
        decisions = list(session.execute(select(Decision)).scalars())
        types = dict(session.execute(select(Dispute.id, Dispute.dispute_type)).all())
        breach_reasons = session.execute(
            select(StageRecord.breach_reason).where(StageRecord.breach_reason.is_not(None))
        ).all()
        conflicts = Counter(session.execute(select(Dispute.rule_conflict)).scalars())
        people = Counter(session.execute(select(Dispute.person_ref)).scalars())
        holders = session.execute(select(func.count()).where(Dispute.plan_holder_id.is_not(None)))
        holder_count = holders.scalar_one()
    assert packages and all(contacts[p.id] >= 1 for p in packages if p.starts_at < NOW)
    expiring = [
        p for p in packages if p.status == "active" and NOW < p.ends_at <= NOW + timedelta(days=2)
    ]
    assert len(expiring) >= 2
    assert {d.kind for d in decisions} == {"decision", "final"}
    policy = demo.policy()
    for decision in decisions:
        if decision.kind == "final":
            assert decision.capacity == policy.authority_role(3, types[decision.dispute_id])
            assert decision.stage >= 3
        else:
            assert decision.stage <= 2
    assert any(d.outcome == "no_agreement" for d in decisions)
    assert {d.capacity for d in decisions if d.kind == "final"} >= {
        "program_manager",
        "clinical_lead",
        "integration_lead",
    }
    closed = _count(demo, Dispute, Dispute.status == Status.CLOSED.value)
    assert closed >= 5 and _count(demo, Acceptance) == closed
    assert _count(demo, Dispute, Dispute.status == Status.WITHDRAWN.value) >= 2
    assert _count(demo, Dispute, Dispute.status == Status.DECIDED.value) >= 3
    assert len(breach_reasons) >= 3
    assert conflicts.most_common(1)[0][1] >= 3  # recurring themes
    assert any(n > 1 for n in people.values())  # repeat disputes for the same person
    assert holder_count >= 10
    assert _count(demo, Note) >= 10


def test_demo_rows_are_consistent_and_chain_is_intact(demo: Store) -> None:
    _check_consistent(demo)
    with demo.engine.connect() as connection:
        report = verify_chain(connection)
    assert report.ok, report.describe()
    assert report.events > 300
    with demo.engine.connect() as connection:
        records = check_records(connection)
    assert records.ok, records.describe()  # every row is what the events say
    assert records.checked > 500 and records.unproven == 0
    with demo.read() as session:
        refused = session.execute(select(func.count()).where(Event.action == "refused"))
        assert refused.scalar_one() == 0


def test_demo_refuses_an_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "demo.db"
    target.write_text("")
    with pytest.raises(StoreError, match="already exists"):
        build_demo(str(target), disputes=5, now=NOW)
    assert target.read_text() == ""


def test_same_seed_gives_the_same_disputes(tmp_path: Path) -> None:
    def summary(name: str) -> list[tuple[str, str, str, str, str]]:
        store = build_demo(str(tmp_path / name), disputes=12, seed=11, now=NOW)
        try:
            return [
                (d.ref, d.person_ref, d.dispute_type, d.risk, d.status) for d in _disputes(store)
            ]
        finally:
            store.close()

    assert summary("a.db") == summary("b.db")
    policy = default_policy()

    def people(seed: int) -> list[str]:
        plans = base_plans(Planner(random.Random(seed), policy, NOW), 12)
        return [plan.form["person_ref"] for plan in plans]

    assert people(11) == people(11) != people(12)


# --- the bulk path --------------------------------------------------------------------
def test_bulk_demo_is_mostly_resolved_and_covers_every_live_state(
    bulk: tuple[Store, list[str]],
) -> None:
    store, messages = bulk
    disputes = _disputes(store)
    assert len(disputes) == 3000
    live = [d for d in disputes if d.status in LIVE]
    assert 0.03 <= len(live) / len(disputes) <= 0.08
    added = disputes[60:]
    assert {d.current_stage for d in added if d.status == Status.OPEN.value} == set(range(5))
    clocks = _clocks(store, added)
    for stage in range(4):
        for state in (ClockState.ON_TRACK, ClockState.WARNING, ClockState.BREACHED):
            assert clocks[stage, state] >= 1, (stage, state)
    assert {d.status for d in added} == {s.value for s in Status}
    oldest = min(d.opened_at for d in added)
    assert NOW - timedelta(days=740) < oldest < NOW - timedelta(days=600)
    assert len({d.ref for d in disputes}) == 3000
    assert any("3,000" in m or "2,940 of 2,940" in m for m in messages)


def test_bulk_demo_rows_are_consistent_and_chain_is_intact(
    bulk: tuple[Store, list[str]],
) -> None:
    store, _ = bulk
    _check_consistent(store)
    with store.engine.connect() as connection:
        report = verify_chain(connection)
        records = check_records(connection)
    assert report.ok, report.describe()
    # The bulk rows are rebuilt from the bulk events, as the Ledger's are from its own.
    assert records.ok, records.describe()
    assert records.checked > 30000 and records.unproven == 0
    with store.engine.connect() as connection:
        for column in ("opened_at", "stage_entered_at", "current_due_at"):
            lengths = connection.execute(
                text(f"SELECT DISTINCT length({column}) FROM dispute WHERE {column} IS NOT NULL")
            ).all()
            assert lengths == [(26,)], column  # one stored format, so text order is time order
    assert _count(store, Acceptance) == _count(store, Dispute, Dispute.status == "closed")
    assert _count(store, InterimCover) > 500
    # The bulk path writes without foreign-key checks (engine.bulk_loading): every key
    # it gave must still name a row, and later connections check keys again.
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_key_check").all() == []
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_bulk_events_look_like_the_ledgers(bulk: tuple[Store, list[str]]) -> None:
    store, _ = bulk
    with store.read() as session:
        first_bulk = session.execute(
            select(func.min(Event.id)).where(
                Event.dispute_ref.in_(select(Dispute.ref).where(Dispute.id > 60))
            )
        ).scalar_one()
        events = list(session.execute(select(Event).where(Event.dispute_id.is_not(None))).scalars())
    shapes: dict[tuple[bool, str], set[tuple[tuple[str, ...], tuple[str, ...]]]] = {}
    for event in events:
        key = (event.id >= first_bulk, event.action)
        shape = (tuple(sorted(json.loads(event.before))), tuple(sorted(json.loads(event.after))))
        shapes.setdefault(key, set()).add(shape)
        if event.action == "open" and event.id >= first_bulk:
            after = json.loads(event.after)
            assert DisputeForm.model_validate(after).model_dump(mode="json") == after
    bulk_actions = {action for is_bulk, action in shapes if is_bulk}
    assert bulk_actions >= {"open", "escalate", "record_decision", "confirm_acceptance"}
    for action in bulk_actions:
        assert shapes[True, action] == shapes[False, action], action


def test_ledger_continues_after_a_bulk_demo(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # The app tests' big demo (built at 09:00 that day): one build serves both.
    built_at = NOW.replace(minute=0)
    store = open_demo_copy(
        tmp_path_factory, tmp_path / "bulk.db", disputes=3000, seed=3, now=built_at
    )
    refs = {d.ref for d in _disputes(store)}
    counter = store.setting(f"ref_seq:{NOW.year}")
    assert counter is not None
    year_refs = [int(r.rsplit("-", 1)[1]) for r in refs if r.startswith(f"D-{NOW.year}-")]
    assert int(counter) == max(year_refs)
    ledger = Ledger(store, DEMO_LOGIN)
    form = {
        "person_ref": "P-00001",
        "dispute_type": "funding",
        "risk": "high",
        "raising_agency": "CBH",
        "responding_agencies": ["MCO"],
        "consent_basis": "Consent given by the person",
        "problem_statement": "A new dispute after the bulk demo was built.",
        "proposed_pathway": "ACT team",
        "rule_conflict": "Step-down funding",
        "evidence_summary": "Contact log attached",
        "interim_risk_actions": "Daily welfare call",
        "requested_decision": "Decide who funds it",
        "evidence": {k.value: {"present": True} for k in EvidenceKey},
    }
    ref = ledger.open_dispute(form, at=NOW)
    assert ref not in refs
    assert ref == f"D-{NOW.year}-{max(year_refs) + 1:04d}"
    # A bulk dispute awaiting acceptance can be accepted through the Ledger, by the
    # receiving agency's team (a frontline worker of that agency).
    with store.read() as session:
        decided, receiving = session.execute(
            select(Dispute.ref, Agency.code)
            .join(Decision, Decision.dispute_id == Dispute.id)
            .join(Agency, Agency.id == Decision.receiving_agency_id)
            .where(Dispute.status == "decided", Dispute.id > 60)
            .order_by(Decision.id.desc())
            .limit(1)
        ).one()
    team = next(
        login
        for login, _, roles, agency in DEMO_PEOPLE
        if agency == receiving and {"frontline", "duty_lead"} & set(roles)
    )
    Ledger(store, team).confirm_acceptance(
        decided, "Intake booked for Monday morning.", date(2026, 3, 12), at=NOW
    )
    with store.read() as session:
        status = session.execute(select(Dispute.status).where(Dispute.ref == decided))
        assert status.scalar_one() == "closed"
    with store.engine.connect() as connection:
        assert verify_chain(connection).ok
        records = check_records(connection)
    # The Ledger's changes to bulk rows (and its new ids after theirs) are under the chain too.
    assert records.ok, records.describe()
    assert store.setting(f"ref_seq:{NOW.year - 1}") is not None
    assert _count(store, Setting, Setting.key.like("ref_seq:%")) >= 3
    store.close()


# --- built without an fsync per commit, durable once built ------------------------------
def test_a_built_demo_is_synchronous_full_again_with_its_wal_folded_in(demo: Store) -> None:
    path = Path(demo.engine.url.database or "")
    wal = path.with_name(path.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0  # the last step synced it into the file
    with demo.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL


def test_unsynced_turns_the_sync_off_only_inside(tmp_path: Path) -> None:
    from panel_tui.store.engine import unsynced

    store = Store.open(str(tmp_path / "s.db"), create=True)
    try:

        def level() -> int:
            with store.engine.connect() as connection:
                return int(connection.exec_driver_sql("PRAGMA synchronous").scalar() or 0)

        assert level() == 2
        with unsynced(store.engine):
            assert level() == 0  # OFF: commits do not wait for the disk
            with store.write() as session:
                session.add(Setting(key="probe", value="1"))
        assert level() == 2
        with store.read() as session:
            assert session.get(Setting, "probe") is not None
    finally:
        store.close()
