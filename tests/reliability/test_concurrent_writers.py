"""Six processes write one store at once: nothing acknowledged is lost or overwritten.

Each worker runs hundreds of mixed operations on the same dozen live disputes,
with ``expected_version`` from a read made earlier, so stale writes happen for
real. Afterwards every acknowledged change must be in its table and in the
event chain, every conflict must have surfaced as a domain error (a stale
write or a rule's refusal) recorded as a "refused" event, and no worker may
have met "database is locked" or any other failure. A write that waited out the
busy timeout (a starved host) is refused as "busy" and must have written nothing.
Marked ``backend``: on a PostgreSQL run the same six writers share one database
(the chain's advisory lock, lock_timeout as the busy timeout: README).
"""

from __future__ import annotations

import json
import time
from collections import Counter, defaultdict
from pathlib import Path

import backends
import pytest
from reliability.relkit import (
    T0,
    chain,
    counts,
    event_tokens,
    integrity,
    query,
    read_jsonl,
    record_figures,
    row_tokens,
    valid_form,
)

from panel_tui.store.db import Store
from panel_tui.store.ledger import Ledger

WORKERS = 6
OPS = 300
#: Actions that change a dispute's version, so carry an expected version.
VERSIONED = {
    "assign_cover",
    "start_provisional",
    "log_contact",
    "escalate",
    "record_decision",
    "final_determination",
    "confirm_acceptance",
}
TABLE_OF = {
    "open": "dispute",
    "add_note": "note",
    "assign_cover": "interimcover",
    "start_provisional": "provisionalpackage",
    "log_contact": "contactattempt",
    "escalate": "stagerecord",
    "record_decision": "decision",
    "final_determination": "decision",
    "confirm_acceptance": "acceptance",
}
#: Domain errors the rules raise for a change refused on its merits (not bad input).
RULE_REFUSALS = {"StaleWriteError", "TransitionError", "RightsError"}


def _seed_disputes(path: Path | str, n: int) -> None:
    store = Store.open(str(path))
    try:
        ledger = Ledger(store, "duty_lead", clock=lambda: T0)
        for i in range(n):
            ref = ledger.open_dispute(
                valid_form(person_ref=f"P-{2000 + i}", dispute_type="funding"), at=T0
            )
            if i % 2:
                ledger.start_provisional(ref, "duty_lead", "welfare checks", days=10, at=T0)
    finally:
        store.close()


