"""Shift start: what changed since a person last looked, and their seen mark under the chain."""

from __future__ import annotations

import os
import pwd
from datetime import timedelta
from typing import Any

import pytest

from panel_tui.rules.errors import InvalidInputError, NotFoundError
from panel_tui.store.ledger.shift import mark_seen
from panel_tui.store.read import changes as ch
from panel_tui.store.rebuild.verify import check_records
from panel_tui.store.sqlite_driver import sqlite as sqlite3

World = Any  # tests/store/conftest.py's World


def read(world: World, login: str = "duty_lead") -> ch.Changes:
    with world.store.read() as session:
        since = ch.since_last(session, login, world.now)
        return ch.read_changes(session, world.store.policy(session), since, world.now)


def kinds(changes: ch.Changes) -> set[tuple[str, str]]:
    return {(c.kind, c.ref) for c in changes.items}


def look(world: World, login: str = "duty_lead") -> ch.Changes:
    """Read what changed and mark it seen, as the shift-start view's `m` does."""
    changes = read(world, login)
    mark_seen(world.store, login, changes.head_event, world.now)
    return changes


@pytest.mark.backend
def test_events_since_the_mark_are_listed_by_kind_and_the_mark_hides_them(world: World) -> None:
    old = world.open()
    look(world)
    world.advance(minutes=10)
    new = world.open()
    world.ledger("supervisor").escalate(
        old, "moving up", impact="the person waits without agreed support"
    )
    world.advance(minutes=10)
    decided = world.open()
    world.decided(decided)
    changes = read(world)
    assert changes.since.from_mark
    assert {("opened", new), ("opened", decided), ("escalated", old), ("decided", decided)} <= (
        kinds(changes)
    )
    assert ("opened", old) not in kinds(changes)  # seen before the mark
    assert changes.counts["opened"] == 2 and changes.counts["decided"] == 1
    escalated = changes.of("escalated")[0]
    assert escalated.actor == "supervisor" and escalated.detail == "to stage 1"
    # Someone else's mark is theirs: the supervisor (never looked) sees the last day.
    assert ("opened", old) in kinds(read(world, "supervisor"))
    look(world)
    after = read(world)
    assert not [c for c in after.items if c.kind in ch.EVENT_KINDS.values()]


@pytest.mark.backend
def test_clocks_that_breached_or_warned_since_the_mark(world: World) -> None:
    ref = world.open(risk="high")  # frontline window 24 h: warning at 18 h, breach at 24 h
    look(world)
    world.advance(hours=17)
    assert ("warning", ref) not in kinds(read(world))
    world.advance(hours=2)
    warned = read(world)
    assert ("warning", ref) in kinds(warned)
    look(world)
    world.advance(hours=1)
    assert ("warning", ref) not in kinds(read(world))  # it warned before the mark
    world.advance(hours=5)
    changes = read(world)
    assert ("breached", ref) in kinds(changes)
    assert changes.items[0].kind == "breached"  # what is burning comes first
    look(world)
    world.advance(hours=1)
    assert ("breached", ref) not in kinds(read(world))


@pytest.mark.backend
def test_packages_expiring_within_two_days_are_listed(world: World) -> None:
    ref = world.open()
    world.ledger("duty_lead").start_provisional(ref, "frontline", "daily welfare call", days=7)
    look(world)
    world.advance(days=4)
    assert ("package_expiring", ref) not in kinds(read(world))
    world.advance(days=1, hours=1)
    assert ("package_expiring", ref) in kinds(read(world))


@pytest.mark.backend
def test_a_review_is_listed_once_on_the_day_it_comes_due(world: World) -> None:
    ref = world.open()
    world.ledger("frontline").review_trigger(ref, "services_refused", "door not opened")
    look(world)
    world.advance(days=2)
    assert ("review_due", ref) not in kinds(read(world))  # due in three days, not yet
    world.advance(days=1, hours=1)
    due = [c for c in read(world).of("review_due") if c.ref == ref]
    assert len(due) == 1 and due[0].detail.startswith("review due ")
    assert read(world).counts["review_due"] >= 1
    look(world)  # seen: listed once, not again the next day (the queue keeps it)
    world.advance(days=1)
    assert ("review_due", ref) not in kinds(read(world))


@pytest.mark.backend
def test_since_a_time_reads_events_by_time(world: World) -> None:
    first = world.open()
    world.advance(hours=3)
    second = world.open()
    world.advance(hours=1)
    with world.store.read() as session:
        since = ch.Since(at=world.now - timedelta(hours=2))
        changes = ch.read_changes(session, world.store.policy(session), since, world.now)
    assert ("opened", second) in kinds(changes) and ("opened", first) not in kinds(changes)


