"""A writer process for the reliability tests: ``python worker.py MODE ARGS...``.

Modes:

* ``mixed DB SEED OPS LOG START``: OPS mixed operations (open, escalate, decide,
  contact, note, cover, accept) through the Ledger on the store's live disputes,
  with ``expected_version`` from a read made earlier, so other workers' changes
  make real stale writes. Every acknowledged change and every refusal is logged
  to LOG (one JSON line each). Starts at the epoch time START.
* ``crash DB SEED ACKS SECONDS [STOP]``: writes until killed, SECONDS pass, or the
  file STOP appears: single operations and ``Ledger.batch()`` runs of many. Before
  a batch its tokens are logged as planned; after each committed change its token
  is logged as acknowledged, and the line is fsynced before the next change begins.
* ``open DB``: open the store (migrating it to the newest schema) and exit.

Each change carries a unique token (``tok-WORKER-N``) into a text field of
its row and its event, so the test can find exactly what was acknowledged.
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
import traceback
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from panel_tui.rules.enums import Action, PackageStatus, Stage
from panel_tui.rules.errors import DomainError, StaleWriteError, StoreBusyError
from panel_tui.rules.policy import default_policy
from panel_tui.store.db import Store
from panel_tui.store.ledger import Ledger
from panel_tui.store.models import Dispute, ProvisionalPackage

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent))  # tests/: the shared form
from relkit import valid_form  # noqa: E402

TYPES = ("eligibility", "funding", "safeguarding", "capacity")
RISKS = ("critical", "high", "medium", "low")
OPENERS = ("frontline", "duty_lead", "supervisor")
NOTERS = ("frontline", "duty_lead", "supervisor", "panel_chair", "program_manager")
COVERERS = ("duty_lead", "supervisor")
CONTACTERS = ("frontline", "duty_lead", "supervisor")
ESCALATORS = ("frontline", "duty_lead", "supervisor", "panel_chair")
DECIDERS = ("supervisor", "panel_chair")
#: Decisions here name MCO as receiving: only its team confirms acceptance.
ACCEPTERS = ("mco_duty_lead", "mco_frontline")
WEIGHTS = {
    "note": 18,
    "contact": 16,
    "cover": 14,
    "escalate": 16,
    "decide": 12,
    "open": 10,
    "accept": 10,
}
POOL = 12  # workers act on the oldest live disputes: overlap on purpose


class Log:
    """One JSON line per record, flushed and fsynced before the next change starts."""

    def __init__(self, path: Path, *, durable: bool) -> None:
        self.file = path.open("a", buffering=1)
        self.durable = durable

    def write(self, **record: Any) -> None:
        self.file.write(json.dumps(record, default=str) + "\n")
        self.file.flush()
        if self.durable:
            os.fsync(self.file.fileno())


class View:
    """What this worker last read of the live disputes: its (possibly stale) picture."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.disputes: dict[str, dict[str, Any]] = {}

    def refresh(self) -> None:
        with self.store.read() as s:
            rows = s.execute(
                select(
                    Dispute.ref,
                    Dispute.id,
                    Dispute.version,
                    Dispute.current_stage,
                    Dispute.status,
                    Dispute.dispute_type,
                )
                .where(Dispute.status.in_(("open", "decided")))
                .order_by(Dispute.id)
                .limit(POOL)
            ).all()
            active = set(
                s.execute(
                    select(ProvisionalPackage.dispute_id).where(
                        ProvisionalPackage.status == PackageStatus.ACTIVE.value
                    )
                ).scalars()
            )
        self.disputes = {
            ref: {
                "version": version,
                "stage": stage,
                "status": status,
                "type": dtype,
                "package": id_ in active,
            }
            for ref, id_, version, stage, status, dtype in rows
        }

    def reload(self, ref: str) -> None:
        with self.store.read() as s:
            row = s.execute(
                select(Dispute.version, Dispute.current_stage, Dispute.status).where(
                    Dispute.ref == ref
                )
            ).first()
        if row is None or row[2] not in ("open", "decided"):
            self.disputes.pop(ref, None)
        else:
            self.disputes[ref].update(version=row[0], stage=row[1], status=row[2])


