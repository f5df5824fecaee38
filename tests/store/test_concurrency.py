"""Two people on one store: stale writes are refused by name, never silently overwritten."""

from __future__ import annotations

import threading

import pytest

from panel_tui.rules.errors import RightsError, StaleWriteError
from panel_tui.store.audit import verify_chain
from panel_tui.store.db import Store
from panel_tui.store.ledger import Ledger
from panel_tui.store.read.orm_detail import dispute_detail


@pytest.mark.backend
def test_a_stale_escalation_names_who_changed_it_and_when(world) -> None:
    ref = world.open()
    seen = dispute_detail(world.store, ref, world.now).version  # A opens the dispute
    world.advance(minutes=20)
    b_time = world.now
    world.ledger("supervisor").escalate(
        ref, "B moved it to the supervisors", impact="the person waits without agreed support"
    )  # B is quicker
    world.advance(minutes=1)
    err = world.refused(
        StaleWriteError,
        lambda: world.ledger("duty_lead").escalate(
            ref, "A's note", expected_version=seen, impact="the person waits without agreed support"
        ),
        actor="duty_lead",
        ref=ref,
    )
    assert err.changed_by == "supervisor" and err.changed_at == b_time
    assert "changed by supervisor at 2026-03-02T09:20:00" in err.message
    assert "nothing was saved" in err.message
    det = dispute_detail(world.store, ref, world.now)
    assert det.stage == 1 and det.stages[1].note == "B moved it to the supervisors"
    assert det.stages[2].entered_at is None  # A's escalation did not land on top of B's


@pytest.mark.backend
def test_the_stale_message_names_the_change_not_a_later_refusal_or_note(world) -> None:
    ref = world.open()
    seen = world.dispute(ref)["version"]
    world.advance(minutes=5)
    changed_at = world.now
    world.ledger("supervisor").escalate(
        ref, "moved up", impact="the person waits without agreed support"
    )
    world.advance(minutes=1)
    with pytest.raises(RightsError):
        world.ledger("oversight").escalate(
            ref, impact="the person waits without agreed support"
        )  # refused: leaves a "refused" event
    world.ledger("clinical_lead").add_note(ref, "noted")  # does not change the version
    world.advance(minutes=1)
    err = world.refused(
        StaleWriteError,
        lambda: world.ledger("duty_lead").assign_cover(ref, "CBH", "call", expected_version=seen),
    )
    assert (err.changed_by, err.changed_at) == ("supervisor", changed_at)


@pytest.mark.backend
def test_two_store_objects_on_one_file_see_each_others_changes(world) -> None:
    other = Store.open(str(world.path))  # a second process would have its own engine
    try:
        a = Ledger(world.store, "duty_lead", clock=lambda: world.now)
        b = Ledger(other, "supervisor", clock=lambda: world.now)
        ref = a.open_dispute(world.form())
        seen = dispute_detail(world.store, ref, world.now).version
        world.advance(minutes=3)
        b.escalate(ref, "from the other session", impact="the person waits without agreed support")
        assert dispute_detail(world.store, ref, world.now).stage == 1  # A's store sees it
        err = world.refused(
            StaleWriteError, lambda: a.withdraw(ref, "not needed now", expected_version=seen)
        )
        assert err.changed_by == "supervisor"
        assert world.dispute(ref)["status"] == "open"
        # Both keep extending one chain.
        a.add_note(ref, "from A")
        b.add_note(ref, "from B")
        with other.engine.connect() as connection:
            report = verify_chain(connection)
        assert report.ok, report.describe()
        assert [e["actor"] for e in world.events()[-3:]] == ["duty_lead", "duty_lead", "supervisor"]
    finally:
        other.close()


@pytest.mark.backend
def test_concurrent_writers_from_two_engines_all_land_on_one_unbroken_chain(world) -> None:
    ref = world.open()
    stores = [world.store, Store.open(str(world.path))]
    errors: list[BaseException] = []
    per_thread = 25

    def write(store: Store, login: str) -> None:
        ledger = Ledger(store, login, clock=lambda: world.now)
        try:
            for i in range(per_thread):
                ledger.add_note(ref, f"{login} note {i}")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [
        threading.Thread(target=write, args=(stores[0], "frontline")),
        threading.Thread(target=write, args=(stores[1], "supervisor")),
    ]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        stores[1].close()
    assert errors == []
    notes = world.sql("SELECT count(*) FROM note")[0][0]
    assert notes == 2 * per_thread
    ids = [e["id"] for e in world.events()]
    assert ids == list(range(1, len(ids) + 1))
    with world.store.engine.connect() as connection:
        assert verify_chain(connection).ok


@pytest.mark.backend
def test_a_current_version_goes_through_after_a_reload(world) -> None:
    ref = world.open()
    world.ledger("supervisor").escalate(ref, impact="the person waits without agreed support")
    world.advance(minutes=1)
    fresh = dispute_detail(world.store, ref, world.now).version
    world.ledger("duty_lead").escalate(
        ref,
        "after reload",
        expected_version=fresh,
        impact="the person waits without agreed support",
    )
    assert world.dispute(ref)["current_stage"] == 2
    assert world.dispute(ref)["version"] == fresh + 1
