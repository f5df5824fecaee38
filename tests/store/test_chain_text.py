"""The bulk path's prepared events chain to exactly the rows and hashes of ``link``.

A worker writes each event's hashed text around the three values only the
chain knows (``chain_text``); the event rows and every digest must be the
ones ``EventChain.link`` (``EventContent``'s canonical JSON) gives for the same
events, or ``audit verify`` would fail on a bulk-built store.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from panel_tui.rules.policy_text import demo_policy_text
from panel_tui.store.demo import batches
from panel_tui.store.demo.bulk import _jobs
from panel_tui.store.demo.chain_text import PreparedChain, prepare_events
from panel_tui.store.demo.rows import (
    BULK_TABLES,
    IDS_PER_DISPUTE,
    REF_HOLE_JSON,
    BulkContext,
    EventChain,
    columns,
)
from panel_tui.store.demo.texts import DEMO_AGENCIES, DEMO_PEOPLE
from panel_tui.store.event_hash import GENESIS, canonical

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def _raw_events(monkeypatch: pytest.MonkeyPatch) -> list[tuple]:
    """Some batches' events as ``RowMaker`` makes them (unsorted, the open's ref a
    hole), closed and live disputes alike."""
    monkeypatch.setattr(batches, "prepare_events", lambda events: events)
    people = {login: (n, tuple(roles)) for n, (login, _, roles, _) in enumerate(DEMO_PEOPLE, 2)}
    agencies = {code: n for n, (code, _, _) in enumerate(DEMO_AGENCIES, 1)}
    tables = {t: columns(t) for t in BULK_TABLES}
    context = BulkContext(demo_policy_text(), NOW, people, agencies, tables)
    jobs = _jobs(random.Random(3), 3, 120, 60, 61, dict.fromkeys(IDS_PER_DISPUTE, 500))
    events = [e for job in jobs for e in batches.make_batch(context, job).events]
    monkeypatch.undo()
    return events


@pytest.mark.parametrize("builder_acts", [False, True])
def test_prepared_events_chain_to_the_same_rows_and_hashes(
    builder_acts: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    events = _raw_events(monkeypatch)
    assert {e[2] for e in events} >= {"open", "escalate", "record_decision", "withdraw"}
    # Whoever builds it is recorded as real_actor on every event but their own.
    real_login = events[0][1] if builder_acts else "the-os-login"
    old = EventChain(100, GENESIS, real_login)
    new = PreparedChain(100, GENESIS, real_login)
    expected, got = [], []
    ordered = sorted(events, key=lambda e: e[0])
    for (at, actor, action, did, stage, before, after, rows), event in zip(
        ordered, prepare_events(events), strict=True
    ):
        ref = f"D-{at.year}-{did:04d}"
        dispute = (did, ref, stage)
        if action == "open":
            filled = rows.replace(REF_HOLE_JSON, canonical(ref), 1)
            expected.append(old.link(at, actor, action, dispute, before, after, filled))
            got.append(new.link_prepared(event, ref, filled))
        else:
            expected.append(old.link(at, actor, action, dispute, before, after, rows))
            got.append(new.link_prepared(event, ref))
    assert got == expected
    assert new.prev_hash == old.prev_hash != GENESIS
    acting_as = {row[-1] is not None for row in got}
    assert acting_as == ({True, False} if builder_acts else {True})


def test_an_opening_filled_in_place_chains_as_if_its_rows_were_escaped_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``link_opening`` fills the ref into the rows and their escaped copy in the hashed
    text; the rows and digests must be those of ``link_prepared`` with the rows filled."""
    events = prepare_events(_raw_events(monkeypatch))
    opens = [e for e in events if e[2] == "open"]
    assert len(opens) == 120
    slow, fast = PreparedChain(7, GENESIS, "builder"), PreparedChain(7, GENESIS, "builder")
    for event in opens:
        ref = f"D-2026-{event[3]:04d}"
        filled = event[7].replace(REF_HOLE_JSON, canonical(ref), 1)
        expected = slow.link_prepared(event, ref, filled)
        assert fast.link_opening(event, ref) == expected
        assert ref in expected[-2] and REF_HOLE_JSON not in expected[-2]
    assert fast.prev_hash == slow.prev_hash
