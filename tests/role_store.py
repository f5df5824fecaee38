"""The store most store and reliability tests start from: three agencies, one person per role.

Each person's login is their role's name ("admin" is made by init), so a test
says who acts by the role it needs. One definition for both suites.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from panel_tui.rules.policy import KNOWN_ROLES

#: A Monday morning: stores are built, and clocks start, at explicit times.
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ADMIN = "admin"
AGENCIES = (
    ("CBH", "County Behavioral Health", "county"),
    ("MCO", "Managed Care Organisation", "payer"),
    ("HOU", "Housing Services", "housing"),
)
ROLES = tuple(sorted(KNOWN_ROLES))
#: People of the other agencies (login, roles, agency): only the receiving agency's
#: team confirms acceptance, so a decision for MCO is accepted by MCO's people.
OTHER_PEOPLE = (
    ("mco_duty_lead", ("duty_lead",), "MCO"),
    ("mco_frontline", ("frontline",), "MCO"),
    ("hou_duty_lead", ("duty_lead",), "HOU"),
)


def build_role_store(path: Path, *, at: datetime = T0 - timedelta(days=30)) -> None:
    """Create the store at ``path`` and close it (the WAL is checkpointed into the file)."""
    from panel_tui.store.ledger.admin import Admin, init_store

    store = init_store(str(path), ADMIN, "Ada Admin", kind="test", at=at)
    try:
        admin = Admin(store, ADMIN, clock=lambda: at)
        for code, name, kind in AGENCIES:
            admin.add_agency(code, name, kind)
        for role in ROLES:
            if role != ADMIN:
                admin.add_person(role, role.replace("_", " ").title(), [role], "CBH")
        for login, roles, agency in OTHER_PEOPLE:
            admin.add_person(login, login.replace("_", " ").title(), list(roles), agency)
    finally:
        store.close()
