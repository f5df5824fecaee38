"""The audit trail: one event per change, append-only, hash-chained, tampering named."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError as SQLAlchemyDatabaseError

from panel_tui.rules.errors import RightsError
from panel_tui.store.audit import (
    GENESIS,
    HASHED_COLUMNS,
    ChainReport,
    EventContent,
    canonical,
    event_hash,
    verify_chain,
)
from panel_tui.store.models import Event
from panel_tui.store.sqlite_driver import sqlite as sqlite3


def verify(world) -> ChainReport:
    with world.store.engine.connect() as connection:
        return verify_chain(connection)


def raw(world) -> sqlite3.Connection:
    return sqlite3.connect(world.path, isolation_level=None)


def lifecycle(world) -> list[tuple[str, str]]:
    """A dispute through every operation; returns (actor, action) per step, in order."""
    steps: list[tuple[str, str]] = []
    ref = ""

    def step(actor: str, action: str, run) -> None:
        nonlocal ref
        count = len(world.events())
        world.advance(minutes=7)
        result = run()
        if action == "open":
            ref = result
        events = world.events()
        assert len(events) == count + 1, f"{action} appended {len(events) - count} events"
        event = events[-1]
        assert (event["actor"], event["action"]) == (actor, action)
        assert event["dispute_ref"] == ref
        assert event["at"].startswith(world.now.strftime("%Y-%m-%d %H:%M"))
        json.loads(event["before"]), json.loads(event["after"])  # both are JSON
        steps.append((actor, action))

    duty, front, sup = (world.ledger(x) for x in ("duty_lead", "frontline", "supervisor"))
    step("duty_lead", "open", lambda: duty.open_dispute(world.form()))
    step("frontline", "edit_form", lambda: front.edit_form(ref, {"rule_conflict": "reading 2"}))
    step("frontline", "record_evidence", lambda: front.record_evidence(ref, "risk_screen", True))
    step("duty_lead", "assign_cover", lambda: duty.assign_cover(ref, "CBH", "daily call"))
    step(
        "duty_lead",
        "start_provisional",
        lambda: duty.start_provisional(ref, "frontline", "welfare check", days=7),
    )
    step("frontline", "log_contact", lambda: front.log_contact(ref, "phone", "reached"))
    step("duty_lead", "assign_plan_holder", lambda: duty.assign_plan_holder(ref, "frontline"))
    step(
        "supervisor",
        "escalate",
        lambda: sup.escalate(
            ref, "to supervisors", impact="the person waits without agreed support"
        ),
    )
    step(
        "supervisor",
        "escalate",
        lambda: sup.escalate(ref, "to panel", impact="the person waits without agreed support"),
    )
    step(
        "supervisor",
        "escalate",
        lambda: sup.escalate(
            ref, "to the authority", impact="the person waits without agreed support"
        ),
    )
    step(
        "clinical_lead",
        "final_determination",
        lambda: world.ledger("clinical_lead").record_decision(
            ref,
            "assigned",
            "MCO holds the contract",
            world.review(),
            receiving_agency="MCO",
            final=True,
        ),
    )
    step(
        "mco_frontline",  # the receiving agency's team confirms
        "confirm_acceptance",
        lambda: world.ledger("mco_frontline").confirm_acceptance(
            ref, "intake visit Monday", world.now.date()
        ),
    )
    step("frontline", "add_note", lambda: front.add_note(ref, "closed well"))
    step("frontline", "refused", lambda: pytest.raises(RightsError, front.withdraw, ref, "moved"))
    return steps


@pytest.mark.backend
def test_every_change_appends_exactly_one_event_and_the_chain_verifies(world) -> None:
    before = len(world.events())
    steps = lifecycle(world)
    assert len(world.events()) == before + len(steps)
    report = verify(world)
    assert report.ok and report.events == before + len(steps)
    last = world.events()[-1]
    assert report.head == (last["id"], last["hash"])  # the anchor to record elsewhere
    assert report.describe() == (
        f"audit chain intact: {report.events} events verified; head {last['id']}:{last['hash']}"
    )


@pytest.mark.backend
def test_events_are_linked_from_genesis(world) -> None:
    world.open()
    events = world.events()
    assert events[0]["prev_hash"] == GENESIS
    for earlier, later in zip(events, events[1:], strict=False):
        assert later["prev_hash"] == earlier["hash"]
        assert later["id"] == earlier["id"] + 1


@pytest.mark.backend
def test_events_recorded_at_a_local_time_still_verify(world) -> None:
    local = world.T0.astimezone(ZoneInfo("America/Los_Angeles")) + timedelta(microseconds=123457)
    world.ledger("duty_lead").open_dispute(world.form(), at=local)
    assert world.events()[-1]["at"] == "2026-03-02 09:00:00.123457"  # stored as UTC
    assert verify(world).ok


# Hashes as stores written before the audit fields were gathered in one place hold them:
# a change to what is hashed, or how, would make every existing store fail to verify.
PINNED_AT = datetime(2026, 3, 2, 9, 30, 15, 123456, tzinfo=UTC)
ESCALATION = EventContent(
    7, PINNED_AT, "duty", "escalate", 3, "D-2026-0003", 2, '{"stage":1}', '{"stage":2}', "ab" * 32
)
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
FIRST = EventContent(1, START, "admin", "init_store", None, None, None, "{}", "{}", GENESIS)
PINNED = [
    (ESCALATION, "e94ba49e16547addb146b4aec301282c89e1b26fcdd2a0f4844720f6b6446e09"),
    (FIRST, "cabd3c07485d7b5a23131c1c7778e213f2002f1455c017da964eb926adc49421"),
]


@pytest.mark.parametrize(("content", "expected"), PINNED)
def test_an_event_hashes_as_existing_stores_recorded_it(content, expected) -> None:
    assert content.digest() == expected
    assert content.row().hash == expected
    assert event_hash(**{name: getattr(content, name) for name in HASHED_COLUMNS}) == expected


def test_the_hash_covers_every_column_of_the_event_table() -> None:
    columns = tuple(c.name for c in Event.__table__.columns)
    assert tuple(c for c in columns if c != "hash") == HASHED_COLUMNS


@pytest.mark.parametrize("name", HASHED_COLUMNS)
def test_every_hashed_column_changes_the_hash(name) -> None:
    other = getattr(FIRST, name)
    if other == getattr(ESCALATION, name):  # a column both pinned events leave empty
        other = "x"
    changed = replace(ESCALATION, **{name: other})
    assert changed.digest() != ESCALATION.digest()


# The hashed text is written out key by key for plain values (a fast path for the bulk
# demo and verify); it must be canonical()'s text for every shape an event takes.
WRITTEN_OUT = [
    ESCALATION,
    FIRST,
    replace(ESCALATION, rows='{"dispute":[["u",[3],{"note":"caf\u00e9 \\"q\\""}]]}'),
    replace(ESCALATION, real_actor="olga", before='{"t":"line\\nbreak"}'),
    replace(ESCALATION, actor="zoë\t→", dispute_ref=None, rows=""),
    replace(FIRST, stage=0, dispute_id=0, real_actor=""),
    replace(ESCALATION, stage=True),  # not a plain int: canonical() writes it
]


@pytest.mark.parametrize("content", WRITTEN_OUT)
def test_the_written_out_hash_text_is_the_canonical_json(content) -> None:
    assert content.canonical_text() == canonical(content.content())
    assert json.loads(content.canonical_text()) == content.content()


# --- tampering -----------------------------------------------------------------------


def test_an_edited_event_is_named(world) -> None:
    lifecycle(world)
    target = world.events()[-5]["id"]
    with raw(world) as conn:
        conn.execute("DROP TRIGGER event_no_update")
        conn.execute(
            "UPDATE event SET after = ? WHERE id = ?", ('{"outcome":"not_upheld"}', target)
        )
    report = verify(world)
    assert not report.ok
    assert report.first_bad_id == target
    assert report.events == target - 1  # everything before it verified
    assert f"BROKEN at event {target}" in report.describe()
    assert "content does not match" in report.problem


def test_an_edited_and_rehashed_event_breaks_the_link_to_the_next(world) -> None:
    lifecycle(world)
    row = world.events()[-4]
    forged_after = '{"outcome":"not_upheld"}'
    forged_hash = event_hash(
        id=row["id"],
        at=datetime.fromisoformat(row["at"]).replace(tzinfo=UTC),
        actor=row["actor"],
        action=row["action"],
        dispute_id=row["dispute_id"],
        dispute_ref=row["dispute_ref"],
        stage=row["stage"],
        before=row["before"],
        after=forged_after,
        prev_hash=row["prev_hash"],
        rows=row["rows"],
        real_actor=row["real_actor"],
    )
    with raw(world) as conn:
        conn.execute("DROP TRIGGER event_no_update")
        conn.execute(
            "UPDATE event SET after = ?, hash = ? WHERE id = ?",
            (forged_after, forged_hash, row["id"]),
        )
    report = verify(world)
    assert report.first_bad_id == row["id"] + 1
    assert "previous-hash does not match" in report.problem


def test_a_deleted_event_is_named_as_a_gap(world) -> None:
    lifecycle(world)
    middle = world.events()[len(world.events()) // 2]["id"]
    with raw(world) as conn:
        conn.execute("DROP TRIGGER event_no_delete")
        conn.execute("DELETE FROM event WHERE id = ?", (middle,))
    report = verify(world)
    assert report.first_bad_id == middle
    assert report.problem == f"event {middle} is missing (next is {middle + 1})"


def test_an_emptied_chain_on_a_store_with_disputes_is_refused(world) -> None:
    """Every event removed: not "intact, 0 events" (the PostgreSQL twin: tests/postgres)."""
    lifecycle(world)
    with raw(world) as conn:
        conn.execute("DROP TRIGGER event_no_delete")
        conn.execute("DELETE FROM event")
    report = verify(world)
    assert not report.ok and report.events == 0
    assert report.problem is not None and "the chain is empty but the store holds" in report.problem


def test_a_forged_event_at_the_end_is_named(world) -> None:
    lifecycle(world)
    last = world.events()[-1]
    forged = last["id"] + 1
    with raw(world) as conn:
        conn.execute(
            "INSERT INTO event (id, at, actor, action, dispute_id, dispute_ref, stage, before, "
            "after, prev_hash, hash) VALUES (?, ?, 'supervisor', 'withdraw', ?, ?, 3, '{}', "
            "'{}', ?, ?)",
            (forged, last["at"], last["dispute_id"], last["dispute_ref"], last["hash"], "f" * 64),
        )
    report = verify(world)
    assert report.first_bad_id == forged
    assert report.events == forged - 1
    assert "content does not match its hash" in report.problem


@pytest.mark.parametrize(
    "statement",
    ["UPDATE event SET actor = 'mallory' WHERE id = 2", "DELETE FROM event WHERE id = 2"],
)
def test_the_triggers_refuse_update_and_delete(world, statement) -> None:
    world.open()
    before = world.events()
    with raw(world) as conn, pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute(statement)
    assert world.events() == before
    assert verify(world).ok


@pytest.mark.backend
def test_the_triggers_also_refuse_changes_through_the_store(world) -> None:
    world.open()
    before = world.events()
    with pytest.raises(SQLAlchemyDatabaseError, match="append-only"):  # noqa: SIM117
        with world.store.write() as session:
            session.execute(text("UPDATE event SET actor = 'mallory'"))
    assert world.events() == before