class Writer:
    def __init__(self, store: Store, name: str, seed: int) -> None:
        self.store = store
        self.name = name
        self.rng = random.Random(seed)
        self.ledgers: dict[str, Ledger] = {}
        self.view = View(store)
        self.n = 0
        self.policy = default_policy()

    def ledger(self, login: str) -> Ledger:
        if login not in self.ledgers:
            self.ledgers[login] = Ledger(self.store, login)
        return self.ledgers[login]

    def token(self) -> str:
        self.n += 1
        return f"tok-{self.name}-{self.n}"

    # --- one operation: returns (record of what was asked, callable doing it) ---------
    def plan(self, kind: str) -> tuple[dict[str, Any], Any]:
        rng, token = self.rng, self.token()
        review = (datetime.now() + timedelta(days=30)).date()
        if kind == "open" or not self.view.disputes:
            who = rng.choice(OPENERS)
            form = valid_form(
                person_ref=f"P-{rng.randrange(1000, 9999)}",
                dispute_type=rng.choice(TYPES),
                risk=rng.choice(RISKS),
                problem_statement=f"Referral stalled between agencies ({token}).",
            )
            return (
                {"op": "open", "action": "open", "token": token, "actor": who, "ref": None},
                lambda: self.ledger(who).open_dispute(form),
            )
        ref = rng.choice(sorted(self.view.disputes))
        seen = self.view.disputes[ref]
        v = seen["version"]
        record: dict[str, Any] = {"op": kind, "token": token, "ref": ref, "expected": v}
        if kind == "note":
            who = rng.choice(NOTERS)
            record.update(action="add_note", actor=who, expected=None)
            return record, lambda: self.ledger(who).add_note(ref, f"note {token}")
        if kind == "cover":
            who = rng.choice(COVERERS)
            record.update(action="assign_cover", actor=who)
            provider = rng.choice(("CBH", "MCO", "HOU"))
            return record, lambda: self.ledger(who).assign_cover(
                ref, provider, f"daily call {token}", expected_version=v
            )
        if kind == "contact" and not seen["package"]:
            who = rng.choice(COVERERS)
            record.update(op="provisional", action="start_provisional", actor=who)
            return record, lambda: self.ledger(who).start_provisional(
                ref, "duty_lead", f"welfare checks {token}", days=10, expected_version=v
            )
        if kind == "contact":
            who = rng.choice(CONTACTERS)
            record.update(action="log_contact", actor=who)
            return record, lambda: self.ledger(who).log_contact(
                ref, "phone", "reached", f"spoke {token}", expected_version=v
            )
        if kind == "escalate":
            who = self.on_rung(rng, Action.ESCALATE, seen, ESCALATORS)
            record.update(action="escalate", actor=who)
            return record, lambda: self.ledger(who).escalate(
                ref,
                f"up {token}",
                "late: panel diary",
                expected_version=v,
                impact="the person waits without agreed support",
            )
        if kind == "decide":
            final = seen["stage"] >= Stage.FINAL_AUTHORITY
            if final:
                who = self.policy.authority_role(Stage.FINAL_AUTHORITY, seen["type"])
            else:
                who = self.on_rung(rng, Action.RECORD_DECISION, seen, DECIDERS)
            record.update(action="final_determination" if final else "record_decision", actor=who)
            return record, lambda: self.ledger(who).record_decision(
                ref,
                rng.choice(("assigned", "joint", "not_upheld")),
                f"contract clause 4 applies {token}",
                review,
                receiving_agency="MCO",
                final=final,
                expected_version=v,
            )
        # accept
        who = rng.choice(ACCEPTERS)
        record.update(op="accept", action="confirm_acceptance", actor=who)
        start = (datetime.now(UTC) + timedelta(days=1)).date()
        return record, lambda: self.ledger(who).confirm_acceptance(
            ref, f"intake booked {token}", start, expected_version=v
        )

    def on_rung(self, rng, action, seen: dict, fallback: tuple[str, ...]) -> str:
        """Someone the policy lets act on the rung the dispute was seen on (logins are roles)."""
        roles = sorted(self.policy.rung_roles(action, seen["stage"], seen["type"]))
        return rng.choice(roles or list(fallback))

    def choose(self) -> str:
        kinds = list(WEIGHTS)
        return self.rng.choices(kinds, weights=[WEIGHTS[k] for k in kinds])[0]


