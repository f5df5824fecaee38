"""A store holding every kind of record the ledger writes, each made by its real operation.

Shared by the direct-edit and migration tests of the chain's records.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from reliability.relkit import T0, valid_form

from panel_tui.store.db import Store
from panel_tui.store.ledger import Ledger
from panel_tui.store.ledger import alerts as sent_record
from panel_tui.store.ledger.admin import Admin
from panel_tui.store.ledger.agenda import PanelAgenda
from panel_tui.store.ledger.shift import mark_seen
from panel_tui.store.read.alerts import alerts_due
from panel_tui.store.sqlite_driver import sqlite as sqlite3


def rows(path: Path, sql: str, *args: Any) -> list[dict[str, Any]]:
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql, args)]
    finally:
        conn.close()


def build_rich_store(path: Path) -> None:
    """Every kind of record the ledger writes, each through its real operation."""
    store = Store.open(str(path))
    now = T0
    try:
        clock = lambda: now  # noqa: E731 - one clock shared by every actor
        duty = Ledger(store, "duty_lead", clock=clock)
        sup = Ledger(store, "supervisor", clock=clock)
        admin = Admin(store, "admin", clock=clock)
        admin.add_agency("CRS", "Crisis Response", "crisis")
        admin.add_person("front9", "Front Nine", ["frontline"], "MCO")
        refs = [duty.open_dispute(valid_form(person_ref=f"P-{n:04d}")) for n in range(5)]
        a, b, c, d, e = refs
        duty.record_evidence(a, "service_plan", True, "arrived")
        duty.edit_form(a, {"problem_statement": "A clearer statement of the problem."})
        duty.assign_cover(a, "CBH", "daily welfare call")
        duty.assign_cover(a, "CRS", "crisis team visits")
        duty.start_provisional(b, "supervisor", "step-down bed and daily check", days=10)
        duty.log_contact(b, "phone", "reached", "agreed the plan")
        duty.assign_plan_holder(b, "frontline")
        duty.assign_plan_holder(
            b, "front9", period_ends=now + timedelta(days=28), next_sync=now + timedelta(days=7)
        )
        duty.record_sync(
            b, "housing", "front9 (MCO), CBH duty", "tenancy kept", next_due=now + timedelta(days=7)
        )
        duty.record_consent(b, ["CBH", "MCO"], "care coordination", date(2026, 9, 1))
        duty.add_note(c, "called the MCO lead")
        now += timedelta(hours=2)
        sup.escalate(c, "to the supervisors", impact="the person waits without agreed support")
        sup.record_decision(
            c, "assigned", "MCO holds the contract", date(2026, 6, 1), receiving_agency="MCO"
        )
        mco = Ledger(store, "mco_duty_lead", clock=clock)  # MCO receives: its team confirms
        mco.confirm_acceptance(c, "intake booked for Thursday", date(2026, 3, 5))
        duty.withdraw(d, "resolved between the teams")
        sup.escalate(e, "to the supervisors", impact="two missed welfare calls")
        now += timedelta(hours=1)
        sup.escalate(e, "to the panel", impact="the person waits without agreed support")
        # Issue 12: a package's funded pathway, a review trigger, a review, a re-rating.
        sup.record_pathway(b, "MCO intensive case management")
        duty.review_trigger(a, "critical_incident", "fall at home, admitted overnight")
        sup.record_review(c, "engaged with the MCO team", date(2026, 7, 1))
        sup.rerate_risk(e, "critical", "second crisis call this week")
        agenda = PanelAgenda(store, "panel_chair", clock=clock)
        agenda.add(date(2026, 3, 9), a)
        agenda.move(date(2026, 3, 9), a, 1, [store_id(path, a), store_id(path, e)])
        # Shift start: a seen mark, and alerts claimed and sent (a and b warn at 18 h).
        mark_seen(store, "duty_lead", 1, now)
        later = T0 + timedelta(hours=19)
        with store.read() as session:
            due = alerts_due(session, store.policy(session), later)
        digests = sent_record.claim(store, due, "duty_lead", later, "email")
        sent_record.mark_sent(store, digests[0], "duty_lead", later)
    finally:
        store.close()


def store_id(path: Path, ref: str) -> int:
    return rows(path, "SELECT id FROM dispute WHERE ref = ?", ref)[0]["id"]