@pytest.mark.slow
@pytest.mark.backend
# The PostgreSQL run has the default 300 s limit, not the slow run's 20 minutes: this one
# takes 1.5-2.5 minutes on a loaded 2-core machine.
@pytest.mark.timeout(900)
def test_six_writers_lose_nothing_and_overwrite_nothing(
    store_target: str, tmp_path: Path, spawn_worker
) -> None:
    store_path = store_target  # a file, or a PostgreSQL store's URL
    _seed_disputes(store_path, 8)
    before = counts(
        store_path,
        (
            "dispute",
            "event",
            "note",
            "interimcover",
            "provisionalpackage",
            "contactattempt",
            "stagerecord",
            "decision",
            "acceptance",
        ),
    )
    refused_before = query(store_path, "SELECT count(*) FROM event WHERE action = 'refused'")[0][0]
    start = time.time() + 3.0  # every worker imported and opened before the first write
    logs = [tmp_path / f"w{seed}.jsonl" for seed in range(WORKERS)]
    began = time.monotonic()
    procs = [
        spawn_worker("mixed", store_path, seed, OPS, log, start) for seed, log in enumerate(logs)
    ]
    for proc in procs:
        _, stderr = proc.communicate(timeout=400)
        assert proc.returncode == 0, stderr.decode()
    elapsed = time.monotonic() - began

    records = [r for log in logs for r in read_jsonl(log)]
    assert len(records) == WORKERS * OPS, "a worker did not log every operation"
    fatal = [r for r in records if r.get("fatal")]
    assert not fatal, "failures that were not domain errors:\n" + "\n".join(
        r["traceback"] for r in fatal[:3]
    )
    acks = [r for r in records if r.get("ok")]
    errors = Counter(r["error"] for r in records if "error" in r)
    allowed = {"StaleWriteError", "TransitionError", "InvalidInputError", "StoreBusyError"}
    assert not errors.keys() - allowed, errors
    # "Busy" is the bounded wait doing its job (seen on a host at load 15, where a writer
    # holding the lock was not scheduled for 10 s); the checks below hold it to having
    # written nothing. Most operations must still get through.
    assert errors["StoreBusyError"] < len(records) // 4, errors

    # Every acknowledged change is in its table and has its event in the chain.
    events, rows = event_tokens(store_path), row_tokens(store_path)
    for ack in acks:
        token = ack["token"]
        assert token in events, f"acknowledged {ack['op']} {token} has no event"
        assert events[token][1] == ack["action"], (ack, events[token])
        assert rows.get(token) == TABLE_OF[ack["action"]], f"acknowledged {ack} has no row"
    # ...and nothing else landed: per action, events added == acknowledgements.
    by_action = Counter(a["action"] for a in acks)
    added = Counter(
        dict(
            query(
                store_path,
                "SELECT action, count(*) FROM event WHERE id > ? GROUP BY action",
                before["event"],
            )
        )
    )
    refused = added.pop("refused", 0)
    assert added == by_action
    # Rows per table grew by exactly the acknowledgements (no silent extra or lost row).
    after = counts(store_path, before)
    grown = Counter({t: after[t] - before[t] for t in before if t != "event"})
    expected = Counter()
    for action, n in by_action.items():
        expected[TABLE_OF[action]] += n
    expected["stagerecord"] += by_action["open"]  # a new dispute enters stage 0
    assert +grown == +expected, (grown, expected)

    # Every rule refusal left its "refused" event; bad input left none.
    rule_refusals = sum(n for e, n in errors.items() if e in RULE_REFUSALS)
    assert refused == rule_refusals
    assert (
        query(store_path, "SELECT count(*) FROM event WHERE action = 'refused'")[0][0]
        == refused_before + rule_refusals
    )

    # A stale write was refused only when the version had really moved on...
    stale = [r for r in records if r.get("error") == "StaleWriteError"]
    assert all(r["current"] != r["expected"] for r in stale)
    assert all("nothing was saved" in r["message"] for r in stale)
    # ...and no two acknowledged versioned changes of one dispute started from the
    # same version: each saw the one before it, none wrote over another.
    chains: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for ack in acks:
        if ack["action"] in VERSIONED:
            chains[ack["ref"]].append((events[ack["token"]][0], ack["expected"]))
    for ref, seq in chains.items():
        versions = [v for _, v in sorted(seq)]
        assert versions == sorted(set(versions)), f"{ref}: lost update, versions {versions}"
        final = query(store_path, "SELECT version FROM dispute WHERE ref = ?", ref)[0][0]
        assert final > versions[-1], f"{ref}: version {final} after a write at {versions[-1]}"

    report = chain(store_path)
    assert report.ok, report.describe()
    if not backends.on_postgres():  # the file itself
        assert integrity(store_path) == "ok"
        assert query(store_path, "PRAGMA journal_mode")[0][0] == "wal"

    record_figures(
        "concurrent_writers_postgresql" if backends.on_postgres() else "concurrent_writers",
        {
            "processes": WORKERS,
            "operations": len(records),
            "acknowledged": len(acks),
            "acknowledged_by_action": dict(sorted(by_action.items())),
            "stale_write_conflicts": errors["StaleWriteError"],
            "transition_refusals": errors["TransitionError"],
            "invalid_input": errors["InvalidInputError"],
            "busy_after_the_timeout": errors["StoreBusyError"],
            "database_locked_or_other_failures": len(fatal),
            "disputes_touched": len({r["ref"] for r in acks}),
            "events_in_chain": report.events,
            "seconds": round(elapsed, 1),
        },
    )
    print(json.dumps({"acks": by_action, "errors": errors}, default=str))