def test_a_mark_is_an_audited_record_never_moved_back(world: World) -> None:
    world.open()
    head = look(world).head_event
    event = world.last_event()
    assert event["action"] == "mark_seen" and event["actor"] == "duty_lead"
    assert event["real_actor"] == pwd.getpwuid(os.getuid()).pw_name  # who really marked it
    assert event["after"]["event_id"] == head
    world.advance(minutes=5)
    mark_seen(world.store, "duty_lead", head - 1, world.now)  # an older window's view
    assert world.sql("SELECT event_id FROM seenmark WHERE login = 'duty_lead'")[0][0] == head
    with world.store.engine.connect() as connection:
        assert check_records(connection).ok
    # A direct edit of the mark (hiding what came since from the next look) is named.
    conn = sqlite3.connect(world.path)
    with conn:
        conn.execute("UPDATE seenmark SET event_id = event_id + 100")
    conn.close()
    world.store.engine.dispose()
    with world.store.engine.connect() as connection:
        report = check_records(connection)
    assert not report.ok
    assert any(f.table == "seenmark" and f.field == "event_id" for f in report.findings)


@pytest.mark.backend
def test_only_people_of_the_store_mark_and_only_events_it_holds(world: World) -> None:
    world.open()
    with pytest.raises(NotFoundError):
        mark_seen(world.store, "stranger", 1, world.now)
    with pytest.raises(InvalidInputError, match="not in this store"):
        mark_seen(world.store, "duty_lead", 10**6, world.now)
    assert world.sql("SELECT count(*) FROM seenmark")[0][0] == 0


def test_by_time_each_action_is_counted_and_listed_along_its_own_index(world: World) -> None:
    """Behaviour, not speed: SQLite's plan for the event reads of a "since a time" look
    names ``ix_event_action_at`` (migration 0010), the counts from the index alone."""
    from sqlalchemy import event

    for _ in range(3):
        world.open()
    statements: list[tuple[str, Any]] = []

    def seen(conn, cursor, statement, params, context, many) -> None:  # noqa: ANN001
        if "FROM event" in statement and "event.action" in statement:
            statements.append((statement, params))

    event.listen(world.store.engine, "before_cursor_execute", seen)
    try:
        changes = read(world)  # never marked: since the last 24 hours, by time
    finally:
        event.remove(world.store.engine, "before_cursor_execute", seen)
    assert not changes.since.from_mark and changes.counts["opened"] >= 3
    counts = [s for s in statements if "count(" in s[0]]
    lists = [s for s in statements if "count(" not in s[0]]
    assert len(counts) == 1 and len(lists) == len(ch.EVENT_KINDS)
    conn = sqlite3.connect(world.store.engine.url.database)
    try:
        for statement, params in statements:
            plan = " / ".join(
                row[-1] for row in conn.execute(f"EXPLAIN QUERY PLAN {statement}", params)
            )
            assert "USING INDEX ix_event_action_at" in plan or (
                "USING COVERING INDEX ix_event_action_at" in plan
            ), plan
            if "count(" in statement:
                assert "COVERING INDEX ix_event_action_at" in plan, plan
    finally:
        conn.close()


@pytest.mark.backend
def test_agenda_additions_syncs_and_consent_are_listed_with_their_detail(world: World) -> None:
    """Issue 15's newer records a duty lead wants at shift start: a dispute put on a
    panel's agenda, a case sync and its outcome, a consent scope and its review."""
    from panel_tui.store.ledger.agenda import PanelAgenda

    ref = world.open()
    world.ledger("duty_lead").assign_plan_holder(ref, "frontline")
    look(world)
    world.advance(minutes=10)
    panel_day = world.review(days=2)
    PanelAgenda(world.store, "panel_chair").add(panel_day, ref, at=world.now)
    world.ledger("frontline").record_sync(
        ref, "medication", "frontline (CBH), GP practice nurse", "blister packs from Friday"
    )
    review = world.review(days=90)
    world.ledger("frontline").record_consent(ref, ["MCO", "CBH"], "care coordination", review)
    changes = read(world)
    assert {("agenda_added", ref), ("synced", ref), ("consent", ref)} <= kinds(changes)
    assert changes.counts["agenda_added"] == changes.counts["synced"] == 1
    assert changes.counts["consent"] == 1
    (agenda,) = changes.of("agenda_added")
    assert agenda.actor == "panel_chair" and agenda.detail == f"panel of {panel_day}"
    (sync,) = changes.of("synced")
    assert sync.actor == "frontline" and sync.detail == "medication: blister packs from Friday"
    (consent,) = changes.of("consent")
    assert consent.detail == f"CBH MCO · review {review}"
    # Seen, they are gone; a sync's long outcome is a few words in the list.
    look(world)
    world.advance(minutes=10)
    world.ledger("frontline").record_sync(ref, "housing", "frontline (CBH)", "tenancy kept " * 40)
    (sync,) = read(world).of("synced")
    assert sync.detail.startswith("housing: tenancy kept") and len(sync.detail) == ch.DETAIL_MAX
    assert not read(world).of("agenda_added") and not read(world).of("consent")


def test_the_headings_table_gives_every_kind_in_the_order_a_shift_reads_them() -> None:
    # KINDS is read from LABELS: the table's order is the reading order (burning first).
    assert ch.KINDS == (
        "breached",
        "warning",
        "package_expiring",
        "review_due",
        "opened",
        "escalated",
        "decided",
        "accepted",
        "withdrawn",
        "agenda_added",
        "synced",
        "consent",
    )
    assert all(ch.LABELS[kind] for kind in ch.KINDS)
    assert set(ch.EVENT_KINDS.values()) <= set(ch.KINDS)