def run_mixed(db: str, seed: int, ops: int, log_path: str, start: float) -> int:
    store = Store.open(db)
    name = f"w{seed}"
    writer = Writer(store, name, seed)
    log = Log(Path(log_path), durable=False)
    writer.view.refresh()
    time.sleep(max(0.0, start - time.time()))
    for _ in range(ops):
        if writer.rng.random() < 0.15:
            writer.view.refresh()  # now and then a fresh read; usually a stale one
        record, call = writer.plan(writer.choose())
        try:
            result = call()
        except (DomainError, StoreBusyError) as err:
            # Busy: the lock was held past the timeout (a starved host); nothing was saved.
            record.update(error=type(err).__name__, message=str(err))
            if isinstance(err, StaleWriteError):
                record["current"] = err.current_version
            log.write(**record)
            if record.get("ref"):
                writer.view.reload(record["ref"])  # reload and go on, as a person would
            continue
        except Exception as exc:  # the test fails on any of these
            record.update(error=type(exc).__name__, message=str(exc), fatal=True)
            record["traceback"] = traceback.format_exc()
            log.write(**record)
            continue
        if record["op"] == "open":
            record["ref"] = result
        record["ok"] = True
        log.write(**record)
        ref = record["ref"]
        if ref in writer.view.disputes and writer.rng.random() < 0.5:
            writer.view.reload(ref)  # sometimes see our own change, sometimes not
    store.close()
    return 0


def run_crash(db: str, seed: int, ack_path: str, seconds: float, stop: Path | None = None) -> int:
    store = Store.open(db)
    name = f"c{seed}"
    writer = Writer(store, name, seed)
    acks = Log(Path(ack_path), durable=True)
    rng = writer.rng
    acks.write(ready=name)
    deadline = time.time() + seconds
    batch_no = 0
    while time.time() < deadline and not (stop is not None and stop.exists()):
        writer.view.refresh()  # a fresh read: a lone writer has no conflicts
        if rng.random() < 0.03:
            batch_no += 1
            size = rng.randrange(10, 100)
            ledger = writer.ledger("supervisor")
            tokens = [writer.token() for _ in range(size)]
            acks.write(planned=f"{name}-b{batch_no}", tokens=tokens)
            with ledger.batch():
                ref = ledger.open_dispute(
                    valid_form(problem_statement=f"Bulk referral stalled ({tokens[0]}).")
                )
                for token in tokens[1:]:
                    pick = rng.random()
                    if pick < 0.6:
                        ledger.add_note(ref, f"bulk note {token}")
                    elif pick < 0.9:
                        ledger.assign_cover(ref, "CBH", f"bulk cover {token}")
                    else:
                        ledger.open_dispute(
                            valid_form(problem_statement=f"Bulk referral stalled ({token}).")
                        )
            acks.write(batch=f"{name}-b{batch_no}", tokens=tokens)
            continue
        record, call = writer.plan(writer.choose())
        try:
            call()
        except DomainError:
            continue  # a refusal by a rule: nothing acknowledged
        acks.write(token=record["token"], op=record["op"])
    store.close()
    return 0


def main(argv: list[str]) -> int:
    mode = argv[0]
    if mode == "mixed":
        db, seed, ops, log, start = argv[1:6]
        return run_mixed(db, int(seed), int(ops), log, float(start))
    if mode == "crash":
        db, seed, acks, seconds = argv[1:5]
        stop = Path(argv[5]) if len(argv) > 5 else None
        return run_crash(db, int(seed), acks, float(seconds), stop)
    if mode == "open":
        Store.open(argv[1]).close()
        return 0
    raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
