"""A small, fixed store for the app's tests: every clock state, a panel agenda, decisions.

Everything is dated relative to ``NOW`` so the screens are deterministic.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from dispute_forms import valid_form

from panel_tui.store.db import Store
from panel_tui.store.ledger import Ledger
from panel_tui.store.ledger.admin import Admin, init_store

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)

PEOPLE = [
    ("duty", "Dana Duty", ["duty_lead"], "CBH"),
    ("chair", "Chris Chair", ["panel_chair"], None),
    ("sup", "Sam Super", ["supervisor"], "MCO"),
    ("pm", "Pat Manager", ["program_manager"], "CBH"),
    ("watcher", "Wren Watcher", ["oversight"], None),
]


def form(person: str, **changes: Any) -> dict[str, Any]:
    """The shared valid form, with this store's wording (the snapshots show it)."""
    return valid_form(
        **{
            "person_ref": person,
            "risk": "medium",
            "problem_statement": "Discharge stalled: both sides say the other funds step-down.",
            "rule_conflict": "MCO reads criterion 4.2 as excluding dual diagnosis",
            "evidence_summary": "Two admissions in 60 days; risk screen amber",
            "requested_decision": "Who funds the step-down bed",
            **changes,
        }
    )


def build_store(path: Path | str, *, now: datetime = NOW) -> Store:
    store = init_store(str(path), "root", "Root Admin", kind="test", at=now - timedelta(days=30))
    admin = Admin(store, "root")
    for code, name in [
        ("CBH", "County Behavioural Health"),
        ("MCO", "Care Plan MCO"),
        ("HSG", "Housing Services"),
        ("APS", "Adult Protective Services"),
    ]:
        admin.add_agency(code, name, at=now - timedelta(days=30))
    for login, name, roles, agency in PEOPLE:
        admin.add_person(login, name, roles, agency, at=now - timedelta(days=30))
    duty = Ledger(store, "duty")
    chair = Ledger(store, "chair")
    ago = lambda **kw: now - timedelta(**kw)  # noqa: E731

    # 1: breached at frontline (critical, 4 h window, opened 9 h ago).
    duty.open_dispute(
        form("P-1001", risk="critical", dispute_type="safeguarding", responding_agencies=["APS"]),
        at=ago(hours=9),
    )
    # 2: warning (medium 48 h window, 40 h used).
    duty.open_dispute(form("P-1002"), at=ago(hours=40))
    # 3: on track, low risk.
    duty.open_dispute(
        form("P-1003", risk="low", dispute_type="capacity", responding_agencies=["HSG"]),
        at=ago(hours=2),
    )
    # 4 and 5: at the panel stage (for panel mode), with cover and a provisional package.
    for person in ("P-1004", "P-1005"):
        ref = duty.open_dispute(
            form(person, risk="high", dispute_type="eligibility"), at=ago(hours=30)
        )
        duty.escalate(
            ref,
            "supervisor call booked",
            "first window missed",
            at=ago(hours=6),
            impact="the person waits without agreed support",
        )
        duty.escalate(
            ref, "to the panel", at=ago(hours=5), impact="the person waits without agreed support"
        )
        duty.assign_cover(ref, "CBH", "daily welfare call", at=ago(hours=5))
    duty.start_provisional("D-2026-0004", "duty", "welfare check; med rec", days=7, at=ago(days=6))
    duty.log_contact("D-2026-0004", "phone", "reached", "agreed to see ACT", at=ago(hours=3))
    # 6: decided, awaiting acceptance.
    ref = duty.open_dispute(form("P-1006", risk="high"), at=ago(days=3))
    duty.escalate(
        ref, "call", "missed", at=ago(days=2), impact="the person waits without agreed support"
    )
    duty.escalate(
        ref, "panel", at=ago(days=1, hours=12), impact="the person waits without agreed support"
    )
    chair.record_decision(
        ref,
        "assigned",
        "MCO funds the step-down bed from Monday",
        (now + timedelta(days=28)).date(),
        receiving_agency="MCO",
        at=ago(days=1),
    )
    # 7: closed.
    ref = duty.open_dispute(form("P-1007", risk="low"), at=ago(days=9))
    duty.withdraw(ref, "agencies agreed at frontline", at=ago(days=8))
    duty.add_note("D-2026-0001", "APS called back, visit booked", at=ago(hours=1))
    return store
