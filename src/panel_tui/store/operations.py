"""The ledger's operations (DOMAIN.md), each one checked and audited.

``Ledger(store, login)`` is the one way anything changes a dispute. The
operations live in three small modules by theme; this class joins them.
"""

from __future__ import annotations

from panel_tui.store.ops_common import CONTACT_METHODS
from panel_tui.store.ops_form import FormOperations
from panel_tui.store.ops_ladder import LadderOperations
from panel_tui.store.ops_support import SupportOperations

__all__ = ["CONTACT_METHODS", "Ledger"]


class Ledger(FormOperations, LadderOperations, SupportOperations):
    """Every change to the ledger, as the person ``login``."""
