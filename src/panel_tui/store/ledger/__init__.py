"""The write path: the ledger's operations (DOMAIN.md), each one checked and audited.

``Ledger(store, login)`` is the one way anything changes a dispute. Its
machinery (one transaction per change, rights, refusals, the audit event) is in
``base.py``, with the one form every operation on a dispute takes (``on_dispute``):
each operation says only its input checks, its action, what it was asked and its
change. The operations live in small modules by theme (``form.py``, ``ladder.py``,
``support.py``, ``reviews.py``, ``plan.py``, sharing ``common.py``) and this class
joins them. ``admin.py`` changes the store's agencies, people and policy the same
way; ``agenda.py``, a panel's agenda.
"""

from __future__ import annotations

from panel_tui.store.ledger.form import FormOperations
from panel_tui.store.ledger.ladder import LadderOperations
from panel_tui.store.ledger.plan import PlanOperations
from panel_tui.store.ledger.reviews import ReviewOperations
from panel_tui.store.ledger.support import SupportOperations

__all__ = ["Ledger"]


class Ledger(FormOperations, LadderOperations, SupportOperations, ReviewOperations, PlanOperations):
    """Every change to the ledger, as the person ``login``."""
